#include "emulator/sign.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "emulator/access.h"
#include "emulator/authorize.h"
#include "emulator/digests.h"
#include "emulator/hsm.h"

#define PSS_OID "1.2.840.113549.1.1.10"

typedef struct {
    const char *oid;
    rssp_key_type key;
    rssp_hash_alg hash; /* implied by the OID, NONE if not */
    emu_mech_kind kind;
} sign_algo;

static const sign_algo algos[] = {
    {"1.2.840.113549.1.1.1", RSSP_KEY_RSA, RSSP_HASH_NONE, EMU_MECH_RSA_PKCS},
    {"1.2.840.113549.1.1.5", RSSP_KEY_RSA, RSSP_HASH_SHA1, EMU_MECH_RSA_PKCS},
    {"1.2.840.113549.1.1.14", RSSP_KEY_RSA, RSSP_HASH_SHA224, EMU_MECH_RSA_PKCS},
    {"1.2.840.113549.1.1.11", RSSP_KEY_RSA, RSSP_HASH_SHA256, EMU_MECH_RSA_PKCS},
    {"1.2.840.113549.1.1.12", RSSP_KEY_RSA, RSSP_HASH_SHA384, EMU_MECH_RSA_PKCS},
    {"1.2.840.113549.1.1.13", RSSP_KEY_RSA, RSSP_HASH_SHA512, EMU_MECH_RSA_PKCS},
    {PSS_OID, RSSP_KEY_RSA, RSSP_HASH_NONE, EMU_MECH_RSA_PSS},
    {"1.2.840.10045.2.1", RSSP_KEY_EC, RSSP_HASH_NONE, EMU_MECH_ECDSA},
    {"1.2.840.10045.4.1", RSSP_KEY_EC, RSSP_HASH_SHA1, EMU_MECH_ECDSA},
    {"1.2.840.10045.4.3.1", RSSP_KEY_EC, RSSP_HASH_SHA224, EMU_MECH_ECDSA},
    {"1.2.840.10045.4.3.2", RSSP_KEY_EC, RSSP_HASH_SHA256, EMU_MECH_ECDSA},
    {"1.2.840.10045.4.3.3", RSSP_KEY_EC, RSSP_HASH_SHA384, EMU_MECH_ECDSA},
    {"1.2.840.10045.4.3.4", RSSP_KEY_EC, RSSP_HASH_SHA512, EMU_MECH_ECDSA},
};

/* The request fields of signatures/signHash. */
typedef struct {
    const char *sad;
    const char *sign_algo;
    const char *params_b64;
    emu_digests digests;
} sign_fields;

/* What one call signs, settled under the lock and used outside it. */
typedef struct {
    emu_mech mech;
    rssp_hash_alg alg;
    rssp_buf *hashes;
    size_t n;
    size_t *picked; /* SCAL 2: authorized entries consumed */
    unsigned long key;
    size_t ec_field_len;
    bool counted; /* remainingSigningCounter was lowered */
    emu_sad *sad;
} sign_job;

static int parse_fields(emu_req *r, sign_fields *f)
{
    const char *mode = NULL;
    memset(f, 0, sizeof(*f));
    if (emu_need_string(r, r->body, "SAD", &f->sad) != 0 ||
        emu_need_string(r, r->body, "signAlgo", &f->sign_algo) != 0 ||
        emu_get_string(r, r->body, "signAlgoParams", &f->params_b64) < 0 ||
        emu_get_string(r, r->body, "operationMode", &mode) < 0 ||
        emu_digests_find(r, &f->digests) != 0)
        return -1;
    if (mode != NULL && strcasecmp(mode, "S") != 0) {
        if (strcasecmp(mode, "A") == 0)
            return emu_fail(r, 3101, "operationMode A (asynchronous) is not offered");
        return emu_fail(r, 3100, "operationMode must be S or A");
    }
    if (f->digests.hashes == NULL)
        return emu_fail(r, 3100, "documentDigests.hashes is missing");
    return 0;
}

