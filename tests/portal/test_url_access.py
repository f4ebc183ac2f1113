"""Every URL declares who may open it, and behaves so for an anonymous visitor and a signed-in citizen.

The list of URLs comes from the URL resolver itself (every pattern, every namespace, the admin and the
development-only static patterns included), so a new URL without a rule here fails the test
(cisagov URL_PERMISSIONS). Nothing is skipped silently: the admin is covered by a declared namespace rule.
"""

import importlib.util
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

import portal.urls
from accounts.roles import Role
from tests.procedures.conftest import SMALL

# Rules:
#   public    — anyone, signed in or not;
#   signed-in — any signed-in user (anonymous is sent to the sign-in page; others' objects are 404);
#   staff     — agency staff (a citizen is refused with 403/404, anonymous is sent to the sign-in page);
#   admin     — Django admin, is_staff accounts only (others are sent to the admin's sign-in page).
# Keys: "namespace:name" for a named URL; "route:<full route>" for an unnamed one. A key ending in "*" is a
# prefix rule (the admin namespace, the static files); an exact key wins over a prefix.
URL_ACCESS = {
    "home": "public",
    "healthz": "public",
    "login": "public",
    "logout": "public",  # POST only; signing out when not signed in just goes home
    "set_language": "public",  # POST only
    "api-schema": "public",
    "procedures:list": "public",
    "procedures:detail": "public",
    "procedures_api:list": "public",
    "procedures_api:detail": "public",
    "public-lookup": "public",
    "dossiers:list": "signed-in",
    "dossiers:register-pdf": "staff",
    "dossiers:detail": "signed-in",
    "dossiers:form-pdf": "signed-in",
    "dossiers:file-download": "signed-in",
    "dossiers:file-inline": "signed-in",
    "desk:action": "staff",
    "desk:inbox": "staff",  # officers and heads; a desk officer gets a pointer to the desk's pages, others 403
    "desk:queue": "staff",  # desk officers only; other staff and citizens get 403
    "desk:after-login": "public",  # only redirects: desk officers to their queue, everyone else home
    "desk:intake": "staff",  # the desk role only; other staff get 403
    "desk:review": "staff",  # the desk role only; other staff get 403, another agency's dossier 404
    # The admin: its own sign-in page is open, everything else in the namespace needs is_staff — named URLs
    # and the unnamed ones (object redirects, the final catch-all) alike.
    "admin:login": "public",
    "admin:logout": "public",  # signing out protects nothing; a non-staff visitor is sent to the admin index
    "admin:*": "admin",
    # Served by Django in development only (DEBUG): the public procedure form templates.
    "route:^media/procedure\\-forms/*": "public",
}
RULES = {"public", "signed-in", "staff", "admin"}
POST_ONLY = {"logout", "set_language"}

# Values for the URL parameters, so every pattern can be requested.
SAMPLE_KWARGS = {
    "code": "1.001193",
    "key": "receipt",
    "file_id": "1",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "app_label": "procedures",
    "url": "no-such-page/",
    "path": "no-such-form.pdf",
    "action": "forward",
}


@dataclass(frozen=True)
class Url:
    key: str
    route: str

    @property
    def sample_path(self) -> str:
        """A concrete path for the pattern, its parameters filled with sample values."""
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLE_KWARGS[m[1]], self.route)  # regex groups
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_KWARGS[m[1]], path)  # route converters
        return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def walk(patterns, namespace: str = "", prefix: str = "") -> Iterator[Url]:
    """Every pattern under `patterns`, recursively through includes and namespaces."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else f"{namespace}route:{route}"
            yield Url(key=key, route=route)
        else:  # pragma: no cover - Django has no third kind
            raise AssertionError(f"unknown URL entry {entry!r}")


def rule_for(key: str) -> str | None:
    if key in URL_ACCESS:
        return URL_ACCESS[key]
    prefixes = [k for k in URL_ACCESS if k.endswith("*") and key.startswith(k[:-1])]
    return URL_ACCESS[max(prefixes, key=len)] if prefixes else None


def debug_urlpatterns(settings) -> list:
    """portal/urls.py as it is built with DEBUG on (it adds the static patterns), loaded as a separate module."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location("portal_urls_with_debug", portal.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.urlpatterns


def all_urls(settings) -> list[Url]:
    live = list(walk(get_resolver().url_patterns))
    debug_only = [url for url in walk(debug_urlpatterns(settings)) if url not in live]
    return live + debug_only


