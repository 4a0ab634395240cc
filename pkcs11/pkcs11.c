/*
 * The Cryptoki entry points: thin wrappers that check the module is
 * initialised in this process, call the logic, and trace the result at
 * debug level. The function lists and interfaces (2.40 and 3.0) are here.
 * Only these C_* symbols are exported from the module.
 */
#include <string.h>

#include "common/log.h"
#include "pkcs11/api.h"
#include "pkcs11/module.h"
#include "pkcs11/sign.h"
#include "pkcs11/version.h"

/* The entry points; Windows exports them through rssp-pkcs11.def and sets this empty. */
#ifndef P11_EXPORT
#define P11_EXPORT __attribute__((visibility("default")))
#endif

static CK_RV trace(const char *fn, CK_RV rv)
{
    rssp_debug("%s = 0x%08lx", fn, rv);
    return rv;
}

/* Run expr only when initialised, counted as a call in progress (C_Finalize waits); trace. */
#define CALL(expr)                                                                                 \
    do {                                                                                           \
        CK_RV rv_ = p11_enter();                                                                   \
        if (rv_ == CKR_OK)                                                                         \
            rv_ = p11_leave(expr);                                                                 \
        return trace(__func__, rv_);                                                               \
    } while (0)

/*
 * PKCS#11 answers CKR_ARGUMENTS_BAD before anything a function would
 * otherwise refuse. For the functions that refuse: the session handle is
 * looked at first (it is an argument too), then the pointers, then the
 * refusal. args_ok false: the session's error, else CKR_ARGUMENTS_BAD.
 */
static CK_RV args_bad(CK_SESSION_HANDLE h)
{
    CK_RV rv = p11_refuse_on_session(h, CKR_OK);
    return rv != CKR_OK ? rv : CKR_ARGUMENTS_BAD;
}
#define CHECKED(h, args_ok, expr) ((args_ok) ? (expr) : args_bad(h))
/* A buffer given as pointer and length: NULL only with length 0. */
#define BUF_OK(ptr, len) ((ptr) != NULL || (len) == 0)

static CK_FUNCTION_LIST function_list_2_40;
static CK_FUNCTION_LIST_3_0 function_list_3_0;

/* ---- general ---- */

P11_EXPORT CK_RV C_Initialize(CK_VOID_PTR init_args)
{
    return trace(__func__, p11_initialize(init_args));
}

P11_EXPORT CK_RV C_Finalize(CK_VOID_PTR reserved)
{
    return trace(__func__, p11_finalize(reserved));
}

static void pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    memset(dst, ' ', n);
    memcpy(dst, src, len < n ? len : n);
}

P11_EXPORT CK_RV C_GetInfo(CK_INFO_PTR info)
{
    CK_RV rv = p11_enter();
    if (rv != CKR_OK)
        return trace(__func__, rv);
    if (info == NULL) {
        rv = CKR_ARGUMENTS_BAD;
    } else {
        memset(info, 0, sizeof *info);
        info->cryptokiVersion.major = 2;
        info->cryptokiVersion.minor = 40;
        pad(info->manufacturerID, sizeof info->manufacturerID, P11_MANUFACTURER);
        pad(info->libraryDescription, sizeof info->libraryDescription, P11_LIBRARY_DESCRIPTION);
        info->libraryVersion.major = P11_VERSION_MAJOR;
        info->libraryVersion.minor = P11_VERSION_MINOR;
    }
    return trace(__func__, p11_leave(rv));
}

P11_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
    if (list == NULL)
        return CKR_ARGUMENTS_BAD;
    *list = &function_list_2_40;
    return CKR_OK;
}

static CK_INTERFACE interfaces[] = {
    {(CK_CHAR *)"PKCS 11", &function_list_3_0, 0},
    {(CK_CHAR *)"PKCS 11", &function_list_2_40, 0},
};
#define N_INTERFACES (sizeof interfaces / sizeof interfaces[0])

P11_EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR list, CK_ULONG_PTR count)
{
    if (count == NULL)
        return CKR_ARGUMENTS_BAD;
    if (list != NULL) {
        if (*count < N_INTERFACES) {
            *count = N_INTERFACES;
            return CKR_BUFFER_TOO_SMALL;
        }
        memcpy(list, interfaces, sizeof interfaces);
    }
    *count = N_INTERFACES;
    return CKR_OK;
}

