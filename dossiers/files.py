"""Dossier files: accepting an upload (type by content, size limits, SHA-256, generated storage name) and
opening one for download through the user's scope, with the staff read logged (docs/domain.md §11).

Everything goes through `default_storage`, so the S3-compatible backend switched on by `S3_BUCKET` in
portal/settings.py works unchanged. The user's file name is kept only as data (`original_name`): it never
reaches the storage path, and the stored type is the one detected from the bytes, never the browser's.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, DossierFile
from dossiers.permissions import dossiers_visible_to
from dossiers.selectors import denied_access_log, personal_data_read_log
from privacy.models import DeniedAccess

logger = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Detected type → the extension of the stored object (the user's extension is never trusted).
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx"}
ALLOWED_LABEL = "PDF, JPEG, PNG, DOCX"

HEAD_BYTES = 16
MIB = 1024 * 1024
ORIGINAL_NAME_MAX = 255
# [Content_Types].xml of a real document is a few KB; a larger one is not read (zip bomb guard).
CONTENT_TYPES_MAX = 256 * 1024
PURPOSE_FILE_DOWNLOAD = "file_download"


class FileRejected(ValidationError):
    """An upload refused by the portal's rules; the message names the file, in Vietnamese and English."""


def _is_docx(fileobj) -> bool:
    """A Word document: an OPC package with the main document part and no macro project (a .docm is not)."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as package:
            names = {info.filename.lower(): info for info in package.infolist()}
            content_types = names.get("[content_types].xml")
            if content_types is None or "word/document.xml" not in names:
                return False
            if any(name.endswith("vbaproject.bin") for name in names):
                return False
            if content_types.file_size > CONTENT_TYPES_MAX:
                return False
            declared = package.read(content_types.filename)
            return b"macroenabled" not in declared.lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        # A damaged or truncated archive; RuntimeError/NotImplementedError (a subclass): an encrypted member
        # or an unsupported compression method.
        return False
    finally:
        fileobj.seek(0)


def sniff_type(head: bytes, fileobj) -> str | None:
    """The MIME type of an allowed format, decided by the content (magic bytes), else None.

    `head` is the first bytes of the file; `fileobj` (seekable) is only read for a ZIP, to tell a DOCX from
    any other ZIP (an XLSX, a plain archive, a macro-enabled .docm), and is left at position 0.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04") and _is_docx(fileobj):
        return DOCX
    return None


