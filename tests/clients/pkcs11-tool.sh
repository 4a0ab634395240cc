#!/usr/bin/env bash
# OpenSC pkcs11-tool: list slots (-L) and objects (-O), sign with every
# mechanism each token offers for its key (each signature verified with
# openssl against the certificate known from outside the token), and the
# tool's own self test (--test --login).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin pkcs11-tool openssl
token_start

P11=(pkcs11-tool --module "$MODULE")

# DigestInfo prefixes (RFC 8017 section 9.2, note 1).
declare -A DI=(
    [sha1]=3021300906052b0e03021a05000414
    [sha224]=302d300d06096086480165030402040500041c
    [sha256]=3031300d060960864801650304020105000420
    [sha384]=3041300d060960864801650304020205000430
    [sha512]=3051300d060960864801650304020305000440
)
hashlen() { case $1 in sha1) echo 20 ;; sha224) echo 28 ;; sha256) echo 32 ;; sha384) echo 48 ;; sha512) echo 64 ;; esac; }
hex2bin() { printf '%b' "$(sed 's/../\\x&/g')"; }
bin2hex() { od -An -v -tx1 | tr -d ' \n'; }

head -c 1000 /dev/urandom >"$WORK/data"

# ---- -L: every token is listed with its label
run "${P11[@]}" -L
for k in "${KEYS[@]}"; do
    expect_out "token label +: $(re_quote "${K_TOKEN[$k]}")\$" "slot of $k listed with token label '${K_TOKEN[$k]}'"
done

# ---- -O: certificate, public key (public objects) and private key (after
# login) under one CKA_ID; the token's certificate is the one we know; the
# intermediate CA certificates are on the token (the root may be).
for k in "${KEYS[@]}"; do
    T=(--token-label "${K_TOKEN[$k]}")
    run "${P11[@]}" "${T[@]}" -O
    objs=$(cat "$LAST_OUT")
    echo "$objs" | awk -v id="${K_ID[$k]}" '/^[A-Z]/{t=$0} $1=="ID:" && $2==id {print t}' >"$WORK/types"
    grep -q '^Certificate Object' "$WORK/types" || fail "no certificate with ID ${K_ID[$k]} on '${K_TOKEN[$k]}'"
    grep -q '^Public Key Object' "$WORK/types" || fail "no public key with ID ${K_ID[$k]} on '${K_TOKEN[$k]}'"
    ok "$k: certificate and public key share ID ${K_ID[$k]}"
    expect_no_out '^Private Key Object' "$k: no private key visible before login"
    while read -r subj; do
        expect_out "subject: +DN: $(re_quote "$subj")\$" "$k: chain certificate '$subj' on the token"
    done < <(openssl crl2pkcs7 -nocrl -certfile "$CHAIN_PEM" 2>/dev/null |
        openssl pkcs7 -print_certs -noout 2>/dev/null | sed -n 's/^subject=//p' | sed 's/ = /=/g')

    run "${P11[@]}" "${T[@]}" -O --login --pin "$PIN"
    awk -v id="${K_ID[$k]}" '/^[A-Z]/{t=$0} $1=="ID:" && $2==id {print t}' "$LAST_OUT" >"$WORK/types"
    grep -q '^Private Key Object' "$WORK/types" || fail "no private key with ID ${K_ID[$k]} after login"
    ok "$k: private key shares ID ${K_ID[$k]}"
    expect_out "label: +$(re_quote "${K_LABEL[$k]}")\$" "$k: objects labelled '${K_LABEL[$k]}'"

    run "${P11[@]}" "${T[@]}" --read-object --type cert --id "${K_ID[$k]}" -o "$WORK/$k.tok.der"
    openssl x509 -in "${K_CERT[$k]}" -outform DER -out "$WORK/$k.der"
    expect_same_file "$WORK/$k.tok.der" "$WORK/$k.der" "$k: the token's certificate is the issued one"
done

# ---- --sign with every mechanism offered for the key, verified with openssl
sign() { # key mech in out [extra pkcs11-tool options]
    local k=$1 m=$2 in=$3 out=$4
    shift 4
    run "${P11[@]}" --token-label "${K_TOKEN[$k]}" --login --pin "$PIN" --id "${K_ID[$k]}" \
        --sign -m "$m" -i "$in" -o "$out" "$@"
}
verify() { # what openssl-args...
    local what=$1
    shift
    run openssl "$@"
    expect_out '^(Verified OK|Signature Verified Successfully)$' "$what verified by openssl"
}

