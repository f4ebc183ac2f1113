"""Fixtures for the national sync: the sync switched on, the fake receiver up, and a delivery driver."""

import pytest
import time_machine

from natsync.services import TOPIC
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver, outbox_due

# The dossier engine's fixtures.
from tests.dossiers.conftest import agencies, applicant_for, make_version, people, receive  # noqa: F401


@pytest.fixture(autouse=True)
def sync_on(settings):
    settings.NATSYNC_ENABLED = True
    settings.NATSYNC_FAKE_ENABLED = True
    settings.NATSYNC_FAKE_DOWN = False
    settings.NATSYNC_ADAPTER = "natsync.fake.FakeAdapter"
    settings.NATSYNC_TOKEN = settings.NATSYNC_FAKE_TOKEN = "test-token"


def deliver_due(now) -> list[str]:
    """What a worker and the sweep do at `now`: deliver every due sync message, successors included, and return
    their outcomes in order. On-commit kicks do not run inside a test's transaction, so the successors a delivery
    would kick are picked up by repeating the sweep's selection until it yields nothing new.
    """
    outcomes: list[str] = []
    tried: set[int] = set()
    with time_machine.travel(now, tick=False):
        while True:
            due = [pk for pk in outbox_due(now=now).filter(topic=TOPIC).values_list("id", flat=True) if pk not in tried]
            if not due:
                return outcomes
            for pk in due:
                tried.add(pk)
                outcomes.append(outbox_deliver(pk, now=now))


def sync_messages():
    return list(OutboxMessage.objects.filter(topic=TOPIC).order_by("id"))


def pending_count() -> int:
    return OutboxMessage.objects.filter(topic=TOPIC, state=OutboxState.PENDING).count()


__all__ = ["Outcome", "deliver_due", "pending_count", "sync_messages"]
