# shellcheck shell=bash disable=SC2034,SC2004,SC2015 # variables serve the sourcing script; A && B || fail
# Reference backend: SoftHSM2 tokens shaped like the module's (one token per
# key; certificate, public and private key under one CKA_ID; the CA chain on
# every token). Sourced by lib.sh; use it to tell a client quirk from a module
# bug: RSSP_CLIENT_BACKEND=softhsm bash tests/clients/<client>.sh

SOFTHSM_LIB=${RSSP_SOFTHSM_LIB:-/usr/lib/softhsm/libsofthsm2.so}

_sh_cert() { # name cn key issuer_cert issuer_key ext
    local name=$1 cn=$2 key=$3 icert=$4 ikey=$5 ext=$6
    openssl req -new -key "$key" -subj "/O=RSSP Test/CN=$cn" -out "$name.csr" 2>/dev/null &&
        openssl x509 -req -in "$name.csr" -CA "$icert" -CAkey "$ikey" -set_serial "0x$(openssl rand -hex 8)" \
            -days 30 -extfile "$ext" -extensions v3 -out "$name.pem" 2>/dev/null
}

_sh_token() { # key-name type cn pkcs8-key cert id
    local k=$1 type=$2 cn=$3 key=$4 cert=$5 id=$6 t=$WORK/softhsm
    softhsm2-util --init-token --free --label "$cn" --so-pin 12345678 --pin "$PIN" >/dev/null &&
        softhsm2-util --import "$key" --token "$cn" --label "$cn key" --id "$id" --pin "$PIN" >/dev/null &&
        openssl x509 -in "$cert" -outform DER -out "$t/$k.der" &&
        pkcs11-tool --module "$MODULE" --token-label "$cn" --login --pin "$PIN" --write-object "$t/$k.der" \
            --type cert --id "$id" --label "$cn key" >/dev/null 2>&1 &&
        pkcs11-tool --module "$MODULE" --token-label "$cn" --login --pin "$PIN" --write-object "$t/int.der" \
            --type cert --id ca02 --label "RSSP Test Intermediate CA" >/dev/null 2>&1 &&
        pkcs11-tool --module "$MODULE" --token-label "$cn" --login --pin "$PIN" --write-object "$t/root.der" \
            --type cert --id ca01 --label "RSSP Test Root CA" >/dev/null 2>&1 ||
        fail "cannot create the SoftHSM token $cn"
    KEYS+=("$k")
    K_TYPE[$k]=$type
    K_TOKEN[$k]=$cn
    K_LABEL[$k]="$cn key"
    K_ID[$k]=$id
    K_CERT[$k]=$cert
}

backend_start() {
    need_file "$SOFTHSM_LIB"
    need_bin softhsm2-util pkcs11-tool openssl
    local t=$WORK/softhsm
    mkdir -p "$t/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$t/tokens" >"$t/softhsm2.conf"
    export SOFTHSM2_CONF=$t/softhsm2.conf
    MODULE=$SOFTHSM_LIB
    # SoftHSM reads SOFTHSM2_CONF and refuses a non-NULL
    # CK_C_INITIALIZE_ARGS.pReserved (CKR_ARGUMENTS_BAD): no x-init-reserved.
    MODULE_CONF=""
    PIN=123456
    # SoftHSM 2.6.1 can crash at exit under NSS tools (static destructors run
    # before NSS_Shutdown); preloading it keeps it loaded to the end.
    export LD_PRELOAD=$SOFTHSM_LIB

    printf '[v3]\nbasicConstraints = critical, CA:true\nkeyUsage = critical, keyCertSign, cRLSign\n%s\n' \
        'subjectKeyIdentifier = hash' >"$t/ca.cnf"
    printf '[v3]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, digitalSignature, nonRepudiation\n%s\n%s\n' \
        'subjectKeyIdentifier = hash' 'authorityKeyIdentifier = keyid' >"$t/ee.cnf"
    (
        cd "$t" &&
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null &&
            openssl req -x509 -new -key root.key -subj "/O=RSSP Test/CN=RSSP Test Root CA" -days 30 \
                -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
                -out root.pem 2>/dev/null &&
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out int.key &&
            _sh_cert int "RSSP Test Intermediate CA" int.key root.pem root.key ca.cnf &&
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.key 2>/dev/null &&
            openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out rsa3072.key 2>/dev/null &&
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.key &&
            openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.key &&
            for k in rsa2048 rsa3072 p256 p384; do
                _sh_cert "$k" "RSSP Test $k" "$k.key" int.pem int.key ee.cnf || exit 1
            done &&
            openssl x509 -in root.pem -outform DER -out root.der &&
            openssl x509 -in int.pem -outform DER -out int.der
    ) || fail "cannot make the test CA and keys"
    ROOT_PEM=$t/root.pem
    CHAIN_PEM=$t/int.pem
    _sh_token rsa2048 rsa "RSSP Test rsa2048" "$t/rsa2048.key" "$t/rsa2048.pem" 01
    _sh_token rsa3072 rsa "RSSP Test rsa3072" "$t/rsa3072.key" "$t/rsa3072.pem" 02
    _sh_token p256 ec "RSSP Test p256" "$t/p256.key" "$t/p256.pem" 03
    _sh_token p384 ec "RSSP Test p384" "$t/p384.key" "$t/p384.pem" 04
}

# A local token has no remote signatures to count.
backend_remote_signatures() {
    echo ""
}
