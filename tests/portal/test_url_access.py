"""Every URL declares who may open it, and behaves so for an anonymous visitor and a signed-in citizen.

The list of URLs comes from the URL resolver itself (every pattern, every namespace, the admin and the
development-only static patterns included), so a new URL without a rule fails the test (cisagov URL_PERMISSIONS).
A URL's rule lives in one of two places, never both:

- on its view, for every URL that is not public: `@staff_only(roles=[...], scope=...)` or `@staff_or_owner(...)`
  from `portal/access.py` (docs/conventions.md "Access"), which enforces the roles and records the rule;
- in URL_ACCESS below, for the public URLs and the Django admin (which has its own is_staff rule).

tests/desk/test_access_matrix.py then requests every declared URL as each kind of user.
"""

import importlib.util

import pytest
from django.core.management import call_command
from django.test import RequestFactory

import portal.urls
from accounts.roles import Role
from portal.access import FIGURES, SCOPES, Access, access_of, staff_only, staff_or_owner
from tests.portal.url_walk import Url, declared_urls, live_urls, walk
from tests.procedures.conftest import SMALL

# Rules for the URLs whose views declare nothing:
#   public — anyone, signed in or not;
#   admin  — Django admin, is_staff accounts only (others are sent to the admin's sign-in page).
# Every other URL declares its rule on its view (portal/access.py); "staff" or "signed-in" here is refused.
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
    # On-time shares and processing times per procedure and agency: figures only, no dossier (docs/transparency.md).
    "transparency:home": "public",
    "result-verify": "public",  # a signed token proves a result; no file, no personal data (dossiers/verification.py)
    "desk:after-login": "public",  # only redirects: desk officers to their queue, everyone else home
    # Online payment (docs/domain.md §10.2): the platform's notification is authenticated by its integrity code;
    # the return page shows only the signed-in owner's payment (anyone else, anonymous included: 404); the fake
    # platform is the platform's own page (404 unless settings.PAYMENT_FAKE_ENABLED).
    "payments:notify": "public",  # POST only
    "payments:return": "public",
    "payments:fake-pay": "public",  # 404 unless PAYMENT_FAKE_ENABLED
    # The citizen's own account (issue 9): signing up, the code, a forgotten password. The profile is declared on
    # its view (@citizen_only).
    "accounts:signup": "public",
    "accounts:confirm": "public",
    "accounts:password-reset-phone": "public",
    # The TOTP step after the password: anonymous → sign-in, citizens pass through; staff only give their code.
    "accounts:otp": "public",
    # Sign-in through VNeID (docs/vneid.md): 404 unless VNEID_ENABLED; the callback is protected by state and nonce.
    # The fake provider is the provider's own pages (404 unless VNEID_FAKE_ENABLED).
    "accounts:vneid-login": "public",
    "accounts:vneid-callback": "public",
    "vneid_fake:authorize": "public",
    "vneid_fake:token": "public",  # POST only
    "vneid_fake:userinfo": "public",
    "vneid_fake:jwks": "public",
    # The fake national sync receiver: a machine endpoint with its own token (404 unless NATSYNC_FAKE_ENABLED).
    "natsync:fake-receive": "public",  # POST only
    # The national portal posts submitted dossiers here, authenticated by its token (404 without one).
    "natsync_inbound:inbound": "public",  # POST only
    "password_reset": "public",
    "password_reset_done": "public",
    "password_reset_confirm": "public",
    "password_reset_complete": "public",
    # The admin: its own sign-in page is open, everything else in the namespace needs is_staff — named URLs
    # and the unnamed ones (object redirects, the final catch-all) alike.
    "admin:login": "public",
    "admin:logout": "public",  # signing out protects nothing; a non-staff visitor is sent to the admin index
    "admin:*": "admin",
    # API v1 (docs/api.md): the catalogue, the public lookup, the schema and its docs are open; the old catalogue
    # and schema URLs redirect there. A DRF view's permission classes hold its rule: "api-citizen" — citizens only
    # (anonymous 401, staff 403: tests/api/test_access.py); "api-signed-in" — anyone signed in (their own tokens).
    "api:procedure-list": "public",
    "api:procedure-detail": "public",
    "api:lookup": "public",
    "api:schema": "public",
    "api:docs": "public",
    "api:redoc": "public",
    "api:token-list": "api-signed-in",
    "api:token-detail": "api-signed-in",
    "api:citizen-*": "api-citizen",
    # Served by Django in development only (DEBUG): the public procedure form templates.
    "route:^media/procedure\\-forms/*": "public",
}
RULES = {"public", "admin", "api-citizen", "api-signed-in"}
POST_ONLY = {
    "logout",
    "set_language",
    "payments:notify",
    "citizen:pay",
    "citizen:wizard-upload",
    "citizen:wizard-file-remove",
    "citizen:wizard-reuse",
    "citizen:wizard-submit",
    "vneid_fake:token",
    "natsync:fake-receive",
    "natsync_inbound:inbound",
    "privacy:export",
    "privacy:erasure",
}

