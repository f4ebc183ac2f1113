"""Check 12 — cookie attributes.

The check: with production settings the session and CSRF cookies are `Secure` and `SameSite=Lax`, the session
cookie `HttpOnly`, both named with the `__Host-` prefix; a cookie-authenticated POST without a CSRF token → 403.

How the tests show it: `portal/settings.py` is loaded in a fresh process with a production environment (DEBUG off,
not testing) and its cookie settings read back; a sign-in under exactly those settings is answered with `Set-Cookie`
headers that carry the names and attributes (`Secure`, `HttpOnly` for the session, `SameSite=Lax`, `Path=/`, no
`Domain`, as a `__Host-` cookie requires). A signed-in client that enforces CSRF checks and posts without the token
(to sign out, and to a staff form) gets 403 and nothing changes.
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import json
from http.cookies import SimpleCookie

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.portal.test_settings import run_manage
from tests.security.auth_support import PASSWORD, demo_accounts  # noqa: F401

pytestmark = pytest.mark.django_db

NAMES = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
]


@pytest.fixture(scope="module")
def production_cookie_settings() -> dict:
    code = (
        "from django.conf import settings as s; import json;"
        f" print(json.dumps({{n: getattr(s, n) for n in {NAMES!r}}}))"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_name_and_flag_the_cookies(production_cookie_settings):
    s = production_cookie_settings
    assert s["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert s["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SESSION_COOKIE_PATH"] == s["CSRF_COOKIE_PATH"] == "/"
    assert s["SESSION_COOKIE_DOMAIN"] is None
    assert s["CSRF_COOKIE_DOMAIN"] is None


def test_set_cookie_carries_the_attributes(production_cookie_settings, demo_accounts):
    with override_settings(**production_cookie_settings):
        client = Client()
        form = client.get(reverse("login"), secure=True)
        csrf = form.cookies["__Host-csrftoken"]
        response = client.post(
            reverse("login"), {"username": "citizen", "password": PASSWORD}, secure=True, follow=False
        )
        session = response.cookies["__Host-sessionid"]

    assert response.status_code == 302
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert session["httponly"] is True
    # The raw header, as a browser reads it.
    raw = SimpleCookie(response.cookies.output(header="", sep="\n"))
    assert "__Host-sessionid" in raw
    header = response.cookies["__Host-sessionid"].OutputString()
    assert "Secure" in header
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header


def test_a_cookie_authenticated_post_without_a_csrf_token_is_refused(demo_accounts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_accounts["citizen"])
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert client.get(reverse("accounts:profile")).status_code == 200  # still signed in

    profile = client.post(reverse("accounts:profile"), {"full_name": "Kẻ Giả Mạo"})
    assert profile.status_code == 403
    demo_accounts["citizen"].refresh_from_db()
    assert demo_accounts["citizen"].full_name != "Kẻ Giả Mạo"


def test_the_same_post_with_the_token_goes_through(demo_accounts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_accounts["citizen"])
    page = client.get(reverse("accounts:profile"))
    token = page.context["csrf_token"]
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": str(token)}).status_code == 302
