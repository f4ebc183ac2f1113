"""API v1, staff: the queue, the inbox, a dossier with its actions, files and forms — through HTTP as an integrator
would, with the session of a staff member (token authentication gives the same user, hence the same answers)."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.files import dossier_file_add
from dossiers.models import Dossier, DossierEvent, PersonalDataAccess
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = pytest.mark.django_db

# The engine's fixtures (tests/dossiers/conftest.py): agencies, a person per role, procedure versions, dossiers.
agencies, applicant_for, make_version = engine.agencies, engine.applicant_for, engine.make_version
people, prepared, receive, submitted = engine.people, engine.prepared, engine.receive, engine.submitted

NOW = "2026-03-05 09:00"
API = "/api/v1/staff"


@pytest.fixture
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def forwarded(receive, people, frozen):
    """A dossier received on Tuesday and forwarded to its processing step (the inbox's)."""
    return advance(receive("2026-03-03 10:00"), ("forward", "desk", {}), people=people)


def as_user(client, user):
    client.force_login(user)
    return client


def error_body(response) -> dict:
    body = response.json()
    assert set(body) >= {"code", "message"}, body
    return body


# --- The desk queue -------------------------------------------------------------------------------------------


def test_the_queue_lists_the_desks_dossiers_with_masked_names_and_a_cursor(client, people, receive, frozen):
    for day in ("2026-03-02 10:00", "2026-03-03 10:00", "2026-03-04 10:00"):
        receive(day)
    response = as_user(client, people["desk"]).get(f"{API}/queue/?page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 2
    assert body["results"][0]["applicant"] == "Hoàng T. M."  # masked, as on the page
    assert "cursor=" in body["next"]
    rest = client.get(body["next"]).json()
    codes = [row["code"] for row in body["results"] + rest["results"]]
    assert len(codes) == len(set(codes)) == 3


def test_the_queue_filters_like_the_page_and_refuses_a_bad_filter(client, people, receive, submitted, frozen):
    received = receive("2026-03-02 10:00")
    waiting = submitted("2026-03-04 10:00")
    as_user(client, people["desk"])
    rows = client.get(f"{API}/queue/?section=waiting").json()["results"]
    assert [row["code"] for row in rows] == [waiting.code]
    rows = client.get(f"{API}/queue/", {"q": received.code.lower()}).json()["results"]
    assert [row["code"] for row in rows] == [received.code]
    response = client.get(f"{API}/queue/?received_from=31/02/2026")
    assert response.status_code == 400
    body = error_body(response)
    assert body["field"] == "received_from"
    assert "dd/mm/yyyy" in body["message"]


def test_the_queue_reads_one_page_in_one_query_whatever_its_length(client, people, receive, frozen):
    as_user(client, people["desk"])
    client.get(f"{API}/queue/")  # warm the session and the procedure choices' caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/queue/").status_code == 200
        return len(queries)

    receive("2026-03-02 10:00")
    few = count()
    for _ in range(4):
        receive("2026-03-03 10:00")
    assert count() == few


# --- The officer inbox ---------------------------------------------------------------------------------------


def test_the_inbox_lists_the_agencys_open_steps_and_pins_its_queries(client, people, forwarded, receive):
    as_user(client, people["head"])
    response = client.get(f"{API}/inbox/?tab=unit")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["dossier_code"] for row in rows] == [forwarded.code]
    assert rows[0]["state"] in {"on_track", "due_soon", "overdue", "paused"}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/inbox/?tab=unit").status_code == 200
        return len(queries)

    few = count()
    for _ in range(3):
        advance(receive("2026-03-03 11:00"), ("forward", "desk", {}), people=people)
    assert len(client.get(f"{API}/inbox/?tab=unit").json()["results"]) == 4
    assert count() == few
    assert client.get(f"{API}/inbox/?state=nonsense").status_code == 400


# --- Who may call -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        (None, "queue/", 403),
        ("citizen", "queue/", 403),
        ("officer", "queue/", 403),  # the queue is the desk's, as on screen
        ("leader", "queue/", 403),
        ("desk", "inbox/", 403),
        ("leader", "inbox/", 403),
        ("citizen", "dossiers/{code}/", 403),
        ("leader", "dossiers/{code}/", 404),  # no dossier exists for a leader (§2, §11)
        ("supervisor", "dossiers/{code}/actions/", 404),
        ("other_officer", "dossiers/{code}/", 404),
        ("other_desk", "dossiers/{code}/files/", 404),
        ("other_head", "dossiers/{code}/forms/receipt.pdf", 404),
    ],
)
def test_refusals_carry_the_error_body_and_reveal_nothing(client, people, forwarded, who, path, status):
    if who is not None:
        client.force_login(people[who])
    response = client.get(f"{API}/{path.format(code=forwarded.code)}")
    assert response.status_code in ((401, 403) if who is None else (status,))
    body = error_body(response)
    assert forwarded.code not in response.content.decode()
    assert "Hoàng" not in response.content.decode()
    if who == "leader" and status == 403:
        assert "lãnh đạo" in body["message"]
    assert PersonalDataAccess.objects.count() == 0


