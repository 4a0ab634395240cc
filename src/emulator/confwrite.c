#include "emulator/confwrite.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "emulator/catalog.h"
#include "emulator/fsutil.h"

static void seterr(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t err_len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
}

typedef struct {
    const char *file; /* relative to DIR */
    const char *up;   /* "" or "../": from the file's folder back to DIR */
    const emu_catalog_rp *rp;
    bool appsign;
    const char *owner;     /* username, NULL = RP-only login */
    const char *agreement; /* RP-only login */
    const char *cache;     /* cache folder name */
    const char *who;
    const char *signature; /* SSL2 S: opaque, not a secret */
} conf_spec;

static char *config_text(const conf_spec *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL)
        return NULL;
    fprintf(f,
            "; rssp-pkcs11 configuration for %s, written by `rssp-emulator init`.\n"
            "; The url line is filled in by `rssp-emulator serve` once it has bound its port.\n"
            "[service]\n"
            "url = %s\n"
            "ca_file = %sca.pem\n"
            "connect_timeout_ms = 5000\n"
            "timeout_ms = 30000\n"
            "authorize_timeout_ms = 330000\n\n"
            "[relying_party]\n"
            "name = %s\n",
            c->who, EMU_URL_PLACEHOLDER, c->up, c->rp->name);
    if (c->appsign) {
        fprintf(f,
                "auth = appsign\n"
                "api_key = %s\n"
                "api_secret_file = %ssecrets/%s-app-secret\n"
                "appsign_ttl = 60\n\n",
                c->rp->api_key, c->up, c->rp->file_prefix);
    } else {
        fprintf(f,
                "auth = ssl2\n"
                "username = %s\n"
                "password_file = %ssecrets/%s-password\n"
                "signature = %s\n"
                "key_file = %ssecrets/%s-key.p12\n"
                "key_password_file = %ssecrets/%s-key-password\n"
                "ssl2_hash = sha1\n\n",
                c->rp->username, c->up, c->rp->file_prefix, c->signature, c->up, c->rp->file_prefix,
                c->up, c->rp->file_prefix);
    }
    fprintf(f, "[account]\n");
    if (c->owner != NULL)
        fprintf(f,
                "user_type = USERNAME\n"
                "username = %s\n"
                "password_file = %ssecrets/owner-%s-password\n"
                "remember_me = true\n\n",
                c->owner, c->up, c->owner);
    else
        fprintf(f, "agreement_uuid = %s\nremember_me = true\n\n", c->agreement);
    fprintf(f,
            "[module]\n"
            "cache_dir = %scache/%s\n"
            "cache_ttl = 3600\n"
            "log_level = off\n"
            "sad_signatures = 0\n",
            c->up, c->cache);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static int write_text(const char *dir, const char *rel, const char *text, mode_t mode, char *err,
                      size_t err_len)
{
    char *path = emu_path_join(dir, rel);
    int rc = path == NULL ? -1 : emu_write_atomic(path, text, strlen(text), mode);
    if (rc != 0)
        seterr(err, err_len, "cannot write %s/%s: %s", dir, rel, strerror(errno));
    free(path);
    return rc;
}

static int write_conf(const char *dir, const conf_spec *c, char *err, size_t err_len)
{
    char *text = config_text(c);
    if (text == NULL) {
        seterr(err, err_len, "out of memory");
        return -1;
    }
    int rc = write_text(dir, c->file, text, 0600, err, err_len);
    free(text);
    return rc;
}

/*
 * A CSC configuration (protocol = csc-v1 | csc-v2) of an owner: Basic login
 * with the owner's password, or (oauth2) the OAuth 2.0 client credentials of
 * the emulator's client of that owner (docs/emulator.md).
 */
