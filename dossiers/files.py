"""Dossier files: accepting an upload (size limits, malware scan, type by content, zip directory check, images
saved again, SHA-256, generated storage name), scanning later the files stored while no scanner answered, and
opening one for download through the user's scope, with the staff read logged (docs/domain.md §11,
docs/uploads.md).

Everything goes through `default_storage`, so the S3-compatible backend switched on by `S3_BUCKET` in
portal/settings.py works unchanged. The user's file name is kept only as data (`original_name`): it never
reaches the storage path, and the stored type is the one detected from the bytes, never the browser's.
"""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import stat
import unicodedata
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import scanning
from dossiers.models import Dossier, DossierFile
from dossiers.permissions import dossiers_visible_to
from dossiers.selectors import denied_access_log, personal_data_read_log
from privacy.models import DeniedAccess

logger = logging.getLogger(__name__)
# Refused malware and files found infected later: an operator's alert, not an application error.
security_log = logging.getLogger("portal.security")

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

# Any zip (a DOCX is one) is judged from its central directory before a single member is read (check 16).
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNCOMPRESSED = 100 * MIB
# A member that inflates more than this many times is a zip bomb; below ZIP_RATIO_FLOOR bytes any ratio is fine
# (a few KB of repetitive XML compress very well).
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 1 * MIB
ZIP_FORBIDDEN_EXTENSIONS = frozenset(
    # programs and scripts
    {".exe", ".dll", ".com", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".bat", ".cmd", ".ps1", ".sh", ".jar", ".msi"}
    | {".scr", ".pif", ".cpl", ".hta", ".lnk", ".apk", ".elf", ".so", ".dylib", ".py", ".pl", ".php"}
    # nested archives: their members could not be judged without extracting them
    | {".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".iso", ".zst", ".lz", ".arj"}
)
# Macros: a Word document with a VBA project is a .docm whatever it is called.
ZIP_FORBIDDEN_NAMES = frozenset({"vbaproject.bin", "vbadata.xml"})
# Images are decoded and saved again (check 18); an image beyond this many pixels is refused, not decoded.
IMAGE_MAX_PIXELS = 40_000_000


class FileRejected(ValidationError):
    """An upload refused by the portal's rules; the message names the file, in Vietnamese and English."""


class FileNotServable(Exception):
    """A file the user may see but that is not served: waiting for the malware scan, or deleted as infected."""

    def __init__(self, record: DossierFile):
        super().__init__(record.scan_status)
        self.record = record


@dataclass(frozen=True)
class PreparedUpload:
    """What `upload_prepare` accepted: the bytes to store (the upload, or an image saved again), their detected
    type, size and SHA-256, and the scan's outcome (CLEAN, or PENDING when no scanner answered)."""

    content: object
    content_type: str
    size: int
    sha256: str
    scan_status: str


class _ClientAddressMixin:
    """Upload handlers that note the client's address on each uploaded file, for the security log."""

    def file_complete(self, file_size):
        upload = super().file_complete(file_size)
        if upload is not None and getattr(self, "request", None) is not None:
            from dossiers.audit import request_client

            upload.client_ip = request_client(self.request)["ip_address"]
        return upload


class ClientMemoryFileUploadHandler(_ClientAddressMixin, MemoryFileUploadHandler):
    pass


class ClientTemporaryFileUploadHandler(_ClientAddressMixin, TemporaryFileUploadHandler):
    pass


def files_per_request_check(files) -> None:
    """Refuse a request carrying more than DOSSIER_MAX_FILES_PER_REQUEST files, for a surface that counts its own
    files (the API); for every request Django's parser already stops at DATA_UPLOAD_MAX_NUMBER_FILES (the same
    number) and handler400 explains it. `files` is a MultiValueDict (`request.FILES`) or a sized collection."""
    limit = settings.DOSSIER_MAX_FILES_PER_REQUEST
    count = sum(len(values) for _key, values in files.lists()) if hasattr(files, "lists") else len(files)
    if count > limit:
        raise FileRejected(too_many_files_message(count), code="too_many_files")


def too_many_files_message(count: int | None = None) -> str:
    limit = settings.DOSSIER_MAX_FILES_PER_REQUEST
    if count is None:
        return _("Mỗi lần chỉ được gửi tối đa {limit} tệp. / At most {limit} files may be sent in one request.").format(
            limit=limit
        )
    return _(
        "Mỗi lần chỉ được gửi tối đa {limit} tệp (đã gửi {count}). / "
        "At most {limit} files may be sent in one request ({count} sent)."
    ).format(limit=limit, count=count)


def _archive_refused(name: str, reason: str) -> FileRejected:
    return FileRejected(
        _("Tệp nén “{name}” bị từ chối: {reason}. / Archive “{name}” refused: {reason}.").format(
            name=name, reason=reason
        ),
        code="archive_refused",
    )


def zip_members_check(fileobj, name: str) -> None:
    """Refuse a zip (any zip: a DOCX is one) from its central directory alone, before any member is read:
    programs, scripts, macros, nested archives, symbolic links, absolute or `..` paths, encrypted members, too many
    members, too many bytes once expanded, or a member that expands too many times (a zip bomb). Leaves the file
    at position 0. A zip that cannot be opened is left to the type check (it is not an allowed type)."""
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError):
        return
    finally:
        fileobj.seek(0)
    if len(members) > ZIP_MAX_MEMBERS:
        raise _archive_refused(name, _("quá {count} tệp bên trong").format(count=ZIP_MAX_MEMBERS))
    total = 0
    for info in members:
        member = info.filename.replace("\\", "/")
        lowered = member.lower().rstrip(" .")
        base = posixpath.basename(lowered)
        if member.startswith("/") or (len(member) > 1 and member[1] == ":") or ".." in member.split("/"):
            raise _archive_refused(name, _("đường dẫn không hợp lệ bên trong"))
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _archive_refused(name, _("có liên kết tượng trưng (symlink)"))
        if info.flag_bits & 0x1:
            raise _archive_refused(name, _("có tệp được mã hóa"))
        if base in ZIP_FORBIDDEN_NAMES:
            raise _archive_refused(name, _("có macro"))
        if posixpath.splitext(base)[1] in ZIP_FORBIDDEN_EXTENSIONS:
            raise _archive_refused(name, _("có tệp chương trình, mã lệnh hoặc tệp nén lồng bên trong"))
        total += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise _archive_refused(name, _("tỉ lệ nén bất thường (zip bomb)"))
        if total > ZIP_MAX_UNCOMPRESSED:
            raise _archive_refused(
                name, _("dung lượng khi giải nén vượt quá {limit} MB").format(limit=mb_text(ZIP_MAX_UNCOMPRESSED))
            )


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


