"""Fixtures for dossier files: a received dossier with its people, built with the ORM, and tiny real files.

Imported by tests/dossiers/test_files.py; names start with `files_` so they never shadow the package conftest.
"""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import CitizenProfile, User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency
from agencies.services import agency_tree_load
from dossiers.models import Applicant, ApplicantKind, Channel, Dossier
from dossiers.workflow import Status
from procedures.importer import catalogue_import
from procedures.models import Procedure

CATALOGUE = Path(__file__).resolve().parents[1] / "procedures" / "data" / "catalogue_small.json"
COMMUNE = "000.00.31.H56"  # UBND phường Hạc Thành: receives the dossier
OTHER_COMMUNE = "000.00.32.H56"  # UBND phường Hàm Rồng
PROVINCE = "000.00.00.H56"
DOSSIER_CODE = "000.00.31.H56-260302-0001"
OTHER_CODE = "000.00.31.H56-260302-0002"


@dataclass
class FilesWorld:
    agencies: dict[str, Agency]
    citizen: User
    other_citizen: User
    desk: User
    other_desk: User
    leader: User
    dossier: Dossier
    other_dossier: Dossier  # another citizen's, at the same commune


def _staff(username: str, role: Role, agency: Agency) -> User:
    user = User.objects.create_user(username=username, password="x", full_name=username.title())
    staff_assign(user=user, agency=agency, role=role)
    return user


def _citizen(username: str, full_name: str, personal_id: str) -> User:
    user = User.objects.create_user(username=username, password="x", full_name=full_name)
    CitizenProfile.objects.create(user=user, full_name=full_name, personal_id=personal_id)
    return user


def _dossier(*, code: str, user: User, agency: Agency, version) -> Dossier:
    applicant = Applicant.objects.create(kind=ApplicantKind.INDIVIDUAL, name=user.full_name, user=user)
    return Dossier.objects.create(
        code=code,
        procedure_version=version,
        applicant=applicant,
        owner=user,
        receiving_agency=agency,
        channel=Channel.ONLINE,
        status=Status.RECEIVED,
    )


@pytest.fixture
def files_world(db) -> FilesWorld:
    """A birth registration dossier received at a ward, its citizen, staff here and elsewhere."""
    agencies = {agency.e_identifier: agency for agency in agency_tree_load()}
    catalogue_import(path=CATALOGUE)
    version = Procedure.objects.get(code="1.001193").current_version
    citizen = _citizen("mai", "Hoàng Thị Mai", "038190001234")
    other_citizen = _citizen("lan", "Trần Thị Lan", "038190005678")
    return FilesWorld(
        agencies=agencies,
        citizen=citizen,
        other_citizen=other_citizen,
        desk=_staff("desk", Role.DESK, agencies[COMMUNE]),
        other_desk=_staff("desk2", Role.DESK, agencies[OTHER_COMMUNE]),
        leader=_staff("leader", Role.LEADER, agencies[PROVINCE]),
        dossier=_dossier(code=DOSSIER_CODE, user=citizen, agency=agencies[COMMUNE], version=version),
        other_dossier=_dossier(code=OTHER_CODE, user=other_citizen, agency=agencies[COMMUNE], version=version),
    )


@pytest.fixture
def files_media(settings, tmp_path) -> Path:
    """An empty MEDIA_ROOT for the test; the default storage writes here."""
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    return media


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


# --- Tiny real files ------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    """A minimal one-page PDF."""
    return (
        b"%PDF-1.4\n"
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    """A 1×1 white PNG, chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, one white pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    """A 1×1 JPEG (Pillow is installed with WeasyPrint)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(out, format="JPEG")
    return out.getvalue()


def zip_bytes(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_bytes(*, main_type: bytes = b"document.main+xml", extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word document: content types, package relationships and one paragraph."""
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
        b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
        + main_type
        + b'"/></Types>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Tờ khai đăng ký khai sinh</w:t></w:r></w:p>'
        "</w:body></w:document>"
    ).encode()
    parts = {"[Content_Types].xml": content_types, "_rels/.rels": _RELS, "word/document.xml": document}
    return zip_bytes({**parts, **(extra or {})})


def docm_bytes() -> bytes:
    """A macro-enabled Word document (.docm): the same package with a VBA project."""
    return docx_bytes(
        main_type=b"document.macroEnabled.main+xml", extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0vba"}
    )


def xlsx_bytes() -> bytes:
    """An Excel-shaped package: a ZIP with content types but no Word document."""
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/content-types"/>',
            "_rels/.rels": _RELS,
            "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
        }
    )


def exe_bytes() -> bytes:
    """The start of a Windows executable: "MZ", then the PE offset and stub."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program"