sign_rsa() { # key mech
    local k=$1 m=$2 h s=$WORK/sig d
    case $m in
    RSA-PKCS)
        for h in sha256 sha512; do
            { printf '%s' "${DI[$h]}" | hex2bin && openssl dgst -"$h" -binary "$WORK/data"; } >"$WORK/di"
            sign "$k" "$m" "$WORK/di" "$s"
            verify "$k $m (DigestInfo $h)" dgst -"$h" -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        done
        ;;
    RSA-X-509)
        local n
        n=$(($(openssl pkey -pubin -in "${K_PUB[$k]}" -noout -text | sed -n 's/.*(\([0-9]*\) bit).*/\1/p') / 8))
        d=$(printf '%s' "${DI[sha256]}"; openssl dgst -sha256 -binary "$WORK/data" | bin2hex)
        { printf '0001' && printf 'ff%.0s' $(seq $((n - 3 - ${#d} / 2))) && printf '00%s' "$d"; } | hex2bin >"$WORK/em"
        sign "$k" "$m" "$WORK/em" "$s"
        verify "$k $m (PKCS#1 v1.5 block)" dgst -sha256 -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        ;;
    RSA-PKCS-PSS)
        for h in sha256 sha384; do
            openssl dgst -"$h" -binary "$WORK/data" >"$WORK/hash"
            sign "$k" "$m" "$WORK/hash" "$s" --hash-algorithm "${h^^}" --mgf "MGF1-${h^^}" --salt-len "$(hashlen "$h")"
            verify "$k $m ($h, MGF1-$h, salt $(hashlen "$h"))" dgst -"$h" -sigopt rsa_padding_mode:pss \
                -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:"$h" -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        done
        ;;
    *-RSA-PKCS-PSS)
        h=${m%%-RSA-PKCS-PSS}
        h=${h,,}
        sign "$k" "$m" "$WORK/data" "$s"
        verify "$k $m" dgst -"$h" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
            -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        ;;
    *-RSA-PKCS)
        h=${m%%-RSA-PKCS}
        h=${h,,}
        sign "$k" "$m" "$WORK/data" "$s"
        verify "$k $m" dgst -"$h" -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        ;;
    *) return 1 ;;
    esac
}

sign_ec() { # key mech
    local k=$1 m=$2 h s=$WORK/sig i
    local field
    field=$(($(openssl pkey -pubin -in "${K_PUB[$k]}" -noout -text | sed -n 's/.*(\([0-9]*\) bit).*/\1/p') + 7))
    field=$((field / 8))
    case $m in
    ECDSA)
        h=${K_HASH[$k]}
        openssl dgst -"$h" -binary "$WORK/data" >"$WORK/hash"
        # PKCS#11 ECDSA signatures are r||s, each padded to the field size.
        for i in 1 2 3 4; do
            sign "$k" "$m" "$WORK/hash" "$s.raw"
            [ "$(stat -c %s "$s.raw")" -eq $((2 * field)) ] ||
                fail "$k $m: raw signature is $(stat -c %s "$s.raw") bytes, expected $((2 * field))"
        done
        ok "$k $m: raw r||s is $((2 * field)) bytes in 4 signatures"
        sign "$k" "$m" "$WORK/hash" "$s" --signature-format openssl
        verify "$k $m ($h hash)" pkeyutl -verify -pubin -inkey "${K_PUB[$k]}" -in "$WORK/hash" -sigfile "$s"
        ;;
    ECDSA-*)
        h=${m#ECDSA-}
        h=${h,,}
        sign "$k" "$m" "$WORK/data" "$s" --signature-format openssl
        verify "$k $m" dgst -"$h" -verify "${K_PUB[$k]}" -signature "$s" "$WORK/data"
        ;;
    *) return 1 ;;
    esac
}

for k in "${KEYS[@]}"; do
    run "${P11[@]}" --token-label "${K_TOKEN[$k]}" -M
    mapfile -t mechs < <(sed -n 's/^  \([A-Za-z0-9-]*\),.*\bsign\b.*/\1/p' "$LAST_OUT")
    tried=0
    for m in "${mechs[@]}"; do
        case "${K_TYPE[$k]}:$m" in
        rsa:*RSA*) sign_rsa "$k" "$m" || fail "$k: token offers $m, this test cannot verify it" ;;
        ec:ECDSA*) sign_ec "$k" "$m" || fail "$k: token offers $m, this test cannot verify it" ;;
        *)
            say "($k: $m is not for a ${K_TYPE[$k]} key)"
            continue
            ;;
        esac
        tried=$((tried + 1))
    done
    [ "$tried" -gt 0 ] || fail "$k: the token offers no signing mechanism for its key"
    ok "$k: $tried mechanisms signed and verified"
done

# ---- --test --login: the tool's own self test on every token. Without
# CKF_HW on the mechanisms it skips signatures; --allow-sw then runs them.
# It opens its session read-write, which the default configuration accepts;
# `read_write_sessions = false` refuses it.
if [ -n "${MODULE_CONF:-}" ]; then
    strict=$(strict_sessions_conf)
    if run_status env RSSP_PKCS11_CONF="$strict" "${P11[@]}" \
        --token-label "${K_TOKEN[${KEYS[0]}]}" --test --login --pin "$PIN"; then
        fail "read_write_sessions = false accepted a read-write session"
    fi
    expect_out 'CKR_TOKEN_WRITE_PROTECTED' "read_write_sessions = false refuses a read-write session"
fi
for k in "${KEYS[@]}"; do
    run "${P11[@]}" --token-label "${K_TOKEN[$k]}" --test --login --pin "$PIN"
    expect_out '^No errors$' "$k: pkcs11-tool --test --login reports no errors"
    if grep -q 'Signatures: not implemented' "$LAST_OUT"; then
        run "${P11[@]}" --token-label "${K_TOKEN[$k]}" --test --login --pin "$PIN" --allow-sw
        expect_out '^No errors$' "$k: pkcs11-tool --test --login --allow-sw reports no errors"
    fi
done
