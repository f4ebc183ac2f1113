"""`dossiers.deadlines`: the engine's deadline rules as pure functions (docs/domain.md §5), which the services and
the demo seeder both call. No database, no clock: every moment is given."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dossiers import deadlines
from workcalendar.calendar import LOCAL_TZ, Duration, OfficeHours, WorkCalendar

CALENDAR, HOURS = WorkCalendar(), OfficeHours()


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL_TZ)


def version(unit, value=None, parts=(), cutoff=None):
    return SimpleNamespace(time_unit=unit, time_value=value, time_parts=list(parts), cutoff_time=cutoff)


@pytest.mark.parametrize(
    ("received", "v", "due"),
    [
        (local(2023, 10, 27, 9, 32), version("working_days", Decimal(5)), local(2023, 11, 3, 9, 32)),  # §5.13 A
        (local(2026, 2, 13, 16), version("same_day", cutoff=dt.time(15)), local(2026, 2, 23, 17)),  # C: Tết
        (local(2026, 8, 21, 10), version("working_days", Decimal(2)), local(2026, 8, 24, 10)),  # D: Sat 22/8
        (local(2026, 11, 23, 15), version("working_hours", Decimal(4)), local(2026, 11, 25, 9)),  # E: 24/11 off
        (local(2026, 2, 12, 10), version("working_days", Decimal(5)), local(2026, 2, 26, 10)),  # H
        (local(2026, 2, 12, 10), version("none"), None),  # no fixed time
        (
            local(2026, 3, 2, 10),
            version("mixed", parts=[{"unit": "calendar_days", "value": 15}, {"unit": "working_days", "value": 8}]),
            local(2026, 3, 27, 10),  # 17/3 (Tue), then 8 working days
        ),
    ],
)
def test_receipt_due_is_the_worked_examples(received, v, due):
    assert deadlines.receipt_due(received, v, calendar=CALENDAR, hours=HOURS) == due


def test_the_cutoff_moves_the_receipt_but_not_the_acceptance_window():
    friday_1600 = local(2026, 2, 13, 16)
    v = version("working_days", Decimal(1), cutoff=dt.time(15))
    # After the cut-off on the Friday before Tết: counting starts Mon 23/2 at opening.
    assert deadlines.receipt_due(friday_1600, v, calendar=CALENDAR, hours=HOURS) == local(2026, 2, 24, 7)
    # The online acceptance window has no cut-off (§5.8): 1 office hour on Friday, 7 on Monday 23/2 (4.5 + 2.5).
    assert deadlines.acceptance_due(friday_1600, window_hours=8, calendar=CALENDAR, hours=HOURS) == local(
        2026, 2, 23, 16
    )


@pytest.mark.parametrize(
    ("unit", "budget", "due"),
    [
        ("working_days", Decimal("2"), local(2026, 11, 26, 10)),  # Tue 24/11 is a day off
        ("working_days", Decimal("0.5"), local(2026, 11, 23, 16)),  # half a day = 4 working hours, lunch skipped
        ("calendar_days", Decimal("1.5"), local(2026, 11, 25, 10)),  # a part of a calendar day counts whole
        ("working_days", Decimal("0"), None),
        ("working_days", None, None),
        ("same_day", Decimal("1"), None),
        ("mixed", Decimal("1"), None),
    ],
)
def test_step_due_from_its_budget(unit, budget, due):
    started = local(2026, 11, 23, 10)
    assert deadlines.step_due(started, unit=unit, budget=budget, calendar=CALENDAR, hours=HOURS) == due
    assert (deadlines.step_budget(unit, budget) is None) == (due is None)


def test_apology_deadline_is_the_working_day_before_the_due_date():
    assert deadlines.apology_deadline(local(2026, 2, 23, 9), calendar=CALENDAR) == dt.date(2026, 2, 13)
    # The due date is local: 23/2 00:30 in Vietnam is still 22/2 in UTC.
    assert deadlines.apology_deadline(dt.datetime(2026, 2, 22, 17, 30, tzinfo=dt.UTC), calendar=CALENDAR) == dt.date(
        2026, 2, 13
    )
    assert deadlines.apology_deadline(None, calendar=CALENDAR) is None


def test_supplement_deadline_counts_working_days():
    asked = local(2026, 2, 12, 10)
    assert deadlines.supplement_deadline(asked, days=5, calendar=CALENDAR, hours=HOURS) == local(2026, 2, 26, 10)


@pytest.mark.parametrize(("mode", "due", "left"), [("continue", local(2026, 3, 20, 14), "7"), ("restart", None, None)])
def test_resumed_due_in_both_clock_modes_is_worked_example_g(mode, due, left):
    new_due, remaining = deadlines.resumed_due(
        local(2026, 3, 11, 14),
        mode=mode,
        duration=Duration.working_days(10),
        due=local(2026, 3, 16, 10),
        pause_start=local(2026, 3, 5, 9, 15),
        clock_start=local(2026, 3, 2, 10),
        calendar=CALENDAR,
        hours=HOURS,
    )
    if mode == "restart":
        assert new_due == local(2026, 3, 25, 14)
        assert remaining is None
    else:
        assert new_due == due
        assert remaining == Duration.working_days(Decimal(left))


def test_a_restart_after_the_cut_off_counts_from_the_next_opening():
    new_due, remaining = deadlines.resumed_due(
        local(2026, 3, 11, 16),
        mode="restart",
        duration=Duration.working_days(10),
        due=local(2026, 3, 16, 10),
        pause_start=local(2026, 3, 5, 9, 15),
        clock_start=local(2026, 3, 2, 10),
        calendar=CALENDAR,
        hours=HOURS,
        cutoff=dt.time(15, 0),
    )
    assert (new_due, remaining) == (local(2026, 3, 26, 7), None)


def test_no_due_moment_stays_none_after_a_pause():
    assert deadlines.resumed_due(
        local(2026, 3, 11, 14),
        mode="continue",
        duration=Duration.none(),
        due=None,
        pause_start=local(2026, 3, 5),
        clock_start=local(2026, 3, 2),
        calendar=CALENDAR,
        hours=HOURS,
    ) == (None, None)
