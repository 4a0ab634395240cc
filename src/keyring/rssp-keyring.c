/*
 * rssp-keyring: the one program that talks to the Secret Service (libsecret),
 * so that the module and rssp-tool never load GLib or its D-Bus worker thread
 * into their process (src/config/config_keyring.h).
 *
 *   rssp-keyring lookup -- NAME VALUE ...      secret on standard output
 *   rssp-keyring store LABEL -- NAME VALUE ... secret on standard input
 *
 * Exit status: 0 done, 1 usage, 2 no such item, 3 only locked items (lookup
 * never unlocks: no prompt in the middle of someone's program), 4 no Secret
 * Service; a one-line reason goes to standard error. Secrets never appear in
 * arguments or messages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include "config/config_keyring.h"

#define MAX_SECRET 8192

static GHashTable *attributes(int argc, char **argv)
{
    if (argc == 0 || argc % 2 != 0 || argc > 2 * RSSP_KEYRING_MAX_ATTRS)
        return NULL;
    GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < argc; i += 2)
        g_hash_table_insert(h, argv[i], argv[i + 1]);
    return h;
}

static SecretService *connect_service(void)
{
    GError *err = NULL;
    SecretService *s = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &err);
    if (s == NULL) {
        fprintf(stderr, "%s\n", err != NULL ? err->message : "cannot connect");
        g_clear_error(&err);
    }
    return s;
}

static int lookup(GHashTable *attrs)
{
    GError *err = NULL;
    SecretService *service = connect_service();
    if (service == NULL)
        return RSSP_KEYRING_NO_SERVICE;
    GList *items = secret_service_search_sync(
        service, NULL, attrs, SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS, NULL, &err);
    if (err != NULL) {
        fprintf(stderr, "%s\n", err->message);
        g_clear_error(&err);
        g_object_unref(service);
        return RSSP_KEYRING_NO_SERVICE;
    }
    int rc = items != NULL ? RSSP_KEYRING_LOCKED : RSSP_KEYRING_NOT_FOUND;
    for (GList *l = items; l != NULL && rc != RSSP_KEYRING_FOUND; l = l->next) {
        SecretItem *item = l->data;
        if (secret_item_get_locked(item))
            continue;
        SecretValue *value = secret_item_get_secret(item);
        if (value == NULL)
            continue;
        gsize len = 0;
        const gchar *bytes = secret_value_get(value, &len);
        if (len == 0 || len > MAX_SECRET || fwrite(bytes, 1, len, stdout) != len ||
            fflush(stdout) != 0) {
            fprintf(stderr, "cannot hand over the secret\n");
            rc = RSSP_KEYRING_USAGE;
        } else {
            rc = RSSP_KEYRING_FOUND;
        }
        secret_value_unref(value);
    }
    g_list_free_full(items, g_object_unref);
    g_object_unref(service);
    return rc;
}

static int store(const char *label, GHashTable *attrs)
{
    static char buf[MAX_SECRET + 1];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(0, buf + len, sizeof buf - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf)
            break;
    }
    if (len == 0 || len > MAX_SECRET) {
        fprintf(stderr, "the secret on standard input is empty or larger than %d bytes\n",
                MAX_SECRET);
        return RSSP_KEYRING_USAGE;
    }
    SecretService *service = connect_service();
    if (service == NULL) {
        memset(buf, 0, sizeof buf);
        return RSSP_KEYRING_NO_SERVICE;
    }
    SecretValue *value = secret_value_new(buf, (gssize)len, "text/plain");
    memset(buf, 0, sizeof buf);
    GError *err = NULL;
    gboolean ok = secret_service_store_sync(service, NULL, attrs, SECRET_COLLECTION_DEFAULT, label,
                                            value, NULL, &err);
    secret_value_unref(value);
    g_object_unref(service);
    if (!ok) {
        fprintf(stderr, "%s\n", err != NULL ? err->message : "cannot store");
        g_clear_error(&err);
        return RSSP_KEYRING_NO_SERVICE;
    }
    return RSSP_KEYRING_FOUND;
}

int main(int argc, char **argv)
{
    /* Descriptors the host program left open are none of this program's business. */
    closefrom(3);
    int dash = 1;
    while (dash < argc && strcmp(argv[dash], "--") != 0)
        dash++;
    GHashTable *attrs = dash < argc ? attributes(argc - dash - 1, argv + dash + 1) : NULL;
    int rc = RSSP_KEYRING_USAGE;
    if (attrs != NULL && dash == 2 && strcmp(argv[1], "lookup") == 0)
        rc = lookup(attrs);
    else if (attrs != NULL && dash == 3 && strcmp(argv[1], "store") == 0)
        rc = store(argv[2], attrs);
    else
        fprintf(stderr,
                "usage: rssp-keyring lookup -- NAME VALUE ... | store LABEL -- NAME VALUE ...\n");
    if (attrs != NULL)
        g_hash_table_destroy(attrs);
    return rc;
}
