/*
 * xmlsec-nss-sign: sign an XML-DSig template with a key on a PKCS#11 token
 * registered in an NSS database, through libxmlsec1-nss.
 *
 * Debian 12's xmlsec1 command line cannot do this: it is built without
 * dynamic crypto loading, so `--crypto nss` is refused, and its OpenSSL
 * engine path does not treat a token RSA key as private and fails inside
 * ECDSA (docs/clients/xmlsec.md). The library's NSS back end signs fine.
 *
 * usage: xmlsec-nss-sign NSSDB PINFILE NICKNAME TEMPLATE OUTPUT
 *   NSSDB     NSS database directory (the module added with modutil)
 *   PINFILE   file whose first line is the token PIN
 *   NICKNAME  the certificate's NSS nickname, "TOKEN-LABEL:CKA_LABEL"
 *   TEMPLATE  XML document holding one <ds:Signature> template
 *   OUTPUT    where the signed document is written
 * The certificate and its CA certificates (not the root) go into KeyInfo.
 */
#include <stdio.h>
#include <string.h>

#include <cert.h>
#include <keyhi.h>
#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secerr.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <xmlsec/crypto.h>
#include <xmlsec/nss/pkikeys.h>
#include <xmlsec/nss/x509.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#define PIN_MAX 256

typedef struct {
    char *pin; /* PORT_ZAlloc'ed, wiped by PORT_ZFree */
    size_t pin_len;
} pin_arg;

static void nss_error(const char *what)
{
    PRErrorCode code = PR_GetError();
    fprintf(stderr, "xmlsec-nss-sign: %s: %s (%d)\n", what,
            PR_ErrorToString(code, PR_LANGUAGE_I_DEFAULT), (int)code);
}

/* NSS asks for the token PIN here; a retry means the PIN was refused. */
static char *pin_callback(PK11SlotInfo *slot, PRBool retry, void *arg)
{
    const pin_arg *pa = arg;
    if (retry || pa == NULL || pa->pin == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: token '%s' refused the PIN\n", PK11_GetTokenName(slot));
        return NULL;
    }
    return PORT_Strdup(pa->pin);
}

static int read_pin(const char *path, pin_arg *out)
{
    int rc = -1;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    out->pin = PORT_ZAlloc(PIN_MAX);
    if (out->pin == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: out of memory\n");
        goto out;
    }
    out->pin_len = PIN_MAX;
    if (fgets(out->pin, PIN_MAX, f) == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: %s holds no PIN\n", path);
        goto out;
    }
    out->pin[strcspn(out->pin, "\r\n")] = '\0';
    rc = 0;
out:
    fclose(f);
    return rc;
}

/* Put the signer's certificate and its CA certificates (without the root)
 * into an X509 key data, so KeyInfo carries the chain a verifier needs. */
static int add_certificates(xmlSecKeyPtr key, CERTCertificate *cert)
{
    int rc = -1;
    CERTCertList *chain = NULL;
    xmlSecKeyDataPtr x509 = xmlSecKeyDataCreate(xmlSecNssKeyDataX509Id);
    if (x509 == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: xmlSecKeyDataCreate(X509) failed\n");
        return -1;
    }
    /* The key certificate is kept apart from the list KeyInfo is written
     * from: it goes into both. */
    CERTCertificate *dup = CERT_DupCertificate(cert);
    if (xmlSecNssKeyDataX509AdoptKeyCert(x509, dup) < 0) {
        CERT_DestroyCertificate(dup);
        fprintf(stderr, "xmlsec-nss-sign: cannot attach the certificate\n");
        goto out;
    }
    dup = CERT_DupCertificate(cert);
    if (xmlSecNssKeyDataX509AdoptCert(x509, dup) < 0) {
        CERT_DestroyCertificate(dup);
        fprintf(stderr, "xmlsec-nss-sign: cannot attach the certificate\n");
        goto out;
    }
    chain = CERT_GetCertChainFromCert(cert, PR_Now(), certUsageAnyCA);
    if (chain != NULL) {
        for (CERTCertListNode *n = CERT_LIST_HEAD(chain); !CERT_LIST_END(n, chain);
             n = CERT_LIST_NEXT(n)) {
            if (CERT_CompareCerts(n->cert, cert) || n->cert->isRoot) {
                continue;
            }
            CERTCertificate *ca = CERT_DupCertificate(n->cert);
            if (xmlSecNssKeyDataX509AdoptCert(x509, ca) < 0) {
                CERT_DestroyCertificate(ca);
                fprintf(stderr, "xmlsec-nss-sign: cannot attach a CA certificate\n");
                goto out;
            }
        }
    }
    if (xmlSecKeyAdoptData(key, x509) < 0) {
        fprintf(stderr, "xmlsec-nss-sign: xmlSecKeyAdoptData(X509) failed\n");
        goto out;
    }
    x509 = NULL;
    rc = 0;
out:
    if (chain != NULL) {
        CERT_DestroyCertList(chain);
    }
    if (x509 != NULL) {
        xmlSecKeyDataDestroy(x509);
    }
    return rc;
}

