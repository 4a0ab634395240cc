/*
 * CSC requests into canonical RSSP requests (rssp-protocol.md §1.8 names):
 * field renames, v1 PIN/OTP and v2 authData into authorizeCode, v1 hash /
 * v2 hashes into documentDigests. Values are copied, never interpreted: the
 * RSSP handlers check them.
 */
#include <string.h>

#include "emulator/csc.h"

/* Copy member from of src into dst as to, if present (any JSON type). */
static int copy_as(emu_req *r, const cJSON *src, const char *from, cJSON *dst, const char *to)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, from);
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    cJSON *dup = cJSON_Duplicate(v, 1);
    if (dup == NULL || !cJSON_AddItemToObject(dst, to, dup)) {
        cJSON_Delete(dup);
        return emu_fail(r, 9000, "out of memory");
    }
    return 0;
}

/* The SHA-2/SHA-1 OID of hashes whose Base64 length is len (CSC v1 may omit hashAlgo). */
static const char *oid_of_b64_length(size_t len)
{
    switch (len) {
    case 28:
        return "1.3.14.3.2.26";
    case 40:
        return "2.16.840.1.101.3.4.2.4";
    case 44:
        return "2.16.840.1.101.3.4.2.1";
    case 64:
        return "2.16.840.1.101.3.4.2.2";
    case 88:
        return "2.16.840.1.101.3.4.2.3";
    default:
        return NULL;
    }
}

/* documentDigests {hashes, hashAlgorithmOID} from the CSC fields of version v. */
static int digests(emu_req *r, const cJSON *in, cJSON *out, bool v2)
{
    const cJSON *hashes = NULL;
    const char *alg = NULL;
    if (emu_get_array(r, in, v2 ? "hashes" : "hash", &hashes) < 0 ||
        emu_get_string(r, in, v2 ? "hashAlgorithmOID" : "hashAlgo", &alg) < 0)
        return -1;
    if (hashes == NULL)
        return 0;
    if (alg == NULL) {
        const cJSON *first = cJSON_GetArrayItem(hashes, 0);
        alg = cJSON_IsString(first) ? oid_of_b64_length(strlen(first->valuestring)) : NULL;
        if (alg == NULL)
            return emu_fail(r, 3100, "%s is required", v2 ? "hashAlgorithmOID" : "hashAlgo");
    }
    cJSON *dd = cJSON_CreateObject();
    cJSON *dup = cJSON_Duplicate(hashes, 1);
    bool ok = dd != NULL && dup != NULL && cJSON_AddItemToObject(dd, "hashes", dup);
    if (!ok)
        cJSON_Delete(dup);
    ok = ok && cJSON_AddStringToObject(dd, "hashAlgorithmOID", alg) != NULL &&
         cJSON_AddItemToObject(out, "documentDigests", dd);
    if (!ok) {
        cJSON_Delete(dd);
        return emu_fail(r, 9000, "out of memory");
    }
    return 0;
}

/* v1 PIN/OTP, v2 authData [{id, value}] -> authorizeCode. */
static int authorize_code(emu_req *r, const cJSON *in, cJSON *out, bool v2)
{
    const char *pin = NULL, *otp = NULL;
    if (v2) {
        const cJSON *data = NULL, *e = NULL;
        if (emu_get_array(r, in, "authData", &data) < 0)
            return -1;
        cJSON_ArrayForEach(e, data)
        {
            const char *id = NULL, *value = NULL;
            if (!cJSON_IsObject(e))
                return emu_fail(r, 3100, "authData items must be objects");
            if (emu_need_string(r, e, "id", &id) != 0 || emu_need_string(r, e, "value", &value))
                return -1;
            if (strcmp(id, "PIN") == 0)
                pin = value;
            else if (strcmp(id, "OTP") == 0)
                otp = value;
            else
                return emu_fail(r, 3100, "authData id '%.20s' is not PIN or OTP", id);
        }
    } else if (emu_get_string(r, in, "PIN", &pin) < 0 || emu_get_string(r, in, "OTP", &otp) < 0) {
        return -1;
    }
    if (pin != NULL && otp != NULL)
        return emu_fail(r, 3021, "no credential of the emulator takes both a PIN and an OTP");
    const char *code = pin != NULL ? pin : otp;
    r->csc_otp = otp != NULL;
    if (code != NULL && cJSON_AddStringToObject(out, "authorizeCode", code) == NULL)
        return emu_fail(r, 9000, "out of memory");
    return 0;
}

static int translate(emu_req *r, const cJSON *in, cJSON *out)
{
    bool v2 = r->dialect == EMU_PROTO_CSC_V2;
    switch (r->method) {
    case EMU_M_REVOKE:
        return copy_as(r, in, "token", out, "token") ||
               copy_as(r, in, "token_type_hint", out, "token_type_hint");
    case EMU_M_LIST:
        /* one page holds every credential; v2 details are added by the reply */
        return 0;
    case EMU_M_CRED_INFO:
        return copy_as(r, in, "credentialID", out, "credentialID") ||
               copy_as(r, in, "certificates", out, "certificates") ||
               copy_as(r, in, "certInfo", out, "certificateInfo") ||
               copy_as(r, in, "authInfo", out, "authenticationInfo");
    case EMU_M_SEND_OTP:
        /* CSC leaves the message to the service: the e-mail subject RSSP asks for is ours */
        if (cJSON_AddStringToObject(out, "notificationSubject", "Your signing code") == NULL)
            return emu_fail(r, 9000, "out of memory");
        return copy_as(r, in, "credentialID", out, "credentialID");
    case EMU_M_AUTHORIZE:
        return copy_as(r, in, "credentialID", out, "credentialID") ||
               copy_as(r, in, "numSignatures", out, "numSignatures") ||
               copy_as(r, in, "description", out, "notificationMessage") ||
               authorize_code(r, in, out, v2) || digests(r, in, out, v2);
    case EMU_M_EXTEND:
        return copy_as(r, in, "credentialID", out, "credentialID") ||
               copy_as(r, in, "SAD", out, "SAD") || digests(r, in, out, false);
    case EMU_M_SIGN_HASH:
        return copy_as(r, in, "credentialID", out, "credentialID") ||
               copy_as(r, in, "SAD", out, "SAD") || copy_as(r, in, "signAlgo", out, "signAlgo") ||
               copy_as(r, in, "signAlgoParams", out, "signAlgoParams") || digests(r, in, out, v2);
    default:
        return 0;
    }
}

int emu_csc_translate_request(emu_req *r)
{
    cJSON *out = cJSON_CreateObject();
    if (out == NULL)
        return emu_fail(r, 9000, "out of memory");
    if (translate(r, r->body, out) != 0) {
        emu_json_wipe_delete(out);
        return -1;
    }
    emu_json_wipe_delete(r->body);
    r->body = out;
    return 0;
}
