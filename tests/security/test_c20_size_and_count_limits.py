"""Check 20 — size and count limits.

The check: a 30 MB file (with a 20 MB limit) and a dossier over its total quota get a clear message and nothing is
stored; 21 files in one request (limit 20) → 400, never 500.

How: with DOSSIER_MAX_FILE_BYTES at 20 MB, a real 30 MB PDF is posted to the citizen's upload page (Django spools
it to a temporary file first): the page says, in Vietnamese and English, that it exceeds the 20 MB limit; no row, no
stored object, and the temporary file is gone. With a 1.5 MB quota, a second file that would pass it is refused the
same way and the first file stays. 21 files in one request, to the citizen's upload page and to the desk's intake
page, get a 400 page that names the limit of 20 (Django's parser stops at DATA_UPLOAD_MAX_NUMBER_FILES, portal's
handler400 explains why; an API request gets the same message as JSON); nothing is stored. 20 files are not refused
for their number, and `files_per_request_check` — what the API calls — counts the files of a whole request.
"""
# ruff: noqa: F811

import glob
import json
import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from dossiers.files import FileRejected, files_per_request_check
from dossiers.models import DossierFile
from tests.dossiers.files_fixtures import files_media  # noqa: F401 - fixture
from tests.security.uploads_helpers import (  # noqa: F401 - fixtures
    agencies,
    make_version,
    media_files,
    page_text,
    pdf_bytes,
    people,
    profile,
    start_draft,
    upload,
    wizard_upload,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def big_pdf(size: int) -> bytes:
    head = pdf_bytes()
    return head + b"%" + b"0" * (size - len(head) - 1)


def spooled_uploads() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "*.upload*")))


def test_a_30_mb_file_over_a_20_mb_limit_is_refused_clearly_and_nothing_is_kept(
    client, start_draft, make_version, files_media, settings
):
    settings.DOSSIER_MAX_FILE_BYTES = 20 * MB
    draft = start_draft(make_version())
    before = spooled_uploads()

    response = wizard_upload(client, draft, upload("Bản scan hồ sơ.pdf", big_pdf(30 * MB), "application/pdf"))

    assert response.status_code == 302
    page = page_text(client, response["Location"])
    assert "Tệp “Bản scan hồ sơ.pdf” (30 MB) vượt quá dung lượng tối đa 20 MB cho mỗi tệp." in page
    assert "File “Bản scan hồ sơ.pdf” (30 MB) exceeds the 20 MB limit per file." in page
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []
    assert spooled_uploads() <= before


def test_a_file_over_the_dossier_quota_is_refused_clearly_and_the_first_stays(
    client, start_draft, make_version, files_media, settings
):
    settings.DOSSIER_MAX_TOTAL_BYTES = 3 * MB // 2
    draft = start_draft(make_version())
    wizard_upload(client, draft, upload("Tờ khai.pdf", big_pdf(MB)))
    [first] = DossierFile.objects.all()

    response = wizard_upload(client, draft, upload("Giấy chứng sinh.pdf", big_pdf(600 * 1024)))

    page = page_text(client, response["Location"])
    assert "Không thể thêm tệp “Giấy chứng sinh.pdf”: tổng dung lượng tệp của hồ sơ sẽ vượt quá 1.5 MB" in page
    assert "files would exceed 1.5 MB in total (1 MB already)" in page
    assert list(DossierFile.objects.all()) == [first]
    assert media_files(files_media) == [files_media / first.file.name]


def many(count: int) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"to-khai-{i}.pdf", pdf_bytes(), content_type="application/pdf") for i in range(count)]


def test_21_files_to_the_citizen_upload_page_are_a_clear_400(client, start_draft, make_version, files_media):
    draft = start_draft(make_version())

    response = client.post(
        reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}),
        {"document": draft.documents.first().pk, "file": many(21)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Mỗi lần chỉ được gửi tối đa 20 tệp." in page
    assert "At most 20 files may be sent in one request." in page
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_21_files_to_the_desk_intake_page_are_a_clear_400(client, people, make_version, files_media):
    version = make_version()
    client.force_login(people["desk"])
    first = version.documents.first()
    fields = {"procedure": version.procedure.code, f"doc_{first.pk}_files": many(21)}

    response = client.post(reverse("desk:intake"), fields)

    assert response.status_code == 400
    assert "Mỗi lần chỉ được gửi tối đa 20 tệp." in response.content.decode()
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_an_api_request_with_too_many_files_gets_the_message_as_json(rf):
    from django.core.exceptions import TooManyFilesSent

    from portal.views import bad_request

    response = bad_request(rf.post("/api/v1/dossiers/"), TooManyFilesSent("21"))

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "detail": "Mỗi lần chỉ được gửi tối đa 20 tệp. / At most 20 files may be sent in one request."
    }


def test_20_files_are_not_refused_for_their_number(client, start_draft, make_version, files_media):
    draft = start_draft(make_version())

    response = client.post(
        reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}),
        {"document": draft.documents.first().pk, "file": many(20)},
    )

    assert response.status_code == 302


def test_the_check_the_api_calls_counts_every_file_of_the_request(settings):
    files = MultiValueDict({"a": many(12), "b": many(9)})

    with pytest.raises(FileRejected) as refused:
        files_per_request_check(files)

    assert refused.value.code == "too_many_files"
    assert "tối đa 20 tệp (đã gửi 21)" in refused.value.messages[0]
    files_per_request_check(MultiValueDict({"a": many(11), "b": many(9)}))
    files_per_request_check(many(20))
    with pytest.raises(FileRejected):
        files_per_request_check(many(21))
