"""The Content-Security-Policy and the other response headers (portal.middleware.SecurityHeadersMiddleware,
docs/headers.md): a strict page policy with a fresh nonce, templates without inline script or style attributes,
`sandbox` on attachments, and 405 for TRACE and unknown methods."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import engines
from django.test import RequestFactory

from portal.middleware import SecurityHeadersMiddleware

ROOT = Path(settings.BASE_DIR)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


@pytest.mark.django_db
def test_a_page_gets_the_strict_policy_with_a_fresh_nonce(client):
    first = directives(client.get("/accounts/login/")["Content-Security-Policy"])
    second = directives(client.get("/accounts/login/")["Content-Security-Policy"])

    assert first["default-src"] == ["'self'"]
    assert first["script-src"][0] == "'self'"
    assert re.fullmatch(r"'nonce-[A-Za-z0-9_-]{20,}'", first["script-src"][1])
    assert first["script-src"][1] != second["script-src"][1]
    assert first["style-src"] == ["'self'"]
    assert first["img-src"] == ["'self'", "data:"]
    assert first["frame-ancestors"] == ["'none'"]
    assert first["base-uri"] == ["'none'"]
    assert first["object-src"] == ["'none'"]
    assert first["form-action"] == ["'self'"]
    assert "unsafe" not in " ".join(sum(first.values(), []))


def test_a_template_can_give_an_inline_script_the_requests_nonce():
    request = RequestFactory().get("/")
    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">{}</script>')

    def view(request):
        return HttpResponse(template.render({"request": request}))

    response = SecurityHeadersMiddleware(view)(request)
    nonce = request.csp_nonce
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_an_attachment_is_sandboxed_and_never_cached():
    def view(request):
        response = HttpResponse(b"a,b\r\n", content_type="text/csv")
        response["Content-Disposition"] = "attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o.csv"
        response["Cache-Control"] = "max-age=600"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_view_that_sets_its_own_policy_keeps_it():
    def view(request):
        response = HttpResponse(b"%PDF-1.7", content_type="application/pdf")
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_a_printed_form_shown_inline_may_not_be_framed():
    def view(request):
        response = HttpResponse(b"%PDF-1.7", content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="receipt.pdf"'
        return response

    response = SecurityHeadersMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT", "PROPFIND", "DEBUG"])
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/v1/", "/no-such-page/"])
def test_trace_and_unknown_methods_answer_405(client, method, path):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert "TRACE" not in response["Allow"]
    assert response["Content-Security-Policy"].startswith("default-src 'self'")


# --- The templates hold nothing the policy would refuse ------------------------------------------------------

# Rendered to PDF by WeasyPrint only, never sent to a browser: their inline styles are not subject to the policy.
PDF_ONLY = ("templates/dossiers/print/",)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)
STYLE_BLOCK = re.compile(r"<style(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)


def html_templates() -> list[Path]:
    found = []
    for directory in [ROOT / "templates", *ROOT.glob("*/templates")]:
        if ".venv" in directory.parts:
            continue
        for path in directory.rglob("*.html"):
            if not str(path.relative_to(ROOT)).startswith(PDF_ONLY):
                found.append(path)
    return found


def test_there_are_templates_to_check():
    assert len(html_templates()) > 50


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("inline <script> without src or nonce", INLINE_SCRIPT),
        ("on* handler attribute", HANDLER),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> block without nonce", STYLE_BLOCK),
        ("javascript: URL", re.compile(r"javascript:", re.IGNORECASE)),
    ],
)
def test_no_template_holds_what_the_policy_refuses(name, pattern):
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in html_templates()
        # Template tags are blanked (newlines kept) so that `{% if only == key %}` is not read as an attribute.
        for text in [TAG.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), path.read_text(encoding="utf-8"))]
        for match in pattern.finditer(text)
    ]
    assert not offenders, f"{name} in: " + ", ".join(offenders)
