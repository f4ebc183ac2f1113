"""Shared by the upload checks (test_c14 … test_c20): the fixtures they use, small real files and page helpers.

The fixtures are imported by each module (pytest finds them through the import); a test's parameter of the same
name is how they are used, not a redefinition.
"""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.citizen.wizard_fixtures import profile, start_draft, step_url  # noqa: F401 - fixtures
from tests.dossiers.conftest import agencies, make_version, people  # noqa: F401 - fixtures
from tests.dossiers.files_fixtures import (  # noqa: F401 - fixtures and files
    DOSSIER_CODE,
    docx_bytes,
    exe_bytes,
    files_media,
    files_world,
    pdf_bytes,
    stored_files,
)

# The EICAR anti-virus test file: harmless, and found by every scanner (bin/clamd-local's database knows it).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A real PNG drawn by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def zip_of(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    """A zip built in memory; the names in `symlinks` are stored as Unix symbolic links."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 3, 2, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.create_system = 3
                info.external_attr = (0o120777 << 16) & 0xFFFF0000
            archive.writestr(info, data)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def wizard_upload(client, draft, file, document=None):
    """POST one file to the citizen's upload page for the draft's first document slot."""
    document = document or draft.documents.first()
    return client.post(
        reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}), {"document": document.pk, "file": file}
    )


def page_text(client, url: str) -> str:
    return client.get(url).content.decode()


def media_files(root) -> list[Path]:
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


def download_url(code: str, file_id: int) -> str:
    return reverse("dossiers:file-download", kwargs={"code": code, "file_id": file_id})