def original_name_clean(name: str | None) -> str:
    """The name the user gave, for display only: NFC, without directories or control characters, ≤255."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf"}).strip()
    if not name or name in {".", ".."}:
        name = _("tệp")
    if len(name) > ORIGINAL_NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 16:
            name = stem[: ORIGINAL_NAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:ORIGINAL_NAME_MAX]
    return name


def mb_text(size: int) -> str:
    """Bytes as MB for messages: "10", "1.5", "0.01" (never 0 for a non-zero size)."""
    value = max(size / MIB, 0.01) if size else 0
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _storage_name(content_type: str) -> str:
    """dossiers/<yyyy>/<mm>/<uuid4 hex><ext>: unguessable, and nothing from the user."""
    today = timezone.localdate()
    return f"dossiers/{today:%Y}/{today:%m}/{uuid.uuid4().hex}{EXTENSIONS[content_type]}"


def upload_check(upload, name: str) -> tuple[str, int, str]:
    """Check one upload by content and size (or raise `FileRejected`); returns its type, byte count and SHA-256.

    One streaming pass: the type from the first bytes, then the bytes counted and hashed. Screens that must
    refuse a whole form before writing anything (the desk's intake) call it too, so the rules live here only.

    Chunks keep memory flat whatever the size (an upload over 2.5 MB is already a temporary file on disk).
    """
    limit = settings.DOSSIER_MAX_FILE_BYTES
    _check_file_size(upload.size or 0, name, limit)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    content_type = sniff_type(head, upload)
    if content_type is None:
        raise FileRejected(
            _(
                "Tệp “{name}” không đúng định dạng cho phép ({allowed}). / "
                "File “{name}” is not an allowed type ({allowed})."
            ).format(name=name, allowed=ALLOWED_LABEL),
            code="file_type",
        )
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    # The count of bytes actually read, not the size the client or upload handler announced.
    _check_file_size(size, name, limit)
    upload.seek(0)
    return content_type, size, digest.hexdigest()


def _check_file_size(size: int, name: str, limit: int) -> None:
    if size <= 0:
        raise FileRejected(
            _("Tệp “{name}” không có nội dung. / File “{name}” is empty.").format(name=name),
            code="file_empty",
        )
    if size > limit:
        raise FileRejected(
            _(
                "Tệp “{name}” ({size} MB) vượt quá dung lượng tối đa {limit} MB cho mỗi tệp. / "
                "File “{name}” ({size} MB) exceeds the {limit} MB limit per file."
            ).format(name=name, size=mb_text(size), limit=mb_text(limit)),
            code="file_too_large",
        )


def dossier_file_add(
    *,
    dossier: Dossier,
    upload,
    actor,
    document=None,
    kind: str = DossierFile.Kind.COMPONENT,
) -> DossierFile:
    """Attach an uploaded file to a dossier, or refuse it with `FileRejected` and keep nothing.

    Allowed: PDF, JPEG, PNG, DOCX by content; at most DOSSIER_MAX_FILE_BYTES per file and
    DOSSIER_MAX_TOTAL_BYTES for all of a dossier's files — checked with the dossier row locked, so two uploads
    at once cannot both pass the total. The stored object is deleted if anything fails after it was written.
    A caller's outer transaction that rolls back later cannot be seen from here (Django has no on-rollback
    hook): such a caller must delete `DossierFile.file` itself.
    """
    kind = DossierFile.Kind(kind)
    if document is not None and document.dossier_id != dossier.pk:
        raise ValueError("document belongs to another dossier")
    name = original_name_clean(getattr(upload, "name", ""))
    content_type, size, sha256 = upload_check(upload, name)

    stored_name: str | None = None
    try:
        with transaction.atomic():
            locked = Dossier.objects.select_for_update().only("pk", "code").get(pk=dossier.pk)
            used = DossierFile.objects.filter(dossier=locked).aggregate(total=Sum("size"))["total"] or 0
            limit = settings.DOSSIER_MAX_TOTAL_BYTES
            if used + size > limit:
                raise FileRejected(
                    _(
                        "Không thể thêm tệp “{name}”: tổng dung lượng tệp của hồ sơ sẽ vượt quá {limit} MB "
                        "(đã có {used} MB). / Cannot add file “{name}”: the dossier's files would exceed "
                        "{limit} MB in total ({used} MB already)."
                    ).format(name=name, limit=mb_text(limit), used=mb_text(used)),
                    code="dossier_total_exceeded",
                )
            stored_name = default_storage.save(_storage_name(content_type), upload)
            return DossierFile.objects.create(
                dossier=locked,
                document=document,
                kind=kind,
                file=stored_name,
                original_name=name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except BaseException:
        if stored_name is not None:
            _delete_quietly(stored_name)
        raise


def stored_file_discard(name: str) -> None:
    """Delete a stored object whose row was rolled back (a caller's outer transaction failed after
    `dossier_file_add`); a failure is logged, never raised over the error that caused the rollback."""
    _delete_quietly(name)


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # the original error matters more; an orphan is logged for the operator
        logger.exception("Could not delete orphaned dossier file %s", name)


def dossier_file_open(
    *, user, dossier_code: str, file_id: int, ip_address: str | None = None, user_agent: str = ""
) -> DossierFile:
    """A file of a dossier the user may see, else Http404 (someone else's dossier looks missing).

    A staff read is personal-data processing: it is logged (who, role, agency, purpose) for the citizen's
    access history (Law 91/2025; docs/domain.md §11). A citizen reading their own file is not logged.
    """
    dossier = dossiers_visible_to(user).filter(code=dossier_code).only("pk").first()
    record = (
        DossierFile.objects.filter(dossier=dossier, pk=file_id).select_related("dossier").first()
        if dossier is not None
        else None
    )
    if record is None:
        # A file id of another dossier asked under a visible one is probing too: name the dossier it belongs to.
        other = None if dossier is None else DossierFile.objects.filter(pk=file_id).values_list("dossier_id").first()
        denied_access_log(
            user=user,
            kind=DeniedAccess.Kind.FILE,
            ref=f"{dossier_code}/files/{file_id}",
            code=dossier_code if dossier is None else None,
            dossier_id=other[0] if other else None,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        raise Http404(_("Không tìm thấy tệp hồ sơ."))
    personal_data_read_log(
        user=user,
        dossier_id=record.dossier_id,
        purpose=PURPOSE_FILE_DOWNLOAD,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return record
