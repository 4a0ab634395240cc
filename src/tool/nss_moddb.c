#include "tool/nss_moddb.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <prprf.h>
#include <seccomon.h>
#include <secerr.h>
#include <secport.h>
#include <utilmodt.h>
#include <utilpars.h>

/*
 * NSS's module-database function codes (pkcs11n.h, which also drags in NSS's
 * own PKCS#11 headers).
 */
enum { MODDB_FIND = 0, MODDB_ADD = 1, MODDB_DEL = 2, MODDB_RELEASE = 3 };

/* One parsed entry of pkcs11.txt. */
typedef struct {
    char *library;
    char *name;
    char *nss;
} entry;

/* All entries of one database; [0] is NSS's internal module. */
typedef struct {
    entry *items;
    size_t count;
} entry_list;

static void entry_list_clear(entry_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        PORT_Free(l->items[i].library);
        PORT_Free(l->items[i].name);
        PORT_Free(l->items[i].nss);
    }
    PORT_Free(l->items);
    l->items = NULL;
    l->count = 0;
}

static void say_nss_error(const char *dir, const char *what, char *err, size_t err_len)
{
    int code = PORT_GetError();
    const char *why;
    if (code == SEC_ERROR_LEGACY_DATABASE)
        why = "it is an old-format database (cert8.db, secmod.db); open it once with a current "
              "Firefox or Thunderbird, which converts it to cert9.db";
    else if (code == SEC_ERROR_READ_ONLY)
        why = "it is read-only";
    else if (errno != 0)
        why = strerror(errno);
    else
        why = "NSS gave no reason";
    snprintf(err, err_len, "%s: cannot %s its module list (pkcs11.txt): %s", dir, what, why);
}

/* The parameters NSS's module database takes: the folder, read-only or not. */
static char *db_params(const char *dir, bool read_only)
{
    char *configdir = PR_smprintf("sql:%s", dir);
    if (configdir == NULL)
        return NULL;
    char *quoted = NSSUTIL_Quote(configdir, '\'');
    PR_smprintf_free(configdir);
    if (quoted == NULL)
        return NULL;
    char *params = PR_smprintf("configdir=%s flags=%s", quoted, read_only ? "readOnly" : "");
    PORT_Free(quoted);
    return params;
}

static int read_entries(const char *dir, bool read_only, entry_list *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char *params = db_params(dir, read_only);
    if (params == NULL) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    errno = 0;
    PORT_SetError(0);
    char **specs = NSSUTIL_DoModuleDBFunction(MODDB_FIND, params, NULL);
    if (specs == NULL) {
        say_nss_error(dir, "read", err, err_len);
        PR_smprintf_free(params);
        return -1;
    }
    size_t n = 0;
    while (specs[n] != NULL)
        n++;
    int rc = 0;
    out->items = PORT_ZAlloc((n + 1) * sizeof *out->items);
    if (out->items == NULL) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        entry *e = &out->items[out->count];
        char *params_value = NULL;
        if (NSSUTIL_ArgParseModuleSpec(specs[i], &e->library, &e->name, &params_value, &e->nss) !=
            SECSuccess) {
            snprintf(err, err_len, "%s: cannot parse its module list (pkcs11.txt)", dir);
            rc = -1;
        }
        PORT_Free(params_value);
        out->count++;
    }
    NSSUTIL_DoModuleDBFunction(MODDB_RELEASE, params, specs);
    PR_smprintf_free(params);
    if (rc != 0)
        entry_list_clear(out);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

bool nss_moddb_is_ours(const char *entry_library, const char *entry_name, const char *library,
                       const char *name)
{
    if (entry_name != NULL && strcmp(entry_name, name) == 0)
        return true;
    if (entry_library == NULL || entry_library[0] == '\0')
        return false;
    return strcmp(entry_library, library) == 0 ||
           strcmp(base_name(entry_library), "rssp-pkcs11.so") == 0;
}

static bool entry_is_ours(const entry *e, const char *library, const char *name)
{
    return nss_moddb_is_ours(e->library, e->name, library, name);
}