P11_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version,
                                CK_INTERFACE_PTR_PTR out, CK_FLAGS flags)
{
    if (out == NULL)
        return CKR_ARGUMENTS_BAD;
    if (name != NULL && strcmp((const char *)name, "PKCS 11") != 0)
        return CKR_ARGUMENTS_BAD;
    for (size_t i = 0; i < N_INTERFACES; i++) {
        const CK_VERSION *v = interfaces[i].pFunctionList; /* each list starts with its version */
        if (version != NULL && (version->major != v->major || version->minor != v->minor))
            continue;
        if ((interfaces[i].flags & flags) != flags)
            continue;
        *out = &interfaces[i];
        return CKR_OK;
    }
    return CKR_ARGUMENTS_BAD;
}

/* ---- slots and tokens ---- */

P11_EXPORT CK_RV C_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    CALL(p11_get_slot_list(present, list, count));
}

P11_EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    CALL(p11_get_slot_info(slot, info));
}

P11_EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    CALL(p11_get_token_info(slot, info));
}

P11_EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
    /* Remote tokens never come or go while the module is initialised. */
    CALL(slot == NULL || reserved != NULL ? CKR_ARGUMENTS_BAD
         : (flags & CKF_DONT_BLOCK)       ? CKR_NO_EVENT
                                          : CKR_FUNCTION_NOT_SUPPORTED);
}

P11_EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
    CALL(p11_get_mechanism_list(slot, list, count));
}

P11_EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
                                    CK_MECHANISM_INFO_PTR info)
{
    CALL(p11_get_mechanism_info(slot, type, info));
}

static CK_RV slot_refusal(CK_SLOT_ID slot, CK_RV refusal)
{
    p11_token *tok;
    CK_RV rv = p11_token_get(slot, &tok);
    return rv == CKR_OK ? refusal : rv;
}

P11_EXPORT CK_RV C_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len,
                             CK_UTF8CHAR_PTR label)
{
    CALL(slot_refusal(slot, label != NULL && BUF_OK(pin, pin_len) ? CKR_TOKEN_WRITE_PROTECTED
                                                                  : CKR_ARGUMENTS_BAD));
}

P11_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len)
{
    CALL(CHECKED(h, BUF_OK(pin, pin_len), p11_refuse_write(h)));
}

P11_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
                          CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len)
{
    /* The RSSP protocol has no PIN change. */
    CALL(CHECKED(h, BUF_OK(old_pin, old_len) && BUF_OK(new_pin, new_len), p11_refuse_write(h)));
}

/* ---- sessions ---- */

P11_EXPORT CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                               CK_SESSION_HANDLE_PTR out)
{
    (void)app;
    (void)notify;
    CALL(p11_open_session(slot, flags, out));
}

P11_EXPORT CK_RV C_CloseSession(CK_SESSION_HANDLE h)
{
    CALL(p11_session_close(h));
}

P11_EXPORT CK_RV C_CloseAllSessions(CK_SLOT_ID slot)
{
    CALL(p11_session_close_all(slot));
}

P11_EXPORT CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
    CALL(p11_get_session_info(h, info));
}

P11_EXPORT CK_RV C_GetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG_PTR len)
{
    (void)state;
    CALL(CHECKED(h, len != NULL, p11_refuse_on_session(h, CKR_STATE_UNSAVEABLE)));
}

P11_EXPORT CK_RV C_SetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR state, CK_ULONG len,
                                     CK_OBJECT_HANDLE enc_key, CK_OBJECT_HANDLE auth_key)
{
    (void)enc_key;
    (void)auth_key;
    CALL(CHECKED(h, BUF_OK(state, len) && state != NULL,
                 p11_refuse_on_session(h, CKR_SAVED_STATE_INVALID)));
}

P11_EXPORT CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                         CK_ULONG pin_len)
{
    CALL(p11_login(h, user, pin, pin_len));
}

P11_EXPORT CK_RV C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                             CK_ULONG pin_len, CK_UTF8CHAR_PTR username, CK_ULONG username_len)
{
    (void)username; /* one account per configuration: the token has no other users */
    (void)username_len;
    CALL(p11_login(h, user, pin, pin_len));
}

P11_EXPORT CK_RV C_Logout(CK_SESSION_HANDLE h)
{
    CALL(p11_logout(h));
}

P11_EXPORT CK_RV C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags)
{
    CALL(p11_session_cancel(h, flags));
}

/* ---- objects ---- */

P11_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                                CK_OBJECT_HANDLE_PTR out)
{
    CALL(CHECKED(h, BUF_OK(tmpl, count) && out != NULL,
                 p11_refuse_on_session(h, CKR_TOKEN_WRITE_PROTECTED)));
}

