"""Shorthands for the calendar tests: local moments and the default calendar and office hours."""

import datetime as dt

from workcalendar.calendar import LOCAL_TZ, OfficeHours, WorkCalendar

HOURS = OfficeHours()
CALENDAR = WorkCalendar()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A moment in Asia/Ho_Chi_Minh."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)
