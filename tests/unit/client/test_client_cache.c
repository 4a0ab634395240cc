/*
 * Credential list cache: round trip of every field, 0600 and atomic write,
 * refusal of group/other-readable files, old files, other keys, hostile content.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/cache_codec.h"
#include "rssp/client.h"

typedef struct {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    strcpy(f->dir, "/tmp/rssp-cache-test-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/sub/dir/cache.json", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static char *dup_s(const char *s)
{
    char *d = strdup(s);
    assert_non_null(d);
    return d;
}

/* A list with every field set, plus a nearly empty second credential. */
static void make_list(rssp_credential_list *l)
{
    l->count = 2;
    l->items = calloc(2, sizeof *l->items);
    assert_non_null(l->items);
    rssp_credential *c = &l->items[0];
    c->credential_id = dup_s("84902");
    c->thumbprint = dup_s("3f1c");
    c->status = dup_s("valid");
    c->subject_dn = dup_s("CN=Alice Nguyen,C=VN");
    c->issuer_dn = dup_s("CN=Emulator CA,O=rssp-pkcs11,C=VN");
    c->serial_number = dup_s("5AAC41CD8FA22B953640");
    c->valid_from = dup_s("20240101000000Z");
    c->valid_to = dup_s("20270101000000Z");
    c->purpose = dup_s("SIGNATURE");
    c->version = 3;
    c->remaining_signing_counter = -1;
    c->num_signatures = 10;
    c->n_certificates = 2;
    c->certificates = calloc(2, sizeof *c->certificates);
    assert_non_null(c->certificates);
    for (size_t i = 0; i < 2; i++) {
        c->certificates[i].len = 3 + i;
        c->certificates[i].data = malloc(3 + i);
        assert_non_null(c->certificates[i].data);
        memcpy(c->certificates[i].data, "\x30\x82\x00\xff", 3 + i);
    }
    c->has_auth_info = true;
    c->auth_mode = dup_s("EXPLICIT/PIN");
    c->n_auth_modes_supported = 2;
    c->auth_modes_supported = calloc(2, sizeof(char *));
    assert_non_null(c->auth_modes_supported);
    c->auth_modes_supported[0] = dup_s("EXPLICIT/PIN");
    c->auth_modes_supported[1] = dup_s("EXPLICIT/OTP-SMS");
    c->scal = 2;
    c->authorization_phone = dup_s("0912***678");
    c->authorization_email = dup_s("a***@example.vn");
    c->key_algo_oid = dup_s("1.2.840.10045.2.1");
    c->key_len = 256;
    c->key_curve_oid = dup_s("1.2.840.10045.3.1.7");

    rssp_credential *d = &l->items[1];
    d->credential_id = dup_s("84911");
    d->version = -1;
    d->remaining_signing_counter = -2;
}

static void assert_same_string(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        assert_ptr_equal(a, b);
    else
        assert_string_equal(a, b);
}

