/*
 * The platform layer on Windows (mingw-w64). Paths are UTF-8 inside the
 * module and UTF-16 at the system's wide-character API. "Private" means: the
 * file's owner is the user, and its access list lets nobody else read it
 * except SYSTEM and the Administrators group (who can read any file).
 */
#include "common/platform.h"
#include "common/platform_win32.h"

#include <aclapi.h>
#include <fcntl.h>
#include <io.h>
#include <sddl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 <-> UTF-16 */

wchar_t *rssp_win32_wide(const char *s)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
    if (n <= 0)
        return NULL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w != NULL && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
        free(w);
        w = NULL;
    }
    return w;
}

char *rssp_win32_narrow(const wchar_t *w)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
    if (n <= 0)
        return NULL;
    char *s = malloc((size_t)n);
    if (s != NULL && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
        free(s);
        s = NULL;
    }
    return s;
}

/* The message of a Windows error code, for messages. */
static void error_text(DWORD code, char *out, size_t out_len)
{
    char buf[256];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code,
                             0, buf, sizeof buf, NULL);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == '.'))
        buf[--n] = '\0';
    if (n == 0)
        snprintf(out, out_len, "Windows error %lu", (unsigned long)code);
    else
        snprintf(out, out_len, "%s", buf);
}

/* ---- memory */

bool rssp_mem_lock(void *p, size_t len)
{
    return VirtualLock(p, len) != 0;
}

void rssp_mem_unlock(void *p, size_t len)
{
    VirtualUnlock(p, len);
}

/* ReadProcessMemory on this process fails, instead of faulting, on unreadable memory. */
struct rssp_memprobe {
    HANDLE self;
};

rssp_memprobe *rssp_memprobe_new(void)
{
    rssp_memprobe *p = malloc(sizeof *p);
    if (p != NULL)
        p->self = GetCurrentProcess(); /* a pseudo handle: nothing to close */
    return p;
}

bool rssp_memprobe_byte(rssp_memprobe *probe, const void *src, char *out)
{
    SIZE_T got = 0;
    return ReadProcessMemory(probe->self, src, out, 1, &got) && got == 1;
}

void rssp_memprobe_free(rssp_memprobe *probe)
{
    free(probe);
}

size_t rssp_page_size(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwPageSize > 0 ? si.dwPageSize : 4096;
}

/* ---- processes and time */

unsigned long rssp_process_generation(void)
{
    return 0; /* no fork() on Windows */
}

long rssp_process_id(void)
{
    return (long)GetCurrentProcessId();
}

void rssp_program_name(char *out, size_t out_len)
{
    wchar_t exe[MAX_PATH + 1];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    char *name = NULL;
    if (n > 0 && n < MAX_PATH) {
        exe[n] = L'\0';
        const wchar_t *base = exe;
        for (const wchar_t *c = exe; *c != L'\0'; c++) {
            if (*c == L'\\' || *c == L'/')
                base = c + 1;
        }
        name = rssp_win32_narrow(base);
    }
    if (out_len > 0)
        snprintf(out, out_len, "%s", name != NULL ? name : "");
    free(name);
}

void rssp_sleep_ms(long ms)
{
    Sleep(ms > 0 ? (DWORD)ms : 0);
}

/* ---- TLS */

/* OpenSSL has no trust store on Windows: libcurl takes Windows' own (CURLSSLOPT_NATIVE_CA). */
bool rssp_tls_native_ca(void)
{
    return true;
}

/* ---- places */

bool rssp_path_is_separator(char c)
{
    return c == '/' || c == '\\';
}

bool rssp_path_is_absolute(const char *path)
{
    if (path == NULL)
        return false;
    if (rssp_path_is_separator(path[0]) && rssp_path_is_separator(path[1]))
        return true; /* \\server\share */
    return ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
           path[1] == ':' && rssp_path_is_separator(path[2]);
}

