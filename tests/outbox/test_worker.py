"""At least once, for real: Redis, a Celery worker, a broker that is down at commit time and a worker killed in
the middle of a delivery. Each ends with exactly one effect."""

import datetime as dt
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import holidays
import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import transaction

from accounts.models import FakeSms
from dossiers.notifications import IDEMPOTENCY_HEADER
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver, outbox_put, outbox_sweep
from portal.celery import app
from portal.tasks import ping
from tests.outbox import blocking_topic
from tests.outbox.helpers import CLOSED_BROKER, broker_at, not_eager, wait_for
from tests.worker_process import worker_start, worker_stop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker"),
    pytest.mark.django_db(transaction=True),
]


def test_a_receipt_answers_at_once_with_the_broker_down_and_is_mailed_once_when_it_is_back(receive):
    # The holiday tables' one-time import (about a second on a busy machine) is not what this test times.
    holidays.Vietnam(years=2026)
    with not_eager():
        with broker_at(CLOSED_BROKER):
            started = time.perf_counter()
            dossier = receive("2026-03-02 08:00")
            elapsed = time.perf_counter() - started
        assert elapsed < 1, f"the receipt took {elapsed:.2f} s with the broker down"
        message = OutboxMessage.objects.get(dossier_id=dossier.pk)
        # The receipt's e-mail and its text message (a row of its own, dossiers/notifications.py).
        channels = OutboxMessage.objects.filter(key__startswith=message.key)
        assert channels.count() == 2
        assert not channels.exclude(state=OutboxState.PENDING).exists()
        assert mail.outbox == []

        # The broker is back: beat's sweep queues what the kick could not, the worker delivers it.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            due = max(channels.values_list("next_attempt_at", flat=True))
            assert sorted(outbox_sweep(now=due)) == sorted(channels.values_list("pk", flat=True))
            wait_for(lambda: not channels.exclude(state=OutboxState.DELIVERED).exists())
            # A later sweep finds nothing; the ping behind it in the queue proves the worker has drained it.
            later = due + dt.timedelta(seconds=settings.OUTBOX_REQUEUE_SECONDS + 1)
            assert outbox_sweep(now=later) == []
            assert ping.delay().get(timeout=20) == "pong"

    [sent] = mail.outbox
    assert sent.subject == f"Hồ sơ {dossier.code}: Mới tiếp nhận"
    assert sent.extra_headers[IDEMPOTENCY_HEADER] == message.key
    [sms] = FakeSms.objects.all()
    assert (sms.to, sms.idempotency_key) == ("0912345678", f"{message.key}:sms")
    assert dossier.code in sms.body


def _worker(name: str, log: Path) -> subprocess.Popen:
    """`celery -A portal worker` in its own process, on this test's database, with the test-only topic loaded."""
    return worker_start(name, log, include="tests.outbox.blocking_topic")


def test_a_worker_killed_mid_delivery_leads_to_exactly_one_delivery(tmp_path):
    run = uuid.uuid4().hex
    started_key, effects_key = blocking_topic.counters(run)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen] = []
    try:
        first = _worker(f"first-{run}", log)
        workers.append(first)
        with not_eager(), transaction.atomic():
            message = outbox_put(topic=blocking_topic.TOPIC, key=f"test:{run}", payload={"run": run}, dossier_id=None)
        wait_for(lambda: client.get(started_key) == b"1", what=f"the first worker to start the delivery ({log})")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        message.refresh_from_db()
        # The delivery's transaction died with the worker: nothing was recorded, the row lock is gone.
        assert (message.state, message.attempts) == (OutboxState.PENDING, 0)
        assert client.get(effects_key) is None

        workers.append(_worker(f"second-{run}", log))
        # The broker hands the unacknowledged message to the restarted worker (acks late, short visibility).
        wait_for(
            lambda: OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.DELIVERED).exists(),
            what=f"the restarted worker to deliver ({log})",
        )
        # Another copy from the sweep (or a late redelivery) is a no-op.
        assert outbox_deliver(message.pk) == Outcome.ALREADY
    finally:
        for process in workers:
            worker_stop(process)

    assert (client.get(started_key), client.get(effects_key)) == (b"2", b"1")
    message.refresh_from_db()
    assert message.attempts == 1
    client.delete(started_key, effects_key)