P11_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                              CK_ULONG count, CK_OBJECT_HANDLE_PTR out)
{
    CALL(CHECKED(h, BUF_OK(tmpl, count) && out != NULL, p11_modify_object(h, obj)));
}

P11_EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj)
{
    CALL(p11_modify_object(h, obj));
}

P11_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size)
{
    CALL(p11_get_object_size(h, obj, size));
}

P11_EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
                                     CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    CALL(p11_get_attribute_value(h, obj, tmpl, count));
}

P11_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
                                     CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    CALL(CHECKED(h, BUF_OK(tmpl, count), p11_modify_object(h, obj)));
}

P11_EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count)
{
    CALL(p11_find_init(h, tmpl, count));
}

P11_EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
                               CK_ULONG_PTR count)
{
    CALL(p11_find(h, out, max, count));
}

P11_EXPORT CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
    CALL(p11_find_final(h));
}

/* ---- encryption and decryption: not offered by the keys ---- */

P11_EXPORT CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CALL(p11_key_op_init(h, mech, key));
}

P11_EXPORT CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                           CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                 CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, out_len != NULL, p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CALL(p11_key_op_init(h, mech, key));
}

P11_EXPORT CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len, CK_BYTE_PTR out,
                           CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                 CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, out_len != NULL, p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

/* ---- digests (local) ---- */

P11_EXPORT CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech)
{
    CALL(p11_digest_init(h, mech));
}

P11_EXPORT CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR out,
                          CK_ULONG_PTR out_len)
{
    CALL(p11_digest(h, data, len, out, out_len));
}

P11_EXPORT CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    CALL(p11_digest_update(h, part, len));
}

P11_EXPORT CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
    CALL(p11_digest_key(h, key));
}

P11_EXPORT CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    CALL(p11_digest_final(h, out, out_len));
}

/* ---- signing (remote) and verification (local) ---- */

P11_EXPORT CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CALL(p11_sign_init(h, mech, key));
}

P11_EXPORT CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                        CK_ULONG_PTR sig_len)
{
    CALL(p11_sign(h, data, len, sig, sig_len));
}

P11_EXPORT CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    CALL(p11_sign_update(h, part, len));
}

P11_EXPORT CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR sig_len)
{
    CALL(p11_sign_final(h, sig, sig_len));
}

P11_EXPORT CK_RV C_SignRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CALL(p11_key_op_init(h, mech, key));
}

P11_EXPORT CK_RV C_SignRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                               CK_ULONG_PTR sig_len)
{
    (void)sig;
    CALL(CHECKED(h, BUF_OK(data, len) && sig_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CALL(p11_verify_init(h, mech, key));
}

P11_EXPORT CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
                          CK_ULONG sig_len)
{
    CALL(p11_verify(h, data, len, sig, sig_len));
}

P11_EXPORT CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    CALL(p11_verify_update(h, part, len));
}

P11_EXPORT CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len)
{
    CALL(p11_verify_final(h, sig, sig_len));
}

P11_EXPORT CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
                                     CK_OBJECT_HANDLE key)
{
    CALL(p11_key_op_init(h, mech, key));
}

P11_EXPORT CK_RV C_VerifyRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG sig_len,
                                 CK_BYTE_PTR data, CK_ULONG_PTR len)
{
    (void)data;
    CALL(CHECKED(h, BUF_OK(sig, sig_len) && len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

/* ---- dual-function operations: need an encryption or decryption that never starts ---- */

P11_EXPORT CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                       CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                       CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                     CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

P11_EXPORT CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR in, CK_ULONG in_len,
                                       CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)out;
    CALL(CHECKED(h, BUF_OK(in, in_len) && out_len != NULL,
                 p11_refuse_on_session(h, CKR_OPERATION_NOT_INITIALIZED)));
}

/* ---- key management: an RSSP neither generates, wraps nor derives keys here ---- */

static CK_RV no_key_mechanism(CK_SESSION_HANDLE h, const CK_MECHANISM *mech, bool args_ok)
{
    CK_RV rv = p11_refuse_on_session(h, CKR_OK);
    if (rv != CKR_OK)
        return rv;
    return mech == NULL || !args_ok ? CKR_ARGUMENTS_BAD : CKR_MECHANISM_INVALID;
}

P11_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR tmpl,
                               CK_ULONG count, CK_OBJECT_HANDLE_PTR key)
{
    CALL(no_key_mechanism(h, mech, BUF_OK(tmpl, count) && key != NULL));
}

