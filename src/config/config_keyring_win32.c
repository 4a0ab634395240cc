/*
 * `*_keyring` keys on Windows: generic credentials of the Windows Credential
 * Manager (docs/windows.md). The spec's pairs, in the order written and one
 * space apart, are the credential's target name, so one configuration line
 * names the same secret on Linux (Secret Service attributes) and on Windows:
 *
 *     password_keyring = service=rssp-pkcs11 account=alice
 *     cmdkey /generic:"service=rssp-pkcs11 account=alice" /user:alice /pass
 *
 * The secret is the credential's blob as cmdkey stores it: UTF-16LE. The
 * Credential Manager needs no helper process and starts no thread.
 */
#include "config/config_keyring.h"

#include <windows.h>

#include <wincred.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/platform_win32.h"
#include "common/secmem.h"
#include "config/config_file.h"

const char *rssp_cfg_keyring_helper(void)
{
    return "the Windows Credential Manager";
}

/* The target name of spec ("name=value name=value"), as UTF-16, malloc'ed. */
static wchar_t *target_of(const char *spec, char *why, size_t why_len)
{
    const char *argv[2 * RSSP_KEYRING_MAX_ATTRS];
    size_t cap = strlen(spec) + 1; /* the normal form is never longer than the spec */
    char *copy = strdup(spec);
    char *text = malloc(cap);
    wchar_t *target = NULL;
    int pairs = -1;
    if (copy == NULL || text == NULL)
        snprintf(why, why_len, "out of memory");
    else
        pairs = rssp_cfg_keyring_split(copy, argv, why, why_len);
    if (pairs > 0) {
        size_t n = 0;
        for (int i = 0; i < pairs && n < cap; i++) {
            int w = snprintf(text + n, cap - n, "%s%s=%s", i > 0 ? " " : "", argv[2 * i],
                             argv[2 * i + 1]);
            n += w > 0 ? (size_t)w : 0;
        }
        target = rssp_win32_wide(text);
        if (target == NULL)
            snprintf(why, why_len, "the keyring spec is not valid UTF-8");
    }
    free(text);
    free(copy);
    return target;
}

int rssp_cfg_keyring_lookup(const char *spec, char **out, char *why, size_t why_len)
{
    *out = NULL;
    wchar_t *target = target_of(spec, why, why_len);
    if (target == NULL)
        return -1;
    PCREDENTIALW cred = NULL;
    int rc = -1;
    if (!CredReadW(target, CRED_TYPE_GENERIC, 0, &cred)) {
        DWORD err = GetLastError();
        if (err == ERROR_NOT_FOUND)
            snprintf(why, why_len,
                     "no credential '%s' in the Windows Credential Manager; store it with: "
                     "cmdkey /generic:\"%s\" /user:rssp-pkcs11 /pass",
                     spec, spec);
        else
            snprintf(why, why_len, "the Windows Credential Manager could not read '%s' (error %lu)",
                     spec, (unsigned long)err);
        goto out;
    }
    DWORD blob = cred->CredentialBlobSize;
    if (blob == 0 || blob % 2 != 0 || blob / 2 > RSSP_CFG_MAX_SECRET_BYTES) {
        snprintf(why, why_len,
                 "credential '%s' is empty, too large or not a text password (UTF-16)", spec);
        goto out;
    }
    const wchar_t *w = (const wchar_t *)(const void *)cred->CredentialBlob;
    int wn = (int)(blob / 2);
    char utf8[4 * RSSP_CFG_MAX_SECRET_BYTES];
    int n =
        WideCharToMultiByte(CP_UTF8, WC_ERR_INVALID_CHARS, w, wn, utf8, sizeof utf8, NULL, NULL);
    if (n <= 0 || n > RSSP_CFG_MAX_SECRET_BYTES || memchr(utf8, '\0', (size_t)n) != NULL) {
        snprintf(why, why_len, "credential '%s' does not hold a usable password", spec);
    } else if ((*out = rssp_secret_dup(utf8, (size_t)n)) == NULL) {
        snprintf(why, why_len, "out of memory");
    } else {
        rc = 0;
    }
    OPENSSL_cleanse(utf8, sizeof utf8);
out:
    if (cred != NULL) {
        SecureZeroMemory(cred->CredentialBlob, cred->CredentialBlobSize);
        CredFree(cred);
    }
    free(target);
    return rc;
}

int rssp_cfg_keyring_store(const char *spec, const char *label, const char *secret, char *why,
                           size_t why_len)
{
    wchar_t *target = target_of(spec, why, why_len);
    if (target == NULL)
        return -1;
    int rc = -1;
    wchar_t comment[256] = L"";
    size_t len = strlen(secret);
    wchar_t *blob = len > 0 && len <= RSSP_CFG_MAX_SECRET_BYTES ? rssp_win32_wide(secret) : NULL;
    size_t wn = blob != NULL ? wcslen(blob) : 0; /* UTF-16 units, without the NUL */
    if (blob == NULL) {
        snprintf(why, why_len, "the secret is empty, too long or not valid UTF-8");
        goto out;
    }
    if (label != NULL)
        MultiByteToWideChar(CP_UTF8, 0, label, -1, comment, (int)(sizeof comment / 2) - 1);
    CREDENTIALW cred = {0};
    cred.Type = CRED_TYPE_GENERIC;
    cred.TargetName = target;
    cred.Comment = comment;
    cred.CredentialBlobSize = (DWORD)(wn * sizeof *blob); /* without the NUL, as cmdkey */
    cred.CredentialBlob = (LPBYTE)blob;
    cred.Persist = CRED_PERSIST_LOCAL_MACHINE;
    cred.UserName = L"rssp-pkcs11";
    if (!CredWriteW(&cred, 0))
        snprintf(why, why_len, "the Windows Credential Manager refused to store '%s' (error %lu)",
                 spec, (unsigned long)GetLastError());
    else
        rc = 0;
out:
    if (blob != NULL) {
        SecureZeroMemory(blob, wn * sizeof *blob);
        free(blob);
    }
    free(target);
    return rc;
}
