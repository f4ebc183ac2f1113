"""Digital signatures of a result PDF, verified with pyHanko when the head issues the result (docs/domain.md §4.1
T15): who signed (the certificate's subject common name), when (the signature's timestamp token, else the time
the signer's software wrote), whether the signed bytes are intact and cover the whole file, and whether the
signer's certificate chains up to a trust root the portal is configured with.

Trust roots are PEM files listed in settings.RESULT_TRUST_ROOTS (environment variable of the same name). None
configured → every chain is reported as not trusted: the portal never falls back to the operating system's TLS
list, and never fetches anything (no CRL, OCSP or AIA request leaves the server while a head waits).
Verification never raises for a bad signature: a signature that cannot be checked is reported as not intact.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


class UnreadablePdf(ValueError):
    """The bytes start like a PDF but cannot be read as one (damaged, truncated or encrypted)."""


@dataclass(frozen=True)
class SignatureCheck:
    """The verification of one signature, as stored in `models.ResultSignature` and in the T15 event."""

    field_name: str
    signer: str
    signed_at: dt.datetime | None
    intact: bool  # the signed bytes are unchanged and the signature over them is cryptographically valid
    covers_whole: bool  # the signature covers the whole file: nothing was appended after signing
    trusted: bool  # the signer's certificate chains up to a configured trust root
    summary: str  # pyHanko's machine-readable verdict, e.g. "INTACT:TRUSTED,UNTOUCHED"

    def as_data(self) -> dict:
        """For the event log (JSON, part of its hash chain)."""
        return {
            "signer": self.signer,
            "signed_at": timezone.localtime(self.signed_at).isoformat() if self.signed_at else None,
            "intact": self.intact,
            "covers_whole": self.covers_whole,
            "trusted": self.trusted,
        }


@functools.cache
def _roots(paths: tuple[str, ...]) -> tuple:
    """The certificates in the PEM (or DER) files; an unreadable file is logged and skipped, never fatal."""
    from pyhanko.keys import load_certs_from_pemder

    certs = []
    for path in paths:
        try:
            certs.extend(load_certs_from_pemder([path]))
        except Exception:  # a misconfigured root makes chains untrusted; it must not stop a head's work
            logger.exception("RESULT_TRUST_ROOTS: cannot read the certificates in %s", path)
    return tuple(certs)


def trust_roots() -> tuple:
    """The configured trust roots (asn1crypto certificates), read once per list of paths."""
    return _roots(tuple(getattr(settings, "RESULT_TRUST_ROOTS", ()) or ()))


def pdf_signatures_verify(data: bytes) -> list[SignatureCheck]:
    """Every signature embedded in the PDF, verified; an empty list for an unsigned PDF.

    Raises `UnreadablePdf` when the bytes cannot be read as a PDF at all.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise UnreadablePdf("encrypted")
        embedded = list(reader.embedded_signatures)
    except UnreadablePdf:
        raise
    except Exception as error:  # pyHanko raises several kinds for a damaged file; all mean "not readable"
        raise UnreadablePdf(str(error)) from error
    roots = list(trust_roots())
    return _outside_event_loop(lambda: [_check(signature, roots) for signature in embedded])


def _outside_event_loop(work):
    """Run `work` here, or in a worker thread when this thread already runs an event loop.

    pyHanko's synchronous validation starts its own event loop (asyncio.run), which a thread that runs one — an
    async caller, Playwright's synchronous API in a browser test — may not do.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def _check(signature, roots: list) -> SignatureCheck:
    from pyhanko.sign.validation import KeyUsageConstraints, SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    name = str(signature.field_name or "")
    try:
        status = validate_pdf_signature(
            signature,
            ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"),
            # A document signer's certificate carries non-repudiation, digital signature, or both.
            key_usage_settings=KeyUsageConstraints(
                key_usage={"non_repudiation", "digital_signature"}, match_all_key_usages=False
            ),
        )
    except Exception as error:  # a malformed signature dictionary or CMS blob: reported, not raised
        logger.warning("Result PDF signature %r could not be verified: %s", name, error)
        return SignatureCheck(name, _signer_of(signature), None, False, False, False, "ERROR")
    timestamp = status.timestamp_validity.timestamp if status.timestamp_validity is not None else None
    return SignatureCheck(
        field_name=name,
        signer=_common_name(status.signing_cert),
        signed_at=timestamp or status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        covers_whole=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
        summary=status.summary()[:255],
    )


def _common_name(cert) -> str:
    if cert is None:
        return ""
    subject = cert.subject.native
    name = subject.get("common_name") or ""
    if isinstance(name, list):
        name = ", ".join(name)
    return str(name or cert.subject.human_friendly)[:255]


def _signer_of(signature) -> str:
    try:
        return _common_name(signature.signer_cert)
    except Exception:
        return ""
