#include "emulator/outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

struct emu_outbox {
    pthread_mutex_t lock;
    char *path;
    cJSON *messages; /* array */
};

emu_outbox *emu_outbox_new(const char *path)
{
    emu_outbox *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return NULL;
    o->path = strdup(path);
    o->messages = cJSON_CreateArray();
    if (o->path == NULL || o->messages == NULL) {
        free(o->path);
        cJSON_Delete(o->messages);
        free(o);
        return NULL;
    }
    pthread_mutex_init(&o->lock, NULL);
    return o;
}

void emu_outbox_free(emu_outbox *o)
{
    if (o == NULL)
        return;
    pthread_mutex_destroy(&o->lock);
    cJSON_Delete(o->messages);
    free(o->path);
    free(o);
}

static int append_line(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t n = strlen(line);
    int rc = 0;
    /* O_APPEND keeps each message one line even if written concurrently by another process. */
    if (write(fd, line, n) != (ssize_t)n || write(fd, "\n", 1) != 1)
        rc = -1;
    if (close(fd) != 0)
        rc = -1;
    return rc;
}

int emu_outbox_add(emu_outbox *o, const char *credential_id, const char *channel, const char *to,
                   const char *subject, const char *text, const char *otp)
{
    int rc = -1;
    char *line = NULL;
    cJSON *m = cJSON_CreateObject();
    if (m == NULL || cJSON_AddNumberToObject(m, "time", (double)time(NULL)) == NULL ||
        cJSON_AddStringToObject(m, "credentialID", credential_id) == NULL ||
        cJSON_AddStringToObject(m, "channel", channel) == NULL ||
        cJSON_AddStringToObject(m, "to", to != NULL ? to : "") == NULL ||
        (subject != NULL && cJSON_AddStringToObject(m, "subject", subject) == NULL) ||
        cJSON_AddStringToObject(m, "text", text) == NULL ||
        cJSON_AddStringToObject(m, "otp", otp) == NULL ||
        (line = cJSON_PrintUnformatted(m)) == NULL)
        goto out;
    pthread_mutex_lock(&o->lock);
    if (append_line(o->path, line) != 0)
        rssp_error("emulator: cannot append to %s: %s", o->path, strerror(errno));
    if (cJSON_AddItemToArray(o->messages, m)) {
        m = NULL;
        rc = 0;
    }
    pthread_mutex_unlock(&o->lock);
out:
    cJSON_free(line);
    cJSON_Delete(m);
    return rc;
}

cJSON *emu_outbox_list(emu_outbox *o)
{
    pthread_mutex_lock(&o->lock);
    cJSON *copy = cJSON_Duplicate(o->messages, 1);
    pthread_mutex_unlock(&o->lock);
    return copy;
}
