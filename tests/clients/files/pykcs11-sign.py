#!/usr/bin/env python3
"""PyKCS11 client: list the slots, log in to the token labelled argv[3], find
the private key with CKA_ID argv[4] (hex), sign argv[5] and write the
signature to argv[6]. argv[1] is the module, argv[2] the PIN; the mechanism
follows the key type (SHA256-RSA-PKCS, or ECDSA over a SHA-256/384 hash given
in argv[7], signature written as r||s)."""
import hashlib
import sys

import PyKCS11


def main() -> int:
    module, pin, token_label, key_id, data_file, sig_file = sys.argv[1:7]
    lib = PyKCS11.PyKCS11Lib()
    lib.load(module)
    print("library:", lib.getInfo().manufacturerID.strip(), lib.getInfo().libraryDescription.strip())
    slot = None
    for s in lib.getSlotList(tokenPresent=True):
        label = lib.getTokenInfo(s).label.strip()
        print("slot %d: token %r" % (s, label))
        if label == token_label:
            slot = s
    if slot is None:
        print("no token labelled %r" % token_label)
        return 1
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    session.login(pin)
    print("logged in to %r" % token_label)
    keys = session.findObjects(
        [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, bytes.fromhex(key_id))]
    )
    if len(keys) != 1:
        print("expected one private key with CKA_ID %s, found %d" % (key_id, len(keys)))
        return 1
    key = keys[0]
    key_type = session.getAttributeValue(key, [PyKCS11.CKA_KEY_TYPE])[0]
    with open(data_file, "rb") as f:
        data = f.read()
    if key_type == PyKCS11.CKK_RSA:
        mech = PyKCS11.Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS, None)
        name = "CKM_SHA256_RSA_PKCS"
    elif key_type == PyKCS11.CKK_EC:
        data = hashlib.new(sys.argv[7], data).digest()
        mech = PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None)
        name = "CKM_ECDSA over %s" % sys.argv[7]
    else:
        print("unexpected key type %d" % key_type)
        return 1
    # session.sign asks the length first (NULL buffer), then signs.
    signature = bytes(session.sign(key, data, mech))
    print("signed %d bytes with %s: %d-byte signature" % (len(data), name, len(signature)))
    with open(sig_file, "wb") as f:
        f.write(signature)
    session.logout()
    session.closeSession()
    return 0


if __name__ == "__main__":
    sys.exit(main())
