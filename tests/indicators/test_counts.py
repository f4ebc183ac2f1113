"""Each computed indicator's counts and score on a small set of engine-made dossiers (docs/indicators.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from dossiers.models import DossierDocument
from indicators.counts import counts_for
from indicators.models import DAILY_MEASURES, DailyCount, IndicatorDefinition
from indicators.selectors import COMPUTED, NO_DATA, NO_DENOMINATOR, report
from indicators.services import counts_rebuild, counts_refresh
from natsync.models import SyncState
from tests.dossiers.conftest import at

pytestmark = pytest.mark.django_db

START, END, TODAY = dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 15)


def test_counts_of_an_agency_and_of_the_scope(built, agencies):
    scope = [built["commune"].pk, built["other"].pk]
    with time_machine.travel(at("2026-04-15 09:00"), tick=False):
        counts = counts_for(agency_ids=scope, start=START, end=END, today=TODAY)
    c = counts.by_agency[built["commune"].pk]
    assert (c["received"], c["online"]) == (5, 1)
    assert (c["resolved_on_time"], c["resolved_late"], c["resolved"]) == (2, 1, 3)  # d1 early + d4 withdrawn; d6
    assert (c["in_progress"], c["in_progress_late"]) == (3, 1)  # d2 late, d3 in time, d5 waiting
    assert (c["handled"], c["handled_on_time"]) == (6, 4)
    assert (c["synced"], c["digitised"], c["reused"]) == (2, 2, 1)
    assert (c["decided"], c["e_result"]) == (2, 1)  # d1 and d6; the withdrawal has no result
    assert (c["with_obligation"], c["paid_online"]) == (2, 1)
    assert (c["services"], c["services_online"], c["fee_services"]) == (3, 2, 1)
    assert c["services_online_used"] == 1
    assert (c["fee_services_used"], c["fee_services_paid_online"]) == (1, 1)
    assert (c["feedback"], c["feedback_on_time"]) == (2, 1)  # the open one is late at 31/03
    assert (c["ratings"], c["ratings_satisfied"]) == (1, 1)
    other = counts.by_agency[built["other"].pk]
    assert (other["received"], other["in_progress"], other["services"]) == (1, 1, 0)
    assert counts.scope["received"] == 6
    assert counts.scope["services"] == 3  # distinct procedures across the scope


def test_the_scores_of_the_computed_indicators(built):
    counts = counts_for(agency_ids=[built["commune"].pk], start=START, end=END, today=TODAY)
    definitions = IndicatorDefinition.objects.in_force(on=END)
    rep = report(definitions, counts.by_agency[built["commune"].pk])
    scores = {s.definition.code: s for g in rep.groups for s in g.scores}
    expected = {
        "1.4": Decimal("2.4"),  # 6 × 2/5
        "2.1": Decimal("13.33"),  # 20 × 4/6
        "3.1": Decimal("1.67"),  # min(2, 2 × 2/3 ÷ 0.8)
        "3.2": Decimal("2"),  # 4 × 1/2
        "3.3": Decimal("2.4"),  # min(6, 6 × 1/5 ÷ 0.5)
        "3.5": Decimal("2"),  # min(2, 2.5 × 1/1)
        "3.5b": Decimal("2"),
        "3.6": Decimal("3"),  # 6 × 1/2
        "4.1": Decimal("3"),  # 6 × 1/2
        "4.2": Decimal("1.6"),  # 4 × 2/5
        "4.3": Decimal("0.5"),  # min(2, 2 × 1/5 ÷ 0.8)
        "5.2": Decimal("3"),  # 6 × 1/2
        "5.4": Decimal("6"),  # min(6, 6 × 1/1 ÷ 0.9)
    }
    assert {code: s.points for code, s in scores.items() if s.status == COMPUTED} == expected
    no_data = {code for code, s in scores.items() if s.status == NO_DATA}
    assert no_data == {"1.1", "1.2", "1.3", "4.2b", "4.4", "4.5a", "4.5b", "5.3"}
    assert rep.max == 100
    assert rep.computed_max == 72
    assert rep.points == sum(expected.values())
    assert scores["1.1"].values[0]["value"] is None
    assert scores["1.1"].values[0]["reason"]


def test_an_idle_agency_is_not_scored_on_nothing(built, agencies):
    """No dossier: ratios without a denominator are not computed; "6 if none" gives 6; "0 if no ratings" gives 0."""
    idle = agencies["000.00.06.H56"]
    counts = counts_for(agency_ids=[idle.pk], start=START, end=END, today=TODAY)
    rep = report(IndicatorDefinition.objects.in_force(on=END), counts.by_agency[idle.pk])
    scores = {s.definition.code: s for g in rep.groups for s in g.scores}
    assert scores["2.1"].status == NO_DENOMINATOR
    assert scores["1.4"].status == NO_DENOMINATOR
    assert (scores["5.2"].status, scores["5.2"].points) == (COMPUTED, Decimal(6))
    assert (scores["5.4"].status, scores["5.4"].points) == (COMPUTED, Decimal(0))
    assert (rep.points, rep.computed_max) == (Decimal(6), Decimal(12))


def _rows() -> set[tuple]:
    return set(DailyCount.objects.values_list("day", "agency_id", "procedure_id", *DAILY_MEASURES))


def test_the_refresh_matches_a_rebuild(built, receive, people):
    """A sync state written later (no dossier event) and a new digitised dossier: the refresh recomputes their
    days and gives exactly the rows of a rebuild."""
    assert counts_refresh(now=at("2026-04-15 10:00")) == 0  # nothing touched since the rebuild
    SyncState.objects.create(dossier=built["d2"], last_key="k2", last_kind="create", synced_at=at("2026-04-16 09:00"))
    fresh = receive("2026-04-16 09:30")
    DossierDocument.objects.filter(dossier=fresh).update(digitisation=1)
    counts_refresh(now=at("2026-04-16 10:00"))
    refreshed = _rows()
    counts_rebuild(now=at("2026-04-16 10:05"))
    assert refreshed == _rows()
    march = counts_for(agency_ids=[built["commune"].pk], start=START, end=END, today=TODAY)
    assert march.by_agency[built["commune"].pk]["synced"] == 3
    april = counts_for(
        agency_ids=[built["commune"].pk], start=dt.date(2026, 4, 16), end=dt.date(2026, 4, 16), today=TODAY
    )
    assert april.by_agency[built["commune"].pk]["digitised"] == 1
