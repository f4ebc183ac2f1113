"""Check 7 — admin and leader pages.

The check: citizen and officer credentials on `/admin/` and on the leader-only dashboards → 403 or a redirect to
sign in; a leader sees only aggregated figures for their own scope.

How the tests show it: a citizen and each dossier-handling staff role (desk, officer, head — none of them Django
staff; the portal's administrators are the admin's users and may read the figures), signed in with the second
factor passed, are sent to the admin's sign-in page from `/admin/` and its model pages, and get 403 on the figures
(`/dashboard/`, its drill-down and export), the Decision 766 indicators (`/dashboard/chi-so-766/`) and the
why-late page (`/dashboard/tre-han/`); anonymous visitors are sent to sign in. A commune leader's pages show their
commune's figures only: another agency is a 404, the other commune's name and dossiers do not appear, no
applicant's name, identity number, phone or address appears on any figures page, and the dossier pages themselves
are a 404 for a leader.
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    OTHER_COMMUNE,
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    receive,
)
from tests.stats.dashboard_world import APPLICANT, NOW, commune_leader, world  # noqa: F401

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-20"}
LEADER_PAGES = [
    (reverse("dashboard:home"), {}),
    (reverse("dashboard:drill"), {"measure": "received"}),
    (reverse("dashboard:export"), {"table": "agency", "format": "csv"}),
    (reverse("indicators:home"), {}),
    (reverse("dashboard:late"), {}),
]
ADMIN_PAGES = ["/admin/", "/admin/dossiers/dossier/", "/admin/accounts/user/"]
NOT_LEADERS = ["citizen", "desk", "officer", "head"]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.mark.parametrize("who", NOT_LEADERS)
def test_citizens_and_officers_are_sent_away_from_the_admin(client, people, who):
    client.force_login(people[who])
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302, (who, url)
        assert response["Location"].startswith(reverse("admin:login")), (who, url)


@pytest.mark.parametrize("who", NOT_LEADERS)
def test_citizens_and_officers_are_refused_the_leaders_pages(client, people, who):
    client.force_login(people[who])
    for url, params in LEADER_PAGES:
        assert client.get(url, params).status_code == 403, (who, url)


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    for url, params in LEADER_PAGES:
        response = client.get(url, params)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert client.get("/admin/")["Location"].startswith(reverse("admin:login"))


def test_a_leader_sees_only_aggregated_figures_of_their_scope(client, world, commune_leader):
    client.force_login(commune_leader)
    other = world.agencies[OTHER_COMMUNE]
    for url, params in LEADER_PAGES:
        response = client.get(url, MARCH | params)
        assert response.status_code == 200, url
        page = response.content.decode()
        for secret in APPLICANT.values():
            assert secret not in page, (url, secret)
        assert not any(dossier.code in page for dossier in world.other), url
        if not url.startswith(reverse("indicators:home")):
            assert other.name not in page, url
    home = client.get(reverse("dashboard:home"), MARCH)
    assert [row["label"] for row in home.context["tables"]["agency"]] == [world.agencies[COMMUNE].name]
    for url, params in LEADER_PAGES[:3]:
        assert client.get(url, MARCH | params | {"agency": other.pk}).status_code == 404, url


def test_a_leader_opens_no_dossier(client, world, commune_leader):
    client.force_login(commune_leader)
    dossier = world.commune[0]
    assert client.get(reverse("dossiers:detail", args=[dossier.code])).status_code == 404
    assert client.get("/admin/").status_code == 302