# Values for the URL parameters, so every pattern can be requested (no such objects exist: object URLs are 404).
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
    "token": "f1:not-a-signature-at-all-xxxxxxxxxxxxxxxxxx",
    "ref": "dvc000000",
    "uidb64": "MQ",
    "procedure_code": "1.001193",
    "pk": "1",
    "step": "nguoi-nop",
    "feedback_id": "1",
    "kind": "create",
}


def table_rule(key: str) -> str | None:
    if key in URL_ACCESS:
        return URL_ACCESS[key]
    prefixes = [k for k in URL_ACCESS if k.endswith("*") and key.startswith(k[:-1])]
    return URL_ACCESS[max(prefixes, key=len)] if prefixes else None


def rule_for(url: Url) -> str | Access | None:
    """The URL's one rule: its view's declaration, else its URL_ACCESS entry, else None."""
    return url.access or table_rule(url.key)


def debug_urlpatterns(settings) -> list:
    """portal/urls.py as it is built with DEBUG on (it adds the static patterns), loaded as a separate module."""
    settings.DEBUG = True
    spec = importlib.util.spec_from_file_location("portal_urls_with_debug", portal.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.urlpatterns


def all_urls(settings) -> list[Url]:
    live = live_urls()
    keys = {url.key for url in live}
    debug_only = [url for url in walk(debug_urlpatterns(settings)) if url.key not in keys]
    return live + debug_only


def rule_problems(urls: list[Url]) -> list[str]:
    """What is wrong with the URLs' rules: none, two, or one this file does not know."""
    problems = []
    for url in urls:
        declared, listed = url.access, table_rule(url.key)
        if declared is None and listed is None:
            problems.append(f"{url.key}: no rule — declare it on the view with @staff_only (docs/conventions.md)")
        elif declared is not None and listed is not None:
            problems.append(f"{url.key}: declared on the view and listed in URL_ACCESS ({listed!r}); keep one")
        elif listed is not None and listed not in RULES:
            problems.append(f"{url.key}: {listed!r} in URL_ACCESS — declare the rule on the view with @staff_only")
    return problems


# --- Every URL is declared ---------------------------------------------------------------------------------


def test_every_url_has_exactly_one_known_access_rule(settings):
    assert rule_problems(all_urls(settings)) == []


def test_every_desk_url_and_every_dossier_page_is_declared_on_its_view():
    """The staff's screens and the pages that show a dossier carry their rule, roles and scope on the view."""
    urls = {url.key: url for url in live_urls()}
    declared = {url.key for url in declared_urls()}
    staff_side = {key for key in urls if key.startswith(("desk:", "dossiers:"))} - {"desk:after-login"}
    assert staff_side <= declared
    for key in declared - citizen_only_keys(urls):
        access = urls[key].access
        assert access.roles, key
        assert access.scope in SCOPES, key
        # A province leader reaches no dossier, file, form or step list (docs/domain.md §2, §11): only figures.
        if Role.LEADER in access.roles:
            assert access.scope == FIGURES, key


# The citizen's rating and feedback pages (feedback/): their own dossiers and feedback only.
CITIZEN_FEEDBACK_KEYS = {"feedback:rate", "feedback:new", "feedback:mine", "feedback:detail"}


def citizen_only_keys(urls) -> set[str]:
    """The citizen's own pages: the profile, everything in the `citizen` namespace (wizard, my dossiers), rating
    and feedback, and their personal data (`privacy`: export, erasure request)."""
    return {"accounts:profile", *CITIZEN_FEEDBACK_KEYS} | {
        key for key in urls if key.startswith(("citizen:", "privacy:"))
    }


def test_the_citizen_s_own_pages_admit_no_staff_role():
    urls = {url.key: url for url in live_urls()}
    keys = citizen_only_keys(urls)
    assert "citizen:pay" in keys
    for key in keys:
        assert urls[key].access == Access(roles=(), scope=None, owner=True), key


def test_the_dossier_pages_admit_their_owner_and_staff_but_not_a_leader():
    urls = {url.key: url for url in live_urls()}
    for key in ("dossiers:list", "dossiers:detail", "dossiers:form-pdf", "dossiers:file-download"):
        access = urls[key].access
        assert access.owner, key
        assert access.scope == "dossier", key
        assert set(access.roles) == {Role.DESK, Role.OFFICER, Role.HEAD, Role.ADMIN}, key


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


def _view(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


def test_an_undeclared_url_is_reported():
    """The check itself: a view with no rule is found; the same view declared is not."""
    from django.urls import path

    declared = staff_only(roles=[Role.DESK], scope="desk")(_view)
    extra = [
        *portal.urls.urlpatterns,
        path("secret-report/", _view, name="secret-report"),
        path("desk-report/", declared, name="desk-report"),
    ]
    urls = {url.key: url for url in walk(extra)}
    assert rule_problems([urls["secret-report"]]) == [
        "secret-report: no rule — declare it on the view with @staff_only (docs/conventions.md)"
    ]
    assert rule_problems([urls["desk-report"]]) == []
    assert urls["desk-report"].access == Access(roles=("desk",), scope="desk")


def test_a_staff_rule_left_in_the_table_is_reported(monkeypatch):
    """A branch that lists its new URL as "staff" in URL_ACCESS is told to declare it on the view instead."""
    from django.urls import path

    monkeypatch.setitem(URL_ACCESS, "new-staff-page", "staff")
    (url,) = walk([path("new/", _view, name="new-staff-page")])
    assert rule_problems([url]) == [
        "new-staff-page: 'staff' in URL_ACCESS — declare the rule on the view with @staff_only"
    ]


# --- The decorator records and enforces ----------------------------------------------------------------------


def test_a_declaration_survives_other_decorators_and_is_read_from_a_class_based_view():
    from django.views import View
    from django.views.decorators.http import require_GET

    wrapped = require_GET(staff_or_owner(roles=[Role.OFFICER])(_view))
    assert access_of(wrapped) == Access(roles=("officer",), scope="dossier", owner=True)

    class Page(View):
        access = Access(roles=("desk",), scope="desk")

    assert access_of(Page.as_view()) == Page.access
    assert access_of(_view) is None


@pytest.mark.parametrize(
    ("roles", "scope"),
    [([], "desk"), (["citizen"], "desk"), (["desk"], "province"), (["superuser"], None)],
)
def test_a_malformed_rule_is_refused_when_the_module_loads(roles, scope):
    with pytest.raises(ValueError, match="access"):
        staff_only(roles=roles, scope=scope)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("officer", 403), ("leader", 403), ("desk", 200)],
)
def test_the_decorator_enforces_the_roles(make_staff, django_user_model, who, status):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.cache import SessionStore

    view = staff_only(roles=[Role.DESK], scope="desk")(_view)
    request = RequestFactory().get("/desk-report/?x=1")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    if who == "anonymous":
        request.user = AnonymousUser()
    elif who == "citizen":
        request.user = django_user_model.objects.create_user(username="mai", password="x")
    else:
        request.user = make_staff(who, role=Role(who), agency_id="000.00.31.H56")
    response = view(request)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == "/accounts/login/?next=/desk-report/%3Fx%3D1"
    if who == "leader":
        assert "Tài khoản lãnh đạo và giám sát" in response.content.decode()
    elif status == 403:
        assert "Trang này chỉ dành cho: Cán bộ Bộ phận Một cửa." in response.content.decode()


