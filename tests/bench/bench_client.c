#include "bench_client.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "config/config.h"
#include "rssp/client.h"

/*
 * The SAD of one credential. A thread that finds it spent authorizes a new
 * one while holding the lock, so the others wait for it instead of each
 * authorizing (what the module does too). Spent SADs are kept until the end
 * of the scenario because a thread may still be signing with one.
 */
typedef struct {
    pthread_mutex_t lock;
    rssp_sad **sads;
    size_t n_sads;
    int remaining; /* signatures left on the newest SAD */
} sad_slot;

struct bench_client {
    rssp_config cfg;
    rssp_client *client;
    char *key_id[BENCH_KEY_COUNT];
    int sad_signatures[BENCH_KEY_COUNT];
    char *pin;
    sad_slot slot[BENCH_KEY_COUNT];
};

static const char *const sign_algo[BENCH_KEY_COUNT] = {
    "1.2.840.113549.1.1.1", /* rsaEncryption: PKCS#1 v1.5 */
    "1.2.840.10045.2.1",    /* id-ecPublicKey: ECDSA */
};

static void slot_clear(sad_slot *s)
{
    for (size_t i = 0; i < s->n_sads; i++) {
        rssp_sad_clear(s->sads[i]);
        free(s->sads[i]);
    }
    free(s->sads);
    s->sads = NULL;
    s->n_sads = 0;
    s->remaining = 0;
}

/* Authorize a new SAD for key and make it the newest. Slot lock held (or single-threaded). */
static int authorize(bench_client *c, bench_key key)
{
    sad_slot *s = &c->slot[key];
    rssp_sad **grown = realloc(s->sads, (s->n_sads + 1) * sizeof *grown);
    rssp_sad *sad = calloc(1, sizeof *sad);
    if (grown != NULL)
        s->sads = grown;
    if (grown == NULL || sad == NULL) {
        free(sad);
        return -1;
    }
    rssp_authorize_request req = {.credential_id = c->key_id[key],
                                  .num_signatures = c->sad_signatures[key],
                                  .authorize_code = c->pin};
    rssp_status st;
    if (rssp_authorize(c->client, &req, sad, &st) != RSSP_OK) {
        fprintf(stderr, "bench: authorize %s: %s (%d)\n", c->key_id[key], st.message,
                st.response_code);
        free(sad);
        return -1;
    }
    s->sads[s->n_sads++] = sad;
    s->remaining = c->sad_signatures[key];
    return 0;
}

/* One signature's worth of the current SAD, renewing it when spent. NULL on failure. */
static const rssp_sad *take_sad(bench_client *c, bench_key key)
{
    sad_slot *s = &c->slot[key];
    const rssp_sad *sad = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->remaining > 0 || authorize(c, key) == 0) {
        s->remaining--;
        sad = s->sads[s->n_sads - 1];
    }
    pthread_mutex_unlock(&s->lock);
    return sad;
}

int bench_client_open(const bench_client_config *cfg, bench_client **out)
{
    *out = NULL;
    bench_client *c = calloc(1, sizeof *c);
    char err[512] = "";
    if (c == NULL)
        return -1;
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        pthread_mutex_init(&c->slot[k].lock, NULL);
    if (rssp_config_load(cfg->config, &c->cfg, err, sizeof err) != 0) {
        fprintf(stderr, "bench: %s\n", err);
        bench_client_close(c);
        return -1;
    }
    rssp_client_config cc;
    rssp_status st;
    rssp_config_client(&c->cfg, &cc);
    if (rssp_client_new(&cc, &c->client, &st) != RSSP_OK) {
        fprintf(stderr, "bench: client: %s\n", st.message);
        bench_client_close(c);
        return -1;
    }
    bool copied = (c->pin = strdup(cfg->pin)) != NULL;
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        c->key_id[k] = strdup(cfg->key_id[k]);
        c->sad_signatures[k] = cfg->sad_signatures[k];
        copied = copied && c->key_id[k] != NULL;
    }
    if (!copied) {
        bench_client_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void bench_client_close(bench_client *c)
{
    if (c == NULL)
        return;
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        slot_clear(&c->slot[k]);
        pthread_mutex_destroy(&c->slot[k].lock);
        free(c->key_id[k]);
    }
    if (c->client != NULL) {
        rssp_logout(c->client, NULL);
        rssp_client_free(c->client);
    }
    if (c->pin != NULL) {
        OPENSSL_cleanse(c->pin, strlen(c->pin));
        free(c->pin);
    }
    rssp_config_clear(&c->cfg);
    free(c);
}

static void finish(void *ctx)
{
    bench_client *c = ctx;
    for (int k = 0; k < BENCH_KEY_COUNT; k++)
        slot_clear(&c->slot[k]);
}

/* The first SAD of each key the scenario uses, as the module's C_Login makes one. */
static int prepare(void *ctx, const bench_scenario *sc)
{
    bench_client *c = ctx;
    bool used[BENCH_KEY_COUNT] = {false};
    for (unsigned t = 0; t < sc->threads; t++)
        used[bench_thread_key(sc, t)] = true;
    for (int k = 0; k < BENCH_KEY_COUNT; k++) {
        if (used[k] && authorize(c, (bench_key)k) != 0) {
            finish(c);
            return -1;
        }
    }
    return 0;
}

static int sign(void *ctx, unsigned t, bench_key key, const unsigned char *msg, size_t msg_len,
                unsigned char *sig, size_t *sig_len)
{
    (void)t;
    bench_client *c = ctx;
    unsigned char hash[SHA256_DIGEST_LENGTH];
    rssp_buf h = {hash, sizeof hash};
    rssp_signatures out = {0};
    rssp_status st;
    int rc = -1;
    SHA256(msg, msg_len, hash);
    const rssp_sad *sad = take_sad(c, key);
    if (sad == NULL)
        return -1;
    rssp_sign_request req = {.credential_id = c->key_id[key],
                             .sad = sad,
                             .hash_alg = RSSP_HASH_SHA256,
                             .hashes = &h,
                             .n_hashes = 1,
                             .sign_algo_oid = sign_algo[key]};
    if (rssp_sign_hash(c->client, &req, &out, &st) != RSSP_OK) {
        fprintf(stderr, "bench: signHash %s: %s (%d)\n", c->key_id[key], st.message,
                st.response_code);
        goto out;
    }
    if (out.count != 1 || out.items[0].len > *sig_len) {
        fprintf(stderr, "bench: signHash %s: unexpected answer\n", c->key_id[key]);
        goto out;
    }
    memcpy(sig, out.items[0].data, out.items[0].len);
    *sig_len = out.items[0].len;
    rc = 0;
out:
    rssp_signatures_clear(&out);
    return rc;
}

bench_path bench_client_path(bench_client *c)
{
    return (bench_path){.name = "client",
                        .ctx = c,
                        .ec_der = true,
                        .prepare = prepare,
                        .sign = sign,
                        .finish = finish};
}
