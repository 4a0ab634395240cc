#include "emulator/catalog.h"

#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const emu_catalog_rp emu_catalog_rps[] = {
    {"DEMO-RP", "demo-rp", "demo-rp-app", "rp", "rp-only.conf", "DEMO#ALICE-0001"},
    {"OTHER-RP", "other-rp", NULL, "other-rp", "other-rp.conf", "OTHER#0001"},
};
const size_t emu_catalog_n_rps = ARRAY_LEN(emu_catalog_rps);

const emu_catalog_owner emu_catalog_owners[] = {
    {"alice", "alice-pass", "6f0c2a4e-1b7d-4a7e-9d55-2f6f3f7a9c10", "Alice Nguyen", "079123456789",
     "0912345678", "alice@example.vn", true, "DEMO#ALICE-0001",
     "demo owner: RSA-2048/3072, P-256/384, EXPLICIT/PIN"},
    {"bob", "bob-pass", "0b3e9a57-6f21-4c0e-8a4d-5d2b7c1e9f02", "Bao Tran", "079200000002",
     "0913000002", "bob@example.vn", false, "DEMO#BOB-0001", "OTP-SMS, OTP-EMAIL, OTP-MOBILE"},
    {"carol", "carol-pass", "c4a1d2f3-8e7b-4b6a-9c5d-3e2f1a0b9c03", "Cam Le", "079200000003",
     "0913000003", "carol@example.vn", true, "DEMO#CAROL-0001", "IMPLICIT (phone approval)"},
    {"dave", "dave-pass", "d7e6f5a4-3b2c-4d1e-8f9a-0b1c2d3e4f04", "Duc Pham", "079200000004",
     "0913000004", "dave@example.vn", false, "DEMO#DAVE-0001",
     "revoked, expired and nearly exhausted certificates"},
    {"erin", "erin-pass", "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a05", "Em Vo", "079200000005",
     "0913000005", "erin@example.vn", false, "DEMO#ERIN-0001",
     "the other SCAL of every key type, EXPLICIT/PIN"},
    {"frank", "frank-pass", "f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e06", "Phong Do", "079200000006",
     "0913000006", "frank@example.vn", false, "DEMO#FRANK-0001",
     "IMPLICIT without a phone app (3213)"},
    {"grace", "grace-pass", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c07", "Giang Hoang", "079200000007",
     "0913000007", "grace@example.vn", false, NULL, "no agreement (owner/assign target)"},
};
const size_t emu_catalog_n_owners = ARRAY_LEN(emu_catalog_owners);

const emu_catalog_agreement emu_catalog_agreements[] = {
    {"DEMO#ALICE-0001", "DEMO-RP", "alice"},   {"DEMO#BOB-0001", "DEMO-RP", "bob"},
    {"DEMO#CAROL-0001", "DEMO-RP", "carol"},   {"DEMO#DAVE-0001", "DEMO-RP", "dave"},
    {"DEMO#ERIN-0001", "DEMO-RP", "erin"},     {"DEMO#FRANK-0001", "DEMO-RP", "frank"},
    {"DEMO#UNASSIGNED-0001", "DEMO-RP", NULL}, {"OTHER#0001", "OTHER-RP", NULL},
};
const size_t emu_catalog_n_agreements = ARRAY_LEN(emu_catalog_agreements);

#define PIN_ONLY                                                                                   \
    {                                                                                              \
        "EXPLICIT/PIN", NULL, NULL                                                                 \
    }
#define IMPLICIT                                                                                   \
    {                                                                                              \
        "IMPLICIT/CYBER-ID", NULL, NULL                                                            \
    }

const emu_catalog_credential emu_catalog_credentials[] = {
    /* alice: the demo */
    {"10001", "DEMO#ALICE-0001", 2048, NULL, 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     100},
    {"10002", "DEMO#ALICE-0001", 3072, NULL, 2, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     10},
    {"10003", "DEMO#ALICE-0001", 0, "P-256", 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     100},
    {"10004", "DEMO#ALICE-0001", 0, "P-384", 2, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     10},
    /* bob: OTP */
    {"20001",
     "DEMO#BOB-0001",
     2048,
     NULL,
     1,
     "EXPLICIT/OTP-SMS",
     {"EXPLICIT/OTP-SMS", "EXPLICIT/OTP-EMAIL", NULL},
     false,
     "valid",
     false,
     -1,
     100},
    {"20002",
     "DEMO#BOB-0001",
     0,
     "P-256",
     2,
     "EXPLICIT/OTP-EMAIL",
     {"EXPLICIT/OTP-EMAIL", "EXPLICIT/OTP-SMS", NULL},
     false,
     "valid",
     false,
     -1,
     10},
    {"20003",
     "DEMO#BOB-0001",
     0,
     "P-256",
     1,
     "EXPLICIT/OTP-MOBILE",
     {"EXPLICIT/OTP-MOBILE", NULL, NULL},
     false,
     "valid",
     false,
     -1,
     100},
    /* carol: IMPLICIT */
    {"30001", "DEMO#CAROL-0001", 2048, NULL, 1, "IMPLICIT/CYBER-ID", IMPLICIT, false, "valid",
     false, -1, 100},
    {"30002", "DEMO#CAROL-0001", 0, "P-256", 2, "IMPLICIT/CYBER-ID", IMPLICIT, false, "valid",
     false, -1, 10},
    /* dave: certificate states */
    {"40001", "DEMO#DAVE-0001", 2048, NULL, 1, "EXPLICIT/PIN", PIN_ONLY, true, "revoked", false, -1,
     100},
    {"40002", "DEMO#DAVE-0001", 0, "P-256", 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", true, -1,
     100},
    {"40003", "DEMO#DAVE-0001", 2048, NULL, 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, 3,
     100},
    /* unassigned agreement (owner/assign) */
    {"50001", "DEMO#UNASSIGNED-0001", 0, "P-256", 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false,
     -1, 100},
    /* erin: the other SCAL of every key type */
    {"60001", "DEMO#ERIN-0001", 2048, NULL, 2, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     10},
    {"60002", "DEMO#ERIN-0001", 3072, NULL, 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     100},
    {"60003", "DEMO#ERIN-0001", 0, "P-256", 2, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     10},
    {"60004", "DEMO#ERIN-0001", 0, "P-384", 1, "EXPLICIT/PIN", PIN_ONLY, true, "valid", false, -1,
     100},
    /* frank: IMPLICIT without a phone app */
    {"70001", "DEMO#FRANK-0001", 0, "P-256", 1, "IMPLICIT/CYBER-ID", IMPLICIT, false, "valid",
     false, -1, 100},
};
const size_t emu_catalog_n_credentials = ARRAY_LEN(emu_catalog_credentials);

const emu_catalog_owner *emu_catalog_agreement_owner(const char *agreement)
{
    for (size_t i = 0; i < emu_catalog_n_agreements; i++) {
        if (strcmp(emu_catalog_agreements[i].uuid, agreement) != 0 ||
            emu_catalog_agreements[i].owner == NULL)
            continue;
        for (size_t k = 0; k < emu_catalog_n_owners; k++) {
            if (strcmp(emu_catalog_owners[k].username, emu_catalog_agreements[i].owner) == 0)
                return &emu_catalog_owners[k];
        }
    }
    return NULL;
}
