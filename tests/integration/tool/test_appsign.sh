#!/usr/bin/env bash
# rssp-tool appsign make/verify: reproducible signs checked against an
# independent Python computation, verdicts and exit codes. No service needed.
source "$RSSP_TOOL_TEST_LIB"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rssp-tool-appsign-XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT
secret='s3cr3t-Sj3Jrs9gqkVBRGcr'
printf '%s\n' "$secret" >"$WORK/secret"
chmod 600 "$WORK/secret"

# The sign as include/rssp/appsign.h defines it, computed by Python.
expected_sign() { # KEY EXPIRE NOW RANDOM
    python3 -c 'import base64, hashlib, hmac, sys
key, expire, now, rnd, secret = sys.argv[1:]
raw = f"a={key}&b={expire}&c={now}&d={rnd}".encode()
mac = hmac.new(secret.encode(), raw, hashlib.sha1).digest()
print(base64.b64encode(mac + raw).decode())' "$@" "$secret"
}

# 1. make with --now and --random reproduces the independent value
run_tool 0 appsign make --api-key demo-rp-app --secret-file "$WORK/secret" --ttl 60 \
    --now 1700000000 --random 4242424242
sign=$OUT
[[ "$sign" == "$(expected_sign demo-rp-app 1700000060 1700000000 4242424242)" ]] ||
    fail "sign $sign differs from the Python computation"
run_tool 0 appsign make --api-key demo-rp-app --secret-file "$WORK/secret" --ttl 60 \
    --now 1700000000 --random 4242424242
[[ "$OUT" == "$sign" ]] || fail "make is not reproducible"
# single use: expire_time 0
run_tool 0 appsign make --api-key k1 --secret-file "$WORK/secret" --ttl 0 --now 1700000000 \
    --random 7
single=$OUT
[[ "$single" == "$(expected_sign k1 0 1700000000 7)" ]] || fail "single-use sign differs"
# without --random two signs differ
run_tool 0 appsign make --api-key k1 --secret-file "$WORK/secret"
a=$OUT
run_tool 0 appsign make --api-key k1 --secret-file "$WORK/secret"
[[ "$a" != "$OUT" ]] || fail "two random signs are equal"

# 2. verify accepts it and prints the decoded fields
run_tool 0 appsign verify "$sign" --secret-file "$WORK/secret" --api-key demo-rp-app \
    --now 1700000030
expect_in "$OUT" "api_key:      demo-rp-app"
expect_in "$OUT" "expire_time:  1700000060 (2023-11-14T22:14:20Z)"
expect_in "$OUT" "current_time: 1700000000 (2023-11-14T22:13:20Z)"
expect_in "$OUT" "random:       4242424242"
expect_in "$OUT" "verdict:      valid"
run_tool 0 appsign verify "$single" --secret-file "$WORK/secret" --now 1700000010
expect_in "$OUT" "expire_time:  0 (single use)"
run_tool 0 appsign verify "$a" --secret-file "$WORK/secret"

# 3. a tampered sign is refused with exit 5: same HMAC, another random
tampered=$(python3 -c 'import base64, sys
b = base64.b64decode(sys.argv[1])
print(base64.b64encode(b[:20] + b[20:].replace(b"d=4242424242", b"d=4242424243")).decode())' "$sign")
[[ "$tampered" != "$sign" ]] || fail "tampering did not change the sign"
run_tool 5 appsign verify "$tampered" --secret-file "$WORK/secret" --now 1700000030
expect_in "$OUT" "random:       4242424243"
expect_in "$OUT" "verdict:      refused: bad-hmac"
# a flipped HMAC byte, another secret, another key, expired, future, garbage
flipped=$(python3 -c 'import base64, sys
b = bytearray(base64.b64decode(sys.argv[1])); b[0] ^= 1
print(base64.b64encode(bytes(b)).decode())' "$sign")
run_tool 5 appsign verify "$flipped" --secret-file "$WORK/secret" --now 1700000030
expect_in "$OUT" "bad-hmac"
printf 'another secret\n' >"$WORK/other"
chmod 600 "$WORK/other"
run_tool 5 appsign verify "$sign" --secret-file "$WORK/other" --now 1700000030
expect_in "$OUT" "bad-hmac"
run_tool 5 appsign verify "$sign" --secret-file "$WORK/secret" --api-key other-app \
    --now 1700000030
expect_in "$OUT" "unknown-key"
run_tool 5 appsign verify "$sign" --secret-file "$WORK/secret" --now 1700000061
expect_in "$OUT" "verdict:      refused: expired"
run_tool 5 appsign verify "$sign" --secret-file "$WORK/secret" --now 1699999900
expect_in "$OUT" "refused: future"
run_tool 0 appsign verify "$sign" --secret-file "$WORK/secret" --now 1699999900 --max-skew 200
run_tool 5 appsign verify 'not base64!' --secret-file "$WORK/secret"
expect_in "$OUT" "not-base64"

# 4. usage errors (exit 1) and the secret file rules
chmod 644 "$WORK/secret"
run_tool 1 appsign make --api-key k --secret-file "$WORK/secret" --now 1
expect_in "$ERR" "is not private"
expect_in "$ERR" "run: chmod 600"
expect_not_in "$ERR" "$secret"
chmod 600 "$WORK/secret"
run_tool 1 appsign make --api-key k --secret-file "$WORK/secret" --random 12345678901
run_tool 1 appsign make --api-key 'a&b' --secret-file "$WORK/secret"
run_tool 1 appsign make --secret-file "$WORK/secret"
run_tool 1 appsign make --api-key k --secret-file "$WORK/secret" --ttl -5
run_tool 1 appsign verify --secret-file "$WORK/secret"
run_tool 1 appsign frobnicate
run_tool 0 appsign --help
expect_in "$OUT" "Usage: rssp-tool appsign make"
echo ok
