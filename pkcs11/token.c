#include "pkcs11/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secmem.h"
#include "pkcs11/mech.h"
#include "pkcs11/module.h"
#include "pkcs11/token_text.h"
#include "pkcs11/version.h"

#define P11_MAX_CHAIN 16

/* Blank-pad src into dst[n] (identity strings of our own: ASCII). */
static void pad_ascii(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    memset(dst, ' ', n);
    memcpy(dst, src, len < n ? len : n); /* NOLINT(bugprone-not-null-terminated-result) */
}

/*
 * CSC modes no C_Login can satisfy: the user authorizes in the service's web
 * page (oauth2code), or with a code generator plus PIN. Such credentials
 * are shown as tokens whose login is refused with a log line (docs/protocol.md).
 */
static bool login_impossible(const char *mode)
{
    return strcmp(mode, "OAUTH2CODE") == 0 || strcmp(mode, "EXPLICIT/OTP-OFFLINE") == 0 ||
           strcmp(mode, "EXPLICIT/PIN+OTP") == 0;
}

bool p11_credential_usable(const rssp_credential *cred)
{
    if (cred->credential_id == NULL || cred->n_certificates == 0)
        return false;
    if (cred->status != NULL && strcmp(cred->status, "valid") != 0)
        return false;
    if (cred->purpose != NULL && strcmp(cred->purpose, "ENCRYPTION") == 0)
        return false;
    if (!cred->has_auth_info || cred->auth_mode == NULL)
        return false;
    return strcmp(cred->auth_mode, "EXPLICIT/PIN") == 0 ||
           strcmp(cred->auth_mode, "EXPLICIT/OTP-SMS") == 0 ||
           strcmp(cred->auth_mode, "EXPLICIT/OTP-EMAIL") == 0 ||
           strcmp(cred->auth_mode, "EXPLICIT/OTP-ONLINE") == 0 ||
           strncmp(cred->auth_mode, "IMPLICIT/", 9) == 0 || login_impossible(cred->auth_mode);
}

static CK_RV parse_chain(p11_token *tok, const rssp_credential *cred)
{
    if (rssp_cert_parse(cred->certificates[0].data, cred->certificates[0].len, &tok->ee) !=
        RSSP_CRYPTO_OK)
        return CKR_GENERAL_ERROR;
    if (tok->ee.key_type != RSSP_KEY_RSA && tok->ee.key_type != RSSP_KEY_EC)
        return CKR_GENERAL_ERROR;
    if (cred->n_certificates < 2)
        return CKR_OK;
    /* Handles of one token lie in a block of 256; real chains have two or three CAs. */
    size_t n = cred->n_certificates - 1 < P11_MAX_CHAIN ? cred->n_certificates - 1 : P11_MAX_CHAIN;
    tok->chain = calloc(n, sizeof *tok->chain);
    if (tok->chain == NULL)
        return CKR_HOST_MEMORY;
    for (size_t i = 1; i <= n; i++) {
        if (rssp_cert_parse(cred->certificates[i].data, cred->certificates[i].len,
                            &tok->chain[tok->n_chain]) != RSSP_CRYPTO_OK)
            continue; /* an unreadable CA certificate only costs the chain object */
        tok->n_chain++;
    }
    return CKR_OK;
}

CK_RV p11_token_new(const rssp_credential *cred, CK_SLOT_ID slot_id, p11_token **out)
{
    CK_RV rv = CKR_HOST_MEMORY;
    p11_token *tok = calloc(1, sizeof *tok);
    if (tok == NULL)
        return CKR_HOST_MEMORY;
    tok->slot_id = slot_id;
    tok->pin_remaining = -1;
    tok->scal = cred->scal == 2 ? 2 : 1;
    tok->auth_kind = strcmp(cred->auth_mode, "EXPLICIT/PIN") == 0         ? P11_AUTH_PIN
                     : login_impossible(cred->auth_mode)                  ? P11_AUTH_NONE
                     : strncmp(cred->auth_mode, "EXPLICIT/OTP-", 13) == 0 ? P11_AUTH_OTP
                                                                          : P11_AUTH_IMPLICIT;
    tok->max_signatures = cred->num_signatures > 0 ? cred->num_signatures : 1;
    tok->key_login = p11_g.key_login;
    tok->credential_id = strdup(cred->credential_id);
    if (tok->credential_id == NULL)
        goto fail;
    if ((rv = parse_chain(tok, cred)) != CKR_OK)
        goto fail;
    p11_token_label(tok->ee.common_name, tok->credential_id, tok->label);
    tok->label[32] = '\0';
    p11_token_serial(tok->credential_id, tok->serial);
    tok->serial[16] = '\0';
    p11_slot_description(tok->credential_id, tok->description);
    tok->description[64] = '\0';

    rv = CKR_HOST_MEMORY;
    tok->n_mechanisms = p11_mech_count(tok->ee.key_type);
    tok->mechanisms = calloc(tok->n_mechanisms, sizeof *tok->mechanisms);
    if (tok->mechanisms == NULL)
        goto fail;
    p11_mech_list(tok->ee.key_type, tok->mechanisms, tok->n_mechanisms);

    char label[33];
    memcpy(label, tok->label, 32);
    label[32] = '\0';
    for (int i = 31; i >= 0 && label[i] == ' '; i--)
        label[i] = '\0';
    p11_object_spec spec = {
        .ee = &tok->ee,
        .chain = tok->chain,
        .n_chain = tok->n_chain,
        .label = label,
        .mechanisms = tok->mechanisms,
        .n_mechanisms = tok->n_mechanisms,
        /* In the key model the stored value is the one before login (see below). */
        .always_authenticate = tok->auth_kind == P11_AUTH_OTP || tok->key_login,
        .private_key_public = tok->key_login,
        .first_handle = (CK_OBJECT_HANDLE)(slot_id + 1) << 8,
    };
    if ((rv = p11_objects_build(&spec, &tok->objects)) != CKR_OK)
        goto fail;
    if ((rv = p11_mutex_new(&tok->state_lock)) != CKR_OK ||
        (rv = p11_mutex_new(&tok->auth_lock)) != CKR_OK)
        goto fail;
    *out = tok;
    return CKR_OK;
fail:
    p11_token_free(tok);
    return rv;
}