def test_another_agencys_dossier_is_the_same_404_as_a_missing_one(client, people, forwarded):
    as_user(client, people["other_officer"])
    theirs = client.get(f"{API}/dossiers/{forwarded.code}/")
    missing = client.get(f"{API}/dossiers/000.00.99.H56-260305-9999/")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


# --- One dossier -------------------------------------------------------------------------------------------


def test_the_detail_shows_the_staff_view_and_logs_the_read(client, people, forwarded):
    response = as_user(client, people["officer"]).get(f"{API}/dossiers/{forwarded.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == forwarded.code
    assert body["applicant_name"] == "Hoàng Thị Mai"
    assert body["revision"] == forwarded.revision
    assert {"receive_counter", "forward"} <= {event["action"] for event in body["events"]}
    read = PersonalDataAccess.objects.get()
    assert (read.user_id, read.dossier_id) == (people["officer"].pk, forwarded.pk)


def test_the_actions_are_those_the_engine_offers_with_their_declared_fields(client, people, forwarded):
    response = as_user(client, people["head"]).get(f"{API}/dossiers/{forwarded.code}/actions/")
    assert response.status_code == 200
    actions = {action["key"]: action for action in response.json()}
    assert "assign" in actions
    assert "handler" in [field["name"] for field in actions["assign"]["fields"]]
    assert actions["assign"]["url"].endswith(f"/dossiers/{forwarded.code}/actions/assign/")
    desk = as_user(client, people["desk"]).get(f"{API}/dossiers/{forwarded.code}/actions/").json()
    assert "assign" not in {action["key"] for action in desk}


def test_an_action_goes_through_the_engine_and_a_stale_revision_is_409(client, people, forwarded):
    as_user(client, people["head"])
    url = f"{API}/dossiers/{forwarded.code}/actions/assign/"
    payload = {"handler": people["officer"].pk, "expected_revision": forwarded.revision}
    response = client.post(url, payload, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["revision"] == forwarded.revision + 1
    dossier = Dossier.objects.get(pk=forwarded.pk)
    assert dossier.current_handler_id == people["officer"].pk
    events = DossierEvent.objects.count()
    stale = client.post(url, payload, content_type="application/json")
    assert stale.status_code == 409
    assert error_body(stale)["code"] == "changed"
    assert DossierEvent.objects.count() == events
    assert Dossier.objects.get(pk=forwarded.pk).revision == dossier.revision


def test_a_bad_input_is_400_naming_the_field_and_changes_nothing(client, people, forwarded):
    as_user(client, people["head"])
    before = Dossier.objects.get(pk=forwarded.pk).revision
    url = f"{API}/dossiers/{forwarded.code}/actions/assign/"
    response = client.post(url, {"handler": "abc"}, content_type="application/json")
    assert response.status_code == 400
    assert error_body(response)["field"] == "handler"
    # An action the role may not take is refused by the engine, with its code.
    refused = as_user(client, people["desk"]).post(
        url, {"handler": people["officer"].pk}, content_type="application/json"
    )
    assert refused.status_code in (400, 403)
    assert error_body(refused)["code"]
    assert client.post(f"{API}/dossiers/{forwarded.code}/actions/no_such/", {}).status_code == 404
    assert Dossier.objects.get(pk=forwarded.pk).revision == before


def test_files_are_listed_and_served_through_the_access_checked_download(client, people, forwarded, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("giay-khai-sinh.pdf", pdf_bytes(), content_type="application/pdf")
    record = dossier_file_add(dossier=forwarded, upload=upload, actor=people["desk"])
    as_user(client, people["officer"])
    files = client.get(f"{API}/dossiers/{forwarded.code}/files/").json()
    assert [(f["id"], f["original_name"]) for f in files] == [(record.pk, "giay-khai-sinh.pdf")]
    response = client.get(files[0]["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    other = as_user(client, people["other_officer"]).get(files[0]["url"])
    assert other.status_code == 404


def test_forms_are_listed_and_printed_as_on_the_dossier_page(client, people, forwarded):
    as_user(client, people["desk"])
    forms = client.get(f"{API}/dossiers/{forwarded.code}/forms/").json()
    keys = {form["key"] for form in forms}
    assert {"receipt", "control_sheet"} <= keys
    assert "refusal" not in keys  # not refused: nothing to print
    response = client.get(f"{API}/dossiers/{forwarded.code}/forms/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"{API}/dossiers/{forwarded.code}/forms/nothing.pdf").status_code == 404


def test_one_action_describes_itself_only_when_offered(client, people, forwarded):
    url = f"{API}/dossiers/{forwarded.code}/actions/assign/"
    described = as_user(client, people["head"]).get(url)
    assert described.status_code == 200
    assert described.json()["key"] == "assign"
    assert as_user(client, people["desk"]).get(url).status_code == 404  # not the desk's action
    assert as_user(client, people["other_head"]).get(url).status_code == 404