/* Every slot 0 … N-1 carries NSS's publicCerts ("friendly") flag. */
static bool all_slots_friendly(const char *nss)
{
    if (nss == NULL)
        return false;
    char *slot_params = NSSUTIL_ArgGetParamValue("slotParams", nss);
    if (slot_params == NULL)
        return false;
    PLArenaPool *arena = PORT_NewArena(2048);
    bool ok = false;
    if (arena != NULL) {
        int count = 0;
        struct NSSUTILPreSlotInfoStr *info = NSSUTIL_ArgParseSlotInfo(arena, slot_params, &count);
        bool seen[NSS_MODDB_FRIENDLY_SLOTS] = {false};
        for (int i = 0; info != NULL && i < count; i++) {
            if (info[i].slotID < NSS_MODDB_FRIENDLY_SLOTS &&
                (info[i].defaultFlags & SECMOD_FRIENDLY_FLAG) != 0)
                seen[info[i].slotID] = true;
        }
        ok = true;
        for (size_t i = 0; i < NSS_MODDB_FRIENDLY_SLOTS; i++)
            ok = ok && seen[i];
        PORT_FreeArena(arena, PR_FALSE);
    }
    PORT_Free(slot_params);
    return ok;
}

int nss_moddb_inspect(const char *dir, const char *library, const char *name, nss_moddb_state *out,
                      char *err, size_t err_len)
{
    entry_list list;
    memset(out, 0, sizeof *out);
    if (read_entries(dir, true, &list, err, err_len) != 0)
        return -1;
    for (size_t i = 1; i < list.count; i++) {
        const entry *e = &list.items[i];
        if (!entry_is_ours(e, library, name))
            continue;
        if (out->entries++ == 0) {
            snprintf(out->library, sizeof out->library, "%s", e->library ? e->library : "");
            snprintf(out->name, sizeof out->name, "%s", e->name ? e->name : "");
            out->friendly = all_slots_friendly(e->nss);
        }
    }
    out->exact = out->entries == 1 && out->friendly && strcmp(out->library, library) == 0 &&
                 strcmp(out->name, name) == 0;
    entry_list_clear(&list);
    return 0;
}

/*
 * NSS deletes the first entry whose name line starts with the given name or
 * whose library line starts with the given library. Delete by an entry's
 * own name and library only when every entry so matched is ours.
 */
