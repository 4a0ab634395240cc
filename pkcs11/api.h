/*
 * The logic behind the C_* entry points that are not sign/verify/digest.
 * pkcs11.c checks initialisation and calls these.
 */
#ifndef RSSP_P11_API_H
#define RSSP_P11_API_H

#include "pkcs11/p11.h"

CK_RV p11_get_slot_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count);
CK_RV p11_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info);
CK_RV p11_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info);
CK_RV p11_get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count);
CK_RV p11_get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info);

CK_RV p11_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out);
CK_RV p11_get_session_info(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info);
CK_RV p11_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len);
CK_RV p11_logout(CK_SESSION_HANDLE h);
CK_RV p11_session_cancel(CK_SESSION_HANDLE h, CK_FLAGS flags);
/* For the functions a read-only remote token refuses: session check, then rv. */
CK_RV p11_refuse_on_session(CK_SESSION_HANDLE h, CK_RV rv);
/*
 * C_InitPIN, C_SetPIN: the service has no PIN change. CKR_SESSION_READ_ONLY
 * in a read-only session, CKR_TOKEN_WRITE_PROTECTED in a read-write one.
 */
CK_RV p11_refuse_write(CK_SESSION_HANDLE h);

CK_RV p11_find_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);
CK_RV p11_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count);
CK_RV p11_find_final(CK_SESSION_HANDLE h);
CK_RV p11_get_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                              CK_ULONG count);
CK_RV p11_get_object_size(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size);
/* C_SetAttributeValue, C_DestroyObject, C_CopyObject: the objects are read-only. */
CK_RV p11_modify_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj);
/* C_EncryptInit, C_DecryptInit, C_SignRecoverInit ...: key functions the keys do not allow. */
CK_RV p11_key_op_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key);

#endif
