/*
 * Unit tests of src/crypto: hostile input to every parser. Pseudo-random
 * bytes and single-byte mutations of valid encodings must give a clean
 * result (OK or INVALID), never a crash; run under ASan to catch overreads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto_test_util.h"

#define MAX_LEN 600

typedef void (*parser_fn)(const unsigned char *in, size_t len);

static void assert_ok_or_invalid(rssp_crv rv)
{
    assert_true(rv == RSSP_CRYPTO_OK || rv == RSSP_CRYPTO_INVALID);
}

static void parse_cert(const unsigned char *in, size_t len)
{
    rssp_cert_info ci;
    rssp_crv rv = rssp_cert_parse(in, len, &ci);
    assert_ok_or_invalid(rv);
    rssp_cert_info_clear(&ci);
}

static void parse_digestinfo(const unsigned char *in, size_t len)
{
    rssp_hash_alg alg;
    const unsigned char *hash;
    size_t hash_len;
    assert_ok_or_invalid(rssp_digestinfo_parse(in, len, &alg, &hash, &hash_len));
}

static void parse_ecdsa(const unsigned char *in, size_t len)
{
    unsigned char raw[132];
    size_t raw_len;
    assert_ok_or_invalid(rssp_ecdsa_der_to_raw(in, len, 32, raw, sizeof(raw), &raw_len));
    assert_ok_or_invalid(rssp_ecdsa_der_to_raw(in, len, 66, raw, sizeof(raw), &raw_len));
}

static void parse_pss(const unsigned char *in, size_t len)
{
    rssp_hash_alg hash;
    rssp_hash_alg mgf1;
    size_t salt;
    bool bare;
    assert_ok_or_invalid(rssp_pss_params_parse(in, len, &hash, &mgf1, &salt, &bare));
}

static void parse_base64(const unsigned char *in, size_t len)
{
    rssp_buf out = {NULL, 0};
    assert_ok_or_invalid(rssp_base64_decode((const char *)in, len, &out));
    rssp_buf_clear(&out);
}

static void verify_with_spki(const unsigned char *in, size_t len)
{
    unsigned char hash[32] = {1};
    unsigned char sig[64] = {2};
    rssp_buf spki = {(unsigned char *)in, len};
    rssp_crv rv = rssp_verify_hash(&spki, RSSP_SIG_ECDSA_RAW, RSSP_HASH_SHA256, RSSP_HASH_NONE, 0,
                                   hash, 32, sig, 64);
    assert_true(rv == RSSP_CRYPTO_INVALID || rv == RSSP_CRYPTO_BAD_SIGNATURE);
}

static const parser_fn parsers[] = {parse_cert, parse_digestinfo, parse_ecdsa,
                                    parse_pss,  parse_base64,     verify_with_spki};
#define PARSER_COUNT (sizeof(parsers) / sizeof(parsers[0]))

static void test_random_bytes(void **state)
{
    (void)state;
    unsigned seed = 0x2545f491;
    unsigned char buf[MAX_LEN];
    for (int round = 0; round < 1500; round++) {
        size_t len = (size_t)(round % MAX_LEN);
        tu_fill_pseudo_random(buf, len, &seed);
        /* Half the time start like a DER SEQUENCE, to get past the first check. */
        if (round % 2 == 0 && len >= 2) {
            buf[0] = 0x30;
            buf[1] = (unsigned char)(len - 2 < 128 ? len - 2 : 0x82);
        }
        for (size_t p = 0; p < PARSER_COUNT; p++)
            parsers[p](buf, len);
    }
}

/* Flip each byte of a valid encoding in turn (several values), and feed every truncation. */
static void mutate(const rssp_buf *valid, parser_fn parser)
{
    unsigned char *copy = malloc(valid->len);
    assert_non_null(copy);
    static const unsigned char flips[] = {0x01, 0x80, 0xff};
    for (size_t i = 0; i < valid->len; i++) {
        for (size_t f = 0; f < sizeof(flips); f++) {
            memcpy(copy, valid->data, valid->len);
            copy[i] ^= flips[f];
            parser(copy, valid->len);
        }
    }
    for (size_t len = 0; len < valid->len; len++) {
        /* A fresh allocation of exactly len bytes lets ASan see any overread. */
        unsigned char *cut = malloc(len > 0 ? len : 1);
        assert_non_null(cut);
        memcpy(cut, valid->data, len);
        parser(cut, len);
        free(cut);
    }
    free(copy);
}

static void test_mutated_certificates_and_keys(void **state)
{
    (void)state;
    const tu_cert_spec spec = {"Mutant", "0102", "20240101000000Z", "20300101000000Z", true};
    EVP_PKEY *ec = tu_ec_key("P-256");
    rssp_buf cert = tu_self_signed(ec, &spec);
    mutate(&cert, parse_cert);
    rssp_buf spki = tu_spki(ec);
    mutate(&spki, verify_with_spki);
    free(spki.data);
    free(cert.data);
    EVP_PKEY_free(ec);

    EVP_PKEY *rsa = tu_rsa_key(1024);
    cert = tu_self_signed(rsa, &spec);
    mutate(&cert, parse_cert);
    free(cert.data);
    EVP_PKEY_free(rsa);
}

static void test_mutated_small_encodings(void **state)
{
    (void)state;
    unsigned char hash[64] = {0x11};
    rssp_buf di = {NULL, 0};
    assert_int_equal(rssp_digestinfo_encode(RSSP_HASH_SHA512, hash, 64, &di), RSSP_CRYPTO_OK);
    mutate(&di, parse_digestinfo);
    rssp_buf_clear(&di);

    rssp_buf pss = {NULL, 0};
    assert_int_equal(rssp_pss_params_encode(RSSP_HASH_SHA384, RSSP_HASH_SHA256, 48, &pss),
                     RSSP_CRYPTO_OK);
    mutate(&pss, parse_pss);
    rssp_buf_clear(&pss);

    unsigned char raw[64];
    unsigned seed = 77;
    tu_fill_pseudo_random(raw, sizeof(raw), &seed);
    rssp_buf sig = {NULL, 0};
    assert_int_equal(rssp_ecdsa_raw_to_der(raw, sizeof(raw), &sig), RSSP_CRYPTO_OK);
    mutate(&sig, parse_ecdsa);
    rssp_buf_clear(&sig);

    char *text = rssp_base64_encode("some bytes to encode", 20);
    assert_non_null(text);
    rssp_buf b64 = {(unsigned char *)text, strlen(text)};
    mutate(&b64, parse_base64);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_mutated_certificates_and_keys),
        cmocka_unit_test(test_mutated_small_encodings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
