"""Deadline arithmetic: working days, office hours, the effective receipt moment and the due moment.

The reference arithmetic of docs/domain.md §5.2–5.6; the acceptance tests are the worked examples of §5.13.
Everything here is pure (no database): `current_calendar()` / `calendar_at()` in `workcalendar.selectors`
build a `WorkCalendar` with the administrator's overrides for a calendar version.

All moments are timezone-aware; arithmetic is done in Asia/Ho_Chi_Minh (UTC+7, no daylight saving), and
results are returned in that zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import gettext_lazy as _

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DAY_OFF = "day_off"
WORKING_DAY = "working_day"
OVERRIDE_KINDS = frozenset({DAY_OFF, WORKING_DAY})

# The same string values as procedures.models.TimeUnit; not imported so the arithmetic stays free of models.
WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
CALENDAR_DAYS = "calendar_days"
SAME_DAY = "same_day"
MIXED = "mixed"
NONE = "none"
TIME_UNITS = (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS, SAME_DAY, MIXED, NONE)

_UNIT_LABELS = {
    WORKING_DAYS: _("ngày làm việc"),
    WORKING_HOURS: _("giờ làm việc"),
    CALENDAR_DAYS: _("ngày"),
    SAME_DAY: _("trong ngày"),
    MIXED: _("kết hợp"),
    NONE: _("không quy định thời hạn"),
}

DEFAULT_OFFICE_PERIODS = ((dt.time(7, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))

# No real calendar has a year without a working day; this bound only stops a runaway loop when overrides
# declare every day off.
_MAX_SCAN_DAYS = 3 * 366
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


# --- Calendar -----------------------------------------------------------------------------------------------


@cache
def _vietnam_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Public holidays (with compensatory days) and make-up Saturdays of one year, from the pinned package.

    Cached per year for the process: the package is pinned, so its answer for a year never changes.
    """
    calendar = holidays.Vietnam(years=year)
    days_off = frozenset(day for day in calendar if day.year == year)
    make_up = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, make_up