static void assert_same(const rssp_credential *a, const rssp_credential *b)
{
    assert_same_string(a->credential_id, b->credential_id);
    assert_same_string(a->thumbprint, b->thumbprint);
    assert_same_string(a->status, b->status);
    assert_same_string(a->subject_dn, b->subject_dn);
    assert_same_string(a->issuer_dn, b->issuer_dn);
    assert_same_string(a->serial_number, b->serial_number);
    assert_same_string(a->valid_from, b->valid_from);
    assert_same_string(a->valid_to, b->valid_to);
    assert_same_string(a->purpose, b->purpose);
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->remaining_signing_counter, b->remaining_signing_counter);
    assert_int_equal(a->num_signatures, b->num_signatures);
    assert_int_equal(a->n_certificates, b->n_certificates);
    for (size_t i = 0; i < a->n_certificates; i++) {
        assert_int_equal(a->certificates[i].len, b->certificates[i].len);
        assert_memory_equal(a->certificates[i].data, b->certificates[i].data,
                            a->certificates[i].len);
    }
    assert_int_equal(a->has_auth_info, b->has_auth_info);
    assert_same_string(a->auth_mode, b->auth_mode);
    assert_int_equal(a->n_auth_modes_supported, b->n_auth_modes_supported);
    for (size_t i = 0; i < a->n_auth_modes_supported; i++)
        assert_string_equal(a->auth_modes_supported[i], b->auth_modes_supported[i]);
    assert_int_equal(a->scal, b->scal);
    assert_same_string(a->authorization_phone, b->authorization_phone);
    assert_same_string(a->authorization_email, b->authorization_email);
    assert_same_string(a->key_algo_oid, b->key_algo_oid);
    assert_int_equal(a->key_len, b->key_len);
    assert_same_string(a->key_curve_oid, b->key_curve_oid);
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    rssp_credential_list l = {0};
    make_list(&l);
    rssp_status st;
    assert_int_equal(rssp_credential_cache_write(f->path, "https://x/|alice", &l, &st), RSSP_OK);

    struct stat sb;
    assert_int_equal(stat(f->path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    char parent[160];
    snprintf(parent, sizeof parent, "%s/sub/dir", f->dir);
    assert_int_equal(stat(parent, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);

    rssp_credential_list back;
    assert_int_equal(rssp_credential_cache_read(f->path, "https://x/|alice", 60, &back, &st),
                     RSSP_OK);
    assert_int_equal(back.count, 2);
    assert_same(&l.items[0], &back.items[0]);
    assert_same(&l.items[1], &back.items[1]);
    rssp_credential_list_clear(&back);

    /* rewrite: replaced atomically, no temporary left behind */
    assert_int_equal(rssp_credential_cache_write(f->path, "https://x/|alice", &l, &st), RSSP_OK);
    DIR *d = opendir(parent);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            entries++;
    closedir(d);
    assert_int_equal(entries, 1);

    /* an empty list round-trips too */
    rssp_credential_list empty = {0};
    assert_int_equal(rssp_credential_cache_write(f->path, "k", &empty, &st), RSSP_OK);
    assert_int_equal(rssp_credential_cache_read(f->path, "k", 60, &back, &st), RSSP_OK);
    assert_int_equal(back.count, 0);
    rssp_credential_list_clear(&l);
}

static void test_refusals(void **state)
{
    fixture *f = *state;
    rssp_credential_list l = {0};
    make_list(&l);
    rssp_status st;
    rssp_credential_list back;
    assert_int_equal(rssp_credential_cache_write(f->path, "key-1", &l, &st), RSSP_OK);

    /* another key */
    assert_int_equal(rssp_credential_cache_read(f->path, "key-2", 60, &back, &st), RSSP_ERR_CONFIG);
    assert_int_equal(back.count, 0);
    /* group or other may read it */
    assert_int_equal(chmod(f->path, 0644), 0);
    assert_int_equal(rssp_credential_cache_read(f->path, "key-1", 60, &back, &st), RSSP_ERR_CONFIG);
    assert_non_null(strstr(st.message, "private"));
    assert_int_equal(chmod(f->path, 0620), 0);
    assert_int_equal(rssp_credential_cache_read(f->path, "key-1", 60, &back, &st), RSSP_ERR_CONFIG);
    assert_int_equal(chmod(f->path, 0600), 0);
    assert_int_equal(rssp_credential_cache_read(f->path, "key-1", 60, &back, &st), RSSP_OK);
    rssp_credential_list_clear(&back);
    /* a symbolic link is not followed */
    char link[160];
    snprintf(link, sizeof link, "%s/link.json", f->dir);
    assert_int_equal(symlink(f->path, link), 0);
    assert_int_equal(rssp_credential_cache_read(link, "key-1", 60, &back, &st), RSSP_ERR_CONFIG);
    /* absent */
    assert_int_equal(rssp_credential_cache_read("/nonexistent/cache.json", "key-1", 60, &back, &st),
                     RSSP_ERR_CONFIG);
    /* bad arguments */
    assert_int_equal(rssp_credential_cache_read(f->path, "key-1", -1, &back, &st), RSSP_ERR_ARGS);
    assert_int_equal(rssp_credential_cache_write(NULL, "k", &l, &st), RSSP_ERR_ARGS);
    assert_int_equal(rssp_credential_cache_write(f->path, NULL, &l, &st), RSSP_ERR_ARGS);
    rssp_credential_list_clear(&l);
}

static void test_age(void **state)
{
    (void)state;
    rssp_credential_list l = {0};
    make_list(&l);
    rssp_status st;
    char *text = NULL;
    size_t len = 0;
    long long now = (long long)time(NULL);
    rssp_credential_list back;

    assert_int_equal(rssp_cache_encode("k", now - 100, &l, &text, &len, &st), RSSP_OK);
    assert_int_equal(rssp_cache_decode(text, len, "k", 60, now, &back, &st), RSSP_ERR_CONFIG);
    assert_non_null(strstr(st.message, "older"));
    assert_int_equal(rssp_cache_decode(text, len, "k", 100, now, &back, &st), RSSP_OK);
    rssp_credential_list_clear(&back);
    free(text);
    /* from the future (beyond clock skew) */
    assert_int_equal(rssp_cache_encode("k", now + 3600, &l, &text, &len, &st), RSSP_OK);
    assert_int_equal(rssp_cache_decode(text, len, "k", 86400, now, &back, &st), RSSP_ERR_CONFIG);
    free(text);
    rssp_credential_list_clear(&l);
}

static void write_raw(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* Copy template into out with NOW replaced by now; returns the length. */
static size_t fill(char *out, size_t cap, const char *template, const char *now)
{
    size_t n = 0;
    for (const char *p = template; *p != '\0';) {
        const char *piece = p;
        size_t len = 1;
        if (strncmp(p, "NOW", 3) == 0) {
            piece = now;
            len = strlen(now);
            p += 3;
        } else {
            p++;
        }
        assert_true(n + len < cap);
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = '\0';
    return n;
}

static void test_hostile_files(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/hostile.json", f->dir);
    char now[32];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    char body[512];
    const char *cases[] = {
        "",
        "garbage",
        "\x00\x01\x02",
        "[]",
        "{}",
        "{\"version\":2,\"key\":\"k\",\"written\":NOW,\"credentials\":[]}",
        "{\"version\":1,\"key\":7,\"written\":NOW,\"credentials\":[]}",
        "{\"version\":1,\"key\":\"k\",\"credentials\":[]}",
        "{\"version\":1,\"key\":\"k\",\"written\":\"NOW\",\"credentials\":[]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":{}}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[1]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[{}]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[{\"credentialID\":\"1\","
        "\"certificates\":[\"***\"]}]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[{\"credentialID\":\"1\","
        "\"SCAL\":\"2\"}]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[{\"credentialID\":\"1\","
        "\"authModeSupported\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]}]}",
        "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":[{\"credentialID\":"
        "\"a\\u0000b\"}]}",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (i == 2) {
            write_raw(path, "\0\1\2", 3); /* binary garbage */
        } else {
            size_t n = fill(body, sizeof body, cases[i], now);
            write_raw(path, body, n);
        }
        rssp_credential_list back;
        rssp_status st;
        rssp_err err = rssp_credential_cache_read(path, "k", 60, &back, &st);
        if (err != RSSP_ERR_CONFIG)
            print_error("accepted case %zu\n", i);
        assert_int_equal(err, RSSP_ERR_CONFIG);
        assert_int_equal(back.count, 0);
        assert_null(back.items);
    }
    /* the well-formed minimum is accepted */
    size_t n = fill(body, sizeof body,
                    "{\"version\":1,\"key\":\"k\",\"written\":NOW,\"credentials\":"
                    "[{\"credentialID\":\"1\"}]}",
                    now);
    write_raw(path, body, n);
    rssp_credential_list back;
    rssp_status st;
    assert_int_equal(rssp_credential_cache_read(path, "k", 60, &back, &st), RSSP_OK);
    assert_int_equal(back.count, 1);
    assert_int_equal(back.items[0].version, -1);
    assert_int_equal(back.items[0].remaining_signing_counter, -2);
    rssp_credential_list_clear(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test(test_age),
        cmocka_unit_test_setup_teardown(test_hostile_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