# --- Every URL behaves as declared for anonymous and a citizen -----------------------------------------------


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="citizen", password="Demo@2026", full_name="Hoàng Thị Mai")


def sample_path(url: Url) -> str:
    return url.path(SAMPLE_KWARGS)


def _problem(rule: str | Access, who: str, status: int, location: str, *, api: bool = False) -> str | None:
    if status >= 500:
        return "server error"
    if rule == "public":
        return "refused a public URL" if status in (401, 403) or "/login/" in location else None
    if rule == "admin":
        ok = status == 302 and location.startswith("/admin/login/")
        return None if ok else "did not send a non-staff visitor to the admin's sign-in page"
    if rule in ("api-citizen", "api-signed-in"):
        if who == "anonymous":
            return None if status == 401 else "did not answer 401 to an anonymous API call"
        return "refused a signed-in citizen" if status in (401, 403) else None
    if who == "anonymous" and api:
        return None if status in (401, 403) else "the API did not refuse anonymous (401/403)"
    if who == "anonymous":
        ok = status == 302 and location.startswith("/accounts/login/?next=")
        return None if ok else "did not send anonymous to sign in"
    if rule.owner:
        # The staff's list and dossier page send a citizen to their own pages (citizen/views_mine.py).
        # The personal-data page answers a posted request by sending the citizen back to it (privacy/views.py).
        own_pages = ("/ho-so-cua-toi/", "/du-lieu-cua-toi/")
        ok = (status in (200, 404) and not location) or (status == 302 and location.startswith(own_pages))
        return None if ok else "did not serve a signed-in citizen (or 404 for what is not theirs)"
    return None if status in (403, 404) else "did not refuse a citizen"


@pytest.mark.django_db
def test_every_url_behaves_as_its_rule_says_for_anonymous_and_a_citizen(client, citizen):
    call_command("import_procedures", str(SMALL), verbosity=0)  # so public detail pages have something to show
    failures = []
    for url in live_urls():
        rule = rule_for(url)
        assert rule is not None, url.key
        for who in ("anonymous", "citizen"):
            client.logout()
            if who == "citizen":
                client.force_login(citizen)
            method = client.post if url.key in POST_ONLY else client.get
            response = method(sample_path(url))
            status, location = response.status_code, response.get("Location", "")
            problem = _problem(rule, who, status, location, api=url.is_api)
            if problem:
                failures.append(f"{url.key} ({sample_path(url)}) as {who}: {status} {location} — {problem}")
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/accounts/login/", "/procedures/", "/api/v1/schema/", "/api/v1/procedures/", "/tra-cuu/"]
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
