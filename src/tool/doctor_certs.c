#include "tool/doctor_certs.h"

#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

/* "2027-03-01" */
static void date_text(const ASN1_TIME *t, char *out, size_t len)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1 || strftime(out, len, "%Y-%m-%d", &tm) == 0)
        snprintf(out, len, "?");
}

/* The CN of name, or the whole name. */
static void common_name(const X509_NAME *name, char *out, size_t len)
{
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    const ASN1_STRING *s = i >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)) : NULL;
    unsigned char *utf8 = NULL;
    int n = s != NULL ? ASN1_STRING_to_UTF8(&utf8, s) : -1;
    if (n >= 0)
        snprintf(out, len, "%.*s", n, (const char *)utf8);
    else if (X509_NAME_oneline(name, out, (int)len) == NULL)
        snprintf(out, len, "?");
    OPENSSL_free(utf8);
}

static X509 *parse(const rssp_buf *der)
{
    const unsigned char *p = der->data;
    return d2i_X509(NULL, &p, (long)der->len);
}

/* Each certificate signed by the next, the last one as anchor. 0, or -1 and why. */
static int verify_chain(X509 *const *certs, size_t n, time_t now, char *why, size_t why_len)
{
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int rc = -1;
    if (store == NULL || untrusted == NULL || ctx == NULL ||
        X509_STORE_add_cert(store, certs[n - 1]) != 1) {
        snprintf(why, why_len, "out of memory");
        goto out;
    }
    for (size_t i = 1; i + 1 < n; i++)
        if (!sk_X509_push(untrusted, certs[i]))
            goto out;
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_STORE_CTX_init(ctx, store, certs[0], untrusted) != 1)
        goto out;
    X509_STORE_CTX_set_time(ctx, 0, now);
    if (X509_verify_cert(ctx) == 1) {
        rc = 0;
    } else {
        int err = X509_STORE_CTX_get_error(ctx);
        snprintf(why, why_len, "%s (certificate %d of the chain)",
                 X509_verify_cert_error_string(err), X509_STORE_CTX_get_error_depth(ctx) + 1);
    }
out:
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    return rc;
}

bool doctor_check_certificate(const rssp_credential *cred, time_t now, char *detail,
                              size_t detail_len, char *fix, size_t fix_len)
{
    enum { MAX_CHAIN = 16 };
    X509 *certs[MAX_CHAIN] = {NULL};
    size_t n = cred->n_certificates;
    if (n > MAX_CHAIN)
        n = MAX_CHAIN;
    bool ok = false;
    fix[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if ((certs[i] = parse(&cred->certificates[i])) == NULL) {
            snprintf(detail, detail_len, "certificate %zu of the chain cannot be parsed", i + 1);
            snprintf(fix, fix_len, "the service sends a broken certificate: tell your provider");
            goto out;
        }
    }
    if (n == 0) {
        snprintf(detail, detail_len, "the service sends no certificate");
        snprintf(fix, fix_len, "tell your provider");
        goto out;
    }
    char cn[128], issuer[128], not_before[16], not_after[16];
    common_name(X509_get_subject_name(certs[0]), cn, sizeof cn);
    common_name(X509_get_issuer_name(certs[0]), issuer, sizeof issuer);
    date_text(X509_get0_notBefore(certs[0]), not_before, sizeof not_before);
    date_text(X509_get0_notAfter(certs[0]), not_after, sizeof not_after);
    if (X509_cmp_time(X509_get0_notAfter(certs[0]), &now) < 0) {
        snprintf(detail, detail_len, "'%s' expired on %s", cn, not_after);
        snprintf(fix, fix_len, "ask your provider for a new certificate");
        goto out;
    }
    if (X509_cmp_time(X509_get0_notBefore(certs[0]), &now) > 0) {
        snprintf(detail, detail_len, "'%s' is valid only from %s", cn, not_before);
        snprintf(fix, fix_len, "check this computer's clock, or wait until then");
        goto out;
    }
    if (cred->status != NULL && strcmp(cred->status, "valid") != 0) {
        snprintf(detail, detail_len, "'%s', valid %s to %s: the service says it is %s", cn,
                 not_before, not_after, cred->status);
        snprintf(fix, fix_len,
                 "it cannot sign and is not offered as a token; ask your provider "
                 "for a new certificate");
        goto out;
    }
    char why[256];
    if (n == 1) {
        snprintf(detail, detail_len,
                 "'%s', valid until %s; issued by '%s', whose certificate the "
                 "service does not send (chain not checked)",
                 cn, not_after, issuer);
        ok = true;
    } else if (verify_chain(certs, n, now, why, sizeof why) != 0) {
        snprintf(detail, detail_len, "'%s': its chain does not verify: %s", cn, why);
        snprintf(fix, fix_len, "the service sends a wrong chain: tell your provider");
    } else {
        char top[128];
        common_name(X509_get_subject_name(certs[n - 1]), top, sizeof top);
        int days = 30, secs = 0;
        ASN1_TIME *at_now = ASN1_TIME_set(NULL, now);
        if (at_now == NULL ||
            ASN1_TIME_diff(&days, &secs, at_now, X509_get0_notAfter(certs[0])) != 1)
            days = 30;
        ASN1_TIME_free(at_now);
        bool self_signed = X509_check_issued(certs[n - 1], certs[n - 1]) == X509_V_OK;
        snprintf(detail, detail_len, "'%s', valid until %s%s; chain of %zu verified up to %s'%s'%s",
                 cn, not_after, days < 30 ? " (less than 30 days left)" : "", n,
                 self_signed ? "the root " : "", top,
                 self_signed ? "" : " (the service sends no root)");
        ok = true;
    }
out:
    for (size_t i = 0; i < n; i++)
        X509_free(certs[i]);
    return ok;
}