/* %name% as UTF-8 when it holds an absolute path, else NULL. */
static char *env_dir(const wchar_t *name)
{
    wchar_t buf[32768];
    DWORD n = GetEnvironmentVariableW(name, buf, (DWORD)(sizeof buf / sizeof buf[0]));
    if (n == 0 || n >= sizeof buf / sizeof buf[0])
        return NULL;
    char *dir = rssp_win32_narrow(buf);
    if (dir != NULL && !rssp_path_is_absolute(dir)) {
        free(dir);
        dir = NULL;
    }
    return dir;
}

char *rssp_user_config_dir(void)
{
    return env_dir(L"APPDATA");
}

char *rssp_user_cache_dir(void)
{
    return env_dir(L"LOCALAPPDATA");
}

char *rssp_system_config_file(void)
{
    char *base = env_dir(L"ProgramData");
    const char *root = base != NULL ? base : "C:\\ProgramData";
    size_t len = strlen(root) + sizeof "\\rssp-pkcs11\\rssp-pkcs11.conf";
    char *path = malloc(len);
    if (path != NULL)
        snprintf(path, len, "%s\\rssp-pkcs11\\rssp-pkcs11.conf", root);
    free(base);
    return path;
}

/* ---- private files */

/* The SID of the user this process runs as, LocalFree'd by the caller. */
static PSID user_sid(void)
{
    HANDLE token;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return NULL;
    PSID copy = NULL;
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, NULL, 0, &size);
    TOKEN_USER *tu = size > 0 ? malloc(size) : NULL;
    if (tu != NULL && GetTokenInformation(token, TokenUser, tu, size, &size)) {
        DWORD sid_len = GetLengthSid(tu->User.Sid);
        copy = LocalAlloc(LMEM_FIXED, sid_len);
        if (copy != NULL && !CopySid(sid_len, copy, tu->User.Sid)) {
            LocalFree(copy);
            copy = NULL;
        }
    }
    free(tu);
    CloseHandle(token);
    return copy;
}

/*
 * A security descriptor that gives the user full control and nobody else
 * anything, not inheriting from the folder ("P"). LocalFree'd by the caller.
 */
static PSECURITY_DESCRIPTOR private_descriptor(void)
{
    PSID sid = user_sid();
    LPWSTR sid_text = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (sid != NULL && ConvertSidToStringSidW(sid, &sid_text)) {
        wchar_t sddl[256];
        _snwprintf(sddl, sizeof sddl / sizeof sddl[0], L"D:P(A;OICI;FA;;;%ls)", sid_text);
        sddl[sizeof sddl / sizeof sddl[0] - 1] = L'\0';
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
            sd = NULL;
        LocalFree(sid_text);
    }
    if (sid != NULL)
        LocalFree(sid);
    return sd;
}

