#!/usr/bin/env python3
"""Independent reproduction of the App-Authentication formula of seed 000.

Runs the C driver (argv[1]) on fixed inputs and compares its sign byte for
byte with the formula computed here using only hmac, hashlib and base64:

    raw = "a={}&b={}&c={}&d={}".format(api_key, expire_time, current_time, random)
    sign = Base64(HMAC-SHA1(api_secret, raw) + raw)

Exits non-zero on any mismatch.
"""
import base64
import hashlib
import hmac
import re
import subprocess
import sys

# (api_key, secret, now, ttl, random); ttl 0 = single use (expire_time 0).
CASES = [
    ("Your api_key", "Your api_secret", 1700000000, 100, "0123456789"),
    ("app-01", "s3cr3t", 1700000000, 0, "42"),
    ("k", "x", 0, 0, "0"),
    ("DEMO_KEY", "p\u00e4ssw\u00f6rd-\u20ac-\u5bc6\u94a5-\U0001f511", 1735689600, 3600, "9999999999"),
    ("\u00fcser-\u00e9t\u00e9", "\u043a\u043b\u044e\u0447", 2000000000, 86400, "1"),
    ("a" * 128, "long secret " * 10, 4102444800, 31536000, "0000000000"),
    ("key with spaces", "secret with spaces", 1600000000, 1, "5555"),
]

# Inputs the C side must refuse (exit code 2).
REFUSED = [
    ("", "s", 1700000000, 0, "1"),
    ("a&b", "s", 1700000000, 0, "1"),
    ("a=b", "s", 1700000000, 0, "1"),
    ("a" * 129, "s", 1700000000, 0, "1"),
    ("k", "s", -1, 0, "1"),
    ("k", "s", 1700000000, -5, "1"),
    ("k", "s", 1700000000, 0, "12345678901"),
    ("k", "s", 1700000000, 0, "12a"),
    ("k", "s", 1700000000, 0, "-1"),
]


def reference_sign(api_key, secret, now, ttl, random):
    expire_time = now + ttl if ttl != 0 else 0
    raw = "a={}&b={}&c={}&d={}".format(api_key, expire_time, now, random).encode("utf-8")
    sign_tmp = hmac.new(secret.encode("utf-8"), raw, hashlib.sha1).digest()
    return base64.b64encode(sign_tmp + raw).decode("ascii")


def run(driver, api_key, secret, now, ttl, random):
    # Arguments as explicit UTF-8 bytes, whatever the locale.
    args = [driver] + [str(a).encode("utf-8") for a in (api_key, secret, now, ttl, random)]
    return subprocess.run(
        args,
        capture_output=True,
        check=False,
    )


def main():
    if len(sys.argv) != 2:
        print("usage: appsign_reference.py DRIVER", file=sys.stderr)
        return 1
    driver = sys.argv[1]
    failures = 0
    checks = 0

    for case in CASES:
        checks += 1
        proc = run(driver, *case)
        got = proc.stdout.decode("ascii", "replace").strip()
        want = reference_sign(*case)
        if proc.returncode != 0 or got != want:
            failures += 1
            print("MISMATCH for {!r}:\n  C:      {}\n  Python: {}\n  stderr: {}".format(
                case, got, want, proc.stderr.decode("utf-8", "replace").strip()))

    # A drawn random: up to 10 digits, and the HMAC over the raw the C side chose.
    for _ in range(5):
        checks += 1
        api_key, secret, now, ttl = "drawn", "secret", 1700000000, 60
        proc = run(driver, api_key, secret, now, ttl, "-")
        got = proc.stdout.decode("ascii", "replace").strip()
        try:
            blob = base64.b64decode(got, validate=True) if proc.returncode == 0 else b""
        except ValueError:
            blob = b""
        raw = blob[20:]
        match = re.fullmatch(rb"a=drawn&b=1700000060&c=1700000000&d=([0-9]{1,10})", raw)
        if not match or reference_sign(api_key, secret, now, ttl, match.group(1).decode()) != got:
            failures += 1
            print("MISMATCH for a drawn random: {!r}".format(got))

    for case in REFUSED:
        checks += 1
        proc = run(driver, *case)
        if proc.returncode != 2 or proc.stdout.strip():
            failures += 1
            print("NOT REFUSED: {!r} -> exit {} {!r}".format(case, proc.returncode, proc.stdout))

    print("{} passed, {} failed".format(checks - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
