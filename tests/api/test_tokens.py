"""API tokens: issued once and stored as a digest, refused when revoked, expired, or when the user or integration
is deactivated (401 with the error body), last use written at most once a minute; issue and revoke by the
management command, the admin and the signed-in person's own endpoint (staff only after the second factor)."""

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core.management import call_command

from api.models import ApiToken, Integration
from api.tokens import token_issue
from tests.dossiers.conftest import at

NOW = at("2026-03-02 09:00")
MINE = "/api/v1/citizen/dossiers/"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_token_is_stored_only_as_its_digest_and_authenticates(api, people, clock):
    token, raw = token_issue(user=people["citizen"], name="app", days=30)
    prefix, secret = raw.split(".")
    assert token.prefix == prefix
    assert len(secret) >= 40
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    response = api.get(MINE, **bearer(raw))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == NOW


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda t: ApiToken.objects.filter(pk=t.pk).update(revoked_at=NOW), "token_revoked"),
        (lambda t: ApiToken.objects.filter(pk=t.pk).update(expires_at=NOW), "token_expired"),
        (lambda t: type(t.user).objects.filter(pk=t.user_id).update(is_active=False), "user_inactive"),
    ],
)
def test_a_spoilt_token_is_refused_with_401_and_the_error_body(api, people, clock, spoil, code):
    token, raw = token_issue(user=people["citizen"], name="app", days=30)
    spoil(token)
    response = api.get(MINE, **bearer(raw))
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert set(response.json()) >= {"code", "message", "field"}


def test_an_unknown_or_malformed_token_is_401(api, db):
    for raw in ("abcd1234.nope", "no-dot", "a b"):
        response = api.get(MINE, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401, raw
    assert api.get(MINE).status_code == 401
    assert api.get(MINE)["WWW-Authenticate"] == "Bearer"


def test_an_inactive_integration_s_token_is_refused(api, people, clock):
    integration = Integration.objects.create(name="Quản lý văn bản", slug="qlvb", account=people["citizen"])
    _token, raw = token_issue(user=people["citizen"], integration=integration, name="qlvb", days=30)
    assert api.get(MINE, **bearer(raw)).status_code == 200
    Integration.objects.filter(pk=integration.pk).update(is_active=False)
    response = api.get(MINE, **bearer(raw))
    assert response.status_code == 401
    assert response.json()["code"] == "integration_inactive"


def test_last_used_is_written_at_most_once_a_minute(api, people, clock):
    token, raw = token_issue(user=people["citizen"], name="app", days=30)
    api.get(MINE, **bearer(raw))
    clock.shift(dt.timedelta(seconds=30))
    api.get(MINE, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == NOW
    clock.shift(dt.timedelta(seconds=31))
    api.get(MINE, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(seconds=61)


def test_the_command_prints_the_token_once(api, people, clock):
    out = io.StringIO()
    call_command("api_token_issue", "--user", "mai", "--days", "7", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=people["citizen"])
    assert token.expires_at == NOW + dt.timedelta(days=7)
    assert api.get(MINE, **bearer(raw)).status_code == 200


def test_self_service_issue_list_and_revoke(citizen_api, api, people, clock):
    response = citizen_api.post("/api/v1/tokens/", {"name": "điện thoại", "days": 10}, format="json")
    assert response.status_code == 201
    raw, token_id = response.json()["token"], response.json()["id"]
    listed = citizen_api.get("/api/v1/tokens/").json()["results"]
    assert [row["id"] for row in listed] == [token_id]
    assert "token" not in listed[0]
    assert "digest" not in listed[0]
    other = api.__class__()
    assert other.get(MINE, **bearer(raw)).status_code == 200
    # A token cannot issue or revoke tokens: only the signed-in session can.
    assert other.post("/api/v1/tokens/", {}, format="json", **bearer(raw)).status_code == 403
    assert citizen_api.delete(f"/api/v1/tokens/{token_id}/").status_code == 200
    assert other.get(MINE, **bearer(raw)).status_code == 401


def test_someone_else_s_token_cannot_be_revoked(citizen_api, people, clock):
    token, _raw = token_issue(user=people["other_citizen"], name="x", days=5)
    assert citizen_api.delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(("verified", "status"), [(False, 403), (True, 201)])
def test_staff_issue_a_token_only_after_the_second_factor(api, people, clock, monkeypatch, verified, status):
    """django-otp's OTPMiddleware gives the session's user `is_verified()`; stubbed here on the request's user."""
    from api import auth  # noqa: F401 - the session authenticator below is DRF's

    officer = people["officer"]
    api.force_authenticate(officer)
    officer.is_verified = lambda: verified
    response = api.post("/api/v1/tokens/", {"name": "desk"}, format="json")
    assert response.status_code == status
    assert ApiToken.objects.filter(user=officer).exists() is verified
    if not verified:
        assert response.json()["code"] == "second_factor_required"


def test_the_admin_never_shows_the_digest_and_revokes(admin_client, people, clock):
    token, _raw = token_issue(user=people["citizen"], name="app", days=5)
    page = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.prefix in page
    assert token.digest not in page
    admin_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    token.refresh_from_db()
    assert token.revoked_at == NOW


def test_a_session_write_needs_the_csrf_token(people, db):
    """Session authentication enforces CSRF on writes (a token request carries no cookie, so needs none)."""
    from rest_framework.test import APIClient

    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(people["citizen"])
    response = browser.post("/api/v1/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not ApiToken.objects.exists()
    browser.get("/accounts/login/")  # sets the CSRF cookie, as the site's pages do
    token = browser.cookies["csrftoken"].value
    assert browser.post("/api/v1/tokens/", {"name": "x"}, format="json", HTTP_X_CSRFTOKEN=token).status_code == 201


def test_the_command_issues_an_integration_s_token_only_to_its_service_account(api, people, clock):
    from django.core.management.base import CommandError

    Integration.objects.create(name="Ứng dụng di động", slug="mobile", account=people["other_citizen"])
    with pytest.raises(CommandError, match="tài khoản dịch vụ"):
        call_command("api_token_issue", "--user", "mai", "--integration", "mobile", stdout=io.StringIO())
    out = io.StringIO()
    call_command("api_token_issue", "--user", "lan", "--integration", "mobile", stdout=out, stderr=io.StringIO())
    assert ApiToken.objects.get().integration.slug == "mobile"
    with pytest.raises(CommandError, match="1 đến 365"):
        call_command("api_token_issue", "--user", "lan", "--days", "400", stdout=io.StringIO())
