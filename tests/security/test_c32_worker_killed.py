"""Check 32 — a worker killed in the middle of the notification task.

The check: after a `SIGKILL` during the task that sends a text message, the task runs again once a worker is back,
and the (fake) SMS gateway ends up with exactly one message per event, thanks to the idempotency key it is given.

How the test shows it: a real `celery -A portal worker` runs in a subprocess on the test database and the real
Redis broker, with `SMS_BACKEND` pointed at `KillableGateway` below — the local fake gateway
(`accounts.sms.DatabaseSmsBackend`, which keeps one `FakeSms` row per key) with, in front of it, the gateway's
"receiving side" recorded in Redis outside the worker's transaction: every call is counted, and the message is kept
once per idempotency key, as a real operator's gateway given the key would. The first call records the message and
then hangs; the test SIGKILLs the worker there (the worst moment: the gateway has it, the outbox row is not marked).
The outbox row is still pending with no attempt recorded and the `FakeSms` row written in the killed transaction
is gone. A second worker gets the unacknowledged task again (acks late, reject on worker lost, a 2 s visibility
timeout) and delivers: the gateway was called twice, holds one message for the event, and `FakeSms` has one row
whose key is the outbox message's key; the e-mail of the same event went once, and a late copy of the task is a
no-op.
"""

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis

from accounts.models import FakeSms
from accounts.sms import DatabaseSmsBackend
from dossiers.notifications import SMS_TOPIC, TOPIC
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver
from tests.dossiers import conftest as engine
from tests.outbox.helpers import not_eager, wait_for
from tests.worker_process import worker_start, worker_stop

ROOT = Path(__file__).resolve().parents[2]
RUN_ENV = "C32_RUN"  # the run id the worker's gateway files its counts under
HANG_SECONDS = 30  # a bound: a worker the test failed to kill stops hanging

agencies = engine.agencies
applicant_for = engine.applicant_for
make_version = engine.make_version
people = engine.people
receive = engine.receive

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker"),
    pytest.mark.django_db(transaction=True),
]


def gateway_keys(run: str) -> tuple[str, str]:
    """Redis keys of the fake gateway's receiving side: (calls counter, messages kept by idempotency key)."""
    return f"c32:{run}:calls", f"c32:{run}:received"


class KillableGateway(DatabaseSmsBackend):
    """The local fake gateway, recording what it receives in Redis (outside the sender's transaction); its first
    call of a run hangs after the message was received, until the test kills the worker."""

    def send(self, to: str, body: str, *, key: str) -> None:
        client = redis.Redis.from_url(os.environ["REDIS_URL"])
        calls, received = gateway_keys(os.environ[RUN_ENV])
        client.hsetnx(received, key, f"{to}|{body}")  # the gateway keeps one message per idempotency key
        if client.incr(calls) == 1:
            time.sleep(HANG_SECONDS)
            raise RuntimeError("the test did not kill this worker")
        super().send(to, body, key=key)


def _worker(name: str, run: str, log: Path) -> subprocess.Popen:
    return worker_start(name, log, include=__name__, env={"SMS_BACKEND": f"{__name__}.KillableGateway", RUN_ENV: run})


def test_a_worker_killed_while_sending_the_sms_leads_to_one_message_per_event(receive, tmp_path):
    run = uuid.uuid4().hex
    calls_key, received_key = gateway_keys(run)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    log = tmp_path / "workers.log"
    workers: list[subprocess.Popen] = []
    try:
        first = _worker(f"c32-first-{run}", run, log)
        workers.append(first)
        with not_eager():
            dossier = receive("2026-03-02 08:00")  # T2: a receipt e-mail and a receipt SMS, kicked after commit
        mail_row = OutboxMessage.objects.get(topic=TOPIC, dossier_id=dossier.pk)
        sms_row = OutboxMessage.objects.get(topic=SMS_TOPIC, key=f"{mail_row.key}:sms")
        wait_for(lambda: client.get(calls_key) == b"1", timeout=60, what=f"the first worker to send the SMS ({log})")

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        sms_row.refresh_from_db()
        assert (sms_row.state, sms_row.attempts) == (OutboxState.PENDING, 0)  # nothing recorded: the task died
        assert not FakeSms.objects.exists()  # the killed transaction's row is gone
        assert client.hlen(received_key) == 1  # …but the gateway had received it

        workers.append(_worker(f"c32-second-{run}", run, log))
        wait_for(
            lambda: OutboxMessage.objects.filter(pk=sms_row.pk, state=OutboxState.DELIVERED).exists(),
            timeout=60,
            what=f"the restarted worker to send the SMS again ({log})",
        )
        assert outbox_deliver(sms_row.pk) == Outcome.ALREADY  # a late copy of the task sends nothing
    finally:
        for process in workers:
            worker_stop(process)

    assert int(client.get(calls_key)) == 2  # the task ran again after the kill…
    assert list(client.hgetall(received_key)) == [sms_row.key.encode()]  # …and the gateway kept one message
    [sms] = FakeSms.objects.all()
    assert (sms.to, sms.idempotency_key) == ("0912345678", sms_row.key)
    assert dossier.code in sms.body
    mail_row.refresh_from_db()
    assert (mail_row.state, mail_row.attempts) == (OutboxState.DELIVERED, 1)
    sms_row.refresh_from_db()
    assert sms_row.attempts == 1
    client.delete(calls_key, received_key)