/* The token's private key behind the certificate, as an xmlsec key. */
static xmlSecKeyPtr load_key(CERTCertificate *cert, pin_arg *pa)
{
    SECKEYPrivateKey *priv = PK11_FindKeyByAnyCert(cert, pa);
    SECKEYPublicKey *pub = NULL;
    xmlSecKeyDataPtr data = NULL;
    xmlSecKeyPtr key = NULL;
    if (priv == NULL) {
        nss_error("no private key for the certificate (login failed or no key with its CKA_ID)");
        return NULL;
    }
    pub = CERT_ExtractPublicKey(cert);
    if (pub == NULL) {
        nss_error("CERT_ExtractPublicKey");
        goto fail;
    }
    data = xmlSecNssPKIAdoptKey(priv, pub);
    if (data == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: xmlSecNssPKIAdoptKey failed\n");
        goto fail;
    }
    priv = NULL;
    pub = NULL;
    key = xmlSecKeyCreate();
    if (key == NULL || xmlSecKeySetValue(key, data) < 0) {
        fprintf(stderr, "xmlsec-nss-sign: cannot make the xmlsec key\n");
        goto fail;
    }
    data = NULL;
    if (add_certificates(key, cert) < 0) {
        goto fail;
    }
    return key;
fail:
    if (key != NULL) {
        xmlSecKeyDestroy(key);
    }
    if (data != NULL) {
        xmlSecKeyDataDestroy(data);
    }
    if (pub != NULL) {
        SECKEY_DestroyPublicKey(pub);
    }
    if (priv != NULL) {
        SECKEY_DestroyPrivateKey(priv);
    }
    return NULL;
}

static int sign_file(xmlSecKeyPtr key, const char *template_path, const char *output)
{
    int rc = -1;
    xmlSecDSigCtxPtr ctx = NULL;
    xmlDocPtr doc = xmlReadFile(template_path, NULL, XML_PARSE_NONET);
    if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: cannot parse %s\n", template_path);
        xmlSecKeyDestroy(key);
        goto out;
    }
    xmlNodePtr node = xmlSecFindNode(xmlDocGetRootElement(doc), xmlSecNodeSignature, xmlSecDSigNs);
    if (node == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: %s has no ds:Signature template\n", template_path);
        xmlSecKeyDestroy(key);
        goto out;
    }
    ctx = xmlSecDSigCtxCreate(NULL);
    if (ctx == NULL) {
        fprintf(stderr, "xmlsec-nss-sign: xmlSecDSigCtxCreate failed\n");
        xmlSecKeyDestroy(key);
        goto out;
    }
    ctx->signKey = key; /* the context owns the key from here */
    if (xmlSecDSigCtxSign(ctx, node) < 0) {
        fprintf(stderr, "xmlsec-nss-sign: signing failed (xmlsec errors above)\n");
        goto out;
    }
    if (xmlSaveFile(output, doc) < 0) {
        fprintf(stderr, "xmlsec-nss-sign: cannot write %s\n", output);
        goto out;
    }
    rc = 0;
out:
    if (ctx != NULL) {
        xmlSecDSigCtxDestroy(ctx);
    }
    if (doc != NULL) {
        xmlFreeDoc(doc);
    }
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 1;
    pin_arg pa = {NULL, 0};
    CERTCertificate *cert = NULL;
    int nss_up = 0, xmlsec_up = 0, crypto_up = 0;
    char dbdir[4096];

    if (argc != 6) {
        fprintf(stderr, "usage: xmlsec-nss-sign NSSDB PINFILE NICKNAME TEMPLATE OUTPUT\n");
        return 2;
    }
    if (read_pin(argv[2], &pa) < 0) {
        goto out;
    }
    if (snprintf(dbdir, sizeof dbdir, "sql:%s", argv[1]) >= (int)sizeof dbdir) {
        fprintf(stderr, "xmlsec-nss-sign: NSS database path too long\n");
        goto out;
    }
    PK11_SetPasswordFunc(pin_callback);
    if (NSS_Init(dbdir) != SECSuccess) {
        nss_error("NSS_Init");
        goto out;
    }
    nss_up = 1;

    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1) {
        fprintf(stderr, "xmlsec-nss-sign: xmlsec initialisation failed or version mismatch\n");
        goto out;
    }
    xmlsec_up = 1;
    if (xmlSecNssInit() < 0) {
        fprintf(stderr, "xmlsec-nss-sign: xmlSecNssInit failed\n");
        goto out;
    }
    crypto_up = 1;

    cert = PK11_FindCertFromNickname(argv[3], &pa);
    if (cert == NULL) {
        nss_error("no certificate with that nickname");
        goto out;
    }
    xmlSecKeyPtr key = load_key(cert, &pa);
    if (key == NULL) {
        goto out;
    }
    if (sign_file(key, argv[4], argv[5]) < 0) {
        goto out;
    }
    printf("signed %s with '%s' into %s\n", argv[4], argv[3], argv[5]);
    rc = 0;
out:
    if (cert != NULL) {
        CERT_DestroyCertificate(cert);
    }
    if (crypto_up) {
        xmlSecNssShutdown();
    }
    if (xmlsec_up) {
        xmlSecShutdown();
    }
    xmlCleanupParser();
    if (nss_up && NSS_Shutdown() != SECSuccess) {
        nss_error("NSS_Shutdown");
    }
    if (pa.pin != NULL) {
        PORT_ZFree(pa.pin, pa.pin_len);
    }
    return rc;
}
