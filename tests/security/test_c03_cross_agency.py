"""Check 3 — no cross-agency rows anywhere.

What the check demands: every list, search, CSV/XLSX export, count and statistics endpoint called by agency A's
officer returns no row of agency B; the test seeds two agencies and walks every URL of the router, failing when a
new endpoint is not covered.

How the test shows it: two communes each receive a dossier (A's applicant "Hoàng Thị Mai", B's "Phạm Văn Bình",
each with their own phone and ID number) and B's is forwarded and given a file, so it shows in B's queue, inbox,
register and figures. Then every URL the resolver knows — pages, the `/api/v1/` staff endpoints, exports, figures,
the admin — is requested by agency A's desk officer, processing officer and head, with GET:

- once as is, its URL parameters filled from A's world (A's dossier, file, form, action), and
- once more with the search and filter parameters lists use (`q`, `code`, `search`, `agency`, `format`), each set
  to B's dossier code, B's applicant's name, phone or ID number, or B's agency id;
- once with its parameters naming B's dossier and file: a dossier URL answers 404 (never B's data).

No answer may hold B's dossier code, B's applicant's name, phone or ID number, or B's file name: HTML, JSON, CSV
and the text of PDF and XLSX bodies are searched. A public page may show B's code (the public lookup by code is
meant for anyone holding it) but never B's personal data. A URL parameter without a sample fails the test
(`test_every_url_parameter_has_a_sample`), and so does a walk that misses the staff API, so a new endpoint cannot
slip through uncovered.
"""

from __future__ import annotations

import html
import io
import zipfile
from urllib.parse import quote, quote_plus, urlencode

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from accounts.roles import Role
from dossiers import services
from dossiers.files import dossier_file_add
from dossiers.models import ApplicantKind, Channel, Dossier, IdDocumentType
from tests.desk.test_access_matrix import SAMPLES, World
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import OTHER_COMMUNE, advance, at
from tests.dossiers.files_fixtures import pdf_bytes
from tests.portal.test_url_access import SAMPLE_KWARGS, rule_for
from tests.portal.url_walk import Url, live_urls

pytestmark = pytest.mark.django_db

agencies, applicant_for, make_version = engine.agencies, engine.applicant_for, engine.make_version
people, receive = engine.people, engine.receive

B_NAME = "Phạm Văn Bình"
B_PHONE = "0987654321"
B_ID = "038099887766"
B_FILE = "so-ho-khau-binh.pdf"
A_ROLES = {Role.DESK: "desk", Role.OFFICER: "officer", Role.HEAD: "head"}
# Parameters the portal's lists, searches, exports and figures read; each request sets all of them to one value.
QUERY_NAMES = ("q", "code", "search", "agency", "agency_id", "format")


def _b_dossier(people, agencies, make_version) -> tuple[Dossier, object]:
    version = make_version()
    version.agencies.add(agencies[OTHER_COMMUNE])
    applicant = services.applicant_create(
        data=services.ApplicantData(
            kind=ApplicantKind.INDIVIDUAL,
            name=B_NAME,
            identities=[(IdDocumentType.PERSONAL_ID, B_ID)],
            phone=B_PHONE,
            email="binh@example.vn",
            address="5 Trần Phú, xã Khác",
            user=None,
        )
    )
    dossier = services.dossier_receive_counter(
        actor=people["other_desk"],
        procedure_version=version,
        applicant=applicant,
        channel=Channel.COUNTER,
        now=at("2026-03-03 10:30"),
    )
    dossier = advance(dossier, ("forward", "other_desk", {}), people=people)
    upload = SimpleUploadedFile(B_FILE, pdf_bytes(), content_type="application/pdf")
    file = dossier_file_add(dossier=dossier, upload=upload, actor=people["other_desk"])
    return Dossier.objects.get(pk=dossier.pk), file


