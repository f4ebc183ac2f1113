"""The calendar and the catalogue's filter lists are read from the database when Redis is down (portal/cache.py):
a dead cache costs a warning in the log, never the request (docs/security.md check 31)."""

import datetime as dt
import logging

import pytest

from procedures.selectors import filter_choices
from workcalendar.selectors import current_calendar
from workcalendar.services import calendar_override_set

SATURDAY = dt.date(2026, 5, 9)

CLOSED = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = CLOSED  # Django drops its cache connections when CACHES changes


@pytest.mark.django_db
def test_the_working_day_calendar_is_read_from_the_database_when_redis_is_down(settings, caplog):
    # A Saturday made a working day (a swapped holiday), published while Redis was up.
    calendar_override_set(date=SATURDAY, kind="working_day", legal_basis="Thông báo 1/TB-UBND", actor=None)
    settings.CACHES = CLOSED

    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        calendar, version = current_calendar()

    assert version == 1
    assert calendar.is_working_day(SATURDAY)
    assert "cache unavailable" in caplog.text


@pytest.mark.django_db
def test_the_catalogue_filters_are_read_from_the_database_when_redis_is_down(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        choices = filter_choices()

    assert set(choices) == {"fields", "agencies"}
    assert "cache unavailable" in caplog.text
