"""Dossier files: what is accepted (by content, within limits), what is kept, and who may download it."""
# The fixtures live in files_fixtures.py (the package conftest belongs to the dossier engine); pytest finds them
# through the import, and a test's parameter of the same name is how they are used, not a redefinition.
# ruff: noqa: F811

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from PIL import Image

from dossiers.files import DOCX, FileRejected, dossier_file_add, original_name_clean, sniff_type
from dossiers.models import DossierDocument, DossierFile, PersonalDataAccess
from tests.dossiers.files_fixtures import (  # noqa: F401
    DOSSIER_CODE,
    docm_bytes,
    docx_bytes,
    exe_bytes,
    files_media,
    files_world,
    jpeg_bytes,
    pdf_bytes,
    png_bytes,
    stored_files,
    xlsx_bytes,
    zip_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
STORED_NAME = re.compile(r"^dossiers/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|jpg|png|docx)$")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def add(world, name: str, content: bytes, **kwargs) -> DossierFile:
    return dossier_file_add(dossier=world.dossier, upload=upload(name, content), actor=world.citizen, **kwargs)


# --- Accepted files -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "content_type", "ext"),
    [
        ("Giấy khai sinh.pdf", pdf_bytes, "application/pdf", ".pdf"),
        ("ảnh chân dung.jpg", jpeg_bytes, "image/jpeg", ".jpg"),
        ("Giấy chứng sinh.png", png_bytes, "image/png", ".png"),
        ("Tờ khai đăng ký khai sinh.docx", docx_bytes, DOCX, ".docx"),
    ],
)
def test_each_allowed_type_is_stored_under_a_generated_name(files_world, files_media, name, make, content_type, ext):
    content = make()

    record = add(files_world, name, content)

    record.refresh_from_db()
    stored = (files_media / record.file.name).read_bytes()
    assert record.dossier == files_world.dossier
    assert record.content_type == content_type
    assert record.size == len(stored)
    assert record.sha256 == hashlib.sha256(stored).hexdigest()
    assert record.original_name == name
    assert record.uploaded_by == files_world.citizen
    assert record.kind == DossierFile.Kind.COMPONENT
    assert record.scan_status == DossierFile.ScanStatus.CLEAN
    assert STORED_NAME.match(record.file.name)
    assert record.file.name.endswith(ext)
    assert stored_files(files_media) == [files_media / record.file.name]
    if content_type.startswith("image/"):
        # Images are saved again from their pixels (docs/uploads.md): the same picture, not the same bytes.
        with Image.open(io.BytesIO(stored)) as again, Image.open(io.BytesIO(content)) as sent:
            assert (again.format, again.size) == (sent.format, sent.size)
    else:
        assert stored == content
    assert (files_media / record.file.name).stat().st_mode & 0o777 == 0o640


@pytest.mark.django_db
def test_the_type_comes_from_the_bytes_not_the_name_or_the_browser(files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier,
        upload=upload("scan.pdf", png_bytes(), content_type="application/pdf"),
        actor=files_world.desk,
        kind=DossierFile.Kind.SUPPLEMENT,
    )

    assert record.content_type == "image/png"
    assert record.file.name.endswith(".png")
    assert record.original_name == "scan.pdf"
    assert record.kind == DossierFile.Kind.SUPPLEMENT
    assert record.uploaded_by == files_world.desk


@pytest.mark.django_db
def test_a_file_is_attached_to_a_document_of_the_same_dossier_only(files_world, files_media):
    document = DossierDocument.objects.create(dossier=files_world.dossier, name="Giấy chứng sinh")
    foreign = DossierDocument.objects.create(dossier=files_world.other_dossier, name="Giấy chứng sinh")

    record = add(files_world, "a.pdf", pdf_bytes(), document=document)
    with pytest.raises(ValueError, match="another dossier"):
        add(files_world, "b.pdf", pdf_bytes(), document=foreign)

    assert list(document.files.all()) == [record]
    assert not foreign.files.exists()
    assert len(stored_files(files_media)) == 1


