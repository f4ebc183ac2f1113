"""The national sync on a real Celery worker through Redis: the receiver down, then up, and every message arrives
once, in order per dossier — the on-commit kicks and the beat's sweep doing what they do in production."""

import datetime as dt
import os

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from natsync.adapters.base import CREATE, PROGRESS, UPDATE
from natsync.models import FakeReceived, FakeSwitch
from outbox.models import OutboxMessage, OutboxState
from outbox.tasks import sweep
from portal.celery import app
from tests.dossiers.conftest import advance, at
from tests.natsync.conftest import sync_messages
from tests.outbox.helpers import not_eager, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker"),
]


def tried() -> int:
    return sum(OutboxMessage.objects.filter(topic="natsync.push").values_list("attempts", flat=True))


def test_a_real_worker_keeps_the_sync_waiting_while_the_receiver_is_down_then_delivers_each_once(receive, people):
    switch = FakeSwitch.objects.create(down=True, note="bảo trì")
    with (
        time_machine.travel(at("2026-03-02 08:00"), tick=True),
        not_eager(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        first = receive("2026-03-02 08:00")
        second = receive("2026-03-02 08:00")
        advance(
            first,
            ("forward", "desk", {}),
            ("step", "officer", {"name": "Thẩm định"}),
            people=people,
            when="2026-03-02 08:01",
        )
        written = sync_messages()
        assert len(written) == 4
        # The on-commit kicks reach the worker, which finds the receiver down: each dossier's first message is
        # tried and put back with a back-off; the others wait behind it (per-dossier order).
        wait_for(lambda: tried() >= 2, what="the worker to try each dossier's first message")
        assert FakeReceived.objects.count() == 0
        assert OutboxMessage.objects.filter(topic="natsync.push", state=OutboxState.PENDING).count() == 4

        switch.down = False
        switch.save()
    # An hour later the beat's sweep queues each dossier's first message, now due; each delivery kicks the next.
    with (
        time_machine.travel(at("2026-03-02 08:00") + dt.timedelta(hours=1), tick=True),
        not_eager(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        sweep.delay()
        wait_for(
            lambda: (
                not OutboxMessage.objects.filter(topic="natsync.push").exclude(state=OutboxState.DELIVERED).exists()
            ),
            timeout=30,
            what="every sync message to be delivered",
        )

    arrived = list(FakeReceived.objects.order_by("id"))
    assert sorted(r.message_id for r in arrived) == sorted(m.key for m in written)  # no loss, nothing extra
    assert all(r.copies == 1 for r in arrived)  # no duplicate
    assert [r.kind for r in arrived if r.dossier_code == first.code] == [CREATE, UPDATE, PROGRESS]
    assert [r.kind for r in arrived if r.dossier_code == second.code] == [CREATE]
