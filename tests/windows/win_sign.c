/*
 * win_sign: a Windows console program that uses a PKCS#11 DLL the way a
 * Windows application (Adobe Acrobat, Firefox) does, for tests/windows/wine_sign.sh.
 *
 *   win_sign.exe [--prehashed] MODULE.dll OUTDIR [TOKEN-LABEL...]
 *
 * LoadLibraryW, C_GetFunctionList, C_Initialize (CKF_OS_LOCKING_OK), lists the
 * slots and tokens, then for each token named (every token when none is) logs
 * in with the PIN from the environment variable WIN_SIGN_PIN, finds the
 * private key and the certificate with the same CKA_ID, signs MESSAGE with
 * CKM_SHA256_RSA_PKCS (RSA) or CKM_ECDSA_SHA256 (EC; CKM_ECDSA over a SHA-256
 * computed with Windows CNG when the module lacks it), and writes
 *   OUTDIR\message.bin          the message signed
 *   OUTDIR\token<N>.sig         the signature as PKCS#11 returns it
 *   OUTDIR\token<N>.der         the certificate (CKA_VALUE)
 * N = 1, 2 ... in the order of the tokens signed with; one line per token,
 *   signed <N> <rsa|ec> <mechanism> <label>
 * tells the caller which is which. Then C_Logout, C_Finalize, FreeLibrary.
 * --prehashed signs as Adobe Acrobat does: SHA-256 computed here with Windows
 * CNG, then CKM_RSA_PKCS over its DigestInfo (RSA) or CKM_ECDSA over it (EC).
 * Exit status 0 only when everything succeeded; otherwise a message on stderr.
 * Uses only <windows.h>, CNG and the PKCS#11 header: no OpenSSL.
 */
#include <windows.h>

#include <bcrypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PKCS#11 on Windows: structures packed to 1 byte (p11-kit's header does it
   for _WIN32 too; the pragma keeps it so with any header). */
#pragma pack(push, cryptoki, 1)
#include <p11-kit/pkcs11.h>
#pragma pack(pop, cryptoki)

/* Proof of the packing: CK_ULONG (4 bytes on Win64) + pointer + CK_ULONG. */
_Static_assert(sizeof(CK_MECHANISM) == 16, "CK_MECHANISM is not packed to 1 byte");

static const char MESSAGE[] = "rssp-pkcs11 under Windows: a message signed by win_sign.exe\n";

static CK_FUNCTION_LIST_PTR p11;
static int prehashed; /* --prehashed: hash here, sign with CKM_RSA_PKCS / CKM_ECDSA */

/* DER of DigestInfo { sha256, NULL }, followed by the 32-byte hash. */
static const unsigned char SHA256_DIGESTINFO[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                                    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                                    0x01, 0x05, 0x00, 0x04, 0x20};

static int fail_rv(const char *what, CK_RV rv)
{
    fprintf(stderr, "win_sign: %s failed: CKR 0x%08lX\n", what, (unsigned long)rv);
    return 1;
}

static int fail_win32(const char *what, DWORD err)
{
    char msg[512] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0, msg,
                   (DWORD)sizeof(msg), NULL);
    fprintf(stderr, "win_sign: %s failed: error %lu %s\n", what, (unsigned long)err, msg);
    return 1;
}

/* A blank-padded PKCS#11 text field as a C string. */
static void padded(char *out, size_t out_size, const CK_UTF8CHAR *field, size_t len)
{
    while (len > 0 && field[len - 1] == ' ')
        len--;
    if (len >= out_size)
        len = out_size - 1;
    memcpy(out, field, len);
    out[len] = '\0';
}

static char *utf8_of(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n) : NULL;
    if (s != NULL && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        s = NULL;
    }
    return s;
}

static int write_file(const wchar_t *dir, const wchar_t *name, const void *data, size_t len)
{
    wchar_t path[MAX_PATH];
    if (_snwprintf(path, MAX_PATH, L"%ls\\%ls", dir, name) < 0)
        return fail_win32("building an output path", ERROR_BUFFER_OVERFLOW);
    HANDLE h =
        CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return fail_win32("CreateFileW", GetLastError());
    DWORD written = 0;
    BOOL ok = WriteFile(h, data, (DWORD)len, &written, NULL);
    DWORD err = GetLastError();
    CloseHandle(h);
    if (!ok || written != len)
        return fail_win32("WriteFile", ok ? ERROR_WRITE_FAULT : err);
    return 0;
}

