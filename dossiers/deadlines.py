"""The dossier engine's deadlines as pure functions (docs/domain.md §5): what `dossiers.services` freezes on a
dossier, and what the demo seeder (demo/seeding/) computes for thousands of dossiers in a loop.

Every function but `current_clock` is pure: the calendar (`workcalendar.calendar.WorkCalendar`, built once by
`workcalendar.selectors.current_calendar`) and the agency's office hours are arguments, so a caller may build them
once and call these as often as it likes without a query. The arithmetic itself is `workcalendar.calendar`
(§5.2–5.6); this module says which of it applies to which moment of a dossier. The outcome of a completed dossier
or step by date (§5.11) is `dossiers.models.outcome_by_date`.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from workcalendar.calendar import (
    CALENDAR_DAYS,
    LOCAL_TZ,
    MIXED,
    NONE,
    SAME_DAY,
    WORKING_DAYS,
    WORKING_HOURS,
    Duration,
    OfficeHours,
    WorkCalendar,
    due_moment,
    remaining_after_pause,
    resume_due,
    working_time_between,
)

RESTART, CONTINUE = "restart", "continue"  # procedures.models.ClockMode values (§5.6)


@dataclass(frozen=True)
class Clock:
    """What every deadline of one agency is computed with: the calendar in force, its version, the office hours."""

    calendar: WorkCalendar
    version: int
    hours: OfficeHours


def current_clock(agency: Any) -> Clock:
    """The clock of `agency` with the calendar in force now (one cached read of the calendar version)."""
    from workcalendar.selectors import current_calendar

    calendar, version = current_calendar()
    return Clock(calendar, version, OfficeHours.from_agency(agency))


def version_duration(version: Any) -> Duration:
    """The processing time of a procedure version (`time_unit`, `time_value`, `time_parts`), §5.1."""
    if version.time_parts:
        return Duration.from_fields(version.time_unit, version.time_value, version.time_parts)
    return _duration(version.time_unit, version.time_value)


@functools.lru_cache(maxsize=256)
def _duration(unit: str, value: Any) -> Duration:
    """Durations are immutable values: the few distinct ones of a catalogue are built once."""
    return Duration.from_fields(unit, value)


def receipt_due(received_at: dt.datetime, version: Any, *, calendar: WorkCalendar, hours: OfficeHours):
    """The due moment of a dossier received (T2, T3, or an intake supplement accepted) at `received_at` under
    `version`: its duration from the effective receipt moment, the version's cut-off included (§5.4–5.5).
    None when the version sets no fixed time (§5.5(f))."""
    return due_moment(
        received_at, version_duration(version), calendar=calendar, hours=hours, cutoff=version.cutoff_time
    )


def acceptance_due(
    submitted_at: dt.datetime, *, window_hours: Any, calendar: WorkCalendar, hours: OfficeHours
) -> dt.datetime:
    """The online acceptance deadline: the submission moment (§5.4, no cut-off) plus the version's window in
    working hours, 8 by default (§5.8)."""
    return due_moment(submitted_at, _duration(WORKING_HOURS, window_hours), calendar=calendar, hours=hours)


def step_budget(unit: str, budget: Decimal | None) -> Duration | None:
    """A step's budget in the procedure's unit (§5.7); None when the step gets no due moment: no budget, or a
    unit without one (same day, mixed, none). A calendar day cannot be split (§5.5(c)): a part counts whole."""
    if not budget or budget <= 0 or unit in (MIXED, NONE, SAME_DAY):
        return None
    if unit == CALENDAR_DAYS:
        budget = Decimal(budget).to_integral_value(rounding=ROUND_CEILING)
    return _duration(unit, budget)


def step_due(
    started_at: dt.datetime, *, unit: str, budget: Decimal | None, calendar: WorkCalendar, hours: OfficeHours
) -> dt.datetime | None:
    """A step's due moment: its start plus its budget by §5.4–5.5, no cut-off (§5.7); None without a budget."""
    duration = step_budget(unit, budget)
    if duration is None:
        return None
    return due_moment(started_at, duration, calendar=calendar, hours=hours)


def apology_deadline(due: dt.datetime | None, *, calendar: WorkCalendar) -> dt.date | None:
    """The working day before the due date: the last day an apology is on time (§5.10)."""
    if due is None:
        return None
    return calendar.previous_working_day(due.astimezone(LOCAL_TZ).date())


def supplement_deadline(
    requested_at: dt.datetime, *, days: int, calendar: WorkCalendar, hours: OfficeHours
) -> dt.datetime:
    """The applicant's deadline to supply what is missing: `days` working days from the request (§4.1 T11)."""
    return due_moment(requested_at, _duration(WORKING_DAYS, days), calendar=calendar, hours=hours)


def resumed_due(
    resumed_at: dt.datetime,
    *,
    mode: str,
    duration: Duration,
    due: dt.datetime | None,
    pause_start: dt.datetime,
    clock_start: dt.datetime,
    calendar: WorkCalendar,
    hours: OfficeHours,
    cutoff: dt.time | None = None,
) -> tuple[dt.datetime | None, Duration | None]:
    """The new due moment when a pause ends, and the time that was left (None for a restart), §5.6.

    `restart` applies the whole duration again from `resumed_at` as a new receipt moment — all of §5.4, the
    version's `cutoff` included; `continue` re-applies what was left at `pause_start` of the clock that ran from
    `clock_start`, without the cut-off (the same clock, not a new receipt).
    """
    if due is None:
        return None, None
    if mode == RESTART:
        return due_moment(resumed_at, duration, calendar=calendar, hours=hours, cutoff=cutoff), None
    left = remaining_after_pause(
        due=due, pause_start=pause_start, duration=duration, calendar=calendar, hours=hours, start=clock_start
    )
    return resume_due(resumed_at, left, calendar=calendar, hours=hours), left


def step_overrun(
    *,
    started_at: dt.datetime,
    due_at: dt.datetime | None,
    finished_at: dt.datetime,
    pauses: Any = (),
    calendar: WorkCalendar,
    hours: OfficeHours,
) -> int | None:
    """The working minutes a step used beyond its budget, paused time left out (§5.6, §5.7); None without a due
    moment (no budget: never late, §5.5(f)).

    Used = office time from the step's start to `finished_at` minus the pauses (start, end-or-None) inside it;
    budget = office time from the start to its due moment. The step's due moment is not moved by a pause (only the
    dossier's is), so a pause inside the step is taken out here: a step late by date only because the applicant
    was supplementing has overrun 0. Time outside office hours is never counted.
    """
    if due_at is None:
        return None
    used = working_time_between(started_at, finished_at, calendar=calendar, hours=hours, pauses=pauses)
    budget = working_time_between(started_at, due_at, calendar=calendar, hours=hours)
    return max(0, int((used - budget).total_seconds() // 60))
