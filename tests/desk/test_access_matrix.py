"""Every URL whose view declares an access rule (portal/access.py), requested as each kind of user.

The URLs come from the resolver (tests/portal/url_walk.py), so a staff URL added later is covered as soon as its
view carries `@staff_only(...)` and its URL parameters have a sample below. Each is requested with GET and with
a POST carrying the sample form data, and for each kind of user the test checks the answer and that nothing was
written and no personal-data read was logged (docs/conventions.md "Tests", "Access"):

- an anonymous visitor is sent to the sign-in page (an API endpoint answers 401/403 instead);
- a citizen who owns nothing here gets 403, or 404 for a dossier, file or form of someone else's (pages open to
  owners), and a list of their own that does not hold it;
- staff of another agency, in every role the rule admits, get 404 for a dossier, file, form or task that is not
  theirs, and no page of theirs shows this agency's dossier;
- a province leader gets 404 for every dossier page, file and form, as if none existed, and 403 with the page
  saying why on every other staff page not made for leaders (docs/domain.md §2, §11);
- and, the other side, staff of the agency holding the dossier, in every role the rule admits, are not refused.

The clock is frozen on Thursday 05/03/2026 09:00; the dossier was received on Tuesday and forwarded to its step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from dossiers.files import dossier_file_add
from dossiers.models import Dossier, DossierEvent, DossierFile, DossierStep, PersonalDataAccess
from portal.access import DOSSIER, Access
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import pdf_bytes
from tests.feedback.helpers import sample_feedback
from tests.portal.url_walk import Url, declared_urls

pytestmark = pytest.mark.django_db

LEADER_EXPLAINS = "Tài khoản lãnh đạo và giám sát dùng để theo dõi số liệu tổng hợp"
APPLICANT = "Hoàng Thị Mai"


@dataclass
class World:
    people: dict
    dossier: Dossier
    file: DossierFile


@dataclass(frozen=True)
class Sample:
    """A value for a URL parameter, from the world; `names_an_object` when it picks a dossier, file or task."""

    value: Callable[[World], object]
    names_an_object: bool = True


# A new URL parameter needs an entry here (the test says which one is missing).
SAMPLES: dict[str, Sample] = {
    "code": Sample(lambda w: w.dossier.code),
    "file_id": Sample(lambda w: w.file.pk),
    "key": Sample(lambda w: "control_sheet", names_an_object=False),  # a form of the dossier named by its code
    "action": Sample(lambda w: "assign", names_an_object=False),  # an action on the dossier named by its code
    # The citizen's feedback to the agency holding the dossier (feedback/): theirs to read, the agency's to answer.
    # A draft or dossier of the citizen's in the submission wizard (citizen/), by its primary key; a wizard step.
    "pk": Sample(lambda w: w.dossier.pk),
    "procedure_code": Sample(lambda w: w.dossier.procedure_version.procedure.code, names_an_object=False),
    "step": Sample(lambda w: "nguoi-nop", names_an_object=False),
    "feedback_id": Sample(lambda w: sample_feedback(user=w.people["citizen"], agency=w.dossier.receiving_agency).pk),
}


def sample_post(world: World) -> dict:
    """Form data a staff POST may read (the unknown fields are ignored): the dossier as shown, a handler from the
    other agency (so a form that checks nothing of its own hands the engine an outsider's request)."""
    dossier = world.dossier
    return {
        "dossier": f"{dossier.pk}:{dossier.revision}",
        "expected_revision": dossier.revision,
        "handler": world.people["other_officer"].pk,
        "note": "Kiểm tra quyền truy cập",
        "name": "Bước thử",
    }


# The staff's dossier list and page send a citizen to their own pages (citizen/views_mine.py), and so does the
# supplement answer of a dossier with no pending request (the sample dossier is in processing).
CITIZEN_PAGES_ELSEWHERE = {"dossiers:list", "dossiers:detail", "citizen:supplement"}
OTHER_AGENCY = {Role.DESK: "other_desk", Role.OFFICER: "other_officer", Role.HEAD: "other_head"}
HOME_AGENCY = {
    Role.DESK: "desk",
    Role.OFFICER: "officer",
    Role.HEAD: "head",
    Role.ADMIN: "admin",
    Role.LEADER: "leader",
    Role.SUPERVISOR: "supervisor",
}


@pytest.fixture
def world(people, receive, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        # Received on Tuesday: not the example code the queue's search box shows (…-260302-0001).
        dossier = advance(receive("2026-03-03 10:00"), ("forward", "desk", {}), people=people)
        upload = SimpleUploadedFile("giay-khai-sinh.pdf", pdf_bytes(), content_type="application/pdf")
        file = dossier_file_add(dossier=dossier, upload=upload, actor=people["desk"])
        yield World(people=people, dossier=Dossier.objects.get(pk=dossier.pk), file=file)


def urls() -> list[Url]:
    found = declared_urls()
    assert found, "no declared URL: the walk or the decorator is broken"
    return found


def path_of(url: Url, world: World) -> str:
    return url.path({name: SAMPLES[name].value(world) for name in url.kwargs})


def names_an_object(url: Url) -> bool:
    return any(SAMPLES[name].names_an_object for name in url.kwargs)


def snapshot() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(Dossier.objects.order_by("pk").values_list("pk", "revision", "status", "current_handler_id")),
        list(DossierStep.objects.order_by("pk").values_list("pk", "handler_id", "finished_at")),
        DossierEvent.objects.count(),
        DossierFile.objects.count(),
        PersonalDataAccess.objects.count(),
    )


def body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def check(client, world: World, user, expect: Callable[..., str | None]) -> list[str]:
    """Request every declared URL with GET and with POST as `user`; the failures, each naming the URL, the method
    and what went wrong."""
    client.logout()
    if user is not None:
        client.force_login(user)
    failures = []
    for url in urls():
        path = path_of(url, world)
        for method in ("GET", "POST"):
            before = snapshot()
            response = client.get(path) if method == "GET" else client.post(path, sample_post(world))
            # The page's own address (echoed in the language switch) is not the dossier shown.
            text = body(response).replace(path, "")
            problem = expect(url, method, response, text)
            if problem is None and snapshot() != before:
                problem = "changed the database or logged a read"
            if problem:
                failures.append(f"{url.key} {method} as {user or 'anonymous'}: {response.status_code} — {problem}")
    return failures


def test_every_url_parameter_has_a_sample():
    missing = sorted({f"{url.key}: {name}" for url in urls() for name in url.kwargs if name not in SAMPLES})
    assert missing == [], "add a Sample to SAMPLES in tests/desk/test_access_matrix.py for each"


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    def expect(url, method, response, text):
        location = response.get("Location", "")
        if url.is_api:
            return None if response.status_code in (401, 403) else "the API did not refuse anonymous (401/403)"
        if response.status_code == 302 and location.startswith("/accounts/login/?next=/"):
            return None
        return f"not sent to sign in ({location})"

    before = snapshot()
    assert check(client, world, None, expect) == []
    assert snapshot() == before


def test_a_citizen_gets_403_or_404_and_never_sees_another_persons_dossier(client, world):
    def expect(url, method, response, text):
        access: Access = url.access
        status = response.status_code
        if world.dossier.code in text or APPLICANT in text:
            return "shows someone else's dossier"
        if not access.owner:
            return None if status == 403 else "not refused (403)"
        if url.key == "privacy:erasure" and status == 302:
            # The citizen's own erasure request, answered on their personal-data page (privacy/views.py).
            return None if response["Location"] == "/du-lieu-cua-toi/" else "sent elsewhere"
        if url.key in CITIZEN_PAGES_ELSEWHERE and status == 302:
            # Sent to their own page, which selects by code and owner (tests/citizen/test_mine_detail.py: 404).
            return None if response["Location"].startswith("/ho-so-cua-toi/") else "sent elsewhere"
        if names_an_object(url):
            # A GET-only page answers a POST with 405, a POST-only action a GET, before either looks anything up:
            # nothing is revealed either.
            return None if status in (404, 405) else "someone else's object is not the same 404 as a missing one"
        return None if status in (200, 405) else "the citizen's own list is not served"

    before = snapshot()
    assert check(client, world, world.people["other_citizen"], expect) == []
    assert snapshot() == before


@pytest.mark.parametrize("role", list(OTHER_AGENCY))
def test_staff_of_another_agency_get_404_for_what_is_not_theirs(client, world, role):
    def expect(url, method, response, text):
        access: Access = url.access
        status = response.status_code
        if role not in access.roles:
            return None if status == 403 else "a role the rule does not admit is not refused (403)"
        if world.dossier.code in text or APPLICANT in text:
            return "shows another agency's dossier"
        if status >= 500:
            return "server error"
        if access.scope == DOSSIER and names_an_object(url):
            # A GET-only page answers a POST with 405 before it looks anything up: nothing is revealed either.
            allowed = (404, 405) if method == "POST" else (404,)
            return None if status in allowed else "another agency's object is not a 404"
        return None

    before = snapshot()
    assert check(client, world, world.people[OTHER_AGENCY[role]], expect) == []
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR])
def test_a_leader_gets_404_for_dossiers_and_403_with_the_reason_elsewhere(client, world, role):
    """Including the dossier list, the dossier page, its forms and its files, which any signed-in user used to
    open: the leader's scope covers this dossier, the rule keeps its personal data away."""
    assert Dossier.objects.filter(pk=world.dossier.pk).exists()

    def expect(url, method, response, text):
        if world.dossier.code in text or APPLICANT in text:
            return "shows the dossier"
        if role in url.access.roles:
            return None if response.status_code < 500 else "server error"
        if url.access.scope == DOSSIER:
            allowed = (404, 405) if method == "POST" else (404,)
            return None if response.status_code in allowed else "a dossier page is not a 404"
        if response.status_code != 403 or LEADER_EXPLAINS not in text:
            return "not refused with the explanation page"
        return None

    before = snapshot()
    assert check(client, world, world.people[role], expect) == []
    assert snapshot() == before