static bool starts_with(const char *s, const char *prefix)
{
    return s != NULL && prefix != NULL && prefix[0] != '\0' &&
           strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * 0 when no entry but ours would be hit by NSS deleting by this name and
 * library (NSS's add deletes that way too); else -1 and err.
 */
static int check_prefixes(const char *dir, const entry_list *list, const char *del_library,
                          const char *del_name, const char *library, const char *name, char *err,
                          size_t err_len)
{
    for (size_t i = 0; i < list->count; i++) {
        const entry *e = &list->items[i];
        bool hit = starts_with(e->name, del_name) || starts_with(e->library, del_library);
        if (hit && !entry_is_ours(e, library, name)) {
            snprintf(err, err_len,
                     "%s: the module \"%s\" (%s) has a name or library that begins like \"%s\" "
                     "(%s), and NSS would remove it too; rename or remove it with modutil first",
                     dir, e->name ? e->name : "", e->library ? e->library : "", del_name,
                     del_library);
            return -1;
        }
    }
    return 0;
}

static int delete_entry(const char *dir, const entry_list *list, const entry *victim,
                        const char *library, const char *name, char *err, size_t err_len)
{
    const char *del_library = victim->library != NULL ? victim->library : "";
    const char *del_name = victim->name != NULL ? victim->name : "";
    if (check_prefixes(dir, list, del_library, del_name, library, name, err, err_len) != 0)
        return -1;
    /* An empty value would match every entry: leave it out. */
    char *quoted_library = del_library[0] != '\0' ? NSSUTIL_Quote(del_library, '"') : NULL;
    char *quoted_name = del_name[0] != '\0' ? NSSUTIL_Quote(del_name, '"') : NULL;
    char *spec =
        PR_smprintf("%s%s %s%s", quoted_library != NULL ? "library=" : "",
                    quoted_library != NULL ? quoted_library : "",
                    quoted_name != NULL ? "name=" : "", quoted_name != NULL ? quoted_name : "");
    char *params = db_params(dir, false);
    int rc = 0;
    if (spec == NULL || params == NULL || (del_library[0] != '\0' && quoted_library == NULL) ||
        (del_name[0] != '\0' && quoted_name == NULL)) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    } else {
        errno = 0;
        PORT_SetError(0);
        if (NSSUTIL_DoModuleDBFunction(MODDB_DEL, params, spec) == NULL) {
            say_nss_error(dir, "change", err, err_len);
            rc = -1;
        }
    }
    PORT_Free(quoted_library);
    PORT_Free(quoted_name);
    PR_smprintf_free(spec);
    PR_smprintf_free(params);
    return rc;
}

/* Remove our entries one by one; each round must remove one. */
static int delete_ours(const char *dir, const char *library, const char *name, size_t *removed,
                       char *err, size_t err_len)
{
    size_t initial = 0, last = SIZE_MAX;
    *removed = 0;
    for (;;) {
        entry_list list;
        if (read_entries(dir, false, &list, err, err_len) != 0)
            return -1;
        const entry *victim = NULL;
        size_t ours = 0;
        for (size_t i = 1; i < list.count; i++) {
            if (entry_is_ours(&list.items[i], library, name) && ours++ == 0)
                victim = &list.items[i];
        }
        int rc = 0;
        if (last == SIZE_MAX) {
            initial = ours;
        } else if (ours >= last) {
            snprintf(err, err_len, "%s: NSS did not remove the module \"%s\" from pkcs11.txt", dir,
                     victim->name != NULL ? victim->name : "");
            rc = -1;
        }
        last = ours;
        if (rc == 0 && victim != NULL)
            rc = delete_entry(dir, &list, victim, library, name, err, err_len);
        entry_list_clear(&list);
        if (rc != 0)
            return -1;
        if (ours == 0) {
            *removed = initial;
            return 0;
        }
    }
}

/* The entry we write: the library, the name, every slot publicCerts. */
static char *our_spec(const char *library, const char *name)
{
    char *slots[NSS_MODDB_FRIENDLY_SLOTS] = {NULL};
    char *nss = NULL, *spec = NULL;
    bool ok = true;
    for (unsigned long i = 0; i < NSS_MODDB_FRIENDLY_SLOTS && ok; i++) {
        slots[i] = NSSUTIL_MkSlotString(i, SECMOD_FRIENDLY_FLAG, 0, 0, PR_FALSE, PR_FALSE);
        ok = slots[i] != NULL;
    }
    if (ok)
        nss = NSSUTIL_MkNSSString(slots, NSS_MODDB_FRIENDLY_SLOTS, PR_FALSE, PR_FALSE, PR_FALSE,
                                  PR_FALSE, PR_FALSE, 50, 0, 0, 0);
    if (nss != NULL)
        spec = NSSUTIL_MkModuleSpec((char *)library, (char *)name, NULL, nss);
    for (size_t i = 0; i < NSS_MODDB_FRIENDLY_SLOTS; i++)
        PR_smprintf_free(slots[i]);
    PR_smprintf_free(nss);
    return spec;
}

int nss_moddb_register(const char *dir, const char *library, const char *name, bool *changed,
                       char *err, size_t err_len)
{
    nss_moddb_state state;
    size_t removed;
    *changed = false;
    if (nss_moddb_inspect(dir, library, name, &state, err, err_len) != 0)
        return -1;
    if (state.exact)
        return 0;
    entry_list list;
    if (read_entries(dir, false, &list, err, err_len) != 0)
        return -1;
    int rc = check_prefixes(dir, &list, library, name, library, name, err, err_len);
    entry_list_clear(&list);
    if (rc != 0 || delete_ours(dir, library, name, &removed, err, err_len) != 0)
        return -1;
    *changed = true;
    char *spec = our_spec(library, name);
    char *params = db_params(dir, false);
    if (spec == NULL || params == NULL) {
        snprintf(err, err_len, "out of memory");
        rc = -1;
    } else {
        errno = 0;
        PORT_SetError(0);
        if (NSSUTIL_DoModuleDBFunction(MODDB_ADD, params, spec) == NULL) {
            say_nss_error(dir, "change", err, err_len);
            rc = -1;
        }
    }
    PR_smprintf_free(spec);
    PR_smprintf_free(params);
    if (rc == 0 &&
        (nss_moddb_inspect(dir, library, name, &state, err, err_len) != 0 || !state.exact)) {
        if (!state.exact)
            snprintf(err, err_len, "%s: NSS did not keep the module entry in pkcs11.txt", dir);
        rc = -1;
    }
    return rc;
}

int nss_moddb_unregister(const char *dir, const char *library, const char *name, size_t *removed,
                         char *err, size_t err_len)
{
    nss_moddb_state state;
    *removed = 0;
    if (nss_moddb_inspect(dir, library, name, &state, err, err_len) != 0)
        return -1;
    if (state.entries == 0)
        return 0;
    return delete_ours(dir, library, name, removed, err, err_len);
}
