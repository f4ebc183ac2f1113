"""Check 5 — no internal fields in the citizen's JSON. The API's answer for a citizen's own dossier carries only
the keys of an allow-list (api/citizen_serializers.py): no internal notes, no officer ids or names, no routing
fields (handler, current step, desk, processing agency). The test routes a dossier through the desk and an
officer with internal notes, then compares every key of the JSON with the allow-list and looks for the notes,
the officers' ids and names in it."""

# ruff: noqa: F811 - the engine's fixtures are imported by name, as tests/*/conftest.py do

import json

from rest_framework.test import APIClient

from api.citizen_serializers import DOSSIER_DETAIL_KEYS, EVENT_KEYS, FILE_KEYS
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    advance,
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
)

SECRET = "GHI CHÚ NỘI BỘ: hồ sơ nghi vấn"
NESTED_KEYS = {
    "procedure": {"code", "name"},
    "expected": {"key", "label", "deadline"},
    "documents": {"id", "name", "mandatory", "files"},
    "supplement_request": {"reason", "items", "requested_at", "applicant_deadline", "supplied_at"},
}


def routed(receive, people):
    dossier = receive()
    return advance(
        dossier,
        ("forward", "desk", {"note": SECRET}),
        ("assign", "head", {"handler": people["officer"], "note": SECRET}),
        people=people,
    )


def test_the_dossier_json_has_only_allowed_keys_and_no_internal_content(receive, people):
    dossier = routed(receive, people)
    api = APIClient()
    api.force_login(people["citizen"])
    response = api.get(f"/api/v1/citizen/dossiers/{dossier.code}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DOSSIER_DETAIL_KEYS
    assert body["timeline"], "the citizen sees the visible events"
    for event in body["timeline"]:
        assert set(event) == EVENT_KEYS
    for name, keys in NESTED_KEYS.items():
        value = body[name]
        for item in value if isinstance(value, list) else [value] if value else []:
            assert set(item) <= keys, name
            for record in item.get("files", []) if isinstance(item, dict) else []:
                assert set(record) == FILE_KEYS
    text = json.dumps(body, ensure_ascii=False)
    assert SECRET not in text
    for who in ("officer", "head", "desk"):
        assert people[who].full_name not in text
    for forbidden in ("handler", "current_step", "current_handler", "desk", "processing_agency", "actor", "note_"):
        assert f'"{forbidden}' not in text, forbidden


def test_the_list_rows_have_only_allowed_keys(receive, people):
    routed(receive, people)
    api = APIClient()
    api.force_login(people["citizen"])
    row = api.get("/api/v1/citizen/dossiers/").json()["results"][0]
    assert set(row) == {
        "code",
        "status",
        "status_label",
        "procedure",
        "submitted_at",
        "received_at",
        "due_at",
        "is_overdue",
        "payment_state",
        "expected",
    }
