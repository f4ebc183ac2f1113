"""Check 19 — no direct file URLs.

The check: no uploaded file can be reached by URL without a signed-in, scoped request; guessing `/media/...` gives
404.

How: a file is stored (it exists under MEDIA_ROOT at `dossiers/<yyyy>/<mm>/<uuid>.pdf`), then its storage path is
requested under MEDIA_URL by an anonymous visitor, by its owner signed in, and by staff: each gets 404 and none of
its bytes. Even with DEBUG on, the URL patterns serve only the public procedure form templates from MEDIA_ROOT
(the configuration is rebuilt with DEBUG=True and the dossier path resolves to nothing). The one way to a file is
the download view: anonymous → sign-in page, another citizen or another commune's staff → the same 404 as a made-up
id, the owner and the dossier's own staff → the bytes. The file's storage name is never on a page.
"""
# ruff: noqa: F811

import importlib

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse

from dossiers.files import dossier_file_add
from tests.security.uploads_helpers import (  # noqa: F401 - fixtures
    DOSSIER_CODE,
    download_url,
    files_media,
    files_world,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

SECRET = b"%PDF-1.4\n% Hoang Thi Mai, CCCD 038190001234\n" + pdf_bytes()[9:]


@pytest.fixture
def stored(files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier, upload=upload("Giấy khai sinh.pdf", SECRET), actor=files_world.citizen
    )
    assert (files_media / record.file.name).read_bytes() == SECRET
    return record


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("who", [None, "citizen", "desk", "leader"])
def test_guessing_the_media_url_is_a_404_for_everyone(client, settings, files_world, stored, who):
    if who is not None:
        client.force_login(getattr(files_world, who))
    for url in (
        f"{settings.MEDIA_URL}{stored.file.name}",
        f"/{stored.file.name}",
        f"{settings.MEDIA_URL}dossiers/",
        f"{settings.STATIC_URL}../media/{stored.file.name}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET not in body_of(response)


def test_even_in_debug_only_the_procedure_forms_are_served_from_media(settings, stored):
    import portal.urls

    try:
        with override_settings(DEBUG=True):
            clear_url_caches()
            debug_urls = importlib.reload(portal.urls)
            with pytest.raises(Resolver404):
                resolve(f"{settings.MEDIA_URL}{stored.file.name}", urlconf=debug_urls)
            assert resolve(f"{settings.MEDIA_URL}procedure-forms/to-khai.docx", urlconf=debug_urls)
    finally:
        clear_url_caches()
        importlib.reload(portal.urls)


def test_anonymous_is_sent_to_sign_in_and_gets_no_bytes(client, stored):
    url = download_url(DOSSIER_CODE, stored.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert SECRET not in response.content


@pytest.mark.parametrize("who", ["other_citizen", "other_desk", "leader"])
def test_outside_the_scope_the_file_is_the_same_404_as_none(client, files_world, stored, who):
    client.force_login(getattr(files_world, who))

    response = client.get(download_url(DOSSIER_CODE, stored.pk))
    missing = client.get(download_url(DOSSIER_CODE, stored.pk + 1000))

    assert response.status_code == missing.status_code == 404
    assert body_of(response) == body_of(missing)


@pytest.mark.parametrize("who", ["citizen", "desk"])
def test_the_owner_and_the_dossier_s_staff_get_the_bytes_without_the_storage_name(client, files_world, stored, who):
    client.force_login(getattr(files_world, who))

    response = client.get(download_url(DOSSIER_CODE, stored.pk))

    assert response.status_code == 200
    assert body_of(response) == SECRET
    assert stored.file.name not in str(response.headers)
    page = client.get(reverse("citizen:dossier", kwargs={"code": DOSSIER_CODE})) if who == "citizen" else None
    if page is not None:
        assert page.status_code == 200
        assert stored.file.name.encode() not in page.content
        assert download_url(DOSSIER_CODE, stored.pk).encode() in page.content