P11_EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
                                   CK_ATTRIBUTE_PTR pub_tmpl, CK_ULONG pub_count,
                                   CK_ATTRIBUTE_PTR priv_tmpl, CK_ULONG priv_count,
                                   CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv)
{
    CALL(no_key_mechanism(h, mech,
                          BUF_OK(pub_tmpl, pub_count) && BUF_OK(priv_tmpl, priv_count) &&
                              pub != NULL && priv != NULL));
}

P11_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE wrapping,
                           CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len)
{
    (void)wrapping;
    (void)key;
    (void)out;
    CALL(no_key_mechanism(h, mech, out_len != NULL));
}

P11_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech,
                             CK_OBJECT_HANDLE unwrapping, CK_BYTE_PTR in, CK_ULONG in_len,
                             CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR key)
{
    (void)unwrapping;
    CALL(no_key_mechanism(h, mech,
                          BUF_OK(in, in_len) && in != NULL && BUF_OK(tmpl, count) && key != NULL));
}

P11_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
                             CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR key)
{
    (void)base;
    CALL(no_key_mechanism(h, mech, BUF_OK(tmpl, count) && key != NULL));
}

/* ---- random numbers (local CSPRNG) ---- */

static CK_RV random_bytes(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
    CK_RV rv = p11_refuse_on_session(h, CKR_OK);
    if (rv != CKR_OK)
        return rv;
    if (out == NULL && len > 0)
        return CKR_ARGUMENTS_BAD;
    return rssp_random_bytes(out, len) == RSSP_CRYPTO_OK ? CKR_OK : CKR_FUNCTION_FAILED;
}

P11_EXPORT CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len)
{
    CALL(CHECKED(h, BUF_OK(seed, len), p11_refuse_on_session(h, CKR_RANDOM_SEED_NOT_SUPPORTED)));
}

P11_EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
    CALL(random_bytes(h, out, len));
}

/* ---- legacy parallel functions ---- */

P11_EXPORT CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE h)
{
    CALL(p11_refuse_on_session(h, CKR_FUNCTION_NOT_PARALLEL));
}

P11_EXPORT CK_RV C_CancelFunction(CK_SESSION_HANDLE h)
{
    CALL(p11_refuse_on_session(h, CKR_FUNCTION_NOT_PARALLEL));
}

/* ---- 3.0 message-based functions: no mechanism of this token supports them ---- */

