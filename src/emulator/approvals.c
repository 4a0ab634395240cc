#define _GNU_SOURCE /* POLLRDHUP */
#include "emulator/approvals.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "emulator/sessions.h"

typedef struct pending {
    struct pending *next;
    char *credential_id;
    cJSON *info;
    long long deadline_ms;
    unsigned long id;
    int efd;
    bool answered;
    emu_approval_result result;
} pending;

struct emu_approvals {
    pthread_mutex_t lock;
    pending *head;
    long auto_approve_ms;
    unsigned long next_id;
    bool shutdown;
};

emu_approvals *emu_approvals_new(long auto_approve_ms)
{
    emu_approvals *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    pthread_mutex_init(&a->lock, NULL);
    a->auto_approve_ms = auto_approve_ms;
    a->next_id = 1;
    return a;
}

void emu_approvals_free(emu_approvals *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->lock);
    free(a);
}

/* Lock held. */
static void answer(pending *p, emu_approval_result result)
{
    if (p->answered)
        return;
    p->answered = true;
    p->result = result;
    uint64_t one = 1;
    ssize_t w = write(p->efd, &one, sizeof(one));
    (void)w; /* an eventfd write of 1 cannot fail short of overflow */
}

static void unlink_pending(emu_approvals *a, pending *p)
{
    for (pending **pp = &a->head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

emu_approval_result emu_approvals_wait(emu_approvals *a, const char *credential_id, cJSON *info,
                                       long window_ms, int client_fd)
{
    pending *p = calloc(1, sizeof(*p));
    if (p == NULL || (p->credential_id = strdup(credential_id)) == NULL) {
        free(p);
        cJSON_Delete(info);
        return EMU_APPROVAL_ERROR;
    }
    p->info = info;
    p->efd = eventfd(0, EFD_CLOEXEC);
    if (p->efd < 0) {
        free(p->credential_id);
        cJSON_Delete(p->info);
        free(p);
        return EMU_APPROVAL_ERROR;
    }
    long long start = emu_now_ms();
    p->deadline_ms = start + window_ms;
    long long auto_at = a->auto_approve_ms >= 0 ? start + a->auto_approve_ms : -1;

    pthread_mutex_lock(&a->lock);
    if (a->shutdown) {
        pthread_mutex_unlock(&a->lock);
        close(p->efd);
        free(p->credential_id);
        cJSON_Delete(p->info);
        free(p);
        return EMU_APPROVAL_SHUTDOWN;
    }
    /* At most one pending approval per credential: the newer one wins. */
    for (pending *o = a->head; o != NULL; o = o->next) {
        if (strcmp(o->credential_id, credential_id) == 0)
            answer(o, EMU_APPROVAL_SUPERSEDED);
    }
    p->id = a->next_id++;
    p->next = a->head;
    a->head = p;
    pthread_mutex_unlock(&a->lock);

    emu_approval_result result = EMU_APPROVAL_TIMEOUT;
    for (;;) {
        long long now = emu_now_ms();
        long long until = p->deadline_ms;
        if (auto_at >= 0 && auto_at < until)
            until = auto_at;
        long long wait = until - now;
        struct pollfd fds[2] = {{p->efd, POLLIN, 0}, {client_fd, POLLRDHUP, 0}};
        int n = poll(fds, client_fd >= 0 ? 2 : 1, wait < 0 ? 0 : (int)wait);
        if (n < 0 && errno != EINTR) {
            result = EMU_APPROVAL_ERROR;
            break;
        }
        if (n > 0 && (fds[0].revents & POLLIN))
            break; /* answered: result read below */
        if (n > 0 && client_fd >= 0 && (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
            result = EMU_APPROVAL_CLIENT_GONE;
            break;
        }
        if (n == 0 && emu_now_ms() >= until) {
            result =
                (auto_at >= 0 && until == auto_at) ? EMU_APPROVAL_APPROVED : EMU_APPROVAL_TIMEOUT;
            break;
        }
    }
    pthread_mutex_lock(&a->lock);
    if (p->answered && result != EMU_APPROVAL_CLIENT_GONE && result != EMU_APPROVAL_ERROR)
        result = p->result;
    unlink_pending(a, p);
    pthread_mutex_unlock(&a->lock);
    close(p->efd);
    free(p->credential_id);
    cJSON_Delete(p->info);
    free(p);
    return result;
}

int emu_approvals_answer(emu_approvals *a, const char *credential_id, bool approve)
{
    int rc = -1;
    pthread_mutex_lock(&a->lock);
    for (pending *p = a->head; p != NULL; p = p->next) {
        if (!p->answered && strcmp(p->credential_id, credential_id) == 0) {
            answer(p, approve ? EMU_APPROVAL_APPROVED : EMU_APPROVAL_DENIED);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return rc;
}

cJSON *emu_approvals_list(emu_approvals *a)
{
    cJSON *arr = cJSON_CreateArray();
    if (arr == NULL)
        return NULL;
    long long now = emu_now_ms();
    pthread_mutex_lock(&a->lock);
    for (pending *p = a->head; p != NULL; p = p->next) {
        if (p->answered)
            continue;
        cJSON *item = p->info != NULL ? cJSON_Duplicate(p->info, 1) : cJSON_CreateObject();
        if (item == NULL || cJSON_AddNumberToObject(item, "id", (double)p->id) == NULL ||
            cJSON_AddStringToObject(item, "credentialID", p->credential_id) == NULL ||
            cJSON_AddNumberToObject(item, "remainingMs", (double)(p->deadline_ms - now)) == NULL ||
            !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            cJSON_Delete(arr);
            arr = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&a->lock);
    return arr;
}

void emu_approvals_shutdown(emu_approvals *a)
{
    pthread_mutex_lock(&a->lock);
    a->shutdown = true;
    for (pending *p = a->head; p != NULL; p = p->next)
        answer(p, EMU_APPROVAL_SHUTDOWN);
    pthread_mutex_unlock(&a->lock);
}
