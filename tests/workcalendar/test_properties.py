"""Properties of the deadline arithmetic (docs/domain.md §5.4–5.6) over random receipts, durations, calendars."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.workcalendar.helpers import HOURS
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
    working_time_between,
)

FAST = settings(max_examples=200, deadline=None)

dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31))
moments = st.builds(
    lambda day, minute: dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=LOCAL_TZ),
    dates,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)
cutoffs = st.one_of(
    st.none(),
    st.builds(dt.time, st.integers(min_value=6, max_value=19), st.sampled_from([0, 15, 30, 45])),
)
overrides = st.dictionaries(dates, st.sampled_from(["day_off", "working_day"]), max_size=25)
calendars = st.builds(WorkCalendar, overrides)
# Whole quarter-hours are exact in both Decimal and timedelta, so sums compare exactly.
quarter_hours = st.integers(min_value=1, max_value=24 * 4).map(lambda q: Decimal(q) / 4)
office_hours = st.sampled_from(
    [
        HOURS,
        OfficeHours(((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 0), dt.time(16, 30)))),
        OfficeHours(((dt.time(8, 0), dt.time(17, 0)),)),
    ]
)
durations = st.one_of(
    st.integers(min_value=0, max_value=20).map(Duration.working_days),
    quarter_hours.map(Duration.working_hours),
    st.integers(min_value=0, max_value=40).map(Duration.calendar_days),
    st.just(Duration.same_day()),
    st.builds(
        lambda days, hours: Duration.mixed(Duration.working_days(days), Duration.working_hours(hours)),
        st.integers(min_value=1, max_value=10),
        quarter_hours,
    ),
    st.builds(
        lambda calendar_days, days: Duration.mixed(Duration.calendar_days(calendar_days), Duration.working_days(days)),
        st.integers(min_value=1, max_value=20),
        st.integers(min_value=1, max_value=10),
    ),
)


def in_office(moment: dt.datetime, calendar: WorkCalendar, hours: OfficeHours) -> bool:
    """A working day, and within an office period, period ends included."""
    time = moment.time()
    return calendar.is_working_day(moment.date()) and any(start <= time <= end for start, end in hours.periods)


@FAST
@given(received=moments, duration=durations, calendar=calendars, hours=office_hours, cutoff=cutoffs)
def test_an_appointment_is_always_in_working_time(received, duration, calendar, hours, cutoff):
    due = due_moment(received, duration, calendar=calendar, hours=hours, cutoff=cutoff)
    assert due.tzinfo is LOCAL_TZ
    assert in_office(due, calendar, hours)
    assert due >= effective_receipt(received, calendar=calendar, hours=hours, cutoff=cutoff) >= received


@FAST
@given(
    received=moments,
    first=st.integers(min_value=1, max_value=15),
    second=st.integers(min_value=1, max_value=15),
    calendar=calendars,
    hours=office_hours,
    cutoff=cutoffs,
)
def test_working_days_in_two_steps_equal_one_step(received, first, second, calendar, hours, cutoff):
    def add(moment, days, cutoff=None):
        return due_moment(moment, Duration.working_days(days), calendar=calendar, hours=hours, cutoff=cutoff)

    assert add(add(received, first, cutoff), second) == add(received, first + second, cutoff)


@FAST
@given(
    received=moments,
    first=quarter_hours,
    second=quarter_hours,
    calendar=calendars,
    hours=office_hours,
    cutoff=cutoffs,
)
def test_working_hours_in_two_steps_equal_one_step(received, first, second, calendar, hours, cutoff):
    def add(moment, amount, cutoff=None):
        return due_moment(moment, Duration.working_hours(amount), calendar=calendar, hours=hours, cutoff=cutoff)

    assert add(add(received, first, cutoff), second) == add(received, first + second, cutoff)


@FAST
@given(
    received=moments,
    later_by=st.integers(min_value=0, max_value=10 * 24 * 60),
    duration=durations,
    calendar=calendars,
    cutoff=cutoffs,
)
def test_a_later_receipt_never_gets_an_earlier_appointment(received, later_by, duration, calendar, cutoff):
    later = received + dt.timedelta(minutes=later_by)
    first = due_moment(received, duration, calendar=calendar, hours=HOURS, cutoff=cutoff)
    second = due_moment(later, duration, calendar=calendar, hours=HOURS, cutoff=cutoff)
    if _runs_calendar_days(duration):
        # Rolling forward keeps E's time (§5.5(c)), so two receipts can land on the same rolled date in the
        # opposite order of time; lateness is judged by date (§5.11), and the date never goes back.
        assert second.date() >= first.date()
    else:
        assert second >= first


def _runs_calendar_days(duration: Duration) -> bool:
    return any(part.unit == "calendar_days" for part in (duration.parts or (duration,)))


@FAST
@given(received=moments, amount=quarter_hours, calendar=calendars, hours=office_hours)
def test_working_time_between_measures_what_the_hours_rule_added(received, amount, calendar, hours):
    start = effective_receipt(received, calendar=calendar, hours=hours)
    due = due_moment(received, Duration.working_hours(amount), calendar=calendar, hours=hours)
    assert working_time_between(start, due, calendar=calendar, hours=hours) == hours_to_timedelta(amount)


@FAST
@given(
    received=moments,
    amount=quarter_hours,
    pause_after=st.integers(min_value=0, max_value=30 * 24 * 60),
    calendar=calendars,
)
def test_pausing_and_resuming_at_once_keeps_the_due_moment_in_hours(received, amount, pause_after, calendar):
    duration = Duration.working_hours(amount)
    due = due_moment(received, duration, calendar=calendar, hours=HOURS)
    paused = min(received + dt.timedelta(minutes=pause_after), due - dt.timedelta(minutes=1))
    left = remaining_after_pause(due=due, pause_start=paused, duration=duration, calendar=calendar, hours=HOURS)
    if left.is_zero:  # paused after the last office minute before the due moment
        return
    assert resume_due(paused, left, calendar=calendar, hours=HOURS) == due
