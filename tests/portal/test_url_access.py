"""Every URL declares who may open it; a URL without a rule here fails this test (cisagov URL_PERMISSIONS)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# URL name → "public" (anyone, no sign-in) | "login" (signed-in users; anonymous is sent to the login page).
# Admin URLs are Django's own and require staff status; the i18n view only accepts POST.
URL_ACCESS = {
    "home": "public",
    "healthz": "public",
    "login": "public",
    "logout": "login",
    "set_language": "public",
    "api-schema": "public",
    "procedures:list": "public",
    "procedures:detail": "public",
    "procedures_api:list": "public",
    "procedures_api:detail": "public",
    "public-lookup": "public",
    "dossiers:list": "login",
    "dossiers:register-pdf": "login",
    "dossiers:detail": "login",
    "dossiers:form-pdf": "login",
    "dossiers:file-download": "login",
}


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_urls(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_url_declares_its_access_rule():
    undeclared = sorted(set(_named_urls()) - set(URL_ACCESS))
    assert undeclared == [], f"add an access rule for: {undeclared}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/healthz", "/accounts/login/", "/procedures/", "/api/schema/", "/api/procedures/", "/tra-cuu/"]
)
def test_public_pages_open_without_signing_in(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_admin_sends_anonymous_to_sign_in_and_refuses_citizens(client, django_user_model):
    assert client.get("/admin/").status_code == 302
    django_user_model.objects.create_user(username="citizen", password="Demo@2026")
    client.login(username="citizen", password="Demo@2026")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
