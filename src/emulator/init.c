#include "emulator/init.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "common/secmem.h"
#include "emulator/catalog.h"
#include "emulator/confwrite.h"
#include "emulator/fsutil.h"
#include "emulator/hsm.h"
#include "emulator/passhash.h"
#include "emulator/pki.h"
#include "emulator/random.h"
#include "emulator/state.h"

#define TOKEN_LABEL "rssp-emulator"
#define DAY (24L * 3600L)
#define YEAR (365L * DAY)
#define ERRLEN 512

typedef struct {
    char *dir; /* absolute */
    emu_hsm *hsm;
    EVP_PKEY *root_key, *ica_key;
    X509 *root, *ica;
    emu_state *st;
    char *so_pin, *user_pin;
    emu_rp_secrets rps[8];
    char err[ERRLEN];
} init_ctx;

static int fail(init_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(init_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int write_file(init_ctx *c, const char *rel, const void *data, size_t len, mode_t mode)
{
    char *path = emu_path_join(c->dir, rel);
    int rc = path == NULL ? -1 : emu_write_atomic(path, data, len, mode);
    if (rc != 0)
        fail(c, "cannot write %s/%s: %s", c->dir, rel, strerror(errno));
    free(path);
    return rc;
}

static int write_str(init_ctx *c, const char *rel, const char *text, mode_t mode)
{
    return write_file(c, rel, text, strlen(text), mode);
}

static int make_dirs(init_ctx *c)
{
    static const char *const sub[] = {"secrets", "tokens", "tls", "ca", "certs", "owners", "cache"};
    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
        char *p = emu_path_join(c->dir, sub[i]);
        int rc = p == NULL ? -1 : emu_mkdirs(p, 0700);
        free(p);
        if (rc != 0)
            return fail(c, "cannot create %s/%s: %s", c->dir, sub[i], strerror(errno));
    }
    return 0;
}

/* ---- HSM ---- */

static int setup_hsm(init_ctx *c, const char *module)
{
    char conf[PATH_MAX + 256], *conf_path = NULL;
    int rc = -1;
    snprintf(conf, sizeof(conf),
             "# SoftHSM2 configuration of this emulator folder (rssp-emulator init).\n"
             "directories.tokendir = %s/tokens\n"
             "objectstore.backend = file\n"
             "log.level = ERROR\n"
             "slots.removable = false\n",
             c->dir);
    c->so_pin = emu_random_text("", 12);
    c->user_pin = emu_random_text("", 12);
    conf_path = emu_path_join(c->dir, "softhsm2.conf");
    if (c->so_pin == NULL || c->user_pin == NULL || conf_path == NULL) {
        fail(c, "out of memory");
        goto out;
    }
    if (write_str(c, "softhsm2.conf", conf, 0600) != 0 ||
        write_str(c, "secrets/hsm-so-pin", c->so_pin, 0600) != 0 ||
        write_str(c, "secrets/hsm-user-pin", c->user_pin, 0600) != 0)
        goto out;
    if (emu_hsm_open(module, conf_path, &c->hsm, c->err, sizeof(c->err)) != 0 ||
        emu_hsm_init_token(c->hsm, TOKEN_LABEL, c->so_pin, c->user_pin, c->err, sizeof(c->err)) !=
            0 ||
        emu_hsm_login(c->hsm, TOKEN_LABEL, c->user_pin, c->err, sizeof(c->err)) != 0)
        goto out;
    rc = 0;
out:
    free(conf_path);
    return rc;
}

/* ---- certificates ---- */

static int write_cert_pem(init_ctx *c, const char *rel, X509 *a, X509 *b)
{
    char *pa = emu_pki_cert_pem(a);
    char *pb = b == NULL ? NULL : emu_pki_cert_pem(b);
    int rc = -1;
    if (pa == NULL || (b != NULL && pb == NULL)) {
        fail(c, "cannot encode a certificate");
        goto out;
    }
    size_t la = strlen(pa), lb = pb == NULL ? 0 : strlen(pb);
    char *both = malloc(la + lb + 1);
    if (both == NULL) {
        fail(c, "out of memory");
        goto out;
    }
    memcpy(both, pa, la);
    if (pb != NULL)
        memcpy(both + la, pb, lb);
    both[la + lb] = '\0';
    rc = write_str(c, rel, both, 0644);
    free(both);
out:
    free(pa);
    free(pb);
    return rc;
}

static int make_cas(init_ctx *c)
{
    emu_dn root_dn = {"RSSP Emulator Root CA", NULL, "rssp-pkcs11 Emulator", "VN", NULL, NULL};
    emu_dn ica_dn = {"RSSP Emulator Issuing CA", NULL, "rssp-pkcs11 Emulator", "VN", NULL, NULL};
    c->root_key = emu_pki_keygen(2048, NULL);
    c->ica_key = emu_pki_keygen(2048, NULL);
    if (c->root_key == NULL || c->ica_key == NULL)
        return fail(c, "cannot generate the CA keys");
    emu_cert_req root = {EMU_CERT_CA, &root_dn,  c->root_key, NULL, c->root_key,
                         -3 * YEAR,   20 * YEAR, 1,           NULL};
    c->root = emu_pki_issue(&root, c->err, sizeof(c->err));
    if (c->root == NULL)
        return -1;
    emu_cert_req ica = {EMU_CERT_CA, &ica_dn,   c->ica_key, c->root, c->root_key,
                        -3 * YEAR,   10 * YEAR, 0,          NULL};
    c->ica = emu_pki_issue(&ica, c->err, sizeof(c->err));
    if (c->ica == NULL)
        return -1;
    if (write_cert_pem(c, "ca/root.pem", c->root, NULL) != 0 ||
        write_cert_pem(c, "ca/intermediate.pem", c->ica, NULL) != 0 ||
        write_cert_pem(c, "ca.pem", c->root, c->ica) != 0)
        return -1;
    return 0;
}

static int make_tls(init_ctx *c)
{
    emu_dn dn = {"localhost", "RSSP emulator", "rssp-pkcs11 Emulator", "VN", NULL, NULL};
    EVP_PKEY *key = emu_pki_keygen(0, "P-256");
    X509 *cert = NULL;
    char *pem = NULL;
    int rc = -1;
    if (key == NULL) {
        fail(c, "cannot generate the TLS key");
        goto out;
    }
    emu_cert_req req = {EMU_CERT_TLS, &dn,        key,
                        c->ica,       c->ica_key, -DAY,
                        825 * DAY,    -1,         "IP:127.0.0.1,IP:::1,DNS:localhost"};
    cert = emu_pki_issue(&req, c->err, sizeof(c->err));
    if (cert == NULL)
        goto out;
    pem = emu_pki_key_pem(key);
    if (pem == NULL) {
        fail(c, "cannot encode the TLS key");
        goto out;
    }
    if (write_str(c, "tls/server-key.pem", pem, 0600) != 0 ||
        write_cert_pem(c, "tls/server-cert.pem", cert, c->ica) != 0)
        goto out;
    rc = 0;
out:
    if (pem != NULL)
        OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- relying parties ---- */

static int make_rp(init_ctx *c, size_t i, emu_rp *r)
{
    const emu_catalog_rp *cat = &emu_catalog_rps[i];
    emu_rp_secrets *s = &c->rps[i];
    emu_dn dn = {cat->name, "RSSP relying party", "rssp-pkcs11 Emulator", "VN", NULL, NULL};
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    unsigned char *p12 = NULL;
    size_t p12_len = 0;
    char *pem = NULL, rel[160];
    int rc = -1;

    s->password = emu_random_text("", 18);
    s->signature = emu_random_text("", 24);
    s->key_password = emu_random_text("", 18);
    if (cat->api_key != NULL)
        s->api_secret = emu_random_text("", 32);
    r->name = strdup(cat->name);
    r->username = strdup(cat->username);
    r->api_key = cat->api_key == NULL ? NULL : strdup(cat->api_key);
    r->api_secret = s->api_secret == NULL ? NULL : strdup(s->api_secret);
    if (s->password == NULL || s->signature == NULL || s->key_password == NULL ||
        (cat->api_key != NULL &&
         (s->api_secret == NULL || r->api_key == NULL || r->api_secret == NULL)) ||
        r->name == NULL || r->username == NULL || (r->signature = strdup(s->signature)) == NULL ||
        emu_passhash_make(s->password, &r->password) != 0) {
        fail(c, "out of memory");
        goto out;
    }
    key = emu_pki_keygen(2048, NULL);
    if (key == NULL) {
        fail(c, "cannot generate the SSL2 key of %s", cat->name);
        goto out;
    }
    emu_cert_req req = {EMU_CERT_CLIENT, &dn, key, c->ica, c->ica_key, -DAY, 3 * YEAR, -1, NULL};
    cert = emu_pki_issue(&req, c->err, sizeof(c->err));
    if (cert == NULL)
        goto out;
    r->ssl2_public_pem = emu_pki_pub_pem(key);
    pem = emu_pki_key_pem(key);
    if (r->ssl2_public_pem == NULL || pem == NULL ||
        (r->ssl2_key = emu_pki_pub_from_pem(r->ssl2_public_pem)) == NULL ||
        emu_pki_p12(key, cert, c->ica, cat->name, s->key_password, &p12, &p12_len) != 0) {
        fail(c, "cannot encode the SSL2 key of %s", cat->name);
        goto out;
    }
    snprintf(rel, sizeof(rel), "secrets/%s-key.p12", cat->file_prefix);
    if (write_file(c, rel, p12, p12_len, 0600) != 0)
        goto out;
    snprintf(rel, sizeof(rel), "secrets/%s-key.pem", cat->file_prefix);
    if (write_str(c, rel, pem, 0600) != 0)
        goto out;
    snprintf(rel, sizeof(rel), "secrets/%s-key-password", cat->file_prefix);
    if (write_str(c, rel, s->key_password, 0600) != 0)
        goto out;
    snprintf(rel, sizeof(rel), "secrets/%s-password", cat->file_prefix);
    if (write_str(c, rel, s->password, 0600) != 0)
        goto out;
    if (s->api_secret != NULL) {
        snprintf(rel, sizeof(rel), "secrets/%s-app-secret", cat->file_prefix);
        if (write_str(c, rel, s->api_secret, 0600) != 0)
            goto out;
    }
    rc = 0;
out:
    if (pem != NULL)
        OPENSSL_cleanse(pem, strlen(pem));
    free(pem);
    if (p12 != NULL)
        OPENSSL_cleanse(p12, p12_len);
    free(p12);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

/* ---- owners and agreements ---- */

static char *dup_or_null(const char *s, int *bad)
{
    if (s == NULL)
        return NULL;
    char *d = strdup(s);
    if (d == NULL)
        *bad = 1;
    return d;
}

static int make_owner(init_ctx *c, const emu_catalog_owner *o, emu_owner *out)
{
    int bad = 0;
    char rel[128];
    out->uuid = dup_or_null(o->uuid, &bad);
    out->rp = dup_or_null(emu_catalog_rps[0].name, &bad);
    out->user_type = dup_or_null("USERNAME", &bad);
    out->username = dup_or_null(o->username, &bad);
    out->full_name = dup_or_null(o->full_name, &bad);
    out->personal_id = dup_or_null(o->personal_id, &bad);
    out->phone = dup_or_null(o->phone, &bad);
    out->email = dup_or_null(o->email, &bad);
    out->phone_app = o->phone_app;
    if (bad || emu_passhash_make(o->password, &out->password) != 0)
        return fail(c, "out of memory");
    snprintf(rel, sizeof(rel), "secrets/owner-%s-password", o->username);
    return write_str(c, rel, o->password, 0600);
}

static int make_agreement(init_ctx *c, const emu_catalog_agreement *a, emu_agreement *out)
{
    int bad = 0;
    out->uuid = dup_or_null(a->uuid, &bad);
    out->rp = dup_or_null(a->rp, &bad);
    if (a->owner != NULL) {
        for (size_t i = 0; i < emu_catalog_n_owners; i++) {
            if (strcmp(emu_catalog_owners[i].username, a->owner) == 0)
                out->owner_uuid = dup_or_null(emu_catalog_owners[i].uuid, &bad);
        }
    }
    return bad ? fail(c, "out of memory") : 0;
}

/* ---- credentials ---- */

static const char *agreement_rp(const char *agreement)
{
    for (size_t i = 0; i < emu_catalog_n_agreements; i++) {
        if (strcmp(emu_catalog_agreements[i].uuid, agreement) == 0)
            return emu_catalog_agreements[i].rp;
    }
    return emu_catalog_rps[0].name;
}

static int issue_credential_cert(init_ctx *c, const emu_catalog_credential *k, EVP_PKEY *pub,
                                 emu_credential *out)
{
    const emu_catalog_owner *owner = emu_catalog_agreement_owner(k->agreement);
    char ou[96], cn[96], rel[64];
    X509 *cert = NULL;
    int rc = -1;

    if (k->rsa_bits > 0)
        snprintf(ou, sizeof(ou), "RSA-%d SCAL%d credential %s", k->rsa_bits, k->scal, k->id);
    else
        snprintf(ou, sizeof(ou), "EC %s SCAL%d credential %s", k->curve, k->scal, k->id);
    snprintf(cn, sizeof(cn), "%s", owner != NULL ? owner->full_name : "Unassigned Holder");
    emu_dn dn = {cn,  ou, "rssp-pkcs11 Emulator", "VN", owner != NULL ? owner->personal_id : k->id,
                 NULL};
    emu_cert_req req = {EMU_CERT_SIGNING,
                        &dn,
                        pub,
                        c->ica,
                        c->ica_key,
                        k->expired ? -2 * YEAR : -DAY,
                        k->expired ? -YEAR : 3 * YEAR,
                        -1,
                        NULL};
    cert = emu_pki_issue(&req, c->err, sizeof(c->err));
    if (cert == NULL)
        return -1;
    out->chain = calloc(2, sizeof(rssp_buf));
    if (out->chain == NULL) {
        fail(c, "out of memory");
        goto out;
    }
    if (emu_pki_cert_der(cert, &out->chain[0].data, &out->chain[0].len) != 0 ||
        emu_pki_cert_der(c->ica, &out->chain[1].data, &out->chain[1].len) != 0) {
        fail(c, "cannot encode a certificate");
        goto out;
    }
    out->n_chain = 2;
    snprintf(rel, sizeof(rel), "certs/%s.pem", k->id);
    if (write_cert_pem(c, rel, cert, NULL) != 0)
        goto out;
    snprintf(rel, sizeof(rel), "certs/%s-chain.pem", k->id);
    if (write_cert_pem(c, rel, cert, c->ica) != 0)
        goto out;
    rc = 0;
out:
    X509_free(cert);
    return rc;
}

static int make_credential(init_ctx *c, const emu_catalog_credential *k, emu_credential *out)
{
    int bad = 0, rc = -1;
    EVP_PKEY *pub = NULL;
    char profile[32], desc[64];
    int nid = k->curve == NULL                 ? 0
              : strcmp(k->curve, "P-256") == 0 ? NID_X9_62_prime256v1
                                               : NID_secp384r1;

    if (emu_hsm_generate(c->hsm, (size_t)k->rsa_bits, nid, k->id, &pub, c->err, sizeof(c->err)) !=
        0)
        return -1;
    if (issue_credential_cert(c, k, pub, out) != 0)
        goto out;
    if (k->rsa_bits > 0) {
        snprintf(profile, sizeof(profile), "PERS-RSA%d", k->rsa_bits);
        snprintf(desc, sizeof(desc), "Personal, RSA %d", k->rsa_bits);
    } else {
        snprintf(profile, sizeof(profile), "PERS-EC%s", k->curve + 2);
        snprintf(desc, sizeof(desc), "Personal, EC %s", k->curve);
    }
    out->id = dup_or_null(k->id, &bad);
    out->agreement = dup_or_null(k->agreement, &bad);
    out->status = dup_or_null(k->status, &bad);
    out->purpose = dup_or_null("SIGNATURE", &bad);
    out->auth_mode = dup_or_null(k->auth_mode, &bad);
    out->profile_name = dup_or_null(profile, &bad);
    out->profile_description = dup_or_null(desc, &bad);
    out->shared_mode = dup_or_null("PRIVATE_MODE", &bad);
    out->created_rp = dup_or_null(agreement_rp(k->agreement), &bad);
    out->auth_modes = calloc(3, sizeof(char *));
    if (out->auth_modes == NULL)
        bad = 1;
    for (size_t i = 0; !bad && i < 3 && k->auth_modes[i] != NULL; i++) {
        out->auth_modes[i] = dup_or_null(k->auth_modes[i], &bad);
        out->n_auth_modes = i + 1;
    }
    out->scal = k->scal;
    out->num_signatures = k->num_signatures;
    out->remaining_signing_counter = k->counter;
    out->version = 1;
    if (bad) {
        fail(c, "out of memory");
        goto out;
    }
    if (k->has_pin) {
        if (emu_passhash_make(EMU_CATALOG_PIN, &out->pin) != 0) {
            fail(c, "cannot hash a PIN");
            goto out;
        }
        out->has_pin = true;
    }
    if (emu_credential_derive(out) != 0 ||
        (out->contract_expiration = strdup(out->valid_to)) == NULL) {
        fail(c, "cannot read back the certificate of credential %s", k->id);
        goto out;
    }
    rc = 0;
out:
    EVP_PKEY_free(pub);
    return rc;
}

static int make_state(init_ctx *c)
{
    emu_state *st = c->st;
    st->rps = calloc(emu_catalog_n_rps, sizeof(emu_rp));
    st->owners = calloc(emu_catalog_n_owners, sizeof(emu_owner));
    st->agreements = calloc(emu_catalog_n_agreements, sizeof(emu_agreement));
    st->credentials = calloc(emu_catalog_n_credentials, sizeof(emu_credential));
    if (st->rps == NULL || st->owners == NULL || st->agreements == NULL || st->credentials == NULL)
        return fail(c, "out of memory");
    for (size_t i = 0; i < emu_catalog_n_rps; i++, st->n_rps++) {
        if (make_rp(c, i, &st->rps[i]) != 0)
            return -1;
    }
    for (size_t i = 0; i < emu_catalog_n_owners; i++, st->n_owners++) {
        if (make_owner(c, &emu_catalog_owners[i], &st->owners[i]) != 0)
            return -1;
    }
    for (size_t i = 0; i < emu_catalog_n_agreements; i++, st->n_agreements++) {
        if (make_agreement(c, &emu_catalog_agreements[i], &st->agreements[i]) != 0)
            return -1;
    }
    for (size_t i = 0; i < emu_catalog_n_credentials; i++, st->n_credentials++) {
        if (make_credential(c, &emu_catalog_credentials[i], &st->credentials[i]) != 0)
            return -1;
    }
    return 0;
}

/* ---- the command ---- */

static void free_ctx(init_ctx *c)
{
    emu_hsm_close(c->hsm);
    EVP_PKEY_free(c->root_key);
    EVP_PKEY_free(c->ica_key);
    X509_free(c->root);
    X509_free(c->ica);
    emu_state_free(c->st);
    rssp_str_free_secret(c->so_pin);
    rssp_str_free_secret(c->user_pin);
    for (size_t i = 0; i < sizeof(c->rps) / sizeof(c->rps[0]); i++) {
        rssp_str_free_secret(c->rps[i].password);
        free(c->rps[i].signature);
        rssp_str_free_secret(c->rps[i].key_password);
        rssp_str_free_secret(c->rps[i].api_secret);
    }
    free(c->dir);
}

/* Create dir (mode 0700) and return its absolute path; refuse an existing one unless force. */
static char *prepare_dir(const char *dir, bool force, char *err, size_t err_len)
{
    if (emu_path_exists(dir)) {
        if (!force) {
            snprintf(err, err_len, "%s already exists (use --force to replace it)", dir);
            return NULL;
        }
        if (emu_remove_tree(dir) != 0) {
            snprintf(err, err_len, "cannot remove %s: %s", dir, strerror(errno));
            return NULL;
        }
    }
    if (emu_mkdirs(dir, 0700) != 0) {
        snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
        return NULL;
    }
    char *abs = realpath(dir, NULL);
    if (abs == NULL)
        snprintf(err, err_len, "cannot resolve %s: %s", dir, strerror(errno));
    return abs;
}

static int init_fresh(const char *dir, bool force, const char *module, char *err, size_t err_len)
{
    init_ctx c;
    int rc = -1;
    memset(&c, 0, sizeof(c));
    c.dir = prepare_dir(dir, force, err, err_len);
    if (c.dir == NULL)
        return -1;
    if (module == NULL)
        module = emu_hsm_default_module();
    if (make_dirs(&c) != 0 || emu_state_new(c.dir, &c.st) != 0 || setup_hsm(&c, module) != 0 ||
        make_cas(&c) != 0 || make_tls(&c) != 0 || make_state(&c) != 0)
        goto out;
    if (emu_state_save(c.st) != 0) {
        fail(&c, "cannot write %s/state.json", c.dir);
        goto out;
    }
    emu_conf_input in = {c.dir, c.rps, module, c.user_pin, TOKEN_LABEL};
    if (emu_conf_write_all(&in, c.err, sizeof(c.err)) != 0 ||
        emu_fixture_write(&in, c.err, sizeof(c.err)) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0) {
        snprintf(err, err_len, "%s", c.err);
        if (c.dir != NULL)
            emu_remove_tree(c.dir);
    }
    free_ctx(&c);
    return rc;
}

/* The template must be an initialised folder that was never served. */
static int template_usable(const char *tpl)
{
    char *state = emu_path_join(tpl, "state.json");
    char *fixture = emu_path_join(tpl, "fixture.json");
    char *served = emu_path_join(tpl, "served");
    int ok = state != NULL && fixture != NULL && served != NULL && emu_path_exists(state) &&
             emu_path_exists(fixture) && !emu_path_exists(served);
    free(state);
    free(fixture);
    free(served);
    return ok;
}

static int ensure_template(const char *tpl, const char *module, char *err, size_t err_len)
{
    /* Serialise concurrent test processes building the same template. */
    size_t n = strlen(tpl) + 8;
    char *lock_path = malloc(n);
    if (lock_path == NULL)
        return -1;
    snprintf(lock_path, n, "%s.lock", tpl);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(lock_path);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) {
        snprintf(err, err_len, "cannot lock the template %s: %s", tpl, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int rc = 0;
    if (!template_usable(tpl)) {
        if (emu_path_exists(tpl)) {
            snprintf(err, err_len, "%s is not an unused emulator template", tpl);
            rc = -1;
        } else {
            rc = init_fresh(tpl, false, module, err, err_len);
        }
    }
    close(fd); /* releases the lock */
    return rc;
}

static int rewrite_softhsm_conf(const char *dir, char *err, size_t err_len)
{
    char conf[PATH_MAX + 256];
    snprintf(conf, sizeof(conf),
             "# SoftHSM2 configuration of this emulator folder (rssp-emulator init).\n"
             "directories.tokendir = %s/tokens\n"
             "objectstore.backend = file\n"
             "log.level = ERROR\n"
             "slots.removable = false\n",
             dir);
    char *path = emu_path_join(dir, "softhsm2.conf");
    int rc = path == NULL ? -1 : emu_write_atomic(path, conf, strlen(conf), 0600);
    if (rc != 0)
        snprintf(err, err_len, "cannot write %s/softhsm2.conf", dir);
    free(path);
    return rc;
}

static int init_from_template(const emu_init_options *o, char *err, size_t err_len)
{
    char *tpl_abs = NULL, *dir_abs = NULL;
    int rc = -1;
    if (ensure_template(o->template_dir, o->hsm_module, err, err_len) != 0)
        return -1;
    tpl_abs = realpath(o->template_dir, NULL);
    if (tpl_abs == NULL) {
        snprintf(err, err_len, "cannot resolve %s", o->template_dir);
        return -1;
    }
    if (emu_path_exists(o->dir)) {
        if (!o->force) {
            snprintf(err, err_len, "%s already exists (use --force to replace it)", o->dir);
            goto out;
        }
        if (emu_remove_tree(o->dir) != 0) {
            snprintf(err, err_len, "cannot remove %s: %s", o->dir, strerror(errno));
            goto out;
        }
    }
    if (emu_copy_tree(tpl_abs, o->dir) != 0) {
        snprintf(err, err_len, "cannot copy %s to %s: %s", tpl_abs, o->dir, strerror(errno));
        emu_remove_tree(o->dir);
        goto out;
    }
    dir_abs = realpath(o->dir, NULL);
    if (dir_abs == NULL || chmod(dir_abs, 0700) != 0 ||
        rewrite_softhsm_conf(dir_abs, err, err_len) != 0 ||
        emu_fixture_rebase(dir_abs, tpl_abs, err, err_len) != 0) {
        if (err[0] == '\0')
            snprintf(err, err_len, "cannot prepare %s", o->dir);
        emu_remove_tree(o->dir);
        goto out;
    }
    rc = 0;
out:
    free(tpl_abs);
    free(dir_abs);
    return rc;
}

int emu_init(const emu_init_options *o)
{
    char err[ERRLEN] = "";
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    umask(077);
    int rc = o->template_dir != NULL
                 ? init_from_template(o, err, sizeof(err))
                 : init_fresh(o->dir, o->force, o->hsm_module, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "rssp-emulator init: %s\n", err[0] != '\0' ? err : "failed");
        return rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!o->quiet) {
        long ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;
        printf("initialised %s in %ld ms: %zu owners, %zu credentials\n"
               "start it with: rssp-emulator serve %s\n"
               "demo configuration: %s/%s\n",
               o->dir, ms, emu_catalog_n_owners, emu_catalog_n_credentials, o->dir, o->dir,
               EMU_DEMO_CONFIG);
    }
    return 0;
}
