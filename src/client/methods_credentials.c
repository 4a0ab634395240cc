/* credentials/list, credentials/info, credentials/sendOTP. */
#include <stdlib.h>
#include <string.h>

#include "client/call.h"
#include "client/client_internal.h"
#include "client/dialect.h"
#include "client/json.h"
#include "client/status_internal.h"

/* A service that keeps sending page tokens is cut off here (docs/protocol.md). */
#define LIST_MAX_PAGES 100

/* Move the items of page to the end of all. */
static rssp_err append_page(rssp_credential_list *all, rssp_credential_list *page, rssp_status *st)
{
    if (page->count == 0)
        return RSSP_OK;
    if (all->count == 0) {
        *all = *page;
        memset(page, 0, sizeof *page);
        return RSSP_OK;
    }
    rssp_credential *items = realloc(all->items, (all->count + page->count) * sizeof *items);
    if (items == NULL)
        return rssp_fail(st, RSSP_ERR_NOMEM, "out of memory");
    memcpy(items + all->count, page->items, page->count * sizeof *items);
    all->items = items;
    all->count += page->count;
    free(page->items);
    memset(page, 0, sizeof *page);
    return RSSP_OK;
}

/* One credentials/list call for the page named by page_token (NULL = the first). */
static rssp_err list_page(rssp_client *c, const rssp_list_request *req, const char *page_token,
                          rssp_credential_list *out, char **next_page, rssp_status *st)
{
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = c->dialect->encode_list(req, page_token, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/list",
        .bearer = true,
        .relogin = true,
        .read_only = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = c->dialect->decode_list(res.root, out, next_page, st);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_credentials_list(rssp_client *c, const rssp_list_request *req,
                               rssp_credential_list *out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    char *token = NULL;
    rssp_err err = RSSP_OK;
    for (int page = 0; err == RSSP_OK; page++) {
        if (page == LIST_MAX_PAGES) {
            err = rssp_fail(st, RSSP_ERR_PROTOCOL, "credentials/list sent more than %d pages",
                            LIST_MAX_PAGES);
            break;
        }
        rssp_credential_list one = {0};
        char *next = NULL;
        err = list_page(c, req, token, &one, &next, st);
        if (err == RSSP_OK)
            err = append_page(out, &one, st);
        rssp_credential_list_clear(&one);
        free(token);
        token = next;
        if (token == NULL || token[0] == '\0')
            break;
    }
    free(token);
    if (err != RSSP_OK)
        rssp_credential_list_clear(out);
    return err;
}

rssp_err rssp_credentials_info(rssp_client *c, const char *credential_id, rssp_certs_mode certs,
                               bool certificate_info, bool authentication_info,
                               rssp_credential *out, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (c == NULL || out == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client and output are required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err = c->dialect->encode_credinfo(credential_id, certs, certificate_info,
                                               authentication_info, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/info",
        .bearer = true,
        .relogin = true,
        .read_only = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    if (err == RSSP_OK)
        err = c->dialect->decode_credinfo(res.root, credential_id, out, st);
    rssp_call_result_clear(&res);
    return err;
}

rssp_err rssp_credentials_info_many(rssp_client *c, const char *const *credential_ids, size_t n,
                                    rssp_certs_mode certs, bool certificate_info,
                                    bool authentication_info, rssp_credential *out,
                                    rssp_status *sts)
{
    if (out != NULL)
        memset(out, 0, n * sizeof *out);
    for (size_t i = 0; sts != NULL && i < n; i++)
        rssp_status_reset(&sts[i]);
    if (c == NULL || out == NULL || (n > 0 && credential_ids == NULL))
        return RSSP_ERR_ARGS;
    rssp_req_common cm = rssp_client_common(c);
    rssp_call_spec spec = {
        .method = "credentials/info",
        .bearer = true,
        .relogin = true,
        .read_only = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_item *items = calloc(n > 0 ? n : 1, sizeof *items);
    if (items == NULL) {
        for (size_t i = 0; sts != NULL && i < n; i++)
            rssp_fail(&sts[i], RSSP_ERR_NOMEM, "out of memory");
        return RSSP_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *body = NULL;
        items[i].spec = &spec;
        if (c->dialect->encode_credinfo(credential_ids[i], certs, certificate_info,
                                        authentication_info, &cm, &body, &items[i].st) == RSSP_OK)
            items[i].body = body;
    }
    /* Encoding failures keep their status; the rest run at once. */
    size_t m = 0;
    size_t *index = calloc(n > 0 ? n : 1, sizeof *index);
    rssp_call_item *run = calloc(n > 0 ? n : 1, sizeof *run);
    rssp_err first = RSSP_OK;
    if (index == NULL || run == NULL) {
        first = RSSP_ERR_NOMEM;
        for (size_t i = 0; i < n; i++)
            rssp_fail(&items[i].st, RSSP_ERR_NOMEM, "out of memory");
    } else {
        for (size_t i = 0; i < n; i++)
            if (items[i].body != NULL) {
                run[m] = items[i];
                index[m++] = i;
            }
        rssp_call_run_many(c, run, m, 0);
        for (size_t k = 0; k < m; k++) {
            size_t i = index[k];
            rssp_call_item *it = &run[k];
            if (it->err == RSSP_OK)
                it->err =
                    c->dialect->decode_credinfo(it->res.root, credential_ids[i], &out[i], &it->st);
            items[i].st = it->st;
            rssp_call_result_clear(&it->res);
            rssp_json_delete((cJSON *)it->body);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].st.err != RSSP_OK && first == RSSP_OK)
            first = items[i].st.err;
        if (sts != NULL)
            sts[i] = items[i].st;
    }
    free(index);
    free(run);
    free(items);
    return first;
}

rssp_err rssp_send_otp(rssp_client *c, const char *credential_id, const char *template_text,
                       const char *subject, rssp_status *st)
{
    rssp_status local;
    st = rssp_client_status(st, &local);
    if (c == NULL)
        return rssp_fail(st, RSSP_ERR_ARGS, "client is required");
    rssp_req_common cm = rssp_client_common(c);
    cJSON *body = NULL;
    rssp_err err =
        c->dialect->encode_send_otp(credential_id, template_text, subject, &cm, &body, st);
    if (err != RSSP_OK)
        return err;
    rssp_call_spec spec = {
        .method = "credentials/sendOTP",
        .bearer = true,
        .relogin = true,
        .rules = {.accept_1007 = true},
    };
    rssp_call_result res;
    err = rssp_call_run(c, &spec, body, &res, st);
    rssp_json_delete(body);
    rssp_call_result_clear(&res);
    return err;
}
