#include "pkcs11/login_model.h"

#include <stdio.h>
#include <string.h>

#include "common/platform.h"

/* Whether name is one of the words of list (separated by spaces, tabs or commas). */
static bool in_word_list(const char *list, const char *name)
{
    size_t name_len = strlen(name);
    const char *p = list;
    while (*p != '\0') {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t,");
        if (n > 0 && n == name_len && memcmp(p, name, n) == 0)
            return true;
        p += n;
    }
    return false;
}

bool p11_login_model_is_key(const rssp_config *cfg, const char *program)
{
    switch (cfg->login_model) {
    case RSSP_LOGIN_KEY:
        return true;
    case RSSP_LOGIN_TOKEN:
        return false;
    default:
        break;
    }
    if (program == NULL || program[0] == '\0')
        return false;
    const char *list =
        cfg->key_login_programs != NULL ? cfg->key_login_programs : P11_KEY_LOGIN_PROGRAMS;
    return in_word_list(list, program);
}

void p11_program_name(char *out, size_t out_len)
{
    rssp_program_name(out, out_len);
}
