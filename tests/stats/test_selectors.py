"""The dashboard's figures from the summary table: scope, period, rates, breakdowns and the trend."""

import datetime as dt

import pytest

from dossiers.models import Channel
from dossiers.permissions import agency_subtree_ids
from stats.models import DailyFigure
from stats.selectors import Period, figures_by, figures_totals, figures_trend
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 7))


@pytest.fixture
def figures(agencies, make_version):
    full, partial = make_version(online="full"), make_version(online="partial")
    commune, other = agencies[COMMUNE], agencies[OTHER_COMMUNE]

    def row(day, agency, version, channel, **counts):
        return DailyFigure(
            day=dt.date.fromisoformat(day),
            agency=agency,
            procedure=version.procedure,
            field=version.field,
            channel=channel,
            online_mode=version.online_mode,
            **counts,
        )

    DailyFigure.objects.bulk_create(
        [
            row("2026-03-02", commune, full, Channel.ONLINE, received=4, early=1, on_time=2, late=1, returned=2),
            row("2026-03-03", commune, full, Channel.COUNTER, received=6, refused=1),
            row("2026-03-07", commune, partial, Channel.COUNTER, withdrawn=1, on_time=1),
            row("2026-03-08", commune, full, Channel.ONLINE, received=100),  # after the period
            row("2026-02-25", commune, full, Channel.COUNTER, received=5, late=5),  # the previous period
            row("2026-03-05", other, partial, Channel.ONLINE, received=12, late=6),
        ]
    )
    return {"commune": commune, "other": other, "full": full, "partial": partial}


def test_totals_count_the_scope_and_period_only_in_one_query(figures, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = figures_totals(agency_ids=[figures["commune"].pk], period=MARCH)
    assert totals["received"] == 10
    assert (totals["resolved"], totals["early"], totals["on_time"], totals["late"]) == (5, 1, 3, 1)
    assert (totals["withdrawn"], totals["refused"], totals["returned"]) == (1, 1, 2)
    assert (totals["early_rate"], totals["on_time_rate"], totals["late_rate"]) == (20.0, 80.0, 20.0)
    assert (totals["online_rate"], totals["full_online_rate"], totals["partial_online_rate"]) == (40.0, 40.0, None)


def test_a_leaders_subtree_sees_both_communes(figures, agencies):
    totals = figures_totals(agency_ids=agency_subtree_ids(agencies["000.00.00.H56"]), period=MARCH)
    assert totals["received"] == 22
    assert totals["partial_online_rate"] == 100.0


def test_empty_scope_gives_zeros_and_no_rates(figures):
    totals = figures_totals(agency_ids=[], period=MARCH)
    assert totals["received"] == 0
    assert totals["on_time_rate"] is None


def test_breakdowns_by_agency_field_procedure_channel(figures, django_assert_num_queries):
    scope = [figures["commune"].pk, figures["other"].pk]
    with django_assert_num_queries(1):
        agencies = figures_by(dimension="agency", agency_ids=scope, period=MARCH)
    assert [(r["agency_id"], r["received"], r["late_rate"]) for r in agencies] == [
        (figures["other"].pk, 12, 100.0),
        (figures["commune"].pk, 10, 20.0),
    ]
    assert agencies[0]["agency__name"] == figures["other"].name
    channels = {r["channel"]: r["received"] for r in figures_by(dimension="channel", agency_ids=scope, period=MARCH)}
    assert channels == {Channel.ONLINE: 16, Channel.COUNTER: 6}
    procedures = figures_by(dimension="procedure", agency_ids=scope, period=MARCH, field_id=figures["full"].field_id)
    assert {r["procedure_id"]: r["received"] for r in procedures} == {
        figures["partial"].procedure_id: 12,
        figures["full"].procedure_id: 10,
    }
    only_full = figures_by(dimension="field", agency_ids=scope, period=MARCH, procedure_id=figures["full"].procedure_id)
    assert [r["received"] for r in only_full] == [10]
    days = figures_by(dimension="day", agency_ids=scope, period=MARCH, channel=Channel.ONLINE)
    assert [(r["day"], r["received"]) for r in days] == [(dt.date(2026, 3, 2), 4), (dt.date(2026, 3, 5), 12)]


def test_trend_compares_with_the_previous_period_of_equal_length(figures):
    assert MARCH.previous() == Period(dt.date(2026, 2, 22), dt.date(2026, 2, 28))
    trend = figures_trend(agency_ids=[figures["commune"].pk], period=MARCH)
    assert (trend["previous"]["received"], trend["previous"]["late_rate"]) == (5, 100.0)
    assert trend["change"]["received"] == 5
    assert trend["change"]["late_rate"] == -80.0
    assert trend["change"]["full_online_rate"] == 40.0
    assert trend["change"]["partial_online_rate"] is None
