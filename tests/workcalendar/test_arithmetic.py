"""The rules of docs/domain.md §5.2–5.6 one by one, on the pure arithmetic (no database)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from tests.workcalendar.helpers import CALENDAR, HOURS, local
from workcalendar.calendar import (
    LOCAL_TZ,
    Duration,
    OfficeHours,
    WorkCalendar,
    due_moment,
    effective_receipt,
    hours_to_timedelta,
    remaining_after_pause,
    resume_due,
    timedelta_to_hours,
    working_time_between,
)


def due(received, duration, cutoff=None, calendar=CALENDAR, hours=HOURS):
    return due_moment(received, duration, calendar=calendar, hours=hours, cutoff=cutoff)


# --- The calendar (§5.2) ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(dt.date(2026, 1, 1), False, id="new-year"),
        pytest.param(dt.date(2026, 2, 16), False, id="tet-first"),
        pytest.param(dt.date(2026, 2, 20), False, id="tet-last"),
        pytest.param(dt.date(2026, 2, 23), True, id="after-tet"),
        pytest.param(dt.date(2026, 4, 26), False, id="hung-kings-on-sunday"),
        pytest.param(dt.date(2026, 4, 27), False, id="hung-kings-compensatory-monday"),
        pytest.param(dt.date(2026, 8, 22), True, id="make-up-saturday-2026"),
        pytest.param(dt.date(2026, 8, 31), False, id="swapped-day-off"),
        pytest.param(dt.date(2026, 11, 24), False, id="vietnam-culture-day"),
        pytest.param(dt.date(2025, 4, 26), True, id="make-up-saturday-2025"),
        pytest.param(dt.date(2025, 5, 2), False, id="swapped-day-off-2025"),
        pytest.param(dt.date(2026, 3, 7), False, id="ordinary-saturday"),
        pytest.param(dt.date(2026, 3, 8), False, id="ordinary-sunday"),
        pytest.param(dt.date(2026, 3, 9), True, id="ordinary-monday"),
    ],
)
def test_working_days_follow_the_package(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_overrides_win_both_ways():
    calendar = WorkCalendar({dt.date(2026, 3, 9): "day_off", dt.date(2026, 3, 7): "working_day"})
    assert not calendar.is_working_day(dt.date(2026, 3, 9))
    assert calendar.is_working_day(dt.date(2026, 3, 7))
    # an override can also cancel a package holiday (docs/domain.md §13 #7: a province may disable 24/11)
    assert WorkCalendar({dt.date(2026, 11, 24): "working_day"}).is_working_day(dt.date(2026, 11, 24))


def test_years_are_loaded_lazily_and_far_years_work():
    assert not CALENDAR.is_working_day(dt.date(2030, 1, 1))
    assert CALENDAR.is_working_day(dt.date(2019, 1, 5))  # a make-up Saturday the package knows


def test_stepping_and_counting():
    assert CALENDAR.next_working_day(dt.date(2026, 2, 13)) == dt.date(2026, 2, 23)
    assert CALENDAR.previous_working_day(dt.date(2026, 2, 23)) == dt.date(2026, 2, 13)
    assert CALENDAR.working_day_on_or_after(dt.date(2026, 2, 14)) == dt.date(2026, 2, 23)
    assert CALENDAR.working_day_on_or_after(dt.date(2026, 2, 13)) == dt.date(2026, 2, 13)
    assert CALENDAR.add_working_days(dt.date(2026, 3, 2), 0) == dt.date(2026, 3, 2)
    assert CALENDAR.add_working_days(dt.date(2026, 3, 2), 10) == dt.date(2026, 3, 16)
    assert CALENDAR.count_working_days(dt.date(2026, 3, 5), dt.date(2026, 3, 16)) == 7
    assert CALENDAR.count_working_days(dt.date(2026, 3, 16), dt.date(2026, 3, 5)) == 0


@pytest.mark.parametrize(
    "overrides",
    [{dt.date(2026, 3, 9): "holiday"}, {dt.datetime(2026, 3, 9, tzinfo=LOCAL_TZ): "day_off"}],
    ids=["bad-kind", "datetime-key"],
)
def test_bad_overrides_are_refused(overrides):
    with pytest.raises(ValueError, match="Override"):
        WorkCalendar(overrides)


def test_a_calendar_without_working_days_stops_with_an_error():
    every_day_off = {dt.date(2026, 1, 1) + dt.timedelta(days=i): "day_off" for i in range(4 * 366)}
    with pytest.raises(ValueError, match="No working day"):
        WorkCalendar(every_day_off).next_working_day(dt.date(2026, 1, 1))


# --- Office hours and the effective receipt moment (§5.3–5.4) -----------------------------------------------


@pytest.mark.parametrize(
    ("received", "cutoff", "expected"),
    [
        pytest.param(local(2026, 3, 9, 6, 30), None, local(2026, 3, 9, 7), id="before-opening"),
        pytest.param(local(2026, 3, 9, 7), None, local(2026, 3, 9, 7), id="at-opening"),
        pytest.param(local(2026, 3, 9, 11, 29), None, local(2026, 3, 9, 11, 29), id="just-before-lunch"),
        pytest.param(local(2026, 3, 9, 11, 30), None, local(2026, 3, 9, 13, 30), id="lunch-starts-inclusive"),
        pytest.param(local(2026, 3, 9, 12, 15), None, local(2026, 3, 9, 13, 30), id="in-lunch"),
        pytest.param(local(2026, 3, 9, 13, 29), None, local(2026, 3, 9, 13, 30), id="lunch-end-exclusive"),
        pytest.param(local(2026, 3, 9, 13, 30), None, local(2026, 3, 9, 13, 30), id="afternoon-opens"),
        pytest.param(local(2026, 3, 9, 16, 59), None, local(2026, 3, 9, 16, 59), id="before-closing"),
        pytest.param(local(2026, 3, 9, 17), None, local(2026, 3, 10, 7), id="at-closing"),
        pytest.param(local(2026, 3, 9, 22), None, local(2026, 3, 10, 7), id="evening"),
        pytest.param(local(2026, 3, 7, 10), None, local(2026, 3, 9, 7), id="saturday"),
        pytest.param(local(2026, 8, 22, 10), None, local(2026, 8, 22, 10), id="make-up-saturday"),
        pytest.param(local(2026, 2, 16, 10), None, local(2026, 2, 23, 7), id="tet"),
        pytest.param(local(2026, 3, 9, 14, 59), dt.time(15), local(2026, 3, 9, 14, 59), id="before-cutoff"),
        pytest.param(local(2026, 3, 9, 15), dt.time(15), local(2026, 3, 10, 7), id="at-cutoff"),
        pytest.param(local(2026, 3, 13, 15, 30), dt.time(15), local(2026, 3, 16, 7), id="after-cutoff-friday"),
        pytest.param(local(2026, 3, 9, 16, 30), dt.time(17), local(2026, 3, 9, 16, 30), id="cutoff-at-closing"),
        pytest.param(local(2026, 3, 9, 16, 30), dt.time(18), local(2026, 3, 9, 16, 30), id="cutoff-after-closing"),
        pytest.param(local(2026, 3, 9, 17), dt.time(18), local(2026, 3, 10, 7), id="closing-still-closes"),
    ],
)
def test_effective_receipt(received, cutoff, expected):
    assert effective_receipt(received, calendar=CALENDAR, hours=HOURS, cutoff=cutoff) == expected


def test_receipts_in_another_zone_are_read_in_vietnam():
    received = dt.datetime(2026, 4, 29, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
    result = due(received, Duration.working_days(3))
    assert result == local(2026, 5, 6, 10)
    assert result.tzinfo == ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.mark.parametrize("cutoff", [dt.time(17), dt.time(17, 30), dt.time(23, 59)])
@pytest.mark.parametrize(
    ("received", "duration"),
    [
        (local(2026, 3, 9, 16, 30), Duration.working_days(3)),
        (local(2026, 3, 9, 16, 59), Duration.working_hours(2)),
        (local(2026, 3, 9, 16), Duration.same_day()),
        (local(2026, 3, 9, 16), Duration.calendar_days(5)),
    ],
)
def test_cutoff_at_or_after_closing_has_no_effect(received, duration, cutoff):
    assert due(received, duration, cutoff=cutoff) == due(received, duration)


def test_office_hours_from_an_agency():
    agency = SimpleNamespace(office_periods=((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(16, 30))))
    hours = OfficeHours.from_agency(agency)
    assert (hours.opening, hours.closing, hours.day_length) == (
        dt.time(7, 30),
        dt.time(16, 30),
        dt.timedelta(hours=7.5),
    )
    assert effective_receipt(local(2026, 3, 9, 11, 45), calendar=CALENDAR, hours=hours) == local(2026, 3, 9, 13)
    assert effective_receipt(local(2026, 3, 9, 16, 30), calendar=CALENDAR, hours=hours) == local(2026, 3, 10, 7, 30)
    assert OfficeHours.from_agency(None) == HOURS
    assert OfficeHours.parse([("07:00", "11:30"), ("13:30", "17:00")]) == HOURS


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((dt.time(11), dt.time(7)),),
        ((dt.time(7), dt.time(12)), (dt.time(11), dt.time(17))),
        ((dt.time(7, tzinfo=LOCAL_TZ), dt.time(17)),),
    ],
    ids=["empty", "backwards", "overlapping", "aware"],
)
def test_bad_office_hours_are_refused(periods):
    with pytest.raises(ValueError, match="ffice"):
        OfficeHours(periods)


# --- The due moment by unit (§5.5) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        pytest.param(local(2026, 3, 9, 12), 2, local(2026, 3, 11, 13, 30), id="lunch-receipt-takes-13-30"),
        pytest.param(local(2026, 3, 9, 6), 2, local(2026, 3, 11, 7), id="early-receipt-takes-opening"),
        pytest.param(local(2026, 3, 9, 18), 1, local(2026, 3, 11, 7), id="evening-receipt-next-day"),
        pytest.param(local(2026, 3, 7, 10), 1, local(2026, 3, 10, 7), id="weekend-receipt"),
    ],
)
def test_working_days_from_an_adjusted_receipt(received, days, expected):
    assert due(received, Duration.working_days(days)) == expected


@pytest.mark.parametrize(
    ("received", "cutoff", "expected"),
    [
        pytest.param(local(2026, 3, 9, 9), None, local(2026, 3, 9, 17), id="morning"),
        pytest.param(local(2026, 3, 9, 14, 59), dt.time(15), local(2026, 3, 9, 17), id="before-cutoff"),
        pytest.param(local(2026, 3, 9, 15), dt.time(15), local(2026, 3, 10, 17), id="at-cutoff"),
        pytest.param(local(2026, 3, 7, 9), dt.time(15), local(2026, 3, 9, 17), id="saturday"),
    ],
)
@pytest.mark.parametrize("duration", [Duration.same_day(), Duration.working_days(0)], ids=["same-day", "0-days"])
def test_zero_days_is_the_same_day(received, cutoff, expected, duration):
    assert due(received, duration, cutoff=cutoff) == expected


@pytest.mark.parametrize(
    ("received", "value", "expected"),
    [
        pytest.param(local(2026, 3, 9, 7), "4.5", local(2026, 3, 9, 11, 30), id="lands-on-lunch-start"),
        pytest.param(local(2026, 3, 9, 7), "4.75", local(2026, 3, 9, 13, 45), id="crosses-lunch"),
        pytest.param(local(2026, 3, 9, 7), "8", local(2026, 3, 9, 17), id="lands-on-closing"),
        pytest.param(local(2026, 3, 9, 7), "8.5", local(2026, 3, 10, 7, 30), id="next-morning"),
        pytest.param(local(2026, 3, 13, 16), "1.25", local(2026, 3, 16, 7, 15), id="over-the-weekend"),
        pytest.param(local(2026, 3, 9, 12), "0.5", local(2026, 3, 9, 14), id="lunch-receipt"),
        pytest.param(local(2026, 3, 9, 9), "16", local(2026, 3, 11, 9), id="two-days"),
    ],
)
def test_working_hours(received, value, expected):
    assert due(received, Duration.working_hours(value)) == expected


def test_half_a_working_day_is_four_working_hours():
    assert due(local(2026, 3, 9, 7), Duration.working_days("0.5")) == local(2026, 3, 9, 11)
    assert due(local(2026, 3, 9, 9), Duration.working_days("4.5")) == local(2026, 3, 13, 15)


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        pytest.param(local(2026, 3, 2, 10), 10, local(2026, 3, 12, 10), id="lands-on-working-day"),
        pytest.param(local(2026, 4, 23, 10), 7, local(2026, 5, 4, 10), id="rolls-over-holidays-and-weekend"),
        pytest.param(local(2026, 3, 5, 10), 2, local(2026, 3, 9, 10), id="rolls-over-weekend"),
        pytest.param(local(2026, 3, 6, 18), 1, local(2026, 3, 10, 7), id="from-next-day-opening"),
        pytest.param(local(2026, 3, 9, 10), 0, local(2026, 3, 9, 17), id="zero-is-same-day"),
    ],
)
def test_calendar_days_roll_forward(received, days, expected):
    assert due(received, Duration.calendar_days(days)) == expected


def test_calendar_day_roll_forward_keeps_the_time_of_day():
    # §5.5(c) keeps E's time after rolling, so an earlier receipt can be due later the same day: the dates,
    # which decide lateness (§5.11), never go back (see the monotonicity property).
    earlier = due(local(2026, 3, 5, 16), Duration.calendar_days(2))  # Sat 7/3 → Mon 9/3
    later = due(local(2026, 3, 6, 8), Duration.calendar_days(2))  # Sun 8/3 → Mon 9/3
    assert (earlier, later) == (local(2026, 3, 9, 16), local(2026, 3, 9, 8))


def test_mixed_parts_run_in_order():
    land = Duration.mixed(Duration.calendar_days(15), Duration.working_days(8))
    # +15 days → Tue 17/3 10:00, then 8 working days → Fri 27/3 10:00
    assert due(local(2026, 3, 2, 10), land) == local(2026, 3, 27, 10)


def test_mixed_parts_go_through_the_receipt_rule_without_cutoff():
    duration = Duration.mixed(Duration.working_hours(1), Duration.working_days(1))
    # 16:00 + 1 h = 17:00, which §5.4 moves to Tue 07:00; one working day later
    assert due(local(2026, 3, 9, 16), duration) == local(2026, 3, 11, 7)
    # the cut-off holds back the receipt only: E = Tue 07:00, +1 h = 08:00, then Wed 08:00
    assert due(local(2026, 3, 9, 14), duration, cutoff=dt.time(13)) == local(2026, 3, 11, 8)


def test_no_fixed_time_has_no_due_moment():
    assert due(local(2026, 3, 9, 10), Duration.none()) is None
    assert resume_due(local(2026, 3, 9, 10), Duration.none(), calendar=CALENDAR, hours=HOURS) is None


def test_an_extra_day_off_or_working_day_moves_the_due_moment():
    received = local(2026, 4, 29, 10)
    plain = due(received, Duration.working_days(3))
    assert plain == local(2026, 5, 6, 10)
    day_off = WorkCalendar({dt.date(2026, 5, 4): "day_off"})
    assert due(received, Duration.working_days(3), calendar=day_off) == local(2026, 5, 7, 10)
    working_saturday = WorkCalendar({dt.date(2026, 5, 2): "working_day"})
    assert due(received, Duration.working_days(3), calendar=working_saturday) == local(2026, 5, 5, 10)


# --- Inputs -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: effective_receipt(naive, calendar=CALENDAR, hours=HOURS),
        lambda naive: due(naive, Duration.working_days(1)),
        lambda naive: working_time_between(naive, local(2026, 3, 9, 10), calendar=CALENDAR, hours=HOURS),
        lambda naive: resume_due(naive, Duration.working_hours(1), calendar=CALENDAR, hours=HOURS),
    ],
    ids=["effective_receipt", "due_moment", "working_time_between", "resume_due"],
)
def test_naive_datetimes_are_refused(call):
    naive = local(2026, 3, 9, 10).replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        call(naive)


def test_a_cutoff_with_a_zone_is_refused():
    with pytest.raises(ValueError, match="cutoff"):
        due(local(2026, 3, 9, 10), Duration.same_day(), cutoff=dt.time(15, tzinfo=LOCAL_TZ))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Duration("weeks", 1), "Unknown time unit"),
        (lambda: Duration.working_days(-1), "negative"),
        (lambda: Duration.working_hours("abc"), "Not a number"),
        (lambda: Duration.working_hours("NaN"), "finite"),
        (lambda: Duration.calendar_days("1.5"), "whole number"),
        (lambda: Duration.mixed(), "at least one part"),
        (lambda: Duration.mixed(Duration.none()), "simple units"),
        (lambda: Duration("working_days", 1, parts=(Duration.same_day(),)), "Only a mixed"),
    ],
)
def test_bad_durations_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_durations_from_procedure_fields():
    assert Duration.from_fields("working_days", Decimal("5.00")) == Duration.working_days(5)
    assert Duration.from_fields("same_day", None) == Duration.same_day()
    assert Duration.from_fields("working_hours", 2.5) == Duration.working_hours("2.5")
    mixed = Duration.from_fields(
        "mixed", None, [{"unit": "calendar_days", "value": 15}, {"unit": "working_days", "value": "8"}]
    )
    assert mixed == Duration.mixed(Duration.calendar_days(15), Duration.working_days(8))
    assert str(mixed) == "15 ngày + 8 ngày làm việc"
    assert str(Duration.working_hours("4.50")) == "4.5 giờ làm việc"


def test_hours_convert_exactly():
    assert hours_to_timedelta("4.5") == dt.timedelta(hours=4, minutes=30)
    assert hours_to_timedelta(timedelta_to_hours(dt.timedelta(seconds=1))) == dt.timedelta(seconds=1)


# --- Working time and pauses (§5.6) -------------------------------------------------------------------------


def between(start, end, pauses=()):
    return working_time_between(start, end, calendar=CALENDAR, hours=HOURS, pauses=pauses)


def test_working_time_between_counts_office_time_only():
    assert between(local(2026, 3, 9, 9), local(2026, 3, 9, 10, 30)) == dt.timedelta(hours=1.5)
    assert between(local(2026, 3, 9, 11), local(2026, 3, 9, 14)) == dt.timedelta(hours=1)
    assert between(local(2026, 3, 13, 16), local(2026, 3, 16, 8)) == dt.timedelta(hours=2)
    assert between(local(2026, 2, 13, 7), local(2026, 2, 24, 7)) == dt.timedelta(hours=16)  # Tết skipped
    assert between(local(2026, 3, 9, 10), local(2026, 3, 9, 9)) == -dt.timedelta(hours=1)


def test_working_time_between_leaves_pauses_out():
    start, end = local(2026, 3, 9, 7), local(2026, 3, 10, 17)  # 16 h
    pauses = [
        (local(2026, 3, 9, 9), local(2026, 3, 9, 10)),
        (local(2026, 3, 9, 9, 30), local(2026, 3, 9, 10, 30)),  # overlaps the first: not counted twice
        (local(2026, 3, 10, 16), None),  # still paused at the end
    ]
    assert between(start, end, pauses) == dt.timedelta(hours=16 - 1.5 - 1)


def test_a_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="pause"):
        between(local(2026, 3, 9, 7), local(2026, 3, 9, 17), [(local(2026, 3, 9, 10), local(2026, 3, 9, 9))])


def remaining(due_at, paused_at, duration, start=None):
    return remaining_after_pause(
        due=due_at, pause_start=paused_at, duration=duration, calendar=CALENDAR, hours=HOURS, start=start
    )


def resume(resumed_at, left):
    return resume_due(resumed_at, left, calendar=CALENDAR, hours=HOURS)


def test_continue_with_working_hours():
    due_at = due(local(2026, 11, 23, 15), Duration.working_hours(4))  # example E: Wed 25/11 09:00
    left = remaining(due_at, local(2026, 11, 23, 16), Duration.working_hours(4))
    assert left == Duration.working_hours(3)  # 16:00–17:00 and Wed 07:00–09:00
    assert resume(local(2026, 11, 26, 10), left) == local(2026, 11, 26, 15)


def test_continue_with_calendar_days():
    due_at = due(local(2026, 3, 2, 10), Duration.calendar_days(15))
    assert due_at == local(2026, 3, 17, 10)
    left = remaining(due_at, local(2026, 3, 5, 9), Duration.calendar_days(15))
    assert left == Duration.calendar_days(12)
    assert resume(local(2026, 3, 11, 14), left) == local(2026, 3, 23, 14)


def test_a_pause_on_a_day_off_keeps_the_next_working_day():
    due_at = local(2026, 3, 16, 10)
    assert remaining(due_at, local(2026, 3, 7, 10), Duration.working_days(10)) == Duration.working_days(6)


@pytest.mark.parametrize(
    ("paused_at", "resumed_at", "expected"),
    [
        pytest.param(local(2026, 3, 16, 9), local(2026, 3, 18, 10), local(2026, 3, 18, 17), id="pause-on-due-day"),
        pytest.param(local(2026, 3, 17, 9), local(2026, 3, 18, 18), local(2026, 3, 19, 17), id="overdue-evening"),
    ],
)
def test_nothing_left_is_due_at_the_resume_day_closing(paused_at, resumed_at, expected):
    left = remaining(local(2026, 3, 16, 10), paused_at, Duration.working_days(10))
    assert left.is_zero
    assert resume(resumed_at, left) == expected


def test_continue_with_nothing_left_in_hours():
    left = remaining(local(2026, 3, 9, 10), local(2026, 3, 9, 11), Duration.working_hours(3))
    assert left == Duration.working_hours(0)
    assert resume(local(2026, 3, 10, 8), left) == local(2026, 3, 10, 17)


def test_continue_with_a_mixed_duration_keeps_later_parts_whole():
    land = Duration.mixed(Duration.calendar_days(15), Duration.working_days(8))
    start = local(2026, 3, 2, 10)
    due_at = due(start, land)
    in_first_part = remaining(due_at, local(2026, 3, 5, 9), land, start=start)
    assert in_first_part == Duration.mixed(Duration.calendar_days(12), Duration.working_days(8))
    in_second_part = remaining(due_at, local(2026, 3, 20, 9), land, start=start)
    assert in_second_part == Duration.working_days(5)  # 23–27/3
    assert remaining(due_at, local(2026, 4, 1, 9), land, start=start).is_zero
    with pytest.raises(ValueError, match="start"):
        remaining(due_at, local(2026, 3, 5, 9), land)
    assert remaining(due_at, local(2026, 3, 5, 9), Duration.none()) == Duration.none()