void p11_token_free(p11_token *tok)
{
    if (tok == NULL)
        return;
    rssp_secret_free(tok->pin);
    rssp_secret_free(tok->refused_pin);
    p11_shared_sad_release(tok->sad);
    p11_object_set_clear(&tok->objects);
    free(tok->mechanisms);
    for (size_t i = 0; i < tok->n_chain; i++)
        rssp_cert_info_clear(&tok->chain[i]);
    free(tok->chain);
    rssp_cert_info_clear(&tok->ee);
    free(tok->credential_id);
    p11_mutex_free(tok->state_lock);
    p11_mutex_free(tok->auth_lock);
    free(tok);
}

bool p11_token_always_authenticate(p11_token *tok)
{
    if (tok->auth_kind == P11_AUTH_OTP)
        return true;
    if (!tok->key_login)
        return false;
    p11_mutex_lock(tok->state_lock);
    bool in = tok->logged_in;
    p11_mutex_unlock(tok->state_lock);
    return !in;
}

void p11_token_slot_info(const p11_token *tok, CK_SLOT_INFO *info)
{
    memset(info, 0, sizeof *info);
    memcpy(info->slotDescription, tok->description, 64);
    pad_ascii((char *)info->manufacturerID, 32, P11_MANUFACTURER);
    info->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = P11_VERSION_MAJOR;
    info->firmwareVersion.minor = P11_VERSION_MINOR;
}

void p11_token_info(p11_token *tok, CK_TOKEN_INFO *info)
{
    memset(info, 0, sizeof *info);
    memcpy(info->label, tok->label, 32);
    pad_ascii((char *)info->manufacturerID, 32, P11_MANUFACTURER);
    pad_ascii((char *)info->model, 16, tok->scal == 2 ? "RSSP SCAL2" : "RSSP SCAL1");
    memcpy(info->serialNumber, tok->serial, 16);
    info->flags = CKF_WRITE_PROTECTED | CKF_TOKEN_INITIALIZED | CKF_RNG;
    if (!tok->key_login) /* the key model asks for the PIN when the key signs */
        info->flags |= CKF_LOGIN_REQUIRED;
    if (tok->auth_kind != P11_AUTH_NONE) /* no login can work: no usable PIN */
        info->flags |= CKF_USER_PIN_INITIALIZED;
    if (tok->auth_kind != P11_AUTH_PIN) /* nothing to type at C_Login */
        info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;

    p11_mutex_lock(tok->state_lock);
    long long now = rssp_monotonic_ms();
    if (tok->locked_until_ms > now)
        info->flags |= CKF_USER_PIN_LOCKED;
    else if (tok->pin_remaining == 1)
        info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
    else if (tok->pin_failed)
        info->flags |= CKF_USER_PIN_COUNT_LOW;
    info->ulSessionCount = tok->session_count;
    info->ulRwSessionCount = tok->rw_session_count;
    p11_mutex_unlock(tok->state_lock);

    info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulMaxRwSessionCount = p11_g.cfg.read_write_sessions ? CK_EFFECTIVELY_INFINITE : 0;
    info->ulMaxPinLen = P11_PIN_MAX_LEN;
    info->ulMinPinLen = tok->auth_kind == P11_AUTH_PIN ? P11_PIN_MIN_LEN : 0;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion.major = 1;
    info->firmwareVersion.major = P11_VERSION_MAJOR;
    info->firmwareVersion.minor = P11_VERSION_MINOR;
    memcpy(info->utcTime, "                ", 16); /* no clock: CKF_CLOCK_ON_TOKEN is unset */
}
