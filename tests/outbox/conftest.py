"""Fixtures for the outbox: a throw-away topic whose handler records its calls, and fixed moments."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from outbox.services import register_handler, unregister_handler

# The dossier engine's fixtures, for the tests of its notification topic.
from tests.dossiers.conftest import agencies, applicant_for, make_version, people, receive  # noqa: F401

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
RECORD = "test.record"


class Recorder:
    """Handler for the `test.record` topic: records (payload, key); raises while `failing` is set."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, str]] = []
        self.failing: Exception | None = None

    def __call__(self, payload: dict, *, key: str) -> None:
        if self.failing is not None:
            raise self.failing
        self.calls.append((payload, key))

    @property
    def names(self) -> list[str]:
        return [payload["name"] for payload, _key in self.calls]


@pytest.fixture
def recorder():
    handler = Recorder()
    register_handler(RECORD, handler)
    yield handler
    unregister_handler(RECORD)