/* SHA-256 with Windows CNG, for CKM_ECDSA when CKM_ECDSA_SHA256 is absent. */
static int sha256(const void *data, size_t len, unsigned char out[32])
{
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE hash = NULL;
    NTSTATUS st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0);
    if (BCRYPT_SUCCESS(st))
        st = BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0);
    if (BCRYPT_SUCCESS(st))
        st = BCryptHashData(hash, (PUCHAR)(uintptr_t)data, (ULONG)len, 0);
    if (BCRYPT_SUCCESS(st))
        st = BCryptFinishHash(hash, out, 32, 0);
    if (hash != NULL)
        BCryptDestroyHash(hash);
    if (alg != NULL)
        BCryptCloseAlgorithmProvider(alg, 0);
    if (!BCRYPT_SUCCESS(st)) {
        fprintf(stderr, "win_sign: SHA-256 with CNG failed: NTSTATUS 0x%08lX\n", (unsigned long)st);
        return 1;
    }
    return 0;
}

static int has_mechanism(CK_SLOT_ID slot, CK_MECHANISM_TYPE type)
{
    CK_MECHANISM_INFO info;
    return p11->C_GetMechanismInfo(slot, type, &info) == CKR_OK && (info.flags & CKF_SIGN);
}

/* The first object of CLASS (with CKA_ID = id when id != NULL). */
static int find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const void *id, CK_ULONG id_len,
                    CK_OBJECT_HANDLE *obj)
{
    CK_ATTRIBUTE tmpl[] = {
        {CKA_CLASS, &cls, sizeof(cls)},
        {CKA_ID, (void *)(uintptr_t)id, id_len},
    };
    CK_ULONG found = 0;
    CK_RV rv = p11->C_FindObjectsInit(s, tmpl, id != NULL ? 2 : 1);
    if (rv != CKR_OK)
        return fail_rv("C_FindObjectsInit", rv);
    rv = p11->C_FindObjects(s, obj, 1, &found);
    CK_RV rv2 = p11->C_FindObjectsFinal(s);
    if (rv != CKR_OK)
        return fail_rv("C_FindObjects", rv);
    if (rv2 != CKR_OK)
        return fail_rv("C_FindObjectsFinal", rv2);
    if (found != 1) {
        fprintf(stderr, "win_sign: no %s object%s on the token\n",
                cls == CKO_PRIVATE_KEY ? "private key" : "certificate",
                id != NULL ? " with the key's CKA_ID" : "");
        return 1;
    }
    return 0;
}

/* An attribute of any length, malloc'ed into *out. */
static int get_attr(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type,
                    unsigned char **out, CK_ULONG *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv = p11->C_GetAttributeValue(s, obj, &a, 1);
    if (rv != CKR_OK)
        return fail_rv("C_GetAttributeValue (length)", rv);
    if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen == 0) {
        fprintf(stderr, "win_sign: attribute 0x%lX is empty or unavailable\n", (unsigned long)type);
        return 1;
    }
    a.pValue = malloc(a.ulValueLen);
    if (a.pValue == NULL)
        return fail_win32("malloc", ERROR_NOT_ENOUGH_MEMORY);
    rv = p11->C_GetAttributeValue(s, obj, &a, 1);
    if (rv != CKR_OK) {
        free(a.pValue);
        return fail_rv("C_GetAttributeValue", rv);
    }
    *out = a.pValue;
    *len = a.ulValueLen;
    return 0;
}

