"""Check 6 — deactivation and moves take effect at once. When a staff account is deactivated, its existing
session cookie and its API token are both refused on the very next request (no cached identity); when an officer
is moved from agency A to agency B, the very next request for one of A's dossiers is the 404 of a missing dossier
(the scope is recomputed from the staff profile on every request), on the pages and through the API."""

# ruff: noqa: F811 - the engine's fixtures are imported by name, as tests/*/conftest.py do

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Role
from accounts.services import staff_assign
from api.tokens import token_issue
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    OTHER_COMMUNE,
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
)


def test_a_deactivated_staff_s_session_and_token_are_refused_at_once(client, people, receive):
    officer = people["officer"]
    dossier = receive()
    page = reverse("dossiers:detail", kwargs={"code": dossier.code})
    client.force_login(officer)
    assert client.get(page).status_code == 200
    _token, raw = token_issue(user=officer, name="desk app", days=30)
    api = APIClient()
    assert api.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    type(officer).objects.filter(pk=officer.pk).update(is_active=False)

    response = client.get(page)  # the same session cookie
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    refused = api.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert (refused.status_code, refused.json()["code"]) == (401, "user_inactive")


@pytest.mark.parametrize("surface", ["page", "file-list"])
def test_an_officer_moved_to_another_agency_no_longer_opens_the_first_one_s_dossiers(
    client, people, receive, agencies, surface
):
    officer = people["officer"]
    dossier = receive()
    client.force_login(officer)
    url = reverse("dossiers:detail", kwargs={"code": dossier.code})
    if surface == "file-list":
        url = reverse("dossiers:list") + f"?q={dossier.code}"
    link = reverse("dossiers:detail", kwargs={"code": dossier.code})
    before = client.get(url)
    assert before.status_code == 200
    assert link in before.content.decode()

    staff_assign(user=officer, agency=agencies[OTHER_COMMUNE], role=Role.OFFICER)

    after = client.get(url)
    if surface == "page":
        assert after.status_code == 404
    else:
        assert link not in after.content.decode()


def test_a_moved_officer_s_token_carries_the_new_scope(people, receive, agencies):
    """Through a token the scope is the person's, read on each request: a staff token is refused by the citizen
    endpoints and, moved or not, reaches no dossier of A through them (staff endpoints follow the same
    `dossiers_visible_to`)."""
    officer = people["officer"]
    dossier = receive()
    _token, raw = token_issue(user=officer, name="desk app", days=30)
    staff_assign(user=officer, agency=agencies[OTHER_COMMUNE], role=Role.OFFICER)
    api = APIClient()
    response = api.get(f"/api/v1/citizen/dossiers/{dossier.code}/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    from dossiers.permissions import dossiers_visible_to

    officer.refresh_from_db()
    assert not dossiers_visible_to(type(officer).objects.get(pk=officer.pk)).filter(pk=dossier.pk).exists()
    assert COMMUNE != OTHER_COMMUNE