class WorkCalendar:
    """Which dates are working days: Mon–Fri minus holidays plus make-up Saturdays, then overrides (§5.2).

    The base is the pinned `holidays` package for Vietnam, including its `weekend_workdays` (make-up
    Saturdays); `overrides` maps a date to `"day_off"` or `"working_day"` and always wins. Years are loaded
    lazily, so one instance serves any date. `version` is the calendar version the overrides came from
    (None when built by hand); a computed due moment stores it.
    """

    def __init__(self, overrides: Mapping[dt.date, str] | None = None, *, version: int | None = None) -> None:
        overrides = dict(overrides or {})
        for day, kind in overrides.items():
            if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
                raise ValueError(f"Override keys must be dates, got {day!r}")
            if kind not in OVERRIDE_KINDS:
                raise ValueError(f"Override kind must be one of {sorted(OVERRIDE_KINDS)}, got {kind!r}")
        self._overrides = overrides
        self.version = version

    def __repr__(self) -> str:
        return f"WorkCalendar(version={self.version!r}, overrides={len(self._overrides)})"

    @property
    def overrides(self) -> dict[dt.date, str]:
        return dict(self._overrides)

    def is_working_day(self, day: dt.date) -> bool:
        """True when `day` is a working day after the package's holidays, make-up days and the overrides."""
        day = _as_date(day)
        kind = self._overrides.get(day)
        if kind is not None:
            return kind == WORKING_DAY
        days_off, make_up = _vietnam_year(day.year)
        if day in days_off:
            return False
        return day.weekday() < 5 or day in make_up

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        return self._scan(_as_date(day), +1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day` (e.g. the apology deadline of §5.10)."""
        return self._scan(_as_date(day), -1)

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the next one (the roll-forward of §5.5(c))."""
        day = _as_date(day)
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day`, `day` itself not counted (§5.5(a)); 0 gives `day`."""
        if count < 0:
            raise ValueError("count must not be negative")
        day = _as_date(day)
        for _step in range(count):
            day = self.next_working_day(day)
        return day

    def count_working_days(self, after: dt.date, until: dt.date) -> int:
        """How many working days fall in (after, until]: after `after`, up to and including `until`."""
        after, until = _as_date(after), _as_date(until)
        count = 0
        day = after + dt.timedelta(days=1)
        while day <= until:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def _scan(self, day: dt.date, step: int) -> dt.date:
        for _offset in range(_MAX_SCAN_DAYS):
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                return day
        raise ValueError(f"No working day within {_MAX_SCAN_DAYS} days of {day}: check the calendar overrides")


# --- Office hours -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeHours:
    """The office periods of a working day, default 07:00–11:30 and 13:30–17:00 (§5.3, per agency).

    Opening is the start of the first period, closing the end of the last; the gaps between periods (the lunch
    break) are not office time.
    """

    periods: tuple[tuple[dt.time, dt.time], ...] = DEFAULT_OFFICE_PERIODS

    def __post_init__(self) -> None:
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("Office hours need at least one period")
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("Office hours are local wall-clock times without tzinfo")
            if not start < end:
                raise ValueError(f"An office period must start before it ends: {start}–{end}")
        for (_start, end), (next_start, _end) in pairwise(periods):
            if end > next_start:
                raise ValueError("Office periods must be in order and must not overlap")
        object.__setattr__(self, "periods", periods)

    @classmethod
    def from_agency(cls, agency: Any) -> OfficeHours:
        """Office hours of an Agency-like object with `office_periods`; None gives the default."""
        if agency is None:
            return cls()
        return cls(tuple((start, end) for start, end in agency.office_periods))

    @classmethod
    def parse(cls, pairs: Iterable[tuple[str, str]]) -> OfficeHours:
        """Office hours from ("HH:MM", "HH:MM") pairs, as in settings.DEFAULT_OFFICE_HOURS."""
        return cls(tuple((dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in pairs))

    @property
    def opening(self) -> dt.time:
        return self.periods[0][0]

    @property
    def closing(self) -> dt.time:
        return self.periods[-1][1]

    @property
    def day_length(self) -> dt.timedelta:
        """Office time in one working day (8 h by default); ½ working day is half of it (§5.1)."""
        return sum((_span(start, end) for start, end in self.periods), dt.timedelta())


# --- Durations ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duration:
    """A processing time in one of the units of §5.1; `parts` holds the ordered parts of a mixed duration."""

    unit: str
    value: Decimal = Decimal(0)
    parts: tuple[Duration, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.unit not in TIME_UNITS:
            raise ValueError(f"Unknown time unit {self.unit!r}; expected one of {', '.join(TIME_UNITS)}")
        value = _to_decimal(self.value)
        if value < 0:
            raise ValueError("A duration must not be negative")
        parts = tuple(self.parts)
        if self.unit == MIXED:
            if not parts:
                raise ValueError("A mixed duration needs at least one part")
            if any(part.unit in (MIXED, NONE) for part in parts):
                raise ValueError("The parts of a mixed duration must be simple units")
            value = Decimal(0)
        elif parts:
            raise ValueError("Only a mixed duration has parts")
        if self.unit in (SAME_DAY, NONE):
            value = Decimal(0)
        if self.unit == CALENDAR_DAYS and value != value.to_integral_value():
            raise ValueError("Calendar days must be a whole number")
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "parts", parts)

    @classmethod
    def working_days(cls, value: int | Decimal | str) -> Duration:
        return cls(WORKING_DAYS, _to_decimal(value))

    @classmethod
    def working_hours(cls, value: int | Decimal | str) -> Duration:
        return cls(WORKING_HOURS, _to_decimal(value))

    @classmethod
    def calendar_days(cls, value: int | Decimal | str) -> Duration:
        return cls(CALENDAR_DAYS, _to_decimal(value))

    @classmethod
    def same_day(cls) -> Duration:
        return cls(SAME_DAY)

    @classmethod
    def mixed(cls, *parts: Duration) -> Duration:
        return cls(MIXED, parts=parts)

    @classmethod
    def none(cls) -> Duration:
        return cls(NONE)

    @classmethod
    def from_fields(cls, unit: str, value: Any = None, parts: Iterable[Mapping[str, Any]] = ()) -> Duration:
        """A duration from a version's `time_unit`, `time_value` and `time_parts` [{unit, value}]."""
        if unit == MIXED:
            return cls.mixed(*(cls(part["unit"], _to_decimal(part.get("value") or 0)) for part in parts))
        return cls(unit, _to_decimal(value if value is not None else 0))

    @property
    def is_zero(self) -> bool:
        """Nothing left to run: a counted unit with value 0 (the "nothing left" case of §5.6)."""
        return self.unit in (WORKING_DAYS, WORKING_HOURS, CALENDAR_DAYS) and self.value == 0

    def __str__(self) -> str:
        if self.unit == MIXED:
            return " + ".join(str(part) for part in self.parts)
        if self.unit in (SAME_DAY, NONE):
            return str(_UNIT_LABELS[self.unit])
        return _("{value} {unit}").format(value=_format_decimal(self.value), unit=_UNIT_LABELS[self.unit])


# --- Moments ------------------------------------------------------------------------------------------------


def effective_receipt(
    received: dt.datetime, *, calendar: WorkCalendar, hours: OfficeHours, cutoff: dt.time | None = None
) -> dt.datetime:
    """The effective receipt moment E of §5.4, from which every duration runs.

    limit = the cut-off when earlier than closing, else closing. On a non-working day, or at or after the
    limit → the next working day at opening; before opening → opening; in a gap between office periods (the
    lunch break, 11:30 inclusive to 13:30 exclusive) → the start of the next period; otherwise E = R.
    """
    moment = to_local(received, "received")
    limit = hours.closing
    if cutoff is not None:
        _check_wall_time(cutoff, "cutoff")
        limit = min(cutoff, hours.closing)
    day, time = moment.date(), moment.time()
    if not calendar.is_working_day(day) or time >= limit:
        return _at(calendar.next_working_day(day), hours.opening)
    if time < hours.opening:
        return _at(day, hours.opening)
    for (_start, end), (next_start, _end) in pairwise(hours.periods):
        if end <= time < next_start:
            return _at(day, next_start)
    return moment


def due_moment(
    received: dt.datetime,
    duration: Duration,
    *,
    calendar: WorkCalendar,
    hours: OfficeHours,
    cutoff: dt.time | None = None,
) -> dt.datetime | None:
    """The due moment of §5.5 for a receipt (or step start) `received`; None for "no fixed time" (§5.5(f)).

    (a) N working days: the N-th working day after E's date, at E's time; 0 means the same day. A fraction
    of a working day is that share of the office day in working hours (½ day = 4 h, §5.1 [design]) after
    the whole days. (b) H working hours: walk through the office periods of working days; landing on a
    period end is that moment. (c) N calendar days: E's date + N rolled forward to a working day, at E's
    time; 0 means the same day. (d) Same day: E's date at closing. (e) Mixed: the parts in order, each from
    the previous part's due moment through §5.4 without a cut-off.
    """
    if duration.unit == NONE:
        return None
    if duration.unit == MIXED:
        moment: dt.datetime | None = to_local(received, "received")
        part_cutoff = cutoff
        for part in duration.parts:
            assert moment is not None  # parts are never "none"
            moment = due_moment(moment, part, calendar=calendar, hours=hours, cutoff=part_cutoff)
            part_cutoff = None  # the cut-off governs the desk's receipt only, not the hand-over between parts
        return moment

    start = effective_receipt(received, calendar=calendar, hours=hours, cutoff=cutoff)
    value = duration.value
    if duration.unit == SAME_DAY or (duration.unit in (WORKING_DAYS, CALENDAR_DAYS) and value == 0):
        return _at(start.date(), hours.closing)
    if duration.unit == WORKING_DAYS:
        whole = int(value)
        moment = start
        if whole:
            moment = _at(calendar.add_working_days(start.date(), whole), start.time())
        fraction = value - whole
        if fraction:
            share = hours_to_timedelta(fraction * timedelta_to_hours(hours.day_length))
            moment = _add_office_time(moment, share, calendar, hours)
        return moment
    if duration.unit == WORKING_HOURS:
        return _add_office_time(start, hours_to_timedelta(value), calendar, hours)
    # CALENDAR_DAYS
    target = calendar.working_day_on_or_after(start.date() + dt.timedelta(days=int(value)))
    return _at(target, start.time())


def working_time_between(
    start: dt.datetime,
    end: dt.datetime,
    *,
    calendar: WorkCalendar,
    hours: OfficeHours,
    pauses: Iterable[tuple[dt.datetime, dt.datetime | None]] = (),
) -> dt.timedelta:
    """Office time on working days between two moments, paused intervals left out (§5.6).

    `pauses` are (start, end) pairs; an end of None means still paused at `end`. The result is negative when
    `end` is before `start`, e.g. how far past its due moment a dossier is.
    """
    start, end = to_local(start, "start"), to_local(end, "end")
    if end < start:
        return -working_time_between(end, start, calendar=calendar, hours=hours, pauses=pauses)
    paused = _merge(
        (to_local(p_start, "pause start"), to_local(p_end, "pause end") if p_end is not None else end)
        for p_start, p_end in pauses
    )
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            for period_start, period_end in hours.periods:
                lo, hi = max(start, _at(day, period_start)), min(end, _at(day, period_end))
                if lo < hi:
                    total += hi - lo - sum((_overlap(lo, hi, p_lo, p_hi) for p_lo, p_hi in paused), dt.timedelta())
        day += dt.timedelta(days=1)
    return total


def remaining_after_pause(
    *,
    due: dt.datetime,
    pause_start: dt.datetime,
    duration: Duration,
    calendar: WorkCalendar,
    hours: OfficeHours,
    start: dt.datetime | None = None,
) -> Duration:
    """The time left at the start of a pause, for the "continue" clock mode and excluded time (§5.6).

    Working days (and same day): the working days after the pause date up to and including the due date,
    so a pause on a working day uses that day. Working hours: office time from the pause to the due moment.
    Calendar days: days from the pause date to the due date. Nothing left gives a zero duration (due at the
    resume day's closing). A mixed duration also needs `start`, the moment it ran from (E or the last resume
    moment), to find the part the pause falls in; the later parts are left whole.
    """
    due, pause_start = to_local(due, "due"), to_local(pause_start, "pause_start")
    unit = duration.unit
    if unit == NONE:
        return Duration.none()
    if unit in (WORKING_DAYS, SAME_DAY):
        return Duration.working_days(calendar.count_working_days(pause_start.date(), due.date()))
    if unit == WORKING_HOURS:
        left = max(dt.timedelta(), working_time_between(pause_start, due, calendar=calendar, hours=hours))
        return Duration.working_hours(timedelta_to_hours(left))
    if unit == CALENDAR_DAYS:
        return Duration.calendar_days(max(0, (due.date() - pause_start.date()).days))
    # MIXED: find the part running at the pause; earlier parts are spent, later ones untouched.
    if start is None:
        raise ValueError("remaining_after_pause needs `start` for a mixed duration")
    moment = to_local(start, "start")
    for index, part in enumerate(duration.parts):
        part_due = due_moment(moment, part, calendar=calendar, hours=hours)
        assert part_due is not None
        if part_due > pause_start:
            left = remaining_after_pause(
                due=part_due, pause_start=pause_start, duration=part, calendar=calendar, hours=hours
            )
            rest = ([left] if not left.is_zero else []) + list(duration.parts[index + 1 :])
            if not rest:
                return left
            return rest[0] if len(rest) == 1 else Duration.mixed(*rest)
        moment = part_due
    return Duration.working_days(0)


def resume_due(
    resumed_at: dt.datetime,
    remaining: Duration,
    *,
    calendar: WorkCalendar,
    hours: OfficeHours,
    cutoff: dt.time | None = None,
) -> dt.datetime | None:
    """The new due moment when the clock resumes with `remaining` left ("continue", §5.6).

    The remaining time is re-applied from the resume moment through §5.4–5.5; nothing left → due at the resume
    day's closing. (For "restart", call `due_moment` with the whole duration from the acceptance moment.)
    """
    if remaining.unit == NONE:
        return None
    if remaining.is_zero:
        start = effective_receipt(resumed_at, calendar=calendar, hours=hours, cutoff=cutoff)
        return _at(start.date(), hours.closing)
    return due_moment(resumed_at, remaining, calendar=calendar, hours=hours, cutoff=cutoff)


# --- Helpers ------------------------------------------------------------------------------------------------


def to_local(moment: dt.datetime, name: str = "moment") -> dt.datetime:
    """`moment` in Asia/Ho_Chi_Minh; a naive datetime is refused, since its zone would be a guess."""
    if not isinstance(moment, dt.datetime):
        raise ValueError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {moment.isoformat()})")
    return moment.astimezone(LOCAL_TZ)


