"""Fixtures for the citizen's own account: a fixed clock and the codes read from where the fakes keep them."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import FakeSms

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
PASSWORD = "Mot-cua@2026"


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def last_sms_code(phone: str) -> str:
    return code_in(FakeSms.objects.filter(to=phone).latest("id").body)


@pytest.fixture
def clock():
    """The clock stopped at T0; `clock.move_to(...)` moves it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST with the commit callbacks run, so the outbox delivers what the request wrote (eagerly, as in tests)."""

    def post(path: str, data: dict, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, **kwargs)

    return post
