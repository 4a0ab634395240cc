/*
 * Fixed inputs of the harnesses, made by make_seeds.py with openssl: an EC
 * P-256 CA certificate, RSA-2048 and EC P-256 end-entity certificates it
 * issued (DER), and the public key the emulator harness checks SSL2
 * signatures with (PEM).
 */
#ifndef RSSP_FUZZ_FIXED_MATERIAL_H
#define RSSP_FUZZ_FIXED_MATERIAL_H

#include <stddef.h>

extern const unsigned char fuzz_ca_cert_der[];
extern const size_t fuzz_ca_cert_der_len;
extern const unsigned char fuzz_rsa_cert_der[];
extern const size_t fuzz_rsa_cert_der_len;
extern const unsigned char fuzz_ec_cert_der[];
extern const size_t fuzz_ec_cert_der_len;
extern const char fuzz_ssl2_public_pem[];

#endif