P11_EXPORT CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    (void)h, (void)m, (void)k;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_EncryptMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
                                  CK_ULONG al, CK_BYTE_PTR i, CK_ULONG il, CK_BYTE_PTR o,
                                  CK_ULONG_PTR ol)
{
    (void)h, (void)p, (void)pl, (void)a, (void)al, (void)i, (void)il, (void)o, (void)ol;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl,
                                       CK_BYTE_PTR a, CK_ULONG al)
{
    (void)h, (void)p, (void)pl, (void)a, (void)al;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl,
                                      CK_BYTE_PTR i, CK_ULONG il, CK_BYTE_PTR o, CK_ULONG_PTR ol,
                                      CK_FLAGS f)
{
    (void)h, (void)p, (void)pl, (void)i, (void)il, (void)o, (void)ol, (void)f;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE h)
{
    (void)h;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    (void)h, (void)m, (void)k;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_DecryptMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR a,
                                  CK_ULONG al, CK_BYTE_PTR i, CK_ULONG il, CK_BYTE_PTR o,
                                  CK_ULONG_PTR ol)
{
    (void)h, (void)p, (void)pl, (void)a, (void)al, (void)i, (void)il, (void)o, (void)ol;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl,
                                       CK_BYTE_PTR a, CK_ULONG al)
{
    (void)h, (void)p, (void)pl, (void)a, (void)al;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl,
                                      CK_BYTE_PTR i, CK_ULONG il, CK_BYTE_PTR o, CK_ULONG_PTR ol,
                                      CK_FLAGS f)
{
    (void)h, (void)p, (void)pl, (void)i, (void)il, (void)o, (void)ol, (void)f;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE h)
{
    (void)h;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageSignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    (void)h, (void)m, (void)k;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_SignMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
                               CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl)
{
    (void)h, (void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_SignMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl)
{
    (void)h, (void)p, (void)pl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_SignMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
                                   CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl)
{
    (void)h, (void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageSignFinal(CK_SESSION_HANDLE h)
{
    (void)h;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    (void)h, (void)m, (void)k;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_VerifyMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
                                 CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl)
{
    (void)h, (void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl)
{
    (void)h, (void)p, (void)pl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pl, CK_BYTE_PTR d,
                                     CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl)
{
    (void)h, (void)p, (void)pl, (void)d, (void)dl, (void)s, (void)sl;
    return CKR_FUNCTION_NOT_SUPPORTED;
}
P11_EXPORT CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE h)
{
    (void)h;
    return CKR_FUNCTION_NOT_SUPPORTED;
}

/* ---- function lists ---- */

/* One entry per line, in the order of the standard's lists. */
// clang-format off
#define P11_FUNCTIONS_2_40(X) \
    X(C_Initialize) \
    X(C_Finalize) \
    X(C_GetInfo) \
    X(C_GetFunctionList) \
    X(C_GetSlotList) \
    X(C_GetSlotInfo) \
    X(C_GetTokenInfo) \
    X(C_GetMechanismList) \
    X(C_GetMechanismInfo) \
    X(C_InitToken) \
    X(C_InitPIN) \
    X(C_SetPIN) \
    X(C_OpenSession) \
    X(C_CloseSession) \
    X(C_CloseAllSessions) \
    X(C_GetSessionInfo) \
    X(C_GetOperationState) \
    X(C_SetOperationState) \
    X(C_Login) \
    X(C_Logout) \
    X(C_CreateObject) \
    X(C_CopyObject) \
    X(C_DestroyObject) \
    X(C_GetObjectSize) \
    X(C_GetAttributeValue) \
    X(C_SetAttributeValue) \
    X(C_FindObjectsInit) \
    X(C_FindObjects) \
    X(C_FindObjectsFinal) \
    X(C_EncryptInit) \
    X(C_Encrypt) \
    X(C_EncryptUpdate) \
    X(C_EncryptFinal) \
    X(C_DecryptInit) \
    X(C_Decrypt) \
    X(C_DecryptUpdate) \
    X(C_DecryptFinal) \
    X(C_DigestInit) \
    X(C_Digest) \
    X(C_DigestUpdate) \
    X(C_DigestKey) \
    X(C_DigestFinal) \
    X(C_SignInit) \
    X(C_Sign) \
    X(C_SignUpdate) \
    X(C_SignFinal) \
    X(C_SignRecoverInit) \
    X(C_SignRecover) \
    X(C_VerifyInit) \
    X(C_Verify) \
    X(C_VerifyUpdate) \
    X(C_VerifyFinal) \
    X(C_VerifyRecoverInit) \
    X(C_VerifyRecover) \
    X(C_DigestEncryptUpdate) \
    X(C_DecryptDigestUpdate) \
    X(C_SignEncryptUpdate) \
    X(C_DecryptVerifyUpdate) \
    X(C_GenerateKey) \
    X(C_GenerateKeyPair) \
    X(C_WrapKey) \
    X(C_UnwrapKey) \
    X(C_DeriveKey) \
    X(C_SeedRandom) \
    X(C_GenerateRandom) \
    X(C_GetFunctionStatus) \
    X(C_CancelFunction) \
    X(C_WaitForSlotEvent)

#define P11_FUNCTIONS_3_0(X) \
    X(C_GetInterfaceList) \
    X(C_GetInterface) \
    X(C_LoginUser) \
    X(C_SessionCancel) \
    X(C_MessageEncryptInit) \
    X(C_EncryptMessage) \
    X(C_EncryptMessageBegin) \
    X(C_EncryptMessageNext) \
    X(C_MessageEncryptFinal) \
    X(C_MessageDecryptInit) \
    X(C_DecryptMessage) \
    X(C_DecryptMessageBegin) \
    X(C_DecryptMessageNext) \
    X(C_MessageDecryptFinal) \
    X(C_MessageSignInit) \
    X(C_SignMessage) \
    X(C_SignMessageBegin) \
    X(C_SignMessageNext) \
    X(C_MessageSignFinal) \
    X(C_MessageVerifyInit) \
    X(C_VerifyMessage) \
    X(C_VerifyMessageBegin) \
    X(C_VerifyMessageNext) \
    X(C_MessageVerifyFinal)
// clang-format on

#define P11_ENTRY(f) .f = f, /* NOLINT(bugprone-macro-parentheses): a designator */

static CK_FUNCTION_LIST function_list_2_40 = {.version = {2, 40}, P11_FUNCTIONS_2_40(P11_ENTRY)};

static CK_FUNCTION_LIST_3_0 function_list_3_0 = {
    .version = {3, 0}, P11_FUNCTIONS_2_40(P11_ENTRY) P11_FUNCTIONS_3_0(P11_ENTRY)};
