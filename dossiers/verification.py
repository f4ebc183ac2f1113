"""Public verification of an issued result (docs/domain.md §4.1 T15, §11): a short signed token, printed as a QR code
on the generated result and linked from the dossier page, opens a page proving that the portal issued the file —
its number, date, signer, issuing body and SHA-256 — without the file or the applicant's personal data.

A token is `<kind><id>:<signature>`, the signature made with Django's signing (salt "result-verify", no expiry)
over the id AND what it must still match, which the token itself does not carry (the page reads it from the
database and checks the signature over both). So a token is about 50 characters — a small QR code — yet changing a
single character of it, or the file's stored hash, makes it fail:

- `f<file id>`, signed with the file's SHA-256: the link on the dossier page, for any result file (generated or
  uploaded; an uploaded signed PDF cannot carry a link, the portal cannot change it without breaking its signature);
- `d<dossier id>`, signed with the dossier's code: the QR code printed on the PDF the portal generates. The hash of
  that PDF is known only once it is rendered, and its file row only once it is stored, after the rendering; so the
  printed link names the dossier, and the page shows the dossier's latest result file (T15 issues one per dossier).

The signatures use SECRET_KEY and never expire: a code printed on paper lives as long as the key. Rotate the key
with the old one in SECRET_KEY_FALLBACKS (Django's signing checks them), or every printed QR code stops verifying.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from dossiers.models import Dossier, DossierFile

SALT = "result-verify"
# The kind, the row id (bounded like the file URLs), the signature: base64url of an HMAC-SHA256.
TOKEN = re.compile(r"^(?P<kind>[fd])(?P<id>[1-9][0-9]{0,17}):(?P<signature>[A-Za-z0-9_-]{20,100})$")
HASH_CHUNK = 64 * 1024


class TokenInvalid(LookupError):
    """The token is malformed, was tampered with, or names nothing that can be shown: the page is a 404."""


def _signature(payload: str) -> str:
    return signing.Signer(salt=SALT).sign(payload).rsplit(":", 1)[1]


def _payload(kind: str, pk: int, bound: str) -> str:
    return f"{kind}{pk}.{bound}"


def file_token(file: DossierFile) -> str:
    """The token of a stored result file: its id, signed together with its SHA-256."""
    return f"f{file.pk}:{_signature(_payload('f', file.pk, file.sha256))}"


def dossier_token(dossier: Dossier) -> str:
    """The token printed on a generated result: the dossier's id, signed together with its code."""
    return f"d{dossier.pk}:{_signature(_payload('d', dossier.pk, dossier.code or ''))}"


def verify_url(token: str) -> str:
    """The absolute address of the verification page, as printed on paper."""
    return f"{settings.SITE_URL}{reverse('result-verify', args=[token])}"


def _check(kind: str, pk: int, bound: str, signature: str) -> None:
    try:
        signing.Signer(salt=SALT).unsign(f"{_payload(kind, pk, bound)}:{signature}")
    except signing.BadSignature:
        raise TokenInvalid(kind) from None


@dataclass(frozen=True)
class Verified:
    """What the page states: the dossier (with its procedure and bodies) and its result file with signatures."""

    dossier: Dossier
    file: DossierFile

    @property
    def issuing_body(self):
        return self.dossier.processing_agency or self.dossier.receiving_agency


def _files():
    return DossierFile.objects.filter(kind=DossierFile.Kind.RESULT).prefetch_related("signatures")


def _dossiers():
    return Dossier.objects.select_related("procedure_version", "processing_agency", "receiving_agency")


def result_verify(token: str) -> Verified:
    """The result a token proves; TokenInvalid when it is malformed, tampered with, or names no issued result.

    Three queries at most, whatever the number of signatures; nothing is written or logged (the page shows no
    personal data).
    """
    match = TOKEN.match(token or "")
    if match is None:
        raise TokenInvalid(token)
    kind, pk, signature = match["kind"], int(match["id"]), match["signature"]
    if kind == "f":
        file = _files().filter(pk=pk).first()
        if file is None:
            raise TokenInvalid(token)
        _check(kind, pk, file.sha256, signature)
        dossier = _dossiers().get(pk=file.dossier_id)
    else:
        dossier = _dossiers().filter(pk=pk).first()
        if dossier is None or not dossier.code:
            raise TokenInvalid(token)
        _check(kind, pk, dossier.code, signature)
        file = _files().filter(dossier=dossier).order_by("-id").first()
        if file is None:
            raise TokenInvalid(token)
    if not dossier.result_number:
        raise TokenInvalid(token)
    return Verified(dossier=dossier, file=file)


def code_masked(code: str) -> str:
    """The dossier code with its date and most of its running number hidden: "000.00.31.H56-••••••-••01".

    The agency part and the last two characters are enough to match the code printed on the paper in hand; the
    whole code is not given to whoever holds only the link (it opens the public lookup).
    """
    head, dash, tail = code.partition("-")
    if not dash:
        return re.sub(r"[0-9A-Za-z]", "•", code[:-2]) + code[-2:]
    return head + dash + re.sub(r"[0-9A-Za-z]", "•", tail[:-2]) + tail[-2:]


def upload_sha256(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks (never kept: Django removes its temporary file)."""
    digest = hashlib.sha256()
    for chunk in upload.chunks(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