/* Log in to the token in SLOT, sign MESSAGE, write token<n>.sig/.der. */
static int sign_with(CK_SLOT_ID slot, const char *label, const char *pin, const wchar_t *outdir,
                     int n)
{
    CK_SESSION_HANDLE s;
    CK_RV rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s);
    if (rv != CKR_OK)
        return fail_rv("C_OpenSession", rv);
    int err = 1, logged_in = 0;
    unsigned char *id = NULL, *cert = NULL, *sig = NULL;
    CK_ULONG id_len = 0, cert_len = 0, sig_len = 0;
    CK_OBJECT_HANDLE key, crt;
    CK_KEY_TYPE key_type;
    CK_ATTRIBUTE kt = {CKA_KEY_TYPE, &key_type, sizeof(key_type)};

    rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)pin, (CK_ULONG)strlen(pin));
    if (rv != CKR_OK) {
        fail_rv("C_Login", rv);
        goto out;
    }
    logged_in = 1;
    if (find_one(s, CKO_PRIVATE_KEY, NULL, 0, &key) || get_attr(s, key, CKA_ID, &id, &id_len) ||
        find_one(s, CKO_CERTIFICATE, id, id_len, &crt) ||
        get_attr(s, crt, CKA_VALUE, &cert, &cert_len))
        goto out;
    rv = p11->C_GetAttributeValue(s, key, &kt, 1);
    if (rv != CKR_OK) {
        fail_rv("C_GetAttributeValue (CKA_KEY_TYPE)", rv);
        goto out;
    }

    CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, NULL, 0};
    const char *mech_name = "CKM_SHA256_RSA_PKCS";
    const unsigned char *input = (const unsigned char *)MESSAGE;
    CK_ULONG input_len = (CK_ULONG)strlen(MESSAGE);
    unsigned char digest_info[sizeof(SHA256_DIGESTINFO) + 32];
    unsigned char *digest = digest_info + sizeof(SHA256_DIGESTINFO);
    if (key_type != CKK_RSA && key_type != CKK_EC) {
        fprintf(stderr, "win_sign: token '%s': key type 0x%lX is neither RSA nor EC\n", label,
                (unsigned long)key_type);
        goto out;
    }
    if (key_type == CKK_EC && !prehashed && has_mechanism(slot, CKM_ECDSA_SHA256)) {
        mech.mechanism = CKM_ECDSA_SHA256;
        mech_name = "CKM_ECDSA_SHA256";
    } else if (key_type == CKK_EC) {
        if (sha256(MESSAGE, strlen(MESSAGE), digest))
            goto out;
        mech.mechanism = CKM_ECDSA;
        mech_name = "CKM_ECDSA (SHA-256 by CNG)";
        input = digest;
        input_len = 32;
    } else if (prehashed) {
        memcpy(digest_info, SHA256_DIGESTINFO, sizeof(SHA256_DIGESTINFO));
        if (sha256(MESSAGE, strlen(MESSAGE), digest))
            goto out;
        mech.mechanism = CKM_RSA_PKCS;
        mech_name = "CKM_RSA_PKCS (DigestInfo of a SHA-256 by CNG)";
        input = digest_info;
        input_len = (CK_ULONG)sizeof(digest_info);
    }

    rv = p11->C_SignInit(s, &mech, key);
    if (rv != CKR_OK) {
        fail_rv("C_SignInit", rv);
        goto out;
    }
    rv = p11->C_Sign(s, (CK_BYTE_PTR)(uintptr_t)input, input_len, NULL, &sig_len);
    if (rv != CKR_OK) {
        fail_rv("C_Sign (length)", rv);
        goto out;
    }
    sig = malloc(sig_len);
    if (sig == NULL) {
        fail_win32("malloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    rv = p11->C_Sign(s, (CK_BYTE_PTR)(uintptr_t)input, input_len, sig, &sig_len);
    if (rv != CKR_OK) {
        fail_rv("C_Sign", rv);
        goto out;
    }

    wchar_t name[32];
    _snwprintf(name, 32, L"token%d.sig", n);
    if (write_file(outdir, name, sig, sig_len))
        goto out;
    _snwprintf(name, 32, L"token%d.der", n);
    if (write_file(outdir, name, cert, cert_len))
        goto out;
    printf("signed %d %s %s %s\n", n, key_type == CKK_EC ? "ec" : "rsa", mech_name, label);
    printf("  %lu-byte signature, %lu-byte certificate, CKA_ID of %lu bytes\n",
           (unsigned long)sig_len, (unsigned long)cert_len, (unsigned long)id_len);
    err = 0;
out:
    if (logged_in && (rv = p11->C_Logout(s)) != CKR_OK)
        err = fail_rv("C_Logout", rv);
    if ((rv = p11->C_CloseSession(s)) != CKR_OK)
        err = fail_rv("C_CloseSession", rv);
    free(id);
    free(cert);
    free(sig);
    return err;
}

static int run(const wchar_t *outdir, int nwanted, wchar_t **wanted, const char *pin)
{
    CK_C_INITIALIZE_ARGS init = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
    CK_RV rv = p11->C_Initialize(&init);
    if (rv != CKR_OK)
        return fail_rv("C_Initialize", rv);

    int err = 1;
    CK_SLOT_ID *slots = NULL;
    char **labels = NULL;
    CK_INFO info;
    if ((rv = p11->C_GetInfo(&info)) != CKR_OK) {
        fail_rv("C_GetInfo", rv);
        goto out;
    }
    char manufacturer[33], description[33];
    padded(manufacturer, sizeof(manufacturer), info.manufacturerID, sizeof(info.manufacturerID));
    padded(description, sizeof(description), info.libraryDescription,
           sizeof(info.libraryDescription));
    printf("module: %s, %s, Cryptoki %u.%u\n", description, manufacturer,
           info.cryptokiVersion.major, info.cryptokiVersion.minor);

    CK_ULONG count = 0;
    if ((rv = p11->C_GetSlotList(CK_TRUE, NULL, &count)) != CKR_OK) {
        fail_rv("C_GetSlotList (count)", rv);
        goto out;
    }
    slots = calloc(count + 1, sizeof(*slots));
    labels = calloc(count + 1, sizeof(*labels));
    if (slots == NULL || labels == NULL) {
        fail_win32("calloc", ERROR_NOT_ENOUGH_MEMORY);
        goto out;
    }
    if ((rv = p11->C_GetSlotList(CK_TRUE, slots, &count)) != CKR_OK) {
        fail_rv("C_GetSlotList", rv);
        goto out;
    }
    printf("%lu token(s)\n", (unsigned long)count);
    for (CK_ULONG i = 0; i < count; i++) {
        CK_TOKEN_INFO ti;
        if ((rv = p11->C_GetTokenInfo(slots[i], &ti)) != CKR_OK) {
            fail_rv("C_GetTokenInfo", rv);
            goto out;
        }
        char serial[17];
        labels[i] = malloc(33);
        if (labels[i] == NULL) {
            fail_win32("malloc", ERROR_NOT_ENOUGH_MEMORY);
            goto out;
        }
        padded(labels[i], 33, ti.label, sizeof(ti.label));
        padded(serial, sizeof(serial), ti.serialNumber, sizeof(ti.serialNumber));
        printf("  slot %lu: token '%s' serial '%s'%s\n", (unsigned long)slots[i], labels[i], serial,
               (ti.flags & CKF_LOGIN_REQUIRED) ? " (login required)" : "");
    }

    int signed_n = 0;
    if (nwanted == 0) {
        for (CK_ULONG i = 0; i < count; i++)
            if (sign_with(slots[i], labels[i], pin, outdir, ++signed_n))
                goto out;
    }
    for (int a = 0; a < nwanted; a++) {
        char *want = utf8_of(wanted[a]);
        CK_ULONG i = 0;
        while (want != NULL && i < count && strcmp(labels[i], want) != 0)
            i++;
        if (want == NULL || i == count) {
            fprintf(stderr, "win_sign: no token labelled '%s'\n", want ? want : "?");
            free(want);
            goto out;
        }
        free(want);
        if (sign_with(slots[i], labels[i], pin, outdir, ++signed_n))
            goto out;
    }
    if (signed_n == 0) {
        fprintf(stderr, "win_sign: no token to sign with\n");
        goto out;
    }
    err = 0;
out:
    if (labels != NULL)
        for (CK_ULONG i = 0; i < count; i++)
            free(labels[i]);
    free(labels);
    free(slots);
    if ((rv = p11->C_Finalize(NULL)) != CKR_OK)
        err = fail_rv("C_Finalize", rv);
    return err;
}

int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
    if (argc > 1 && wcscmp(argv[1], L"--prehashed") == 0) {
        prehashed = 1;
        argc--;
        argv++;
    }
    if (argc < 3) {
        fprintf(stderr, "usage: win_sign [--prehashed] MODULE.dll OUTDIR [TOKEN-LABEL...]\n"
                        "  (the PIN comes from the environment variable WIN_SIGN_PIN)\n");
        return 2;
    }
    const char *pin = getenv("WIN_SIGN_PIN");
    if (pin == NULL || *pin == '\0') {
        fprintf(stderr, "win_sign: set WIN_SIGN_PIN to the tokens' user PIN\n");
        return 2;
    }
    if (write_file(argv[2], L"message.bin", MESSAGE, strlen(MESSAGE)))
        return 1;

    HMODULE dll = LoadLibraryW(argv[1]);
    if (dll == NULL)
        return fail_win32("LoadLibraryW(module)", GetLastError());
    int err = 1;
    FARPROC proc = GetProcAddress(dll, "C_GetFunctionList");
    if (proc == NULL) {
        fail_win32("GetProcAddress(C_GetFunctionList)", GetLastError());
        goto out;
    }
    /* Through void (*)(void): FARPROC's own type differs from the target's. */
    CK_C_GetFunctionList get_function_list = (CK_C_GetFunctionList)(void (*)(void))proc;
    CK_RV rv = get_function_list(&p11);
    if (rv != CKR_OK || p11 == NULL) {
        fail_rv("C_GetFunctionList", rv != CKR_OK ? rv : CKR_GENERAL_ERROR);
        goto out;
    }
    printf("C_GetFunctionList: Cryptoki %u.%u function list\n", p11->version.major,
           p11->version.minor);
    err = run(argv[2], argc - 3, argv + 3, pin);
out:
    if (!FreeLibrary(dll))
        err = fail_win32("FreeLibrary", GetLastError());
    fflush(stdout);
    return err;
}
