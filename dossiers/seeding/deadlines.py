"""Deadlines and office time: `due_moment` memoised, the office-minute line moments are placed on, the outcome."""

from __future__ import annotations

import bisect
import datetime as dt

from procedures.models import TimeUnit
from workcalendar.calendar import LOCAL_TZ, Duration, OfficeHours, WorkCalendar, due_moment, effective_receipt


class _Deadlines:
    """`due_moment`, memoised where the answer depends on the effective receipt date only.

    For whole working days, whole calendar days and mixes of them the due moment is a date computed from the
    effective receipt date E (§5.4) at E's time of day; for the same-day unit (and 0 days) it is E's date at
    closing. Those dates are computed once per (E's date, duration, office hours, cut-off) by `due_moment`
    itself; other durations (working hours, fractions of a day) are memoised on the exact moment when it is a
    whole minute (step starts), and otherwise computed every time.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._memo: dict[tuple, tuple[dt.date, dt.time | None]] = {}
        self._kinds: dict[Duration, str | None] = {}
        self._previous: dict[dt.date, dt.date] = {}
        self._exact: dict[tuple, dt.datetime] = {}
        self.calls = self.lookups = 0

    def due(self, received: dt.datetime, duration: Duration, hours: OfficeHours, cutoff: dt.time | None = None):
        self.lookups += 1
        kind = self._kinds.get(duration, "?")
        if kind == "?":
            kind = self._kinds[duration] = _memo_kind(duration)
        if kind is None:
            if received.second or received.microsecond:
                self.calls += 1
                return due_moment(received, duration, calendar=self.calendar, hours=hours, cutoff=cutoff)
            # Step starts fall on whole minutes and repeat: memoise those on the exact moment.
            key = (received, duration, hours, cutoff)
            if (found := self._exact.get(key)) is None:
                self.calls += 1
                found = self._exact[key] = due_moment(
                    received, duration, calendar=self.calendar, hours=hours, cutoff=cutoff
                )
            return found
        start = effective_receipt(received, calendar=self.calendar, hours=hours, cutoff=cutoff)
        key = (start.date(), duration, hours, cutoff)
        hit = self._memo.get(key)
        if hit is None:
            self.calls += 1
            result = due_moment(start, duration, calendar=self.calendar, hours=hours, cutoff=cutoff)
            hit = self._memo[key] = (result.date(), hours.closing if kind == "closing" else None)
        return dt.datetime.combine(hit[0], hit[1] or start.time(), tzinfo=LOCAL_TZ)

    def previous_working_day(self, day: dt.date) -> dt.date:
        if day not in self._previous:
            self._previous[day] = self.calendar.previous_working_day(day)
        return self._previous[day]


def _memo_kind(duration: Duration) -> str | None:
    """ "closing" (E's date at closing), "shift" (another date, E's time of day) or None (not memoisable)."""
    whole = (TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS)
    if duration.unit == TimeUnit.SAME_DAY or (duration.unit in whole and duration.value == 0):
        return "closing"
    if duration.unit in whole and duration.value == int(duration.value):
        return "shift"
    parts = duration.parts if duration.unit == TimeUnit.MIXED else ()
    if parts and all(p.unit in whole and p.value == int(p.value) and p.value > 0 for p in parts):
        return "shift"
    return None


class _OfficeLine:
    """The office minutes of working days numbered 0, 1, 2 … so that generated moments fall in office hours.

    Placement only: every deadline goes through `due_moment`.
    """

    def __init__(self, calendar: WorkCalendar, hours: OfficeHours, first: dt.date, last: dt.date, ref: dt.datetime):
        count = (last - first).days + 1
        self.days = [d for d in (first + dt.timedelta(days=i) for i in range(count)) if calendar.is_working_day(d)]
        self.spans: list[tuple[int, int, int]] = []  # (start minute of day, end minute of day, offset)
        offset = 0
        for start, end in hours.periods:
            s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
            self.spans.append((s, e, offset))
            offset += e - s
        self.per_day = offset
        self.ref = self.ordinal(ref)  # office minutes below this one lie before `ref`

    def at(self, ordinal: int, second: int = 0) -> dt.datetime:
        day, minute = divmod(ordinal, self.per_day)
        for s, e, offset in self.spans:
            if minute < offset + e - s:
                m = s + minute - offset
                return dt.datetime.combine(self.days[day], dt.time(m // 60, m % 60, second), tzinfo=LOCAL_TZ)
        raise AssertionError("a minute outside the office day")

    def ordinal(self, moment: dt.datetime) -> int:
        """The first office minute at or after `moment`."""
        local = moment.astimezone(LOCAL_TZ)
        i = bisect.bisect_left(self.days, local.date())
        if i == len(self.days) or self.days[i] != local.date():
            return i * self.per_day
        m = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
        for s, e, offset in self.spans:
            if m < e:
                return i * self.per_day + offset + max(0, m - s)
        return (i + 1) * self.per_day

    def day_of(self, day: dt.date) -> int:
        """Index of `day`, or of the first working day after it."""
        return bisect.bisect_left(self.days, day)

    def offset_of(self, at: dt.time) -> int:
        m = at.hour * 60 + at.minute
        return next((offset + max(0, m - s) for s, e, offset in self.spans if m < e), self.per_day)