static int write_csc_conf(const char *dir, const char *file, const char *up, const char *protocol,
                          const char *owner, bool oauth2, char *err, size_t err_len)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f == NULL) {
        seterr(err, err_len, "out of memory");
        return -1;
    }
    fprintf(f,
            "; rssp-pkcs11 configuration for %s over the CSC API (%s), written by\n"
            "; `rssp-emulator init`. The url line is filled in by\n"
            "; `rssp-emulator serve --protocol %s` once it has bound its port.\n"
            "[service]\n"
            "protocol = %s\n"
            "url = %s\n"
            "ca_file = %sca.pem\n"
            "connect_timeout_ms = 5000\n"
            "timeout_ms = 30000\n"
            "authorize_timeout_ms = 330000\n\n",
            owner, protocol, protocol, protocol, EMU_URL_PLACEHOLDER, up);
    if (oauth2)
        fprintf(f,
                "[oauth2]\n"
                "client_id = %s\n"
                "client_secret_file = %ssecrets/owner-%s-password\n\n",
                owner, up, owner);
    else
        fprintf(f,
                "[account]\n"
                "username = %s\n"
                "password_file = %ssecrets/owner-%s-password\n"
                "remember_me = true\n\n",
                owner, up, owner);
    fprintf(f,
            "[module]\n"
            "cache_dir = %scache/%s-%s%s\n"
            "cache_ttl = 3600\n"
            "log_level = off\n"
            "sad_signatures = 0\n",
            up, protocol, owner, oauth2 ? "-oauth2" : "");
    if (fclose(f) != 0) {
        free(text);
        seterr(err, err_len, "out of memory");
        return -1;
    }
    int rc = write_text(dir, file, text, 0600, err, err_len);
    free(text);
    return rc;
}

/* DIR/csc-v1/ and DIR/csc-v2/: the demo, OAuth 2.0 and every owner's configuration. */
static int write_csc_confs(const char *dir, char *err, size_t err_len)
{
    static const char *const protocols[] = {"csc-v1", "csc-v2"};
    char file[160];
    for (size_t p = 0; p < 2; p++) {
        const char *proto = protocols[p];
        snprintf(file, sizeof(file), "%s/owners", proto);
        char *folder = emu_path_join(dir, proto), *owners = emu_path_join(dir, file);
        int rc = folder == NULL || owners == NULL ||
                         (mkdir(folder, 0700) != 0 && errno != EEXIST) ||
                         (mkdir(owners, 0700) != 0 && errno != EEXIST)
                     ? -1
                     : 0;
        if (rc != 0)
            seterr(err, err_len, "cannot create %s/%s: %s", dir, file, strerror(errno));
        free(folder);
        free(owners);
        if (rc != 0)
            return -1;
        snprintf(file, sizeof(file), "%s/%s", proto, EMU_DEMO_CONFIG);
        if (write_csc_conf(dir, file, "../", proto, "alice", false, err, err_len) != 0)
            return -1;
        snprintf(file, sizeof(file), "%s/%s", proto, EMU_OAUTH2_CONFIG);
        if (write_csc_conf(dir, file, "../", proto, "alice", true, err, err_len) != 0)
            return -1;
        for (size_t i = 0; i < emu_catalog_n_owners; i++) {
            const emu_catalog_owner *o = &emu_catalog_owners[i];
            snprintf(file, sizeof(file), "%s/owners/%s.conf", proto, o->username);
            if (write_csc_conf(dir, file, "../../", proto, o->username, false, err, err_len) != 0)
                return -1;
        }
    }
    return 0;
}

int emu_conf_write_all(const emu_conf_input *in, char *err, size_t err_len)
{
    const emu_catalog_rp *demo = &emu_catalog_rps[0];
    char file[128], cache[64];
    for (size_t i = 0; i < emu_catalog_n_rps; i++) {
        const emu_catalog_rp *rp = &emu_catalog_rps[i];
        snprintf(cache, sizeof(cache), "rp-%s", rp->username);
        conf_spec c = {rp->config,          "", rp, false, NULL, rp->agreement, cache, rp->name,
                       in->rps[i].signature};
        if (write_conf(in->dir, &c, err, err_len) != 0)
            return -1;
    }
    conf_spec demo_conf = {
        EMU_DEMO_CONFIG,     "", demo, false, "alice", NULL, "alice", "the demo owner alice",
        in->rps[0].signature};
    conf_spec appsign = {EMU_APPSIGN_CONFIG,
                         "",
                         demo,
                         true,
                         "alice",
                         NULL,
                         "appsign-alice",
                         "alice, relying party by App-Authentication",
                         NULL};
    if (write_conf(in->dir, &demo_conf, err, err_len) != 0 ||
        write_conf(in->dir, &appsign, err, err_len) != 0)
        return -1;
    for (size_t i = 0; i < emu_catalog_n_owners; i++) {
        const emu_catalog_owner *o = &emu_catalog_owners[i];
        snprintf(file, sizeof(file), "owners/%s.conf", o->username);
        conf_spec c = {file,        "../",       demo,
                       false,       o->username, NULL,
                       o->username, o->username, in->rps[0].signature};
        if (write_conf(in->dir, &c, err, err_len) != 0)
            return -1;
    }
    return write_csc_confs(in->dir, err, err_len);
}

