#include "emulator/info.h"

static cJSON *strings(const char *const *v, size_t n)
{
    return cJSON_CreateStringArray(v, (int)n);
}

void emu_handle_info(emu_req *r)
{
    static const char *const languages[] = {"EN", "VN"};
    static const char *const auth_types[] = {"SSL2", "Basic"};
    const char *methods[EMU_M_COUNT - 1];
    size_t n = 0;
    for (int m = EMU_M_LOGIN; m < EMU_M_COUNT; m++)
        methods[n++] = emu_method_name((emu_method)m);
    if (emu_put_string(r, "version", "1.0.0") != 0 ||
        emu_put_string(r, "name", "rssp-emulator") != 0 ||
        emu_put_string(r, "description", "Local RSSP for tests (rssp-pkcs11)") != 0 ||
        emu_put_item(r, "languages", strings(languages, 2)) != 0 ||
        emu_put_item(r, "authTypes", strings(auth_types, 2)) != 0)
        return;
    emu_put_item(r, "methods", strings(methods, n));
}