int rssp_make_private_parents(const char *path)
{
    char *copy = strdup(path);
    PSECURITY_DESCRIPTOR sd = private_descriptor();
    int rc = 0;
    if (copy == NULL || sd == NULL) {
        rc = -1;
        goto out;
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    /* Skip the root ("C:\", "\\server\share\"): it exists or nothing can be made. */
    size_t start = 1;
    if (rssp_path_is_absolute(copy))
        start = rssp_path_is_separator(copy[0]) ? 2 : 3;
    for (size_t i = start; copy[i] != '\0'; i++) {
        if (!rssp_path_is_separator(copy[i]))
            continue;
        char sep = copy[i];
        copy[i] = '\0';
        wchar_t *w = rssp_win32_wide(copy);
        if (w == NULL || (!CreateDirectoryW(w, &sa) && GetLastError() != ERROR_ALREADY_EXISTS)) {
            /* A UNC share's own components cannot be created: only fail past them. */
            if (!(rssp_path_is_separator(copy[0]) && GetLastError() == ERROR_BAD_PATHNAME))
                rc = -1;
        }
        free(w);
        copy[i] = sep;
        if (rc != 0)
            break;
    }
out:
    if (sd != NULL)
        LocalFree(sd);
    free(copy);
    return rc;
}

int rssp_private_file_replace(const char *path, const void *data, size_t len, char *why,
                              size_t why_len)
{
    char err[256];
    int rc = -1;
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    wchar_t *wpath = rssp_win32_wide(path);
    wchar_t *wtmp = NULL;
    PSECURITY_DESCRIPTOR sd = private_descriptor();
    HANDLE h = INVALID_HANDLE_VALUE;
    if (tmp == NULL || wpath == NULL || sd == NULL) {
        snprintf(why, why_len, "cannot prepare writing %s (out of memory, or no user SID)", path);
        goto out;
    }
    snprintf(tmp, plen + 32, "%s.tmp-%lu-%lu", path, (unsigned long)GetCurrentProcessId(),
             (unsigned long)GetCurrentThreadId());
    if ((wtmp = rssp_win32_wide(tmp)) == NULL) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    h = CreateFileW(wtmp, GENERIC_WRITE, 0, &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        error_text(GetLastError(), err, sizeof err);
        snprintf(why, why_len, "cannot create %s: %s", tmp, err);
        goto out;
    }
    const char *p = data;
    while (len > 0) {
        DWORD chunk = len > 0x40000000 ? 0x40000000 : (DWORD)len, done = 0;
        if (!WriteFile(h, p, chunk, &done, NULL) || done == 0)
            break;
        p += done;
        len -= done;
    }
    BOOL flushed = len == 0 && FlushFileBuffers(h);
    if (!flushed) {
        error_text(GetLastError(), err, sizeof err);
        snprintf(why, why_len, "cannot write %s: %s", tmp, err);
    }
    CloseHandle(h);
    if (!flushed) {
        DeleteFileW(wtmp);
        goto out;
    }
    if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        error_text(GetLastError(), err, sizeof err);
        snprintf(why, why_len, "cannot put %s in place: %s", path, err);
        DeleteFileW(wtmp);
        goto out;
    }
    rc = 0;
out:
    if (sd != NULL)
        LocalFree(sd);
    free(wtmp);
    free(wpath);
    free(tmp);
    return rc;
}

/* Well-known accounts that may read any file anyway. */
static bool is_trusted(PSID sid)
{
    WELL_KNOWN_SID_TYPE trusted[] = {WinLocalSystemSid, WinBuiltinAdministratorsSid,
                                     WinCreatorOwnerRightsSid};
    for (size_t i = 0; i < sizeof trusted / sizeof trusted[0]; i++) {
        if (IsWellKnownSid(sid, trusted[i]))
            return true;
    }
    return false;
}

int rssp_win32_acl_of(HANDLE h, const char *path, rssp_win32_acl *out, char *why, size_t why_len)
{
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID me = user_sid();
    int rc = -1;
    memset(out, 0, sizeof *out);
    DWORD err =
        GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                        &owner, NULL, &dacl, NULL, &sd);
    if (err != ERROR_SUCCESS || me == NULL) {
        char text[256];
        error_text(err != ERROR_SUCCESS ? err : GetLastError(), text, sizeof text);
        snprintf(why, why_len, "cannot read the permissions of %s: %s", path, text);
        goto out;
    }
    out->owner_is_user = owner != NULL && EqualSid(owner, me);
    out->owner_is_admin = owner != NULL && is_trusted(owner);
    if (dacl == NULL) {
        /* No access list at all: everyone may do anything. */
        out->others_read = out->others_write = true;
        rc = 0;
        goto out;
    }
    const ACCESS_MASK reads = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
    const ACCESS_MASK writes =
        FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL | WRITE_DAC | WRITE_OWNER;
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *ace = NULL;
        if (!GetAce(dacl, i, (void **)&ace) || ace->AceType != ACCESS_ALLOWED_ACE_TYPE)
            continue;
        ACCESS_ALLOWED_ACE *allowed = (ACCESS_ALLOWED_ACE *)ace;
        PSID sid = (PSID)&allowed->SidStart;
        if (EqualSid(sid, me) || is_trusted(sid))
            continue;
        out->others_read |= (allowed->Mask & reads) != 0;
        out->others_write |= (allowed->Mask & writes) != 0;
    }
    rc = 0;
out:
    if (sd != NULL)
        LocalFree(sd);
    if (me != NULL)
        LocalFree(me);
    return rc;
}

