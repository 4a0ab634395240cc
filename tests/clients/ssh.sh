#!/usr/bin/env bash
# OpenSSH: `ssh-keygen -D` prints the token's public keys; ssh-agent loads
# the module (`ssh-add -s`, PIN through SSH_ASKPASS) and signs with every key
# (`ssh-keygen -Y sign`); `ssh-keygen -Y check-novalidate` verifies each
# signature with the public key taken from the certificate.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin ssh-keygen
token_start # OpenSSH opens every session read-write: the default configuration takes it

for k in "${KEYS[@]}"; do
    ssh-keygen -i -m PKCS8 -f "${K_PUB[$k]}" >"$WORK/$k.ssh.pub" || fail "cannot convert the $k public key"
done

run ssh-keygen -D "$MODULE"
for k in "${KEYS[@]}"; do
    read -r type blob _ <"$WORK/$k.ssh.pub"
    expect_out "^$type $(re_quote "$blob")( |\$)" "$k: ssh-keygen -D prints the public key ($type)"
done

need_bin ssh-agent ssh-add
# ssh-agent loads PKCS#11 modules only from its -P allow-list, matched by real path.
real=$(readlink -f "$MODULE")
printf '#!/bin/sh\nprintf "%%s\\n" "%s"\n' "$PIN" >"$WORK/askpass"
chmod 700 "$WORK/askpass"
eval "$(ssh-agent -s -P "$real" -a "$WORK/agent.sock")" >/dev/null
at_exit "kill $SSH_AGENT_PID"
export SSH_ASKPASS=$WORK/askpass SSH_ASKPASS_REQUIRE=force DISPLAY=:0
run ssh-add -s "$real"
expect_out '^Card added: ' "ssh-agent loaded the module"
run ssh-add -L
for k in "${KEYS[@]}"; do
    read -r type blob _ <"$WORK/$k.ssh.pub"
    expect_out "^$type $(re_quote "$blob")( |\$)" "$k: ssh-agent holds the key"
done

printf 'Invoice 2024-001: 100.00 EUR\n' >"$WORK/doc.txt"
for k in "${KEYS[@]}"; do
    rm -f "$WORK/doc.txt.sig"
    run ssh-keygen -Y sign -f "$WORK/$k.ssh.pub" -n file "$WORK/doc.txt"
    [ -s "$WORK/doc.txt.sig" ] || fail "$k: ssh-keygen wrote no signature"
    run sh -c 'exec ssh-keygen -Y check-novalidate -n file -f "$1" -s "$2" <"$3"' sh \
        "$WORK/$k.ssh.pub" "$WORK/doc.txt.sig" "$WORK/doc.txt"
    expect_out '^Good "file" signature with' "$k: ssh-agent signature verified by ssh-keygen"
done
