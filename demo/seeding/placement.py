"""Office time: the line of office minutes that generated moments are placed on. Placement only — every deadline
is computed by `dossiers.deadlines`."""

from __future__ import annotations

import bisect
import datetime as dt

from workcalendar.calendar import LOCAL_TZ, OfficeHours, WorkCalendar


class _Calendar(WorkCalendar):
    """The calendar in force with its answers remembered per day: the seeder asks about the same few hundred
    days hundreds of thousands of times. Every answer is the wrapped calendar's own, computed once."""

    def __init__(self, calendar: WorkCalendar) -> None:
        super().__init__(calendar.overrides, version=calendar.version)
        self._working: dict[dt.date, bool] = {}
        self._next: dict[dt.date, dt.date] = {}
        self._previous: dict[dt.date, dt.date] = {}
        self._added: dict[tuple[dt.date, int], dt.date] = {}

    def is_working_day(self, day: dt.date) -> bool:
        try:
            return self._working[day]
        except KeyError:
            answer = self._working[day] = super().is_working_day(day)
            return answer

    def next_working_day(self, day: dt.date) -> dt.date:
        try:
            return self._next[day]
        except KeyError:
            answer = self._next[day] = super().next_working_day(day)
            return answer

    def previous_working_day(self, day: dt.date) -> dt.date:
        try:
            return self._previous[day]
        except KeyError:
            answer = self._previous[day] = super().previous_working_day(day)
            return answer

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        try:
            return self._added[day, count]
        except KeyError:
            answer = self._added[day, count] = super().add_working_days(day, count)
            return answer


class _OfficeLine:
    """The office minutes of working days numbered 0, 1, 2 … so that generated moments fall in office hours.

    Placement only: every deadline goes through `dossiers.deadlines`.
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
        self.cut15 = self.offset_of(dt.time(15, 0))  # the desk forwards after 15:00 at the next opening (§13 #2)

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