def test_staff_of_the_agency_holding_the_dossier_are_not_refused(client, world):
    """The other side: each role a rule admits opens the URL (an object URL: at least one role finds the object —
    the sample action is the head's and officer's "assign", which a desk officer is not offered)."""
    failures = []
    # A citizen's own page admits no staff role: its owner's side is test_the_owner_opens_the_pages_open_to_owners.
    for url in [url for url in urls() if url.access.roles]:
        found_by = []
        for role in url.access.roles:
            client.logout()
            client.force_login(world.people[HOME_AGENCY[role]])
            response = client.get(path_of(url, world))
            body(response)  # a file is streamed: reading it closes it
            status, location = response.status_code, response.get("Location", "")
            if status in (401, 403) or "/login/" in location or status >= 500:
                failures.append(f"{url.key} as {role}: {status} {location}")
            if status != 404:
                found_by.append(role)
        if names_an_object(url) and not found_by:
            failures.append(f"{url.key}: no admitted role finds the dossier")
    assert failures == []


def test_the_owner_opens_the_pages_open_to_owners(client, world):
    client.force_login(world.people["citizen"])
    for url in urls():
        if not url.access.owner:
            continue
        # The citizen prints the receipt, not the staff's control sheet (that key is a 404 for them).
        path = path_of(url, world).replace("control_sheet.pdf", "receipt.pdf")
        response = client.get(path)
        body(response)
        # A POST-only action (pay, upload, submit) answers a GET with 405; a wizard page of a dossier already
        # submitted sends its owner on to the submitted dossier's page — never to sign in.
        assert response.status_code in (200, 302, 405), url.key
        assert "/login/" not in response.get("Location", ""), url.key