/* ---- fixture.json ---- */

static char *abs_path(const char *dir, const char *rel)
{
    return emu_path_join(dir, rel);
}

static int add_path(cJSON *o, const char *name, const char *dir, const char *rel)
{
    char *p = abs_path(dir, rel);
    int rc = p == NULL || cJSON_AddStringToObject(o, name, p) == NULL ? -1 : 0;
    free(p);
    return rc;
}

static int add_str(cJSON *o, const char *name, const char *value)
{
    if (value == NULL)
        return cJSON_AddNullToObject(o, name) == NULL ? -1 : 0;
    return cJSON_AddStringToObject(o, name, value) == NULL ? -1 : 0;
}

static cJSON *fixture_rp(const emu_conf_input *in, size_t i)
{
    const emu_catalog_rp *rp = &emu_catalog_rps[i];
    const emu_rp_secrets *s = &in->rps[i];
    char rel[128];
    cJSON *j = cJSON_CreateObject();
    cJSON *agreements = j == NULL ? NULL : cJSON_AddArrayToObject(j, "agreements");
    if (agreements == NULL || add_str(j, "name", rp->name) ||
        add_str(j, "username", rp->username) || add_str(j, "password", s->password) ||
        add_str(j, "signature", s->signature) || add_str(j, "keyPassword", s->key_password) ||
        add_str(j, "apiKey", rp->api_key) || add_str(j, "apiSecret", s->api_secret))
        goto fail;
    snprintf(rel, sizeof(rel), "secrets/%s-key.p12", rp->file_prefix);
    if (add_path(j, "keyFile", in->dir, rel))
        goto fail;
    snprintf(rel, sizeof(rel), "secrets/%s-key.pem", rp->file_prefix);
    if (add_path(j, "keyPem", in->dir, rel) || add_path(j, "config", in->dir, rp->config))
        goto fail;
    for (size_t k = 0; k < emu_catalog_n_agreements; k++) {
        if (strcmp(emu_catalog_agreements[k].rp, rp->name) == 0 &&
            !cJSON_AddItemToArray(agreements, cJSON_CreateString(emu_catalog_agreements[k].uuid)))
            goto fail;
    }
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}

