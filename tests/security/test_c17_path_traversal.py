"""Check 17 — path traversal.

The check: a file named `../../etc/passwd.pdf` or `a/../../x.pdf` is stored under a generated UUID path inside the
upload root, and the original name survives only as cleaned metadata.

How: the hostile names reach the engine raw (a ContentFile keeps any name, unlike Django's UploadedFile) and
through the citizen's upload page in a hand-written multipart body (the test client would strip the directories
itself). Each stored object is at `dossiers/<yyyy>/<mm>/<32 hex>.pdf`, resolves inside MEDIA_ROOT, and nothing
appears anywhere else under the test's directory; `original_name` is the last component only, without control or
bidi characters, and is what the download's Content-Disposition shows.
"""
# ruff: noqa: F811

import re

import pytest
from django.core.files.base import ContentFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT
from django.urls import reverse

from dossiers.files import dossier_file_add
from dossiers.models import DossierFile
from tests.security.uploads_helpers import (  # noqa: F401 - fixtures
    DOSSIER_CODE,
    agencies,
    download_url,
    files_media,
    files_world,
    make_version,
    media_files,
    pdf_bytes,
    people,
    profile,
    start_draft,
)

pytestmark = pytest.mark.django_db

STORED = re.compile(r"^dossiers/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
HOSTILE = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("a/../../x.pdf", "x.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("/etc/shadow.pdf", "shadow.pdf"),
    ("..", "tệp"),
    ("giấy\x00tờ\u202e.pdf", "giấytờ.pdf"),
]


def assert_inside(media, record):
    assert STORED.match(record.file.name), record.file.name
    path = (media / record.file.name).resolve()
    assert path.is_relative_to(media.resolve())
    assert media_files(media) == [media / record.file.name]
    # Nothing was written beside the upload root (where ../ would have led).
    assert [p for p in media.parent.rglob("*") if p.is_file() and not p.is_relative_to(media)] == []


@pytest.mark.parametrize(("given", "kept"), HOSTILE, ids=[g for g, _ in HOSTILE])
def test_a_hostile_name_is_only_cleaned_metadata(files_world, files_media, given, kept):
    record = dossier_file_add(
        dossier=files_world.dossier, upload=ContentFile(pdf_bytes(), name=given), actor=files_world.citizen
    )

    assert record.original_name == kept
    assert kept not in record.file.name
    assert_inside(files_media, record)


@pytest.mark.parametrize("given", ["../../etc/passwd.pdf", "a/../../x.pdf"])
def test_a_hostile_name_sent_by_a_browser_is_stored_under_a_uuid(client, start_draft, make_version, files_media, given):
    draft = start_draft(make_version())
    document = draft.documents.first()
    body = (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="document"\r\n\r\n'
            f"{document.pk}\r\n"
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{given}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf_bytes()
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )

    response = client.generic(
        "POST", reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}), body, content_type=MULTIPART_CONTENT
    )

    assert response.status_code == 302
    record = DossierFile.objects.get()
    assert record.original_name == given.rsplit("/", 1)[-1]
    assert_inside(files_media, record)


def test_the_download_names_the_cleaned_name_only(client, files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier,
        upload=ContentFile(pdf_bytes(), name="../../etc/passwd.pdf"),
        actor=files_world.citizen,
    )
    client.force_login(files_world.citizen)

    response = client.get(download_url(DOSSIER_CODE, record.pk))
    b"".join(response.streaming_content)  # consumed, so the file is closed

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