@pytest.fixture
def two_agencies(people, agencies, receive, make_version, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        a = advance(receive("2026-03-03 10:00"), ("forward", "desk", {}), people=people)
        upload = SimpleUploadedFile("giay-khai-sinh.pdf", pdf_bytes(), content_type="application/pdf")
        a_file = dossier_file_add(dossier=a, upload=upload, actor=people["desk"])
        b, b_file = _b_dossier(people, agencies, make_version)
        yield (
            World(people=people, dossier=Dossier.objects.get(pk=a.pk), file=a_file),
            World(people=people, dossier=b, file=b_file),
        )


def path_for(url: Url, world: World) -> str:
    values = {name: SAMPLES[name].value(world) for name in url.kwargs if name in SAMPLES}
    return url.path({**SAMPLE_KWARGS, **values})


def text_of(response) -> str:
    """The answer's text: HTML, JSON and CSV as they are, PDF and XLSX (zip) bodies through their text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        try:
            return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
        except Exception as error:  # a PDF the reader cannot parse is reported, not skipped
            return f"<unreadable PDF: {error}>"
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode(errors="replace") for name in archive.namelist())
    return content.decode(errors="replace")


def without_echo(text: str, path: str, searched: str | None) -> str:
    """The answer without what the page echoes of the request (the search box, the language switch's address): a
    row of B found by the search still shows B's other markers (a row found by code shows the name, and so on)."""
    echoes = [path, html.escape(path)]
    if searched:
        echoes += [searched, quote(searched), quote_plus(searched), html.escape(searched)]
    for echo in sorted(echoes, key=len, reverse=True):
        text = text.replace(echo, "")
    return text


def leaks(text: str, b: World, *, public: bool) -> list[str]:
    found = [marker for marker in (B_NAME, B_PHONE, B_ID, B_FILE) if marker in text]
    if not public and b.dossier.code in text:
        found.append(b.dossier.code)
    return found


def test_every_url_parameter_has_a_sample():
    missing = sorted(
        {f"{url.key}: {name}" for url in live_urls() for name in url.kwargs if name not in {*SAMPLES, *SAMPLE_KWARGS}}
    )
    assert missing == [], "add a sample in tests/desk/test_access_matrix.py (SAMPLES) or test_url_access.py"


def test_the_walk_covers_the_staff_api():
    keys = {url.key for url in live_urls()}
    assert {"api:staff-queue", "api:staff-inbox", "api:staff-dossier", "api:staff-dossier-files"} <= keys


@pytest.mark.parametrize("role", list(A_ROLES))
def test_agency_a_sees_no_row_of_agency_b_on_any_url(client, two_agencies, role):
    a, b = two_agencies
    client.force_login(a.people[A_ROLES[role]])
    searches = [b.dossier.code, B_NAME, B_PHONE, B_ID, str(b.dossier.receiving_agency_id)]
    failures = []
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        for url in live_urls():
            public = rule_for(url) == "public"
            path = path_for(url, a)
            requests = [(path, None)] + [(f"{path}?{urlencode(dict.fromkeys(QUERY_NAMES, v))}", v) for v in searches]
            if any(SAMPLES.get(name) and SAMPLES[name].names_an_object for name in url.kwargs):
                requests.append((path_for(url, b), None))
            for request_path, searched in requests:
                response = client.get(request_path)
                if response.status_code >= 500:
                    failures.append(f"{url.key} {request_path}: {response.status_code}")
                    continue
                found = leaks(without_echo(text_of(response), request_path, searched), b, public=public)
                if found:
                    failures.append(f"{url.key} {request_path}: {response.status_code} shows {found}")
    assert failures == []


def test_the_walk_would_see_a_leak(client, two_agencies):
    """The other side: B's own desk officer does find B's dossier on the same lists (the markers are right)."""
    _a, b = two_agencies
    client.force_login(b.people["other_desk"])
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        assert b.dossier.code in text_of(client.get("/api/v1/staff/queue/"))
        assert B_NAME in text_of(client.get(f"/api/v1/staff/dossiers/{b.dossier.code}/"))
