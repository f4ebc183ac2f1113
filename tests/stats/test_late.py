"""Why late (docs/statistics.md "Why late"): the step, unit and officer that used time beyond the step's budget,
paused time left out; the roll-up against a rebuild; the page and who may read it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import Role
from dossiers.models import DossierPause, DossierStep, Outcome
from dossiers.overrun import overrun_fill
from dossiers.services import dossier_transition
from stats.lateness import late_by, late_steps, late_totals, open_overdue_steps
from stats.models import LateStepFigure
from stats.scope import figures_scope
from stats.selectors import Period
from stats.services import figures_rebuild, figures_refresh
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, _staff, at
from tests.dossiers.transition_cases import ITEMS, WITHDRAWAL
from tests.stats.helpers import late_rows

pytestmark = pytest.mark.django_db
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def go(dossier, action, who, when, **params):
    return dossier_transition(dossier=dossier, action=action, actor=who, now=at(when), **params)


def late_dossier(receive, people, *, version=None):
    """Received Mon 02/03 08:00 (10 working days: due 16/03 08:00). Step 1 at the desk (½ day, due 02/03 14:00)
    is forwarded at 08:30, in budget; step 2 by the officer (8 days, due 12/03 08:30) finishes 16/03 09:00 —
    12/03 6.5 h + 13/03 8 h + 16/03 2 h = 16.5 working hours late; step 3 (1.5 days, due 17/03 15:00) ends in
    budget with the result on 17/03, a day after the dossier's due date: the dossier is late because of step 2.
    This opens it up to step 2; `finish` does the rest."""
    dossier = receive("2026-03-02 08:00", version=version)
    return go(dossier, "forward", people["desk"], "2026-03-02 08:30", handler=people["officer"])


def finish(dossier, people, *, second="2026-03-16 09:00", result="2026-03-17 09:00"):
    dossier = go(dossier, "step", people["officer"], second, name="Trình ký")
    return go(dossier, "issue_result", people["head"], result, number="15/QĐ")


def steps_of(dossier):
    return {s.order: s for s in DossierStep.objects.filter(dossier=dossier)}


def test_the_second_step_that_overran_is_blamed_not_the_first(receive, people, agencies):
    dossier = finish(late_dossier(receive, people), people)
    assert dossier.outcome == Outcome.LATE
    steps = steps_of(dossier)
    assert [steps[n].overrun_minutes for n in (1, 2, 3)] == [0, 990, 0]  # 16.5 working hours
    assert steps[2].handler == people["officer"]

    figures_refresh(now=at("2026-03-17 18:00"))
    blamed = LateStepFigure.objects.get(late_steps__gt=0)
    assert (blamed.day, blamed.agency_id, blamed.handler_id) == (
        dt.date(2026, 3, 16),
        agencies[COMMUNE].pk,
        people["officer"].pk,
    )
    assert (blamed.late_steps, blamed.late_dossiers, blamed.overrun_minutes, blamed.steps) == (1, 1, 990, 1)
    desk = LateStepFigure.objects.get(handler=people["desk"])
    assert (desk.steps, desk.late_steps, desk.late_dossiers) == (1, 0, 0)

    scope = [agencies[COMMUNE].pk]
    totals = late_totals(agency_ids=scope, period=MARCH)
    assert (totals["steps"], totals["late_steps"], totals["late_dossiers"]) == (3, 1, 1)
    assert str(totals["overrun_hours"]) == "16.5"
    officers = late_by(dimension="officer", agency_ids=scope, period=MARCH)
    assert [(r["handler_id"], r["late_dossiers"]) for r in officers] == [(people["officer"].pk, 1)]
    listed = late_steps(agency_ids=scope, period=MARCH)
    assert [(r["dossier__code"], r["order"], r["handler__full_name"]) for r in listed] == [
        (dossier.code, 2, people["officer"].full_name)
    ]
    # The province's view adds its units up into the agencies directly under it.
    province = figures_scope(people["leader"])
    branches = late_by(dimension="agency", agency_ids=province, period=MARCH)
    commune = agencies[COMMUNE]
    branch = commune if commune.parent.parent_id is None else commune.parent
    assert [(r["agency_id"], r["late_dossiers"], r["steps"]) for r in branches] == [(branch.pk, 1, 3)]
    # Another commune's scope sees nothing.
    assert late_totals(agency_ids=[agencies[OTHER_COMMUNE].pk], period=MARCH)["late_steps"] == 0


def test_paused_time_is_not_counted(receive, people, make_version):
    # Step 2 overran by 990 working minutes, but for 2 working days of it (09/03 09:00 → 11/03 09:00, 960 minutes)
    # the applicant was supplementing: 30 minutes are the officer's.
    dossier = late_dossier(receive, people, version=make_version(mode="continue"))
    dossier = go(dossier, "request_supplement", people["officer"], "2026-03-09 09:00", **ITEMS)
    dossier = go(dossier, "accept_supplement", people["desk"], "2026-03-11 09:00")
    finish(dossier, people)
    step = steps_of(dossier)[2]
    assert step.is_late  # late by date: the step's due moment does not move with a pause …
    assert step.overrun_minutes == 30  # … but the paused time is not blamed on it


def test_a_step_late_only_through_a_pause_is_not_blamed(receive, people):
    # Paused 05/03 09:00 → 13/03 09:00 (6 working days): restart gives the dossier 10 new days, on time.
    dossier = late_dossier(receive, people)
    dossier = go(dossier, "request_supplement", people["officer"], "2026-03-05 09:00", **ITEMS)
    dossier = go(dossier, "accept_supplement", people["desk"], "2026-03-13 09:00")
    dossier = finish(dossier, people)
    assert dossier.outcome != Outcome.LATE
    assert steps_of(dossier)[2].overrun_minutes == 0
    figures_refresh(now=at("2026-03-17 18:00"))
    assert not LateStepFigure.objects.filter(late_steps__gt=0).exists()


def test_withdrawn_and_early_dossiers_are_not_blamed(receive, people, agencies):
    withdrawn = late_dossier(receive, people)  # step 2 is four days past due when the applicant withdraws
    go(withdrawn, "withdraw", people["desk"], "2026-03-16 09:00", **WITHDRAWAL, note="Rút")
    assert steps_of(withdrawn)[2].overrun_minutes is None  # not judged: the applicant ended it
    early = late_dossier(receive, people)
    finish(early, people, second="2026-03-03 09:00", result="2026-03-04 09:00")
    assert {s.overrun_minutes for s in steps_of(early).values()} == {0}
    figures_refresh(now=at("2026-03-17 18:00"))
    totals = late_totals(agency_ids=[agencies[COMMUNE].pk], period=MARCH)
    assert (totals["late_steps"], totals["late_dossiers"], totals["steps"]) == (0, 0, 4)
    assert late_steps(agency_ids=[agencies[COMMUNE].pk], period=MARCH) == []


def test_a_late_dossier_is_blamed_on_its_largest_overrun_only(receive, people, agencies):
    # Step 2 overruns 16.5 h; step 3 (due 17/03 15:00) ends 19/03 09:00: 2 h + 8 h + 2 h = 12 h. One dossier, two
    # late steps, blamed once — on step 2.
    dossier = finish(late_dossier(receive, people), people, result="2026-03-19 09:00")
    assert [s.overrun_minutes for s in steps_of(dossier).values()] == [0, 990, 720]
    figures_refresh(now=at("2026-03-19 18:00"))
    totals = late_totals(agency_ids=[agencies[COMMUNE].pk], period=MARCH)
    assert (totals["late_steps"], totals["late_dossiers"], totals["overrun_minutes"]) == (2, 1, 1710)
    by_day = {
        r["day"]: r["late_dossiers"] for r in late_by(dimension="day", agency_ids=[agencies[COMMUNE].pk], period=MARCH)
    }
    assert by_day == {dt.date(2026, 3, 16): 1, dt.date(2026, 3, 19): 0}


def test_incremental_refresh_equals_a_rebuild(receive, people):
    figures_refresh(now=at("2026-03-01 18:00"))  # the first refresh: a rebuild of nothing
    first = late_dossier(receive, people)
    figures_refresh(now=at("2026-03-02 18:00"))
    second = late_dossier(receive, people)
    go(second, "withdraw", people["desk"], "2026-03-10 09:00", **WITHDRAWAL, note="Rút")
    dossier = go(first, "step", people["officer"], "2026-03-16 09:00", name="Trình ký")
    figures_refresh(now=at("2026-03-16 18:00"))
    assert LateStepFigure.objects.filter(late_steps=1, late_dossiers=0).exists()  # not resolved yet
    go(dossier, "issue_result", people["head"], "2026-03-17 09:00", number="15/QĐ")
    figures_refresh(now=at("2026-03-17 18:00"))
    # The completion on 17/03 recomputes 16/03 too: the dossier is now late and blamed on that day's step.
    incremental = late_rows()
    assert LateStepFigure.objects.get(late_steps=1).late_dossiers == 1
    figures_rebuild(now=at("2026-03-17 19:00"))
    assert late_rows() == incremental


def test_steps_written_without_an_overrun_are_judged_by_the_rebuild(receive, people):
    dossier = finish(late_dossier(receive, people), people)
    DossierStep.objects.filter(dossier=dossier).update(overrun_minutes=None)  # as the demo seeder writes them
    figures_rebuild(now=at("2026-03-17 18:00"))
    assert [s.overrun_minutes for s in steps_of(dossier).values()] == [0, 990, 0]
    assert overrun_fill(step_model=DossierStep, pause_model=DossierPause) == 0  # nothing left to judge


def test_open_overdue_steps_are_live(receive, people, agencies):
    late_dossier(receive, people)  # step 2 due 12/03 08:30, still open
    found = open_overdue_steps(agency_ids=[agencies[COMMUNE].pk], now=at("2026-03-13 10:00"))
    assert found["count"] == 1
    assert found["steps"][0]["overrun_minutes"] == 6.5 * 60 + 3 * 60  # 12/03 after 08:30, 13/03 07:00–10:00
    assert open_overdue_steps(agency_ids=[agencies[COMMUNE].pk], now=at("2026-03-12 16:00"))["count"] == 0


# --- The page ---------------------------------------------------------------------------------------------------

URL = reverse("dashboard:late")


@pytest.fixture
def late_data(receive, people):
    dossier = finish(late_dossier(receive, people), people)
    figures_refresh(now=at("2026-03-17 18:00"))
    return dossier


def page(client, user, **params):
    client.force_login(user)
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        return client.get(URL, {"from": "2026-03-01", "to": "2026-03-31", **params})


def test_the_province_leader_sees_the_blamed_step_without_applicant_data(client, people, late_data, agencies):
    response = page(client, people["leader"])
    assert response.status_code == 200
    html = response.content.decode()
    assert late_data.code in html
    assert people["officer"].full_name in html
    assert "16,5" in html  # working hours, Vietnamese decimal comma
    for personal in ("Hoàng Thị Mai", "038190001234", "0912345678", "Lê Hoàn"):
        assert personal not in html
    # One agency of the province, by id.
    assert page(client, people["leader"], agency=agencies[COMMUNE].pk).status_code == 200


def test_a_commune_leader_sees_the_commune_and_gets_404_for_another(client, people, late_data, agencies):
    leader = _staff("cleader", Role.LEADER, agencies[COMMUNE])
    response = page(client, leader)
    assert response.status_code == 200
    assert late_data.code in response.content.decode()
    assert page(client, leader, agency=agencies[OTHER_COMMUNE].pk).status_code == 404
    assert page(client, leader, agency="x").status_code == 404
    other = _staff("oleader", Role.LEADER, agencies[OTHER_COMMUNE])
    assert late_data.code not in page(client, other).content.decode()


@pytest.mark.parametrize("who", ["officer", "desk", "citizen"])
def test_staff_without_figures_and_citizens_are_refused(client, people, who):
    response = page(client, people[who])
    assert response.status_code in (403, 404)


def test_anonymous_is_sent_to_sign_in(client):
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        response = client.get(URL)
    assert response.status_code == 302


def test_a_wrong_period_falls_back_to_this_month(client, people, late_data):
    response = page(client, people["leader"], **{"from": "2026-03-31", "to": "2026-03-01"})
    assert response.status_code == 200
    assert response.context["period"] == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20))


def test_the_page_query_count_is_pinned(client, people, late_data, receive, django_assert_num_queries):
    for _ in range(3):  # more dossiers, the same queries
        finish(late_dossier(receive, people), people)
    figures_refresh(now=at("2026-03-17 19:00"))
    client.force_login(people["leader"])
    page(client, people["leader"])  # warm the calendar cache
    with django_assert_num_queries(17):
        with time_machine.travel(at("2026-03-20 10:00"), tick=False):
            client.get(URL, {"from": "2026-03-01", "to": "2026-03-31"})
