#include "client/codec_info.h"

#include <stdlib.h>
#include <string.h>

#include "client/json.h"
#include "client/status_internal.h"

static rssp_err required_array(const cJSON *root, const char *name, char ***items, size_t *n,
                               rssp_status *st)
{
    if (rssp_json_member(root, RSSP_NAMES(name)) == NULL)
        return rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no %s", name);
    return rssp_json_string_array(root, RSSP_NAMES(name), RSSP_JSON_MAX_STRING, false, items, n,
                                  st);
}

rssp_err rssp_decode_info(const cJSON *root, rssp_info_result *out, rssp_status *st)
{
    memset(out, 0, sizeof *out);
    rssp_err err =
        rssp_json_string_dup(root, RSSP_NAMES("version"), RSSP_JSON_MAX_STRING, &out->version, st);
    if (err == RSSP_OK && out->version == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no version");
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("name"), RSSP_JSON_MAX_STRING, &out->name, st);
    if (err == RSSP_OK && out->name == NULL)
        err = rssp_fail(st, RSSP_ERR_PROTOCOL, "info response has no name");
    if (err == RSSP_OK)
        err = rssp_json_string_dup(root, RSSP_NAMES("description"), RSSP_JSON_MAX_STRING,
                                   &out->description, st);
    if (err == RSSP_OK)
        err = required_array(root, "languages", &out->languages, &out->n_languages, st);
    if (err == RSSP_OK)
        err = required_array(root, "authTypes", &out->auth_types, &out->n_auth_types, st);
    if (err == RSSP_OK)
        err = required_array(root, "methods", &out->methods, &out->n_methods, st);
    if (err != RSSP_OK)
        rssp_info_result_clear(out);
    return err;
}

void rssp_info_result_clear(rssp_info_result *r)
{
    if (r == NULL)
        return;
    free(r->version);
    free(r->name);
    free(r->description);
    rssp_string_array_free(r->languages, r->n_languages);
    rssp_string_array_free(r->auth_types, r->n_auth_types);
    rssp_string_array_free(r->methods, r->n_methods);
    memset(r, 0, sizeof *r);
}

bool rssp_info_uses_singular_sign_path(const rssp_info_result *info)
{
    bool singular = false, plural = false;
    for (size_t i = 0; i < info->n_methods; i++) {
        if (strcmp(info->methods[i], "signature/signHash") == 0)
            singular = true;
        else if (strcmp(info->methods[i], "signatures/signHash") == 0)
            plural = true;
    }
    return singular && !plural;
}
