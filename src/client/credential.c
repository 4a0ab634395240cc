/* Lifetime of the credential structs of rssp/client.h. */
#include <stdlib.h>
#include <string.h>

#include "client/codec_common.h"
#include "client/json.h"
#include "rssp/client.h"

void rssp_credential_clear(rssp_credential *cred)
{
    if (cred == NULL)
        return;
    free(cred->credential_id);
    free(cred->thumbprint);
    free(cred->status);
    free(cred->subject_dn);
    free(cred->issuer_dn);
    free(cred->serial_number);
    free(cred->valid_from);
    free(cred->valid_to);
    free(cred->purpose);
    rssp_buf_array_free(cred->certificates, cred->n_certificates, false);
    free(cred->auth_mode);
    rssp_string_array_free(cred->auth_modes_supported, cred->n_auth_modes_supported);
    free(cred->authorization_phone);
    free(cred->authorization_email);
    free(cred->key_algo_oid);
    free(cred->key_curve_oid);
    memset(cred, 0, sizeof *cred);
}

void rssp_credential_list_clear(rssp_credential_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->count; i++)
        rssp_credential_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}
