"""Digitally signed PDFs for tests: a throwaway CA, a signer certificate issued by it, and a small PDF signed with
pyHanko — the kind of file a head uploads as the result of a dossier (docs/domain.md §4.1 T15).

Nothing here is a test. `make_signed_pdf()` is the one entry point; the keys and certificates are made once per
test session (RSA key generation is the slow part), each signed PDF once per distinct set of arguments.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SIGNER_NAME = "Nguyễn Văn Hùng"
CA_NAME = "Cơ quan chứng thực thử nghiệm"
# Valid for every moment the tests freeze the clock at, and for the machine's clock.
VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2045, 1, 1, tzinfo=dt.UTC)
# The signing time written into every signature (pyHanko takes the clock's; it is frozen here while signing).
SIGNED_AT = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
# A marker of fixed length in the signed, uncompressed content: a test flips one of its letters to tamper.
MARKER = b"KET QUA GIAI QUYET HO SO"


@dataclass(frozen=True)
class SignedPdf:
    """A signed PDF and what a verifier needs: `ca_pem` is the root to trust (write it to a file listed in
    RESULT_TRUST_ROOTS), `signer` the signer certificate's subject common name, `signed_at` the signing time the
    signature claims."""

    data: bytes
    ca_pem: bytes
    signer: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class _Pki:
    ca_cert: x509.Certificate
    ca_key: rsa.RSAPrivateKey
    signer_cert: x509.Certificate
    signer_key: rsa.RSAPrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Một cửa điện tử (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def _pki(signer_name: str) -> _Pki:
    """One CA per session and one signer certificate per signer name (cached: key generation takes ~0.1 s)."""
    ca_key, signer_key = _ca_key(), _key()
    ca_cert = _ca_cert()
    signer_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name))
        .issuer_name(ca_cert.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: what pyHanko expects of a document signer
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signer_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return _Pki(ca_cert=ca_cert, ca_key=ca_key, signer_cert=signer_cert, signer_key=signer_key)


@functools.cache
def _ca_key() -> rsa.RSAPrivateKey:
    return _key()


@functools.cache
def _ca_cert() -> x509.Certificate:
    key = _ca_key()
    return (
        x509.CertificateBuilder()
        .subject_name(_name(CA_NAME))
        .issuer_name(_name(CA_NAME))
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def ca_pem() -> bytes:
    """The throwaway CA's certificate (PEM): the trust root of every `make_signed_pdf()` signature."""
    return _ca_cert().public_bytes(serialization.Encoding.PEM)


def other_ca_pem() -> bytes:
    """A second, unrelated CA (PEM): trusting only it leaves the signatures' chain untrusted."""
    return _other_ca().public_bytes(serialization.Encoding.PEM)


@functools.cache
def _other_ca() -> x509.Certificate:
    key = _key()
    name = _name("Cơ quan chứng thực khác")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )


def unsigned_pdf(text: str = "") -> bytes:
    """A one-page PDF 1.7 with `MARKER` (and `text`, ASCII) drawn in Helvetica, written by hand: no dependency,
    byte-for-byte the same every time, the content stream uncompressed so a test can find and change it."""
    line = (MARKER + (b" " + text.encode("ascii") if text else b"")).replace(b"(", b"").replace(b")", b"")
    content = b"BT /F1 14 Tf 56 760 Td (" + line + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@functools.cache
def make_signed_pdf(*, signer: str = SIGNER_NAME, text: str = "", signed_at: dt.datetime = SIGNED_AT) -> SignedPdf:
    """A small PDF signed with pyHanko by `signer` (the certificate's subject CN), issued by the throwaway CA.

    Returns `SignedPdf(data, ca_pem, signer, signed_at)`. Trust `ca_pem` (a file listed in RESULT_TRUST_ROOTS) for
    a trusted chain; without it the signature is intact but its chain untrusted. `text` (ASCII) is drawn on the
    page after `MARKER`, to get distinct files. The signature claims `signed_at` as its signing time. Cached per
    arguments: call it freely (the first call costs about half a second).
    """
    import time_machine
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    pki = _pki(signer)
    der = serialization.Encoding.DER
    signing_cert = asn1_x509.Certificate.load(pki.signer_cert.public_bytes(der))
    ca_cert = asn1_x509.Certificate.load(pki.ca_cert.public_bytes(der))
    key = asn1_keys.PrivateKeyInfo.load(
        pki.signer_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    simple = signers.SimpleSigner(
        signing_cert=signing_cert,
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([ca_cert, signing_cert]),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned_pdf(text)))
    pdf_signer = signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Signature1", reason="Ban hành kết quả giải quyết"),
        signer=simple,
        new_field_spec=SigFieldSpec("Signature1"),
    )
    out = io.BytesIO()

    def sign() -> None:
        with time_machine.travel(signed_at, tick=False):
            pdf_signer.sign_pdf(writer, output=out)

    # pyHanko signs in an event loop of its own (asyncio.run): in a worker thread, so that a caller whose thread
    # runs one (Playwright's synchronous API in a browser test) may call this too.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(sign).result()
    return SignedPdf(data=out.getvalue(), ca_pem=ca_pem(), signer=signer, signed_at=signed_at)


def tampered(data: bytes) -> bytes:
    """The signed PDF with one letter of `MARKER` changed: inside the signed byte range, same length, so the file
    still parses but its digest no longer matches the signature."""
    at = data.index(MARKER)
    return data[:at] + b"L" + data[at + 1 :]
