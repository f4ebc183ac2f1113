"""Check 14 — type by content.

The check: an executable renamed `.pdf` is refused with a clear message in Vietnamese and English, and nothing is
left behind: no stored object on disk (or in the bucket: both go through the same storage) and no database row.

How: a Windows executable (the "MZ" header) named "Giấy khai sinh.pdf" and sent as application/pdf is posted to the
citizen's upload page; the page shows both languages' messages, and MEDIA_ROOT and the DossierFile table stay
empty. The same bytes through the engine's `dossier_file_add` (the desk, the API) raise the same refusal. A real
PDF under a wrong name is stored as a PDF (the name and the browser's type are never trusted).
"""
# ruff: noqa: F811

import pytest

from dossiers.files import PDF, FileRejected, dossier_file_add
from dossiers.models import DossierFile
from tests.security.uploads_helpers import (  # noqa: F401 - fixtures
    agencies,
    exe_bytes,
    files_media,
    files_world,
    make_version,
    media_files,
    page_text,
    pdf_bytes,
    people,
    profile,
    start_draft,
    step_url,
    upload,
    wizard_upload,
)

pytestmark = pytest.mark.django_db


def test_an_exe_named_pdf_is_refused_on_the_upload_page_and_nothing_is_kept(
    client, start_draft, make_version, files_media
):
    draft = start_draft(make_version())

    response = wizard_upload(client, draft, upload("Giấy khai sinh.pdf", exe_bytes(), "application/pdf"))

    assert response.status_code == 302
    page = page_text(client, response["Location"])
    assert "Tệp “Giấy khai sinh.pdf” không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX)." in page
    assert "File “Giấy khai sinh.pdf” is not an allowed type (PDF, JPEG, PNG, DOCX)." in page
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_the_engine_refuses_the_same_bytes_for_every_surface(files_world, files_media):
    with pytest.raises(FileRejected) as refused:
        dossier_file_add(
            dossier=files_world.dossier,
            upload=upload("setup.pdf", exe_bytes(), "application/pdf"),
            actor=files_world.desk,
        )

    assert refused.value.code == "file_type"
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_a_real_pdf_is_known_by_its_bytes_whatever_its_name(files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier, upload=upload("ảnh.exe", pdf_bytes(), "image/png"), actor=files_world.citizen
    )

    assert record.content_type == PDF
    assert record.file.name.endswith(".pdf")
    assert media_files(files_media) == [files_media / record.file.name]