def hours_to_timedelta(value: Decimal | int | str) -> dt.timedelta:
    """Decimal working hours as a timedelta, exact to the microsecond."""
    micro = (_to_decimal(value) * _MICROSECONDS_PER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return dt.timedelta(microseconds=int(micro))


def timedelta_to_hours(value: dt.timedelta) -> Decimal:
    """A timedelta as Decimal hours; `hours_to_timedelta` gives the same timedelta back."""
    return Decimal(value // dt.timedelta(microseconds=1)) / _MICROSECONDS_PER_HOUR


def _add_office_time(
    start: dt.datetime, amount: dt.timedelta, calendar: WorkCalendar, hours: OfficeHours
) -> dt.datetime:
    """Walk `amount` of office time forward from `start`; ending exactly on a period end stays there (§5.5b).

    `start` may lie outside office time: the walk begins at the next office moment.
    """
    moment, remaining = start, amount
    day = moment.date()
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
        moment = _at(day, hours.opening)
    while True:
        for period_start, period_end in hours.periods:
            begin, end = max(moment, _at(day, period_start)), _at(day, period_end)
            if end <= begin:
                continue
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        day = calendar.next_working_day(day)
        moment = _at(day, hours.opening)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LOCAL_TZ)


def _span(start: dt.time, end: dt.time) -> dt.timedelta:
    anchor = dt.date(2000, 1, 1)
    return dt.datetime.combine(anchor, end) - dt.datetime.combine(anchor, start)


def _overlap(lo: dt.datetime, hi: dt.datetime, other_lo: dt.datetime, other_hi: dt.datetime) -> dt.timedelta:
    return max(dt.timedelta(), min(hi, other_hi) - max(lo, other_lo))


def _merge(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Sorted, non-overlapping intervals, so overlapping pauses are not subtracted twice."""
    merged: list[tuple[dt.datetime, dt.datetime]] = []
    for lo, hi in sorted(intervals):
        if hi < lo:
            raise ValueError(f"A pause must not end before it starts: {lo.isoformat()} – {hi.isoformat()}")
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _as_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        raise ValueError("Expected a date, got a datetime: use .date() in Asia/Ho_Chi_Minh first")
    return day


def _check_wall_time(value: dt.time, name: str) -> None:
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise ValueError(f"{name} must be a local wall-clock time without tzinfo")


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        value = repr(value)  # the shortest decimal that round-trips, not the binary expansion
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"Not a number: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"Not a finite number: {value!r}")
    return result


def _format_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")