@pytest.mark.django_db
def test_a_large_upload_spooled_to_disk_is_hashed_and_stored_whole(files_world, files_media, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(files_media.parent)
    content = pdf_bytes() + os.urandom(3 * 1024 * 1024)
    spooled = TemporaryUploadedFile("Bản đồ thửa đất.pdf", "application/pdf", len(content), None)
    spooled.write(content)
    spooled.seek(0)
    try:
        record = dossier_file_add(dossier=files_world.dossier, upload=spooled, actor=files_world.citizen)
    finally:
        spooled.close()

    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert record.size == len(content)
    assert (files_media / record.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("C:\\Users\\mai\\Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        ("../../etc/Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
        (unicodedata.normalize("NFD", "Giấy khai sinh.pdf"), "Giấy khai sinh.pdf"),
        ("Giấy\x00 khai\r\nsinh.pdf", "Giấy khaisinh.pdf"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
        ("", "tệp"),
    ],
)
def test_the_original_name_is_kept_for_display_only(given, kept):
    assert original_name_clean(given) == kept
    assert unicodedata.is_normalized("NFC", original_name_clean(given))


# --- Refused files: a clear message, nothing stored -----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("giấy khai sinh.exe", exe_bytes),
        ("Giấy khai sinh.pdf", exe_bytes),
        ("Giấy khai sinh.pdf", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("Giấy khai sinh.docx", lambda: zip_bytes({"readme.txt": b"hello"})),
        ("Giấy khai sinh.docx", xlsx_bytes),
        ("Giấy khai sinh.docx", lambda: b"PK\x03\x04" + b"\x00" * 100),
        ("ảnh.jpg", lambda: b"GIF89a\x01\x00\x01\x00"),
    ],
    ids=["exe", "exe-named-pdf", "html", "plain-zip", "xlsx", "broken-zip", "gif"],
)
def test_a_file_of_another_type_is_refused_naming_it(files_world, files_media, name, make):
    with pytest.raises(FileRejected) as refused:
        add(files_world, name, make())

    message = refused.value.messages[0]
    assert refused.value.code == "file_type"
    assert f"Tệp “{name}” không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX)" in message
    assert f"File “{name}” is not an allowed type" in message
    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


@pytest.mark.django_db
def test_a_macro_enabled_document_is_refused_from_its_directory(files_world, files_media):
    with pytest.raises(FileRejected) as refused:
        add(files_world, "Giấy khai sinh.docx", docm_bytes())

    assert refused.value.code == "archive_refused"
    assert "Tệp nén “Giấy khai sinh.docx” bị từ chối: có macro" in refused.value.messages[0]
    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


@pytest.mark.django_db
def test_an_empty_file_is_refused(files_world, files_media):
    with pytest.raises(FileRejected) as refused:
        add(files_world, "Giấy khai sinh.pdf", b"")

    assert refused.value.code == "file_empty"
    assert "Tệp “Giấy khai sinh.pdf” không có nội dung" in refused.value.messages[0]
    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


@pytest.mark.django_db
def test_a_file_over_the_per_file_limit_is_refused(files_world, files_media, settings):
    settings.DOSSIER_MAX_FILE_BYTES = 1024 * 1024
    content = pdf_bytes() + b"\x00" * (1024 * 1024)

    with pytest.raises(FileRejected) as refused:
        add(files_world, "Bản vẽ.pdf", content)

    message = refused.value.messages[0]
    assert refused.value.code == "file_too_large"
    assert "Tệp “Bản vẽ.pdf” (1 MB) vượt quá dung lượng tối đa 1 MB cho mỗi tệp" in message
    assert "exceeds the 1 MB limit per file" in message
    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


@pytest.mark.django_db
def test_a_file_at_the_limit_is_accepted(files_world, files_media, settings):
    content = pdf_bytes()
    settings.DOSSIER_MAX_FILE_BYTES = settings.DOSSIER_MAX_TOTAL_BYTES = len(content)

    assert add(files_world, "a.pdf", content).size == len(content)


@pytest.mark.django_db
def test_a_file_over_the_dossier_total_is_refused_and_the_earlier_files_stay(files_world, files_media, settings):
    settings.DOSSIER_MAX_TOTAL_BYTES = 3 * 1024 * 1024 // 2  # 1.5 MB
    first = add(files_world, "Tờ khai.pdf", pdf_bytes() + b"\x00" * (1024 * 1024))

    with pytest.raises(FileRejected) as refused:
        add(files_world, "Giấy chứng sinh.pdf", pdf_bytes() + b"\x00" * (600 * 1024))

    message = refused.value.messages[0]
    assert refused.value.code == "dossier_total_exceeded"
    assert "Không thể thêm tệp “Giấy chứng sinh.pdf”" in message
    assert "vượt quá 1.5 MB (đã có 1 MB)" in message
    assert "would exceed 1.5 MB in total" in message
    assert list(DossierFile.objects.all()) == [first]
    assert stored_files(files_media) == [files_media / first.file.name]


@pytest.mark.django_db
def test_the_total_counts_only_this_dossiers_files(files_world, files_media, settings):
    settings.DOSSIER_MAX_TOTAL_BYTES = len(pdf_bytes())
    dossier_file_add(
        dossier=files_world.other_dossier, upload=upload("a.pdf", pdf_bytes()), actor=files_world.other_citizen
    )

    assert add(files_world, "b.pdf", pdf_bytes()).dossier == files_world.dossier


@pytest.mark.django_db
def test_a_database_failure_after_storing_leaves_nothing_behind(files_world, files_media, monkeypatch):
    def fail(**kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(DossierFile.objects, "create", fail)

    with pytest.raises(IntegrityError):
        add(files_world, "Giấy khai sinh.pdf", pdf_bytes())

    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


def test_sniffing_reads_only_the_content():
    assert sniff_type(b"%PDF-1.7", None) == "application/pdf"
    assert sniff_type(b"\xff\xd8\xff\xe0", None) == "image/jpeg"
    assert sniff_type(b"\x89PNG\r\n\x1a\n", None) == "image/png"
    assert sniff_type(b"MZ\x90\x00", None) is None
    assert sniff_type(b"", None) is None


# --- Download -------------------------------------------------------------------------------------


@pytest.fixture
def birth_certificate(files_world, files_media) -> DossierFile:
    return add(files_world, "Giấy khai sinh.pdf", pdf_bytes())


def download_url(code: str, file_id: int) -> str:
    return reverse("dossiers:file-download", kwargs={"code": code, "file_id": file_id})


def fetch(client, user, url):
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    # Consuming the stream closes the response through the test client's wrapper; an explicit close() would fire
    # request_finished with the connection-closing handler attached and drop the test's database connection.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.django_db
def test_the_owner_downloads_the_exact_bytes_as_an_attachment(client, files_world, birth_certificate):
    url = download_url(DOSSIER_CODE, birth_certificate.pk)
    assert url == f"/dossiers/{DOSSIER_CODE}/files/{birth_certificate.pk}/"

    response, body = fetch(client, files_world.citizen, url)

    assert response.status_code == 200
    assert body == pdf_bytes()
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Giấy khai sinh.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_a_province_leader_gets_no_file_and_nothing_is_logged(client, files_world, birth_certificate):
    """A leader follows figures, never applicants' files (docs/domain.md §2, §11): the 404 of a missing file."""
    response, body = fetch(client, files_world.leader, download_url(DOSSIER_CODE, birth_certificate.pk))

    assert response.status_code == 404
    assert birth_certificate.original_name not in body.decode()
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["desk"])
def test_staff_who_may_see_the_dossier_download_and_the_read_is_logged(client, files_world, birth_certificate, who):
    staff = getattr(files_world, who)

    response, body = fetch(client, staff, download_url(DOSSIER_CODE, birth_certificate.pk))

    assert response.status_code == 200
    assert body == pdf_bytes()
    access = PersonalDataAccess.objects.get()
    assert access.dossier == files_world.dossier
    assert access.user == staff
    assert access.role == staff.staff_profile.role
    assert access.agency == staff.staff_profile.agency
    assert access.purpose == "file_download"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("other_citizen", DOSSIER_CODE),
        ("other_desk", DOSSIER_CODE),
        ("citizen", "000.00.31.H56-260302-9999"),
        ("citizen", "000.00.31.H56-260302-0002"),  # exists, but is someone else's
    ],
    ids=["another-citizen", "staff-of-another-commune", "made-up-code", "another-dossier-code"],
)
def test_outsiders_and_unknown_codes_get_the_same_404(client, files_world, birth_certificate, who, code):
    response, body = fetch(client, getattr(files_world, who), download_url(code, birth_certificate.pk))
    missing, missing_body = fetch(client, files_world.citizen, download_url("000.00.99.H56-000101-0000", 1))

    assert response.status_code == missing.status_code == 404
    assert body == missing_body
    assert pdf_bytes() not in body
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_a_file_is_reached_only_through_its_own_dossier(client, files_world, files_media):
    foreign = dossier_file_add(
        dossier=files_world.other_dossier, upload=upload("x.pdf", pdf_bytes()), actor=files_world.other_citizen
    )
    # Staff who may see both dossiers still cannot reach a file under the wrong code.
    response, _body = fetch(client, files_world.desk, download_url(DOSSIER_CODE, foreign.pk))

    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, birth_certificate):
    url = download_url(DOSSIER_CODE, birth_certificate.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


@pytest.mark.django_db
def test_a_missing_stored_object_is_a_404_not_a_500(client, files_world, birth_certificate, files_media):
    (files_media / birth_certificate.file.name).unlink()

    response, _body = fetch(client, files_world.citizen, download_url(DOSSIER_CODE, birth_certificate.pk))

    assert response.status_code == 404


@pytest.mark.django_db
def test_only_get_is_served(client, files_world, birth_certificate):
    client.force_login(files_world.citizen)

    assert client.post(download_url(DOSSIER_CODE, birth_certificate.pk)).status_code == 405


# --- Settings -------------------------------------------------------------------------------------


def test_limits_and_permissions_have_their_defaults(settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640
    if "DOSSIER_MAX_FILE_BYTES" not in os.environ:
        assert settings.DOSSIER_MAX_FILE_BYTES == 10 * 1024 * 1024
    if "DOSSIER_MAX_TOTAL_BYTES" not in os.environ:
        assert settings.DOSSIER_MAX_TOTAL_BYTES == 50 * 1024 * 1024
    if "S3_BUCKET" not in os.environ:
        assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_bucket_switches_the_default_storage_to_private_s3():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "DOSSIER_MAX_"))}
    env.update(
        S3_BUCKET="mot-cua-ho-so",
        S3_ENDPOINT_URL="https://minio.internal:9000",
        S3_ACCESS_KEY_ID="portal",
        S3_SECRET_ACCESS_KEY="secret-for-test",
        S3_REGION="ap-southeast-1",
        DOSSIER_MAX_FILE_BYTES="2048",
    )
    code = "import json, portal.settings as s; print(json.dumps([s.STORAGES['default'], s.DOSSIER_MAX_FILE_BYTES]))"

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    storage, max_file = json.loads(result.stdout)
    assert max_file == 2048
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "mot-cua-ho-so",
            "endpoint_url": "https://minio.internal:9000",
            "access_key": "portal",
            "secret_key": "secret-for-test",
            "region_name": "ap-southeast-1",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
