/* X.509 certificate -> the attributes PKCS#11 certificate and key objects need. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/x509_key.h"

/* Take ownership of an i2d_* result and copy it into out. */
static rssp_crv take_der(unsigned char *der, int der_len, rssp_buf *out)
{
    rssp_crv rv = der_len > 0 ? rssp_buf_set(out, der, (size_t)der_len) : RSSP_CRYPTO_INVALID;
    OPENSSL_free(der);
    return rv;
}

static rssp_crv encode_names_and_serial(X509 *cert, rssp_cert_info *out)
{
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(X509_get_subject_name(cert), &der);
    rssp_crv rv = take_der(der, len, &out->subject);
    if (rv != RSSP_CRYPTO_OK)
        return rv;

    der = NULL;
    len = i2d_X509_NAME(X509_get_issuer_name(cert), &der);
    rv = take_der(der, len, &out->issuer);
    if (rv != RSSP_CRYPTO_OK)
        return rv;

    der = NULL;
    len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &der);
    rv = take_der(der, len, &out->serial);
    if (rv != RSSP_CRYPTO_OK)
        return rv;

    der = NULL;
    len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
    return take_der(der, len, &out->spki);
}

static rssp_crv compute_key_id(X509 *cert, rssp_cert_info *out)
{
    unsigned char sha1[20];
    ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(cert);
    if (bits == NULL || ASN1_STRING_length(bits) <= 0)
        return RSSP_CRYPTO_INVALID;
    rssp_crv rv = rssp_digest(RSSP_HASH_SHA1, ASN1_STRING_get0_data(bits),
                              (size_t)ASN1_STRING_length(bits), sha1);
    if (rv != RSSP_CRYPTO_OK)
        return rv;
    return rssp_buf_set(&out->key_id, sha1, sizeof(sha1));
}

static void put_digits(char *dst, int value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        dst[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* YYYYMMDD in UTC, or "" when the time does not convert or the year has no four digits. */
static void format_date(const ASN1_TIME *t, char out[9])
{
    struct tm tm;
    out[0] = '\0';
    memset(&tm, 0, sizeof(tm));
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return;
    int year = tm.tm_year + 1900;
    if (year < 0 || year > 9999 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
        tm.tm_mday > 31)
        return;
    put_digits(out, year, 4);
    put_digits(out + 4, tm.tm_mon + 1, 2);
    put_digits(out + 6, tm.tm_mday, 2);
    out[8] = '\0';
}

/*
 * The subject CN as UTF-8. With several CNs the last one is taken, the most
 * specific by convention (RFC 6125 §6.4.4). A CN with an embedded NUL is refused.
 */
static rssp_crv extract_common_name(X509 *cert, rssp_cert_info *out)
{
    const X509_NAME *name = X509_get_subject_name(cert);
    int idx = -1;
    int last = -1;
    while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0)
        last = idx;
    if (last < 0)
        return RSSP_CRYPTO_OK;

    X509_NAME_ENTRY *entry = X509_NAME_get_entry(name, last);
    unsigned char *utf8 = NULL;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    if (len < 0)
        return RSSP_CRYPTO_INVALID;
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    if (memchr(utf8, '\0', (size_t)len) == NULL) {
        out->common_name = malloc((size_t)len + 1);
        rv = out->common_name != NULL ? RSSP_CRYPTO_OK : RSSP_CRYPTO_NOMEM;
        if (rv == RSSP_CRYPTO_OK) {
            memcpy(out->common_name, utf8, (size_t)len);
            out->common_name[len] = '\0';
        }
    }
    OPENSSL_free(utf8);
    return rv;
}

static rssp_crv read_basic_constraints(X509 *cert, rssp_cert_info *out)
{
    int crit = 0;
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, &crit, NULL);
    if (bc == NULL) {
        /* -1: absent (not a CA); -2: present twice; otherwise it did not decode. */
        return crit == -1 ? RSSP_CRYPTO_OK : RSSP_CRYPTO_INVALID;
    }
    out->is_ca = bc->ca != 0;
    BASIC_CONSTRAINTS_free(bc);
    return RSSP_CRYPTO_OK;
}

rssp_crv rssp_cert_parse(const unsigned char *der, size_t len, rssp_cert_info *out)
{
    rssp_crv rv = RSSP_CRYPTO_INVALID;
    X509 *cert = NULL;

    if (out == NULL)
        return RSSP_CRYPTO_INVALID;
    memset(out, 0, sizeof(*out));
    if (der == NULL || len == 0 || len > LONG_MAX)
        return RSSP_CRYPTO_INVALID;

    const unsigned char *p = der;
    cert = d2i_X509(NULL, &p, (long)len);
    if (cert == NULL || (size_t)(p - der) != len)
        goto out;

    rv = rssp_buf_set(&out->der, der, len);
    if (rv == RSSP_CRYPTO_OK)
        rv = encode_names_and_serial(cert, out);
    if (rv == RSSP_CRYPTO_OK)
        rv = compute_key_id(cert, out);
    if (rv == RSSP_CRYPTO_OK)
        rv = rssp_x509_key_attributes(cert, out);
    if (rv == RSSP_CRYPTO_OK)
        rv = extract_common_name(cert, out);
    if (rv == RSSP_CRYPTO_OK)
        rv = read_basic_constraints(cert, out);
    if (rv != RSSP_CRYPTO_OK)
        goto out;
    format_date(X509_get0_notBefore(cert), out->not_before);
    format_date(X509_get0_notAfter(cert), out->not_after);
    out->self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
out:
    if (rv != RSSP_CRYPTO_OK)
        rssp_cert_info_clear(out);
    X509_free(cert);
    ERR_clear_error();
    return rv;
}

void rssp_cert_info_clear(rssp_cert_info *ci)
{
    if (ci == NULL)
        return;
    rssp_buf_clear(&ci->der);
    rssp_buf_clear(&ci->subject);
    rssp_buf_clear(&ci->issuer);
    rssp_buf_clear(&ci->serial);
    rssp_buf_clear(&ci->spki);
    rssp_buf_clear(&ci->key_id);
    rssp_buf_clear(&ci->modulus);
    rssp_buf_clear(&ci->public_exponent);
    rssp_buf_clear(&ci->ec_params);
    rssp_buf_clear(&ci->ec_point);
    free(ci->common_name);
    memset(ci, 0, sizeof(*ci));
}