/* PSS parameters (§2.9); the defaults when absent or the bare OID. */
static int pss_params(emu_req *r, const sign_fields *f, const emu_credential *c, sign_job *j)
{
    rssp_hash_alg hash = j->alg, mgf1 = j->alg;
    size_t salt = rssp_hash_len(j->alg);
    if (f->params_b64 != NULL) {
        rssp_buf der = {NULL, 0};
        bool bare = false;
        if (rssp_base64_decode(f->params_b64, strlen(f->params_b64), &der) != RSSP_CRYPTO_OK)
            return emu_fail(r, 3100, "signAlgoParams is not Base64");
        rssp_crv crv = rssp_pss_params_parse(der.data, der.len, &hash, &mgf1, &salt, &bare);
        rssp_buf_clear(&der);
        if (crv != RSSP_CRYPTO_OK)
            return emu_fail(r, 3100, "signAlgoParams is not a DER RSASSA-PSS-params");
        if (bare) {
            hash = mgf1 = j->alg;
            salt = rssp_hash_len(j->alg);
        }
    }
    if (hash != j->alg)
        return emu_fail(r, 3019, "PSS hashAlgorithm differs from hashAlgorithmOID");
    if (mgf1 != hash)
        return emu_fail(r, 3019,
                        "PSS with MGF1 over another hash than the message hash is not "
                        "offered (docs/protocol.md)");
    if (salt + rssp_hash_len(hash) + 2 > c->rsa_bytes)
        return emu_fail(r, 3100, "PSS saltLength %zu too large for this key", salt);
    j->mech.pss_hash = hash;
    j->mech.pss_mgf1 = mgf1;
    j->mech.pss_salt_len = salt;
    return 0;
}

/* Rule 3: algorithm, hash algorithm, parameters, hash encodings. Lock held. */
static int settle_algorithm(emu_req *r, const sign_fields *f, const emu_credential *c, sign_job *j)
{
    const sign_algo *a = NULL;
    for (size_t i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
        if (strcmp(algos[i].oid, f->sign_algo) == 0)
            a = &algos[i];
    }
    if (a == NULL)
        return emu_fail(r, 3019, "signAlgo %.64s is not supported", f->sign_algo);
    if (a->key != c->key_type)
        return emu_fail(r, 3019, "signAlgo %s does not fit the credential's %s key", a->oid,
                        c->key_type == RSSP_KEY_RSA ? "RSA" : "EC");
    if (a->hash != RSSP_HASH_NONE && f->digests.alg != RSSP_HASH_NONE && a->hash != f->digests.alg)
        return emu_fail(r, 3019, "signAlgo and hashAlgorithmOID name different hashes");
    j->alg = a->hash != RSSP_HASH_NONE ? a->hash : f->digests.alg;
    if (j->alg == RSSP_HASH_NONE)
        return emu_fail(r, 3100, "hashAlgorithmOID is required with signAlgo %s", a->oid);
    j->mech.kind = a->kind;
    if (a->kind == EMU_MECH_RSA_PSS && pss_params(r, f, c, j) != 0)
        return -1;
    return emu_digests_decode(r, &f->digests, j->alg, &j->hashes, &j->n);
}

/* Rules 1-6 up to the reservation of counters; lock held. */
static int reserve(emu_req *r, emu_principal p, const sign_fields *f, sign_job *j,
                   emu_credential **cred)
{
    emu_credential *c;
    size_t index;
    emu_sad *sad;
    if (emu_resolve_credential(r, p, &c, &index) != 0 ||
        emu_check_sad(r, p, index, f->sad, false, &sad) != 0)
        return -1;
    const char *status = emu_credential_status(c, time(NULL));
    if (strcmp(status, "revoked") == 0)
        return emu_fail(r, 3009, NULL);
    if (strcmp(status, "valid") != 0)
        return emu_fail(r, 3010, "certificate status is %s", status);
    if (settle_algorithm(r, f, c, j) != 0)
        return -1;
    if ((long long)j->n > sad->remaining)
        return emu_fail(r, 3016, "%zu hashes, %d signatures left on this SAD", j->n,
                        sad->remaining);
    if (c->remaining_signing_counter >= 0 && (long long)j->n > c->remaining_signing_counter) {
        emu_fail(r, 3018, NULL);
        emu_put_int(r, "remainingSigningCounter", c->remaining_signing_counter);
        return -1;
    }
    if (c->scal == 2) {
        if (j->alg != sad->hash_alg)
            return emu_fail(r, 3017, "hash algorithm differs from the authorized one");
        j->picked = calloc(j->n, sizeof(size_t));
        if (j->picked == NULL)
            return emu_fail(r, 9000, "out of memory");
        if (emu_match_hashes(sad, j->hashes, j->n, j->picked) != 0)
            return emu_fail(r, 3017, "a hash was not authorized or is already signed");
        for (size_t i = 0; i < j->n; i++)
            sad->used[j->picked[i]] = true;
    }
    sad->remaining -= (int)j->n;
    if (c->remaining_signing_counter >= 0) {
        c->remaining_signing_counter -= (long long)j->n;
        j->counted = true;
    }
    emu_sad_pin(sad);
    j->sad = sad;
    j->key = c->hsm_key;
    j->ec_field_len = c->ec_field_len;
    *cred = c;
    return 0;
}