static cJSON *fixture_owner(const emu_conf_input *in, const emu_catalog_owner *o)
{
    char rel[128];
    cJSON *j = cJSON_CreateObject();
    snprintf(rel, sizeof(rel), "owners/%s.conf", o->username);
    if (j == NULL || add_str(j, "username", o->username) || add_str(j, "password", o->password) ||
        add_str(j, "userType", "USERNAME") || add_str(j, "uuid", o->uuid) ||
        add_str(j, "fullName", o->full_name) || add_str(j, "personalID", o->personal_id) ||
        add_str(j, "phone", o->phone) || add_str(j, "email", o->email) ||
        cJSON_AddBoolToObject(j, "phoneApp", o->phone_app) == NULL ||
        add_str(j, "relyingParty", emu_catalog_rps[0].name) ||
        add_str(j, "agreement", o->agreement) || add_str(j, "role", o->role) ||
        add_path(j, "config", in->dir, rel)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *fixture_credential(const emu_conf_input *in, const emu_catalog_credential *c)
{
    char rel[128];
    const emu_catalog_owner *owner = emu_catalog_agreement_owner(c->agreement);
    cJSON *j = cJSON_CreateObject();
    cJSON *modes = j == NULL ? NULL : cJSON_AddArrayToObject(j, "authModes");
    if (modes == NULL || add_str(j, "id", c->id) ||
        add_str(j, "owner", owner == NULL ? NULL : owner->username) ||
        add_str(j, "agreement", c->agreement) ||
        add_str(j, "keyType", c->rsa_bits > 0 ? "RSA" : "EC") ||
        cJSON_AddNumberToObject(j, "keyBits",
                                c->rsa_bits > 0                  ? c->rsa_bits
                                : strcmp(c->curve, "P-256") == 0 ? 256
                                                                 : 384) == NULL ||
        add_str(j, "curve", c->curve) || cJSON_AddNumberToObject(j, "scal", c->scal) == NULL ||
        add_str(j, "authMode", c->auth_mode) ||
        add_str(j, "pin", c->has_pin ? EMU_CATALOG_PIN : NULL) ||
        add_str(j, "status", c->expired ? "expired" : c->status) ||
        cJSON_AddNumberToObject(j, "numSignatures", c->num_signatures) == NULL ||
        cJSON_AddNumberToObject(j, "remainingSigningCounter", (double)c->counter) == NULL)
        goto fail;
    for (size_t i = 0; i < 3 && c->auth_modes[i] != NULL; i++) {
        if (!cJSON_AddItemToArray(modes, cJSON_CreateString(c->auth_modes[i])))
            goto fail;
    }
    snprintf(rel, sizeof(rel), "certs/%s.pem", c->id);
    if (add_path(j, "certificate", in->dir, rel))
        goto fail;
    snprintf(rel, sizeof(rel), "certs/%s-chain.pem", c->id);
    if (add_path(j, "chain", in->dir, rel))
        goto fail;
    return j;
fail:
    cJSON_Delete(j);
    return NULL;
}

static int fixture_arrays(cJSON *root, const emu_conf_input *in)
{
    cJSON *rps = cJSON_AddArrayToObject(root, "relyingParties");
    cJSON *owners = cJSON_AddArrayToObject(root, "owners");
    cJSON *creds = cJSON_AddArrayToObject(root, "credentials");
    if (rps == NULL || owners == NULL || creds == NULL)
        return -1;
    for (size_t i = 0; i < emu_catalog_n_rps; i++) {
        if (!cJSON_AddItemToArray(rps, fixture_rp(in, i)))
            return -1;
    }
    for (size_t i = 0; i < emu_catalog_n_owners; i++) {
        if (!cJSON_AddItemToArray(owners, fixture_owner(in, &emu_catalog_owners[i])))
            return -1;
    }
    for (size_t i = 0; i < emu_catalog_n_credentials; i++) {
        if (!cJSON_AddItemToArray(creds, fixture_credential(in, &emu_catalog_credentials[i])))
            return -1;
    }
    return 0;
}

int emu_fixture_write(const emu_conf_input *in, char *err, size_t err_len)
{
    int rc = -1;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *configs = NULL, *hsm = NULL;
    if (root == NULL || add_str(root, "dir", in->dir) ||
        add_path(root, "caFile", in->dir, "ca.pem") || add_path(root, "urlFile", in->dir, "url") ||
        add_path(root, "outboxFile", in->dir, "outbox") || add_str(root, "pin", EMU_CATALOG_PIN))
        goto out;
    configs = cJSON_AddObjectToObject(root, "configs");
    if (configs == NULL || add_path(configs, "demo", in->dir, EMU_DEMO_CONFIG) ||
        add_path(configs, "appsign", in->dir, EMU_APPSIGN_CONFIG) ||
        add_path(configs, "rpOnly", in->dir, emu_catalog_rps[0].config) ||
        add_path(configs, "otherRp", in->dir, emu_catalog_rps[1].config))
        goto out;
    hsm = cJSON_AddObjectToObject(root, "hsm");
    if (hsm == NULL || add_str(hsm, "module", in->hsm_module) ||
        add_path(hsm, "softhsm2Conf", in->dir, "softhsm2.conf") ||
        add_str(hsm, "tokenLabel", in->hsm_token_label) ||
        add_str(hsm, "userPin", in->hsm_user_pin))
        goto out;
    if (fixture_arrays(root, in) != 0)
        goto out;
    text = cJSON_Print(root);
    if (text == NULL)
        goto out;
    rc = write_text(in->dir, "fixture.json", text, 0600, err, err_len);
    OPENSSL_cleanse(text, strlen(text));
out:
    if (rc != 0 && err[0] == '\0')
        seterr(err, err_len, "cannot build fixture.json (out of memory)");
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

/* ---- serve: fill in the URL ---- */

static int set_url_in(const char *path, const char *url, char *err, size_t err_len)
{
    char *text = NULL, *out = NULL;
    size_t len = 0, out_len = 0;
    int rc = -1;
    if (emu_read_file(path, 1 << 20, &text, &len) != 0) {
        seterr(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    FILE *f = open_memstream(&out, &out_len);
    if (f == NULL)
        goto done;
    bool found = false;
    char *line = text;
    while (*line != '\0') {
        char *nl = strchr(line, '\n');
        size_t n = nl == NULL ? strlen(line) : (size_t)(nl - line) + 1;
        if (!found && strncmp(line, "url = ", 6) == 0) {
            fprintf(f, "url = %s\n", url);
            found = true;
        } else {
            fwrite(line, 1, n, f);
        }
        line += n;
    }
    if (fclose(f) != 0)
        goto done;
    rc = found ? emu_write_atomic(path, out, out_len, 0600) : 0;
    if (rc != 0)
        seterr(err, err_len, "cannot write %s: %s", path, strerror(errno));
done:
    if (text != NULL)
        OPENSSL_cleanse(text, len);
    free(text);
    free(out);
    return rc;
}

static int set_url_folder(const char *folder, const char *url, char *err, size_t err_len)
{
    DIR *d = opendir(folder);
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".conf") != 0 ||
            strcmp(e->d_name, "softhsm2.conf") == 0)
            continue;
        char *p = emu_path_join(folder, e->d_name);
        rc = p == NULL ? -1 : set_url_in(p, url, err, err_len);
        free(p);
    }
    closedir(d);
    return rc;
}

int emu_conf_set_url(const char *dir, const char *sub, const char *url, char *err, size_t err_len)
{
    char *base = sub == NULL ? strdup(dir) : emu_path_join(dir, sub);
    char *owners = base == NULL ? NULL : emu_path_join(base, "owners");
    int rc = owners == NULL ? -1 : 0;
    if (rc == 0)
        rc = set_url_folder(base, url, err, err_len);
    if (rc == 0)
        rc = set_url_folder(owners, url, err, err_len);
    free(owners);
    free(base);
    return rc;
}

/* ---- templates ---- */

static int rebase_strings(cJSON *node, const char *old_dir, const char *dir)
{
    size_t old_len = strlen(old_dir);
    if (cJSON_IsString(node) && strncmp(node->valuestring, old_dir, old_len) == 0 &&
        (node->valuestring[old_len] == '/' || node->valuestring[old_len] == '\0')) {
        char *p = malloc(strlen(dir) + strlen(node->valuestring + old_len) + 1);
        if (p == NULL)
            return -1;
        strcpy(p, dir);
        strcat(p, node->valuestring + old_len);
        cJSON *repl = cJSON_CreateString(p);
        free(p);
        if (repl == NULL)
            return -1;
        /* Replace the value in place (keeps the item's key). */
        char *old = node->valuestring;
        node->valuestring = repl->valuestring;
        repl->valuestring = old;
        cJSON_Delete(repl);
        return 0;
    }
    for (cJSON *c = node->child; c != NULL; c = c->next) {
        if (rebase_strings(c, old_dir, dir) != 0)
            return -1;
    }
    return 0;
}

int emu_fixture_rebase(const char *dir, const char *old_dir, char *err, size_t err_len)
{
    char *path = emu_path_join(dir, "fixture.json");
    char *text = NULL, *out = NULL;
    cJSON *root = NULL;
    int rc = -1;
    if (path == NULL || emu_read_file(path, 1 << 24, &text, NULL) != 0) {
        seterr(err, err_len, "cannot read %s/fixture.json", dir);
        goto done;
    }
    root = cJSON_Parse(text);
    if (root == NULL || rebase_strings(root, old_dir, dir) != 0 ||
        (out = cJSON_Print(root)) == NULL) {
        seterr(err, err_len, "cannot rewrite %s/fixture.json", dir);
        goto done;
    }
    rc = emu_write_atomic(path, out, strlen(out), 0600);
    if (rc != 0)
        seterr(err, err_len, "cannot write %s: %s", path, strerror(errno));
done:
    if (text != NULL)
        OPENSSL_cleanse(text, strlen(text));
    if (out != NULL)
        OPENSSL_cleanse(out, strlen(out));
    free(text);
    cJSON_free(out);
    cJSON_Delete(root);
    free(path);
    return rc;
}