HANDLE rssp_win32_open_regular(const char *path, char *why, size_t why_len)
{
    wchar_t *w = rssp_win32_wide(path);
    if (w == NULL) {
        snprintf(why, why_len, "cannot open %s: not a valid UTF-8 path", path);
        return INVALID_HANDLE_VALUE;
    }
    /* FILE_FLAG_OPEN_REPARSE_POINT: a link is opened as itself, then refused. */
    HANDLE h = CreateFileW(w, GENERIC_READ | READ_CONTROL, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                           FILE_FLAG_OPEN_REPARSE_POINT, NULL);
    free(w);
    if (h == INVALID_HANDLE_VALUE) {
        char err[256];
        error_text(GetLastError(), err, sizeof err);
        snprintf(why, why_len, "cannot open %s: %s", path, err);
        return INVALID_HANDLE_VALUE;
    }
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(h, &info) ||
        (info.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) != 0 ||
        GetFileType(h) != FILE_TYPE_DISK) {
        snprintf(why, why_len, "%s is not a regular file", path);
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

/* Owned by the user and readable by nobody else (SYSTEM and Administrators aside). */
static bool handle_is_private(HANDLE h, const char *path, char *why, size_t why_len)
{
    rssp_win32_acl acl;
    if (rssp_win32_acl_of(h, path, &acl, why, why_len) != 0)
        return false;
    if (!acl.owner_is_user) {
        snprintf(why, why_len, "%s must belong to you (its owner is another account)", path);
        return false;
    }
    if (acl.others_read || acl.others_write) {
        snprintf(why, why_len, "%s " RSSP_WIN32_NOT_PRIVATE, path, path);
        return false;
    }
    return true;
}

int rssp_win32_read_all(HANDLE h, size_t max, char **data, size_t *len)
{
    LARGE_INTEGER size;
    *data = NULL;
    *len = 0;
    if (!GetFileSizeEx(h, &size) || size.QuadPart < 0 || (unsigned long long)size.QuadPart > max)
        return -2;
    size_t n = (size_t)size.QuadPart;
    char *buf = malloc(n + 1);
    if (buf == NULL)
        return -1;
    size_t got = 0;
    while (got < n) {
        DWORD chunk = 0;
        if (!ReadFile(h, buf + got, (DWORD)(n - got), &chunk, NULL) || chunk == 0)
            break;
        got += chunk;
    }
    if (got != n) {
        free(buf);
        return -1;
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

int rssp_private_file_read(const char *path, size_t max, char **data, size_t *len, char *why,
                           size_t why_len)
{
    *data = NULL;
    *len = 0;
    HANDLE h = rssp_win32_open_regular(path, why, why_len);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    int rc = -1;
    if (!handle_is_private(h, path, why, why_len))
        goto out;
    rc = rssp_win32_read_all(h, max, data, len);
    if (rc == -2 || (rc == 0 && *len == 0)) {
        snprintf(why, why_len, "%s is empty or too large", path);
        free(*data);
        *data = NULL;
        *len = 0;
        rc = -1;
    } else if (rc != 0) {
        snprintf(why, why_len, "cannot read %s", path);
    }
out:
    CloseHandle(h);
    return rc;
}

FILE *rssp_private_file_append(const char *path)
{
    wchar_t *w = rssp_win32_wide(path);
    PSECURITY_DESCRIPTOR sd = private_descriptor();
    FILE *f = NULL;
    if (w != NULL && sd != NULL) {
        /* A new log gets the private access list; an existing one keeps its own. */
        SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
        HANDLE h =
            CreateFileW(w, FILE_APPEND_DATA | READ_CONTROL, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
                        OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
        if (h != INVALID_HANDLE_VALUE) {
            BY_HANDLE_FILE_INFORMATION info;
            char why[512];
            bool regular = GetFileInformationByHandle(h, &info) &&
                           (info.dwFileAttributes &
                            (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT)) == 0;
            if (!regular || !handle_is_private(h, path, why, sizeof why)) {
                CloseHandle(h);
            } else {
                int fd = _open_osfhandle((intptr_t)h, _O_APPEND | _O_WRONLY);
                if (fd < 0)
                    CloseHandle(h);
                else if ((f = _fdopen(fd, "a")) == NULL)
                    _close(fd);
            }
        }
    }
    if (sd != NULL)
        LocalFree(sd);
    free(w);
    return f;
}
