"""Check 4 — no mass assignment. A citizen's POST or PATCH to API v1 carrying extra fields (status, agency,
deadline, code, created_by, owner, revision …) leaves those columns as they were: the input serializers accept
only the keys they name, and the engine sets the rest. The test reads the row from the database after each
request, not just the status code."""

# ruff: noqa: F811 - the engine's fixtures are imported by name, as tests/*/conftest.py do

import pytest

from dossiers.models import Dossier
from dossiers.workflow import Status
from tests.api.conftest import api, api_draft, citizen_api  # noqa: F401 - fixtures
from tests.citizen.wizard_fixtures import profile  # noqa: F401 - fixture
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    OTHER_COMMUNE,
    agencies,
    applicant_for,
    make_version,
    people,
    submitted,
)

EXTRA = {
    "status": Status.RETURNED,
    "agency": None,  # filled with another agency's id below
    "receiving_agency": None,
    "deadline": "2030-01-01T00:00:00Z",
    "current_due_at": "2030-01-01T00:00:00Z",
    "code": "HACKED-0001",
    "created_by": None,
    "owner": None,
    "revision": 99,
    "payment_state": "paid",
}
COLUMNS = ("status", "receiving_agency_id", "current_due_at", "code", "owner_id", "payment_state", "client_key")


def extra(agencies, people):
    return {
        **EXTRA,
        "agency": agencies[OTHER_COMMUNE].pk,
        "receiving_agency": agencies[OTHER_COMMUNE].pk,
        "created_by": people["other_citizen"].pk,
        "owner": people["other_citizen"].pk,
    }


def row(pk):
    return Dossier.objects.values(*COLUMNS).get(pk=pk)


def test_patching_a_draft_with_extra_fields_changes_none_of_them(citizen_api, api_draft, agencies, people):
    _version, draft = api_draft()
    before = row(draft["id"])
    response = citizen_api.patch(
        f"/api/v1/citizen/drafts/{draft['id']}/",
        {**extra(agencies, people), "return_method": "post", "delivery_address": "12 Lê Hoàn"},
        format="json",
    )
    assert response.status_code == 200
    assert row(draft["id"]) == before
    assert Dossier.objects.get(pk=draft["id"]).return_method == "post"  # the declared field did change


def test_creating_a_draft_with_extra_fields_sets_none_of_them(citizen_api, make_version, profile, agencies, people):
    version = make_version()
    body = {**extra(agencies, people), "procedure": version.procedure.code}
    body.pop("agency")  # a real input (the receiving agency among the version's): checked on its own below
    response = citizen_api.post("/api/v1/citizen/drafts/", body, format="json")
    assert response.status_code == 201
    created = row(response.json()["id"])
    assert created["status"] == Status.DRAFT
    assert created["code"] is None
    assert created["owner_id"] == people["citizen"].pk
    assert created["receiving_agency_id"] != agencies[OTHER_COMMUNE].pk
    assert created["current_due_at"] is None
    refused = citizen_api.post(
        "/api/v1/citizen/drafts/",
        {"procedure": version.procedure.code, "agency": agencies[OTHER_COMMUNE].pk},
        format="json",
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "agency")


@pytest.mark.parametrize("action", ["withdraw", "rating"])
def test_actions_on_a_dossier_ignore_extra_fields(citizen_api, submitted, agencies, people, action):
    dossier = submitted()
    before = row(dossier.pk)
    body = {**extra(agencies, people), "confirm": True} if action == "withdraw" else extra(agencies, people)
    citizen_api.post(f"/api/v1/citizen/dossiers/{dossier.code}/{action}/", body, format="json")
    after = row(dossier.pk)
    if action == "withdraw":
        assert after["status"] == Status.WITHDRAWN  # what the action itself does, nothing more
        after["status"] = before["status"]
    assert after == before
