/*
 * Where a program keeps its NSS databases for the current user, and whether
 * the program has one open right now (docs/tool.md, register).
 *   Firefox      every profile of ~/.mozilla/firefox/profiles.ini
 *   Thunderbird  every profile of ~/.thunderbird/profiles.ini
 *   Chromium     ~/.pki/nssdb (shared with Google Chrome)
 *   nss-db DIR   one folder
 */
#ifndef RSSP_TOOL_NSS_TARGETS_H
#define RSSP_TOOL_NSS_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    NSS_PROGRAM_FIREFOX,
    NSS_PROGRAM_THUNDERBIRD,
    NSS_PROGRAM_CHROMIUM,
    NSS_PROGRAM_DIR,
} nss_program;

typedef struct {
    char *dir;   /* absolute path of the NSS database folder */
    char *label; /* for people: "Firefox profile 'default-esr'" */
    bool exists; /* the folder is there */
} nss_target;

typedef struct {
    nss_target *items;
    size_t count;
} nss_target_list;

/* "firefox", "thunderbird", "chromium", "nss-db". 0, or -1 if unknown. */
int nss_program_parse(const char *word, nss_program *out);
/* "Firefox", "Thunderbird", "Chromium", "NSS database". */
const char *nss_program_title(nss_program p);

/*
 * The databases of program p for the user whose home is $HOME; dir is the
 * folder for NSS_PROGRAM_DIR (else NULL). No profile is not an error: the
 * list is then empty and err says where it looked. 0, or -1 and err.
 */
int nss_targets_find(nss_program p, const char *dir, nss_target_list *out, char *err,
                     size_t err_len);
void nss_target_list_clear(nss_target_list *list);

/*
 * Is the database open in a running program? Firefox and Thunderbird hold
 * their profile's .parentlock (an fcntl lock) and point its lock symlink at
 * "ADDRESS:+PID"; Chromium points ~/.config/chromium/SingletonLock at
 * "HOST-PID". Stale locks (a dead process) do not count. When in use, why
 * names the lock and the process.
 */
bool nss_target_in_use(nss_program p, const nss_target *t, char *why, size_t why_len);

#endif
