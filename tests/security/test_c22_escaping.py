"""Check 22 — escaping of what a citizen types.

The check demands that `<script>alert(1)</script>` typed as an applicant's name or address is shown escaped on every
staff page, literally in the receipt PDF (text extracted with pdftotext reads it as typed, it is not interpreted),
and harmlessly in e-mails.

Two dossiers carry the payload in the applicant's name, address and the dossier's summary: one received at the
counter, one submitted online and waiting in the desk's queue. Every staff page that takes at most a dossier code
(walked from the URL resolver, so a new page is covered as soon as it exists) is opened by the desk officer, the
officer, the head and the leader; no HTML answer may contain the raw tag, and the pages that show the applicant
(dossier detail, lists, queue, review) show the escaped text. The receipt and the control sheet are rendered as
PDFs and read back with pdftotext. The applicant's e-mail is plain text only (no HTML part that could run it) and
names them as typed; the SMS carries no markup either.
"""
# The engine's fixtures are imported; a test's parameter of the same name is how they are used.
# ruff: noqa: F811

import subprocess
from html import escape

import pytest
import time_machine
from django.core import mail

from dossiers import services
from dossiers.models import ApplicantKind, DossierEvent, IdDocumentType
from dossiers.notifications import dossier_notify, render_sms
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    agencies,
    at,
    make_version,
    people,
)
from tests.portal.url_walk import declared_urls

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = escape(PAYLOAD, quote=False)  # &lt;script&gt;alert(1)&lt;/script&gt;
NAME = f"{PAYLOAD} Hoàng Thị Mai"
ADDRESS = f"{PAYLOAD} 12 Lê Hoàn"
NOW = "2026-03-04 09:00"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


def evil_applicant(user=None):
    return services.applicant_create(
        data=services.ApplicantData(
            kind=ApplicantKind.INDIVIDUAL,
            name=NAME,
            identities=[(IdDocumentType.PERSONAL_ID, "038190001234")],
            phone="0912345678",
            email="mai@example.vn",
            address=ADDRESS,
            user=user,
        )
    )


@pytest.fixture
def dossiers(people, agencies, make_version):
    version = make_version()
    counter = services.dossier_receive_counter(
        actor=people["desk"],
        procedure_version=version,
        applicant=evil_applicant(people["citizen"]),
        summary=PAYLOAD,
        now=at("2026-03-02 10:00"),
    )
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=version,
        applicant=evil_applicant(people["citizen"]),
        agency=agencies[COMMUNE],
        summary=PAYLOAD,
    )
    online = services.dossier_transition(dossier=draft, action="submit", actor=people["citizen"], now=at(NOW))
    return {"counter": counter, "online": online}


def staff_pages(codes: list[str]) -> list[str]:
    """Every declared staff page that takes nothing or a dossier code, once per dossier."""
    pages = []
    for url in declared_urls():
        kwargs = set(url.kwargs)
        if not url.access.roles or not kwargs <= {"code"}:
            continue
        if url.key.endswith(("-pdf", "export", "file-download", "file-inline")):
            continue
        pages += [url.path({"code": code}) for code in codes] if kwargs else [url.path({})]
    return sorted(set(pages))


def test_every_staff_page_shows_the_payload_escaped(client, people, dossiers):
    codes = [dossier.code for dossier in dossiers.values()]
    seen_escaped = set()
    html_pages = 0
    for role in ("desk", "officer", "head", "leader"):
        client.force_login(people[role])
        for page in [*staff_pages(codes), f"/dossiers/?q={codes[0]}"]:
            response = client.get(page)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            html_pages += 1
            html = response.content.decode()
            assert PAYLOAD not in html, f"raw payload on {page} for {role}"
            assert "<script>alert" not in html.lower(), f"raw payload on {page} for {role}"
            if ESCAPED in html:
                seen_escaped.add(page.split("?")[0])
    assert html_pages > 15
    counter, online = codes
    for page in (f"/dossiers/{counter}/", "/dossiers/", f"/desk/review/{online}/", "/desk/"):
        assert page in seen_escaped, f"{page} does not show the applicant"


def pdf_text(content: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


@pytest.mark.parametrize("key", ["receipt", "control_sheet"])
def test_the_printed_forms_show_the_payload_literally(client, people, dossiers, key):
    client.force_login(people["desk"])
    response = client.get(f"/dossiers/{dossiers['counter'].code}/forms/{key}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert PAYLOAD in text
    assert "&lt;" not in text  # shown as typed, not double-escaped


def test_the_email_is_plain_text_naming_the_applicant_as_typed(dossiers):
    event = DossierEvent.objects.filter(dossier=dossiers["counter"]).latest("pk")
    mail.outbox.clear()
    assert dossier_notify({"dossier_id": event.dossier_id, "event_id": event.pk}, key="c22")
    message = mail.outbox[0]
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert NAME in message.body  # text, never interpreted: no HTML part exists
    assert "\n" not in message.subject

    sms = render_sms(event)
    assert "<" not in sms
