"""Reads of the calendar: the `WorkCalendar` for the current or a past calendar version (docs/domain.md §5.2).

The overrides of a version never change once published, so they are cached by version for good; the key also
carries the counter row's token so a database reset never serves another database's calendar.
"""

import datetime as dt

from portal.cache import cache_get, cache_set
from workcalendar.calendar import WorkCalendar
from workcalendar.models import CalendarOverride, CalendarVersion

_CACHE_PREFIX = "workcalendar:overrides"


def _counter() -> tuple[int, str] | None:
    row = CalendarVersion.objects.filter(pk=CalendarVersion.SINGLETON_PK).values_list("number", "token").first()
    return (row[0], str(row[1])) if row is not None else None


def _overrides_at(version: int, token: str) -> dict[dt.date, str]:
    key = f"{_CACHE_PREFIX}:{token}:{version}"
    cached = cache_get(key)
    if cached is None:
        cached = [
            (day.isoformat(), kind)
            for day, kind in CalendarOverride.objects.at_version(version).values_list("date", "kind")
        ]
        cache_set(key, cached, timeout=None)
    return {dt.date.fromisoformat(day): kind for day, kind in cached}


def current_calendar() -> tuple[WorkCalendar, int]:
    """The calendar in force now and its version number, which a computed due moment stores (§5.2)."""
    counter = _counter()
    if counter is None:
        return WorkCalendar(version=0), 0
    version, token = counter
    return WorkCalendar(_overrides_at(version, token), version=version), version


def calendar_at(version: int) -> WorkCalendar:
    """The calendar as it was at `version` (0 = the package alone) to recompute a stored due moment (§5.2)."""
    counter = _counter()
    latest = counter[0] if counter is not None else 0
    if not 0 <= version <= latest:
        raise ValueError(f"Unknown calendar version {version}; the latest is {latest}")
    if counter is None or version == 0:
        return WorkCalendar(version=version)
    return WorkCalendar(_overrides_at(version, counter[1]), version=version)
