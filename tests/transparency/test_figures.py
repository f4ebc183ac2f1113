"""The public figures rebuilt from engine-made dossiers (docs/transparency.md)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from dossiers.models import Dossier
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import WITHDRAWAL
from tests.transparency.world import TODAY
from transparency.models import PublicFigure, PublicRefresh, WorkingDay
from transparency.services import MEDIAN, P90, percentile_from_counts, period_ending, public_figures_rebuild
from transparency.tasks import refresh
from workcalendar.calendar import WorkCalendar
from workcalendar.models import OverrideKind
from workcalendar.services import calendar_override_set

pytestmark = pytest.mark.django_db
REFERENCE = dt.date.fromisoformat(TODAY)


def rows() -> set[tuple]:
    fields = [
        "agency_id", "procedure_id", "resolved", "on_time", "late", "withdrawn", "timed",
        "on_time_rate", "median_days", "p90_days",
    ]  # fmt: skip
    return set(PublicFigure.objects.values_list(*fields))


def test_the_period_is_the_twelve_months_ending_yesterday():
    period = period_ending(dt.date(2026, 6, 1))
    assert (period.start, period.end) == (dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    period = period_ending(dt.date(2028, 3, 1))  # yesterday is 29/02 of a leap year
    assert (period.start, period.end) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))
    period = period_ending(dt.date(2026, 1, 1))
    assert (period.start, period.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_figures_of_a_procedure_count_working_days_and_outcomes(world, agencies):
    mark = public_figures_rebuild(today=REFERENCE, now=at(f"{TODAY} 01:30"))
    assert (mark.period_start, mark.period_end) == (dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    assert mark.dossiers == 10  # six of the procedure, four of the small one

    commune = agencies[COMMUNE]
    procedure = world.version.procedure
    figure = PublicFigure.objects.get(agency=commune, procedure=procedure)
    assert (figure.resolved, figure.on_time, figure.late, figure.withdrawn, figure.timed) == (6, 5, 1, 1, 5)
    assert figure.on_time_rate == Decimal("83.3")
    # The late one: working days after 02/03 up to 28/04, by the calendar itself (27/04 is the Hùng Kings' day off).
    late_days = WorkCalendar().count_working_days(dt.date(2026, 3, 2), dt.date(2026, 4, 28))
    assert late_days == 40
    days = sorted([3, 0, 4, late_days, 0])  # withdrawn left out
    assert figure.median_days == Decimal(days[2]) == Decimal(3)
    assert figure.p90_days == Decimal(days[3]) + (Decimal(days[4]) - days[3]) * Decimal("0.6")  # 4 + 0.6 × 36 = 25.6

    # The procedure across agencies is the same dossiers; the commune's row adds the small procedure's four.
    overall = PublicFigure.objects.get(agency__isnull=True, procedure=procedure)
    assert (overall.resolved, overall.on_time_rate, overall.median_days) == (6, Decimal("83.3"), Decimal(3))
    agency_row = PublicFigure.objects.get(agency=commune, procedure__isnull=True)
    assert (agency_row.resolved, agency_row.on_time, agency_row.timed) == (10, 9, 9)
    assert agency_row.on_time_rate == Decimal("90.0")
    province = PublicFigure.objects.get(agency__isnull=True, procedure__isnull=True)
    assert province.resolved == 10


def test_groups_under_five_resolved_dossiers_are_not_published(world):
    public_figures_rebuild(today=REFERENCE)
    assert not PublicFigure.objects.filter(procedure=world.small.procedure).exists()
    assert PublicFigure.objects.filter(procedure=world.version.procedure).count() == 2


def test_times_are_left_empty_under_five_answered_dossiers(world, receive, people):
    # One more withdrawal of the small procedure: five resolved (published) but only four answered (no times).
    extra = receive("2026-03-09 09:00", version=world.small)
    advance(extra, ("withdraw", "desk", WITHDRAWAL | {"note": "Rút"}), people=people, when="2026-03-10 09:00")
    public_figures_rebuild(today=REFERENCE)
    figure = PublicFigure.objects.get(procedure=world.small.procedure, agency__isnull=True)
    assert (figure.resolved, figure.timed, figure.on_time_rate) == (5, 4, Decimal("100.0"))
    assert (figure.median_days, figure.p90_days) == (None, None)


def test_the_rebuild_is_idempotent_and_both_ways_agree(world):
    public_figures_rebuild(today=REFERENCE)
    first = rows()
    assert len(first) == 4  # procedure × commune, procedure, commune, province
    public_figures_rebuild(today=REFERENCE)
    assert rows() == first
    public_figures_rebuild(today=REFERENCE, in_sql=False)  # the SQLite way, grouped counts read into Python
    assert rows() == first
    assert PublicRefresh.objects.count() == 1


def test_a_later_day_moves_the_period(world):
    public_figures_rebuild(today=REFERENCE)
    assert PublicFigure.objects.get(agency__isnull=True, procedure__isnull=True).resolved == 10
    # A year later the March and April dossiers have left the period: nothing is left to publish.
    public_figures_rebuild(today=dt.date(2027, 5, 1))
    assert not PublicFigure.objects.exists()
    assert PublicRefresh.objects.get().period_end == dt.date(2027, 4, 30)


def test_working_day_ordinals_cover_the_receipts_and_follow_the_calendar(world):
    public_figures_rebuild(today=REFERENCE)
    days = dict(WorkingDay.objects.values_list("day", "ordinal"))
    assert min(days) == dt.date(2025, 6, 1)
    assert max(days) == dt.date(2026, 5, 31)
    assert days[dt.date(2026, 5, 4)] - days[dt.date(2026, 4, 24)] == 3
    assert not WorkingDay.objects.get(day=dt.date(2026, 2, 16)).is_working  # Tết


def test_the_task_runs_through_celery(world):
    with time_machine.travel(at(f"{TODAY} 01:30"), tick=False):
        refresh.delay()
    mark = PublicRefresh.objects.get()
    assert mark.period_end == dt.date(2026, 5, 31)
    assert mark.rows == 4


def test_the_command_reports_what_it_did(world):
    out = io.StringIO()
    call_command("transparency_refresh", today=REFERENCE, stdout=out)
    assert "01/06/2025–31/05/2026: 10 hồ sơ, 4 dòng số liệu" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's percentile_cont")
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=40))
def test_percentiles_from_counts_match_postgresql(values):
    counts: dict[int, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ROUND(CAST(percentile_cont(%s) WITHIN GROUP (ORDER BY v) AS numeric), 1), "
            "ROUND(CAST(percentile_cont(%s) WITHIN GROUP (ORDER BY v) AS numeric), 1) FROM unnest(%s::int[]) v",
            [MEDIAN, P90, values],
        )
        median, p90 = cursor.fetchone()
    assert (percentile_from_counts(counts, MEDIAN), percentile_from_counts(counts, P90)) == (median, p90)


def test_a_calendar_override_changes_the_working_days_at_the_next_rebuild(world):
    public_figures_rebuild(today=REFERENCE)
    figure = PublicFigure.objects.get(agency__isnull=True, procedure=world.version.procedure)
    assert figure.p90_days == Decimal("25.6")
    # The province gives Wednesday 04/03/2026 off: the dossier of 02/03 → 06/03 took 3 working days, the late one 39.
    calendar_override_set(date=dt.date(2026, 3, 4), kind=OverrideKind.DAY_OFF, legal_basis="Quyết định 1/QĐ-UBND")
    mark = public_figures_rebuild(today=REFERENCE)
    assert mark.calendar_version == 1
    figure = PublicFigure.objects.get(agency__isnull=True, procedure=world.version.procedure)
    assert figure.median_days == Decimal(3)
    assert figure.p90_days == Decimal(3) + (Decimal(39) - 3) * Decimal("0.6")  # [0, 0, 3, 3, 39]: 24.6


def test_a_dossier_counts_at_the_agency_handling_it(world, receive, people, agencies):
    forward = ("forward", "desk", {"agency": agencies[OTHER_COMMUNE]})
    result = ("issue_result", "other_head", {"number": "16/QĐ"})
    for day in ("09", "10", "11", "12", "13"):
        advance(
            receive(f"2026-03-{day} 08:00", version=world.version), forward, people=people, when=f"2026-03-{day} 08:30"
        )
    for dossier in Dossier.objects.filter(processing_agency=agencies[OTHER_COMMUNE]):
        advance(dossier, result, people=people, when="2026-03-20 10:00")
    public_figures_rebuild(today=REFERENCE)
    other = PublicFigure.objects.get(agency=agencies[OTHER_COMMUNE], procedure=world.version.procedure)
    assert (other.resolved, other.on_time_rate) == (5, Decimal("100.0"))
    assert PublicFigure.objects.get(agency=agencies[COMMUNE], procedure=world.version.procedure).resolved == 6
    assert PublicFigure.objects.get(agency__isnull=True, procedure=world.version.procedure).resolved == 11
