"""Fixtures of the API tests: the engine's people and versions, an API client, a draft started through the API."""

# ruff: noqa: F811 - fixtures imported by name are parameters of the fixtures below

import pytest
from rest_framework.test import APIClient

from tests.citizen.mine_helpers import asked, mine_now  # noqa: F401 - fixtures
from tests.citizen.wizard_fixtures import profile  # noqa: F401 - the citizen's profile pre-fills the applicant
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import files_media  # noqa: F401 - an empty MEDIA_ROOT


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def citizen_api(api, people):
    api.force_authenticate(None)
    api.force_login(people["citizen"])
    return api


@pytest.fixture
def api_draft(citizen_api, make_version, profile):
    """Start a draft of a fresh version through the API as the citizen; returns (version, the draft's JSON)."""

    def start(**kwargs):
        version = make_version(**kwargs)
        response = citizen_api.post("/api/v1/citizen/drafts/", {"procedure": version.procedure.code}, format="json")
        assert response.status_code == 201, response.content
        return version, response.json()

    return start
