"""Download headers of dossier files: an attachment is sandboxed, never sniffed or cached, and keeps its Vietnamese
name (RFC 6266 `filename*`); a file shown inline is framed by this site only."""
# The fixtures come from tests/dossiers/files_fixtures.py; a test's parameter of the same name is how they are used.
# ruff: noqa: F811

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.dossiers.files_fixtures import (  # noqa: F401
    DOSSIER_CODE,
    files_media,
    files_world,
    pdf_bytes,
    png_bytes,
)
from tests.dossiers.test_files import add, fetch

pytestmark = pytest.mark.django_db


def test_a_download_is_a_sandboxed_attachment_under_its_vietnamese_name(client, files_world, files_media):
    record = add(files_world, "Giấy khai sinh của bé.pdf", pdf_bytes())
    url = reverse("dossiers:file-download", kwargs={"code": DOSSIER_CODE, "file_id": record.pk})

    response, body = fetch(client, files_world.desk, url)

    assert response.status_code == 200
    assert body == pdf_bytes()
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"filename*=utf-8''{quote('Giấy khai sinh của bé.pdf')}" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "make", "policy"),
    [
        ("Giấy khai sinh.pdf", pdf_bytes, "frame-ancestors 'self'"),
        ("ảnh chân dung.png", png_bytes, "sandbox; frame-ancestors 'self'"),
    ],
)
def test_a_file_shown_inline_is_framed_by_this_site_only(client, files_world, files_media, name, make, policy):
    record = add(files_world, name, make())
    url = reverse("dossiers:file-inline", kwargs={"code": DOSSIER_CODE, "file_id": record.pk})

    response, _body = fetch(client, files_world.desk, url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
