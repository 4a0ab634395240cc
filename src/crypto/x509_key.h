/* Internal: public-key attributes of a certificate (RSA modulus/exponent, EC params/point). */
#ifndef RSSP_CRYPTO_X509_KEY_H
#define RSSP_CRYPTO_X509_KEY_H

#include <openssl/x509.h>

#include "crypto/crypto.h"

/*
 * Fill key_type, key_bits, modulus, public_exponent, ec_params, ec_point and
 * ec_field_len of out from the certificate's public key. A key that is
 * neither RSA nor EC leaves key_type RSSP_KEY_UNKNOWN and succeeds; an RSA or
 * EC key that does not decode is RSSP_CRYPTO_INVALID.
 */
rssp_crv rssp_x509_key_attributes(X509 *cert, rssp_cert_info *out);

#endif