/* Give back what reserve() took (the signing failed). Lock held. */
static void unreserve(sign_job *j, emu_credential *c)
{
    if (emu_sad_pinned_alive(j->sad)) {
        j->sad->remaining += (int)j->n;
        for (size_t i = 0; j->picked != NULL && i < j->n; i++)
            j->sad->used[j->picked[i]] = false;
    }
    if (j->counted)
        c->remaining_signing_counter += (long long)j->n;
}

/* Sign every hash with the HSM; lock NOT held. */
static int sign_all(emu_req *r, sign_job *j, cJSON *out)
{
    unsigned char sig[1024];
    char err[160];
    for (size_t i = 0; i < j->n; i++) {
        rssp_buf input = {NULL, 0}, der = {NULL, 0};
        const unsigned char *in = j->hashes[i].data;
        size_t in_len = j->hashes[i].len, sig_len = 0;
        if (j->mech.kind == EMU_MECH_RSA_PKCS) {
            if (rssp_digestinfo_encode(j->alg, in, in_len, &input) != RSSP_CRYPTO_OK)
                return emu_fail(r, 9000, "cannot build the DigestInfo");
            in = input.data;
            in_len = input.len;
        } else if (j->mech.kind == EMU_MECH_ECDSA && in_len > j->ec_field_len) {
            in_len = j->ec_field_len; /* leftmost bits; P-256/P-384 orders are byte-aligned */
        }
        int rc = emu_hsm_sign(r->ctx->hsm, j->key, &j->mech, in, in_len, sig, sizeof(sig), &sig_len,
                              err, sizeof(err));
        rssp_buf_clear(&input);
        if (rc != 0)
            return emu_fail(r, 9001, "HSM: %s", err);
        const unsigned char *value = sig;
        size_t value_len = sig_len;
        if (j->mech.kind == EMU_MECH_ECDSA) {
            if (rssp_ecdsa_raw_to_der(sig, sig_len, &der) != RSSP_CRYPTO_OK)
                return emu_fail(r, 9000, "cannot encode the ECDSA signature");
            value = der.data;
            value_len = der.len;
        }
        char *b64 = rssp_base64_encode(value, value_len);
        rssp_buf_clear(&der);
        if (b64 == NULL || !cJSON_AddItemToArray(out, cJSON_CreateString(b64))) {
            free(b64);
            return emu_fail(r, 9000, "out of memory");
        }
        free(b64);
    }
    return 0;
}

void emu_handle_sign_hash(emu_req *r)
{
    emu_principal p;
    sign_fields f;
    sign_job j;
    emu_credential *c = NULL;
    cJSON *sigs = NULL;
    memset(&j, 0, sizeof(j));
    if (emu_require_access(r, &p, false) != 0 || parse_fields(r, &f) != 0)
        return;
    emu_state *st = r->ctx->st;
    pthread_mutex_lock(&st->lock);
    int rc = reserve(r, p, &f, &j, &c);
    pthread_mutex_unlock(&st->lock);
    if (rc != 0)
        goto out;

    /* Reserve-then-commit: the HSM works without the state lock. */
    sigs = cJSON_CreateArray();
    int signed_ok = sigs != NULL ? sign_all(r, &j, sigs) : emu_fail(r, 9000, "out of memory");

    pthread_mutex_lock(&st->lock);
    if (signed_ok != 0)
        unreserve(&j, c);
    else if (emu_sad_pinned_alive(j.sad))
        emu_sad_note_use(r->ctx->sessions, j.sad);
    long long counter = c->remaining_signing_counter;
    emu_sad_unpin(j.sad);
    if (j.counted)
        emu_state_changed(st);
    pthread_mutex_unlock(&st->lock);
    if (j.counted)
        emu_state_flush(st);
    if (signed_ok == 0) {
        cJSON *done = sigs; /* emu_put_item takes it */
        sigs = NULL;
        if (emu_put_item(r, "signatures", done) == 0)
            emu_put_int(r, "remainingSigningCounter", counter);
    }
out:
    cJSON_Delete(sigs);
    emu_hashes_free(j.hashes, j.n);
    free(j.picked);
}
