#!/usr/bin/python3
"""Drive a headless LibreOffice through UNO (python3-uno) for tests/desktop/libreoffice.sh.

    lo_sign.py PIPE certs  CERT.pem
    lo_sign.py PIPE pdf    CERT.pem PIN OUT.pdf
    lo_sign.py PIPE odf    CERT.pem OUT.odt
    lo_sign.py PIPE verify DOC.odt

PIPE is the name of the pipe the soffice.bin under test accepts UNO on. Each
command prints "key: value" lines the shell checks, and on failure one line
"step failed: <step>: <why>" on stderr and exit status 1. The certificate is
picked from LibreOffice's own list of personal certificates (what the "Sign
document" dialog shows) by comparing its DER with CERT.pem, which comes from
outside the token.
"""
import base64
import os
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


class StepFailed(Exception):
    pass


def step(name, fn, *args):
    try:
        return fn(*args)
    except StepFailed:
        raise
    except Exception as e:  # UNO exceptions carry their type name and message
        raise StepFailed("%s: %s: %s" % (name, type(e).__name__, getattr(e, "Message", "") or e))


def props(**kw):
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name = k
        p.Value = v
        out.append(p)
    return tuple(out)


def connect(pipe, timeout_s=60.0):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return resolver.resolve(
                "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise StepFailed("connect: soffice.bin did not accept UNO on pipe %s within %.0f s"
                                 % (pipe, timeout_s))
            time.sleep(0.2)


def pem_der(path):
    text = open(path).read()
    body = text.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(body.split()))


def security_environment(ctx):
    smgr = ctx.ServiceManager
    init = smgr.createInstanceWithContext("com.sun.star.xml.crypto.SEInitializer", ctx)
    sc = init.createSecurityContext("")
    if sc is None:
        raise StepFailed("security context: LibreOffice could not open the NSS database "
                         "(MOZILLA_CERTIFICATE_FOLDER)")
    return sc.getSecurityEnvironment()


# LibreOffice's SecurityEnvironment sets NSS's one, global password callback
# when made and clears it when destroyed: the one made here is kept for the
# life of this script, or its release would silence the PIN prompt of a
# signature made later.
_KEEP = []


def find_certificate(ctx, cert_pem):
    se = step("security environment", security_environment, ctx)
    _KEEP.append(se)
    certs = step("getPersonalCertificates", se.getPersonalCertificates)
    want = pem_der(cert_pem)
    print("personal certificates: %d" % len(certs))
    for c in certs:
        print("  certificate: %s" % c.SubjectName)
    for c in certs:
        if bytes(c.Encoded.value) == want:
            print("chosen: %s" % c.SubjectName)
            return c
    raise StepFailed("find certificate: none of the %d personal certificates is %s"
                     % (len(certs), cert_pem))


def zip_storage(ctx, path, mode):
    """The document as a plain zip storage, as sfx2 hands it to the signing code
    (the ODF package format hides META-INF)."""
    factory = ctx.ServiceManager.createInstanceWithContext("com.sun.star.embed.StorageFactory",
                                                           ctx)
    fmt = uno.Any("[]com.sun.star.beans.PropertyValue", props(StorageFormat="ZipFormat"))
    return uno.invoke(factory, "createInstanceWithArguments",
                      ((uno.systemPathToFileUrl(path), mode, fmt),))


def new_document(ctx, text):
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0,
                                       props(Hidden=True))
    doc.getText().setString(text)
    return doc


def export_signed_pdf(ctx, cert, pin, out):
    doc = step("new document", new_document, ctx, "Invoice 2026-42, signed by LibreOffice")
    try:
        filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", props(
            SignPDF=True, SignatureCertificate=cert, SignaturePassword=pin,
            SignatureReason="rssp-pkcs11 desktop test", SignatureLocation="ctest"))
        step("PDF export with SignPDF", doc.storeToURL, uno.systemPathToFileUrl(out),
             props(FilterName="writer_pdf_Export", FilterData=filter_data))
    finally:
        doc.close(True)
    print("pdf: %s" % out)


def sign_odf(ctx, cert, out):
    doc = step("new document", new_document, ctx, "Contract 2026-42, signed by LibreOffice")
    try:
        step("save ODF", doc.storeToURL, uno.systemPathToFileUrl(out),
             props(FilterName="writer8"))
    finally:
        doc.close(True)
    READWRITE = uno.getConstantByName("com.sun.star.embed.ElementModes.READWRITE")
    storage = step("open its storage", zip_storage, ctx, out, READWRITE)
    sigs = ctx.ServiceManager.createInstanceWithArgumentsAndContext(
        "com.sun.star.security.DocumentDigitalSignatures", ("1.2", True), ctx)
    # No signature stream: LibreOffice writes META-INF/documentsignatures.xml
    # into the storage itself.
    ok = step("signDocumentWithCertificate", sigs.signDocumentWithCertificate, cert, storage,
              None)
    if not ok:
        raise StepFailed("signDocumentWithCertificate: LibreOffice answered false (no signature "
                         "made; a PIN it could not ask for, or the key refused)")
    step("commit the document", storage.commit)
    storage.dispose()
    print("odf: %s" % out)


def verify_odf(ctx, path):
    smgr = ctx.ServiceManager
    READ = uno.getConstantByName("com.sun.star.embed.ElementModes.READ")
    storage = step("open the storage", zip_storage, ctx, path, READ)
    sigs = smgr.createInstanceWithArgumentsAndContext(
        "com.sun.star.security.DocumentDigitalSignatures", ("1.2", True), ctx)
    infos = step("verifyDocumentContentSignatures", sigs.verifyDocumentContentSignatures,
                 storage, None)
    print("signatures: %d" % len(infos))
    for i in infos:
        print("signer: %s" % i.Signer.SubjectName)
        print("signature valid: %s" % i.SignatureIsValid)
        # com.sun.star.security.CertificateValidity: 0 = VALID
        print("certificate status: %d" % i.CertificateStatus)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    pipe, cmd, args = argv[1], argv[2], argv[3:]
    try:
        ctx = connect(pipe)
        if cmd == "certs":
            find_certificate(ctx, args[0])
        elif cmd == "pdf":
            cert = find_certificate(ctx, args[0])
            export_signed_pdf(ctx, cert, args[1], args[2])
        elif cmd == "odf":
            cert = find_certificate(ctx, args[0])
            sign_odf(ctx, cert, args[1])
        elif cmd == "verify":
            verify_odf(ctx, args[0])
        else:
            print("unknown command %s" % cmd, file=sys.stderr)
            return 2
    except StepFailed as e:
        print("step failed: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    rc = main(sys.argv)
    sys.stdout.flush()
    sys.stderr.flush()
    # pyuno can crash while the interpreter tears down proxies to the remote
    # soffice (seen once in CI as SIGSEGV after the work was done and printed):
    # leave without running those destructors. Whether soffice itself is
    # alive is checked by libreoffice.sh after every call.
    os._exit(rc)