# --- Every URL is declared ---------------------------------------------------------------------------------


def test_every_url_declares_a_known_access_rule(settings):
    urls = all_urls(settings)
    undeclared = sorted(url.key for url in urls if rule_for(url.key) is None)
    assert undeclared == [], f"add an access rule to URL_ACCESS for: {undeclared}"
    assert {rule_for(url.key) for url in urls} <= RULES


def test_the_walk_reaches_namespaces_the_admin_and_the_static_patterns(settings):
    keys = {url.key for url in all_urls(settings)}
    assert {"procedures_api:detail", "dossiers:file-download", "admin:index", "admin:app_list"} <= keys
    assert "admin:route:admin/(?P<url>.*)$" in keys  # the admin's unnamed catch-all
    assert any(key.startswith("route:^media/procedure") for key in keys)


def test_no_rule_is_stale(settings):
    """A rule whose URL is gone fails too, so the table stays the list of what exists."""
    keys = {url.key for url in all_urls(settings)}
    stale = [
        rule
        for rule in URL_ACCESS
        if not (any(key.startswith(rule[:-1]) for key in keys) if rule.endswith("*") else rule in keys)
    ]
    assert stale == []


# --- Every URL behaves as declared --------------------------------------------------------------------------


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="citizen", password="Demo@2026", full_name="Hoàng Thị Mai")


def _refusals(url: Url, rule: str, who: str, response) -> list[str]:
    status, location = response.status_code, response.get("Location", "")
    problem = None
    if status >= 500:
        problem = "server error"
    elif rule == "public":
        if status in (401, 403) or "/login/" in location:
            problem = "refused a public URL"
    elif who == "anonymous" and rule in ("signed-in", "staff"):
        if not (status == 302 and location.startswith("/accounts/login/?next=")):
            problem = "did not send anonymous to sign in"
    elif rule == "signed-in":
        if status not in (200, 404) or location:
            problem = "did not serve a signed-in citizen (or 404 for what is not theirs)"
    elif rule == "staff":
        if status not in (403, 404):
            problem = "did not refuse a citizen"
    elif rule == "admin":
        if not (status == 302 and location.startswith("/admin/login/")):
            problem = "did not send a non-staff visitor to the admin's sign-in page"
    return [f"{url.key} ({url.sample_path}) as {who}: {rule} but {status} {location} — {problem}"] if problem else []


@pytest.mark.django_db
def test_staff_urls_serve_agency_staff(client, make_staff):
    """The other side of "staff": a desk officer is not refused (the citizen check above cannot tell)."""
    client.force_login(make_staff("desk", role=Role.DESK, agency_id="000.00.31.H56"))
    staff_urls = [url for url in walk(get_resolver().url_patterns) if rule_for(url.key) == "staff"]
    assert staff_urls
    for url in staff_urls:
        response = client.get(url.sample_path, {"from": "01/03/2026", "to": "31/03/2026"})
        # A URL about one dossier answers 404 for the sample code (no such dossier): it must not refuse the role.
        refused = (401, 403) if "(?P<code>" in url.route else (401, 403, 404)
        assert response.status_code not in refused, url.key
        assert "/login/" not in response.get("Location", ""), url.key


@pytest.mark.django_db
def test_every_url_behaves_as_its_rule_says_for_anonymous_and_a_citizen(client, citizen):
    call_command("import_procedures", str(SMALL), verbosity=0)  # so public detail pages have something to show
    failures = []
    for url in walk(get_resolver().url_patterns):
        rule = rule_for(url.key)
        assert rule is not None, url.key
        for who in ("anonymous", "citizen"):
            client.logout()
            if who == "citizen":
                client.force_login(citizen)
            method = client.post if url.key in POST_ONLY else client.get
            failures += _refusals(url, rule, who, method(url.sample_path))
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/accounts/login/", "/procedures/", "/api/schema/", "/api/procedures/", "/tra-cuu/"]
)
def test_public_pages_open_without_signing_in(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_sends_anonymous_to_sign_in_and_refuses_citizens(client, citizen):
    assert client.get("/admin/").status_code == 302
    client.force_login(citizen)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_undeclared_url_is_reported(monkeypatch):
    """The check itself: a URL with no rule is found (guards against a walk that silently skips)."""
    from django.urls import path

    extra = [*portal.urls.urlpatterns, path("secret-report/", lambda request: None, name="secret-report")]
    keys = {url.key for url in walk(extra)}
    assert "secret-report" in keys
    assert rule_for("secret-report") is None
