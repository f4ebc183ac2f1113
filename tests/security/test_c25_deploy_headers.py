"""Check 25 — deployment check and response headers.

The check demands that `manage.py check --deploy --fail-level WARNING` exits 0 with production settings, that every
HTML response carries HSTS of at least a year, a Content-Security-Policy with `frame-ancestors 'none'` and no host
other than the portal itself, `X-Content-Type-Options: nosniff` and a `Referrer-Policy`, and that `TRACE /` is
refused with 405.

The deploy check runs in a fresh process with DEBUG off, as a deployer starts the portal, which also prints the
production header settings. Then every page of the portal that takes no parameter (taken from the URL resolver, so
a new page is covered as soon as it exists) is requested over HTTPS, anonymously and as a signed-in leader, with the
production HSTS settings, and every HTML answer's headers are read; the error pages (404, 500, 503) too.
"""

import json
import re

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.urls import path

from accounts.roles import Role
from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns
from tests.portal.test_settings import run_manage
from tests.portal.url_walk import live_urls

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-0123456789abcdef",
    "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
}
YEAR = 31536000
# Sources that stay on the portal's own origin (or name none at all).
OWN_SOURCES = re.compile(r"'self'|'none'|'nonce-[A-Za-z0-9_-]+'|data:|sandbox")


def boom(request):
    raise RuntimeError("planted failure")


urlpatterns = [*portal_urlpatterns, path("test-boom/", boom)]
__all__ = ["handler500"]


def test_check_deploy_at_warning_level_exits_0_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_send_hsts_for_a_year_and_the_strict_policy():
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_CONTENT_TYPE_NOSNIFF,"
        " s.SECURE_REFERRER_POLICY, s.SECURE_SSL_REDIRECT, s.CONTENT_SECURITY_POLICY]))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    hsts, subdomains, nosniff, referrer, redirect, policy = json.loads(result.stdout)
    assert hsts >= YEAR
    assert subdomains is True
    assert nosniff is True
    assert referrer == "same-origin"
    assert redirect is True
    assert_strict_policy(policy.format(nonce="abc"))


# The API's interactive docs draw with inline styles (api/public.py); scripts stay strict there too.
INLINE_STYLE_PAGES = ("/api/v1/docs/", "/api/v1/redoc/")


def assert_strict_policy(policy: str, *, inline_styles: bool = False) -> None:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    if inline_styles:
        parsed["style-src"] = [source for source in parsed["style-src"] if source != "'unsafe-inline'"]
    assert parsed["frame-ancestors"] == ["'none'"]
    assert parsed["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in parsed["script-src"]
    assert "'unsafe-eval'" not in parsed["script-src"]
    foreign = [source for sources in parsed.values() for source in sources if not OWN_SOURCES.fullmatch(source)]
    assert not foreign, f"sources outside the portal: {foreign}"


def assert_html_headers(response, label: str) -> None:
    assert response["Strict-Transport-Security"].startswith(f"max-age={YEAR}"), label
    assert response["X-Content-Type-Options"] == "nosniff", label
    assert response["Referrer-Policy"] == "same-origin", label
    assert_strict_policy(response["Content-Security-Policy"], inline_styles=label.startswith(INLINE_STYLE_PAGES))


@pytest.fixture
def production_headers(settings):
    settings.SECURE_HSTS_SECONDS = YEAR
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True


def simple_pages() -> list[str]:
    """Every GET-able route without parameters, from the resolver (a new page is walked as soon as it exists)."""
    paths = []
    for url in live_urls():
        if url.kwargs or "(?P" in url.route or url.route.startswith(("admin/", "static/", "media/")):
            continue
        concrete = url.path({})
        if "^" in url.route or "$" in url.route:
            concrete = concrete.replace("^", "").replace("$", "")
        paths.append(concrete)
    return sorted(set(paths))


@pytest.mark.django_db
def test_every_html_page_carries_the_headers_for_anyone(client, make_staff, production_headers):
    leader = make_staff("leader", role=Role.LEADER, agency_id="000.00.00.H56")
    html_seen = 0
    for who in (None, leader):
        if who is not None:
            client.force_login(who)
        for page in [*simple_pages(), "/admin/login/"]:
            response = client.get(page, secure=True)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            html_seen += 1
            assert_html_headers(response, f"{page} as {who or 'anonymous'} ({response.status_code})")
    assert html_seen > 20


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_error_pages_carry_the_headers_too(client, production_headers, monkeypatch):
    client.raise_request_exception = False
    assert_html_headers(client.get("/no-such-page/", secure=True), "404")
    assert_html_headers(client.get("/test-boom/", secure=True), "500")

    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/procedures/", secure=True)
    assert response.status_code == 503
    assert_html_headers(response, "503")


@pytest.mark.django_db
def test_trace_is_refused_with_405(client):
    response = client.generic("TRACE", "/", secure=True)
    assert response.status_code == 405
    assert b"TRACE" not in response.content