def _image_refused(name: str) -> FileRejected:
    return FileRejected(
        _("Tệp ảnh “{name}” bị hỏng hoặc quá lớn để đọc. / Image “{name}” is damaged or too large to read.").format(
            name=name
        ),
        code="image_unreadable",
    )


def image_reencode(fileobj, content_type: str, name: str) -> bytes:
    """Decode a JPEG or PNG and save its pixels again in the same format, without metadata (EXIF, text chunks,
    ICC profiles) or anything after the image data: whatever else the bytes carried (an HTML page behind a PNG
    header, a script in a comment) is gone. An image Pillow cannot decode, or larger than IMAGE_MAX_PIXELS, is
    refused before its pixels are decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = "JPEG" if content_type == JPEG else "PNG"
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj, formats=[fmt]) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise _image_refused(name)
                image.load()
                # Rotate as the camera said, since the EXIF that says so is dropped.
                clean = ImageOps.exif_transpose(image) if fmt == "JPEG" else image.copy()
                if clean is None or clean is image:
                    clean = image.copy()
        transparency = clean.info.get("transparency")
        clean.info = {}
        out = io.BytesIO()
        if fmt == "JPEG":
            if clean.mode not in {"RGB", "L", "CMYK"}:
                clean = clean.convert("RGB")
            clean.save(out, "JPEG", quality=90, optimize=True)
        else:
            options = {"transparency": transparency} if transparency is not None else {}
            clean.save(out, "PNG", optimize=False, **options)
    except FileRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _image_refused(name) from error
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as error:
        raise _image_refused(name) from error
    finally:
        fileobj.seek(0)
    return out.getvalue()


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
    if head.startswith(b"PK"):
        zip_members_check(upload, name)
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


def _infected_log(*, name: str, signature: str, actor=None, ip: str | None = None, where: str) -> None:
    """The security log entry for malware: who, from where, which file (cleaned name) and what was found."""
    user = getattr(actor, "pk", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    security_log.warning(
        "Malware %s: user=%s ip=%s file=%s signature=%s",
        where,
        user if user is not None else "-",
        ip or "-",
        ascii(name),
        ascii(signature),
    )


def _upload_discard(upload) -> None:
    """Close an upload that was refused: a TemporaryUploadedFile deletes its temporary file on close."""
    try:
        upload.close()
    except Exception:  # already closed or gone: nothing is left to delete
        logger.debug("Refused upload already closed", exc_info=True)


def upload_prepare(upload, name: str, *, actor=None) -> PreparedUpload:
    """Every rule for one upload, in order: the size, the malware scan of the bytes as received, the type by
    content (with any zip judged from its directory), and an image saved again from its pixels.

    Malware is refused with `FileRejected` (code "file_infected"): the upload's temporary copy is deleted and a
    "portal.security" entry written. When no scanner answers (`CLAMAV_ADDRESS` unset, or the daemon down), the
    file is accepted as PENDING: stored, never served, and scanned by `files_rescan` once the scanner is back.
    """
    _check_file_size(upload.size or 0, name, settings.DOSSIER_MAX_FILE_BYTES)
    try:
        verdict = scanning.scan_stream(upload)
    except scanning.ScannerUnavailable as error:
        logger.warning("Upload %s stored as waiting for a malware scan: %s", ascii(name), error)
        scan_status = DossierFile.ScanStatus.PENDING
    else:
        if not verdict.clean:
            _infected_log(
                name=name,
                signature=verdict.signature,
                actor=actor,
                ip=getattr(upload, "client_ip", None),
                where="refused at upload",
            )
            _upload_discard(upload)
            raise FileRejected(
                _(
                    "Tệp “{name}” bị từ chối vì chứa mã độc ({signature}); tệp đã bị xóa. / "
                    "File “{name}” was refused because it contains malware ({signature}); it has been deleted."
                ).format(name=name, signature=verdict.signature),
                code="file_infected",
            )
        scan_status = DossierFile.ScanStatus.CLEAN
    content_type, size, sha256 = upload_check(upload, name)
    content = upload
    if content_type in (JPEG, PNG):
        data = image_reencode(upload, content_type, name)
        content = ContentFile(data, name=name)
        size, sha256 = len(data), hashlib.sha256(data).hexdigest()
    return PreparedUpload(content=content, content_type=content_type, size=size, sha256=sha256, scan_status=scan_status)


def dossier_file_add(
    *,
    dossier: Dossier,
    upload,
    actor,
    document=None,
    kind: str = DossierFile.Kind.COMPONENT,
) -> DossierFile:
    """Attach an uploaded file to a dossier, or refuse it with `FileRejected` and keep nothing.

    Allowed: PDF, JPEG, PNG, DOCX by content, free of malware (`upload_prepare`); at most DOSSIER_MAX_FILE_BYTES
    per file and DOSSIER_MAX_TOTAL_BYTES for all of a dossier's files — checked with the dossier row locked, so
    two uploads at once cannot both pass the total. The stored object is deleted if anything fails after it was
    written. A caller's outer transaction that rolls back later cannot be seen from here (Django has no
    on-rollback hook): such a caller must delete `DossierFile.file` itself.

    A file stored while no scanner answered is PENDING: the rescan job is kicked after commit.
    """
    kind = DossierFile.Kind(kind)
    if document is not None and document.dossier_id != dossier.pk:
        raise ValueError("document belongs to another dossier")
    name = original_name_clean(getattr(upload, "name", ""))
    prepared = upload_prepare(upload, name, actor=actor)
    size = prepared.size

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
            stored_name = default_storage.save(_storage_name(prepared.content_type), prepared.content)
            record = DossierFile.objects.create(
                dossier=locked,
                document=document,
                kind=kind,
                file=stored_name,
                original_name=name,
                content_type=prepared.content_type,
                size=size,
                sha256=prepared.sha256,
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
                scan_status=prepared.scan_status,
                scanned_at=timezone.now() if prepared.scan_status == DossierFile.ScanStatus.CLEAN else None,
            )
            if record.scan_status == DossierFile.ScanStatus.PENDING:
                transaction.on_commit(_rescan_kick)
            return record
    except BaseException:
        if stored_name is not None:
            _delete_quietly(stored_name)
        raise


def _rescan_kick() -> None:
    """Ask the worker to scan the waiting files now; the beat schedule retries if the broker is down too."""
    from dossiers.tasks import files_rescan

    try:
        files_rescan.delay()
    except Exception:  # the broker is down: the beat's next run scans them
        logger.warning("Could not queue the malware rescan", exc_info=True)


def files_rescan(*, batch: int = 100) -> dict[str, int]:
    """Scan the files waiting for the scanner (oldest first): clean ones become servable; an infected one has its
    stored object deleted, its row marked INFECTED with the signature, and a "portal.security" entry written.

    Does nothing when the scanner does not answer PING. Safe to run twice and on two workers at once: each row is
    taken with `SKIP LOCKED` and re-read under its lock, and only a PENDING row is changed.
    """
    counts = {"clean": 0, "infected": 0, "failed": 0}
    if not scanning.scanner_ping():
        return counts
    pending = DossierFile.ScanStatus.PENDING
    ids = list(
        DossierFile.objects.filter(scan_status=pending)
        .order_by("uploaded_at", "pk")
        .values_list("pk", flat=True)[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            record = DossierFile.objects.select_for_update(skip_locked=True).filter(pk=pk, scan_status=pending).first()
            if record is None:
                continue
            try:
                with record.file.open("rb") as handle:
                    verdict = scanning.scan_stream(handle)
            except (OSError, scanning.ScannerUnavailable):
                logger.warning("Rescan of dossier file %s failed; it stays pending", pk, exc_info=True)
                counts["failed"] += 1
                continue
            record.scanned_at = timezone.now()
            if verdict.clean:
                record.scan_status = DossierFile.ScanStatus.CLEAN
                record.save(update_fields=["scan_status", "scanned_at"])
                counts["clean"] += 1
                continue
            stored = record.file.name
            record.scan_status = DossierFile.ScanStatus.INFECTED
            record.scan_signature = verdict.signature[:255]
            record.file = ""
            record.save(update_fields=["scan_status", "scanned_at", "scan_signature", "file"])
            transaction.on_commit(lambda name=stored: _delete_quietly(name))
            _infected_log(
                name=record.original_name,
                signature=verdict.signature,
                actor=record.uploaded_by,
                where=f"found by rescan (dossier file {record.pk}, dossier {record.dossier_id}); deleted",
            )
            counts["infected"] += 1
    return counts


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
    """A file of a dossier the user may see, else Http404 (someone else's dossier looks missing); a file not
    (yet) found clean by the malware scan raises `FileNotServable`.

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
    if record.scan_status != DossierFile.ScanStatus.CLEAN:
        # Nothing is read: no bytes leave and no read is logged.
        raise FileNotServable(record)
    personal_data_read_log(
        user=user,
        dossier_id=record.dossier_id,
        purpose=PURPOSE_FILE_DOWNLOAD,
        ip_address=ip_address,
        user_agent=user_agent,
    )
    return record
