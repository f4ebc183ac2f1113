"""The public part of API v1: the catalogue under /api/v1/ (the old URLs answer 301 there), the public lookup
(the page's data and rate limit), the schema and its Swagger UI served from the portal itself."""

import pytest

from tests.dossiers.conftest import COMMUNE

pytestmark = pytest.mark.django_db


def test_the_old_catalogue_urls_redirect_permanently(client):
    response = client.get("/api/procedures/", {"q": "khai sinh"})
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/procedures/?q=khai+sinh"
    response = client.get("/api/procedures/1.001193/")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/procedures/1.001193/")
    response = client.get("/api/schema/")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/schema/")


def test_the_lookup_answers_what_the_page_shows(api, submitted, agencies):
    dossier = submitted()
    response = api.get("/api/v1/lookup/", {"code": f"  {dossier.code.lower()} "})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == dossier.code
    assert body["applicant_initials"] == "H. T. M."
    assert body["receiving_agency"] == agencies[COMMUNE].name
    assert "Hoàng" not in str(body)


def test_the_lookup_refuses_bad_input_and_unknown_codes(api):
    assert api.get("/api/v1/lookup/").json()["code"] == "required"
    bad = api.get("/api/v1/lookup/", {"code": "x'; drop"})
    assert (bad.status_code, bad.json()["field"]) == (400, "code")
    assert api.get("/api/v1/lookup/", {"code": "H56-000"}).status_code == 404


def test_the_lookup_shares_the_page_s_limit(api, client, settings):
    settings.PUBLIC_LOOKUP_LIMIT = 2
    client.get("/tra-cuu/", {"ma": "H56-1"})
    assert api.get("/api/v1/lookup/", {"code": "H56-2"}).status_code == 404
    response = api.get("/api/v1/lookup/", {"code": "H56-3"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_swagger_ui_is_served_locally_without_inline_script(client):
    response = client.get("/api/v1/docs/")
    page = response.content.decode()
    # Its policy admits the inline styles Swagger UI draws with, never an inline or third-party script.
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["script-src"].startswith("'self' 'nonce-")
    assert "unsafe" not in policy["script-src"]
    assert policy["style-src"] == "'self' 'unsafe-inline'"
    assert policy["frame-ancestors"] == "'none'"
    assert "<script>" not in page.replace(" ", "")  # the init script is a separate file (strict CSP)
    assert "cdn" not in page.lower()
    assert "unpkg" not in page
    assert "jsdelivr" not in page
    assert "/static/drf_spectacular_sidecar/" in page
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert "/api/v1/citizen/drafts/{id}/submit/" in schema["paths"]


def test_errors_follow_accept_language_and_default_to_vietnamese(api):
    vietnamese = api.get("/api/v1/procedures/9.999999/")
    english = api.get("/api/v1/procedures/9.999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert (vietnamese.status_code, english.status_code) == (404, 404)
    assert vietnamese.json() == {"code": "not_found", "message": "Không tìm thấy.", "field": None}
    assert english.json() == {"code": "not_found", "message": "Not found.", "field": None}
    assert "đăng nhập" in api.get("/api/v1/citizen/dossiers/").json()["message"]
