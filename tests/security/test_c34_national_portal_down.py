"""Check 34 — the national portal down.

The check: with the (fake) national portal's receiver down for 30 minutes, the dossiers' status changes wait in the
outbox, are retried with back-off, and are then delivered in per-dossier order with the outbox message's id as the
idempotency key; the receiver gets no duplicate even when its answer is lost after it committed.

How the tests show it: the sync is on with the local fake receiver (`natsync.fake`: it keeps each message id once
and counts copies; a `FakeSwitch` row makes it answer 503). With the receiver down from 08:10 to 08:40 and the
outbox swept every 30 s, only each dossier's first message is tried, at growing intervals (30 s, 1, 2, 4, 8 min), the
others wait behind it; nothing is sent early once it is up; then everything arrives once, in order per dossier,
each under its outbox key. The lost answer is played over HTTP: the real adapter posts to the fake served by a live
server (so the fake commits in its own transaction), and its answer is thrown away as a timeout would; the outbox
retries with the same key and the fake keeps one message (two copies counted), the dossier's next message going
after it. A worker dying after the POST is the same case. Last, a real Celery worker through Redis does it all with
the on-commit kicks and the beat's sweep.
"""

import datetime as dt
import os

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker

from natsync.adapters.base import CREATE, PROGRESS, UPDATE, SyncError
from natsync.adapters.national import NationalAdapter
from natsync.models import FakeReceived, FakeSwitch
from natsync.services import TOPIC
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver
from outbox.tasks import sweep
from portal.celery import app
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import advance, at
from tests.natsync import conftest as natsync_fixtures
from tests.natsync.conftest import deliver_due, pending_count, sync_messages
from tests.outbox.helpers import not_eager, wait_for

# The engine's fixtures and the sync switched on with the fake receiver up (autouse), made visible to pytest here.
agencies = engine.agencies
applicant_for = engine.applicant_for
make_version = engine.make_version
people = engine.people
receive = engine.receive
sync_on = natsync_fixtures.sync_on

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker")


def received():
    return list(FakeReceived.objects.order_by("id"))


# --- Down for 30 minutes, then up ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_receiver_down_for_30_minutes_then_everything_arrives_once_in_order(receive, people):
    switch = FakeSwitch.objects.create(down=True, note="bảo trì")
    first = receive("2026-03-02 08:00")
    second = receive("2026-03-02 08:00")
    advance(first, ("forward", "desk", {}), people=people, when="2026-03-02 08:05")
    advance(second, ("forward", "desk", {}), people=people, when="2026-03-02 08:06")
    advance(first, ("step", "officer", {"name": "Thẩm định"}), people=people, when="2026-03-02 08:07")
    written = sync_messages()
    assert len(written) == 5

    down_from, up_at = at("2026-03-02 08:10"), at("2026-03-02 08:40")
    tries: list[dt.datetime] = []
    moment = down_from
    while moment < up_at:  # the sweep every 30 s while the receiver is down
        outcomes = deliver_due(moment)
        assert set(outcomes) <= {Outcome.RETRY}
        if outcomes:
            assert len(outcomes) == 2  # each dossier's first message, the others wait behind it
            tries.append(moment)
        moment += dt.timedelta(seconds=30)
    gaps = [int((b - a).total_seconds()) for a, b in zip(tries, tries[1:], strict=False)]
    assert gaps == [30, 60, 120, 240, 480]  # exponential back-off (OUTBOX_BACKOFF_SECONDS = 30)
    assert FakeReceived.objects.count() == 0
    assert pending_count() == 5
    heads = [m for m in sync_messages() if m.attempts]
    assert [m.pk for m in heads] == [written[0].pk, written[1].pk]  # only each dossier's first was tried
    assert all(m.attempts == len(tries) and "503" in m.last_error for m in heads)

    switch.down = False
    switch.save()
    with time_machine.travel(up_at, tick=False):
        assert deliver_due(up_at) == []  # still in back-off: nothing is sent early
    next_try = tries[-1] + dt.timedelta(seconds=960)
    assert deliver_due(next_try) == [Outcome.DELIVERED] * 5

    assert pending_count() == 0
    arrived = received()
    assert sorted(r.message_id for r in arrived) == sorted(m.key for m in written)  # no loss, no extra
    assert all(r.copies == 1 for r in arrived)  # no duplicate
    for dossier in (first, second):
        order = [r.message_id for r in arrived if r.dossier_code == dossier.code]
        assert order == [m.key for m in written if m.payload["dossier_id"] == dossier.pk]  # in order per dossier
    assert [r.kind for r in arrived if r.dossier_code == first.code] == [CREATE, UPDATE, PROGRESS]


# --- The answer lost after the receiver committed -------------------------------------------------------------


class LostAnswerAdapter(NationalAdapter):
    """The real HTTP adapter whose next `lose` answers are thrown away after the receiver has them, as a read
    timeout or a dropped connection would."""

    lose = 0

    def _post(self, kind, body, headers):
        answer = super()._post(kind, body, headers)
        if LostAnswerAdapter.lose:
            LostAnswerAdapter.lose -= 1
            raise SyncError("read timed out")
        return answer


@pytest.mark.django_db(transaction=True)
def test_an_answer_lost_after_the_receiver_committed_leads_to_no_duplicate(receive, people, live_server, settings):
    settings.NATSYNC_ADAPTER = f"{__name__}.LostAnswerAdapter"
    settings.NATSYNC_URL = f"{live_server.url}/natsync-fake"
    settings.NATSYNC_TIMEOUT = 5
    LostAnswerAdapter.lose = 1
    with time_machine.travel(at("2026-03-02 08:00"), tick=False):
        with not_eager():  # no kick: the sweep below delivers, at the moments it is given
            dossier = receive("2026-03-02 08:00")
            advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 08:00")
        create, update = sync_messages()
        assert deliver_due(at("2026-03-02 08:00")) == [Outcome.RETRY]  # the receiver has it; we never heard
        assert [(r.message_id, r.copies) for r in received()] == [(create.key, 1)]
        assert outbox_deliver(update.pk, now=at("2026-03-02 08:00")) == Outcome.BLOCKED  # order kept
        # The retry (same key); its delivery kicks the update after commit (run in-process here).
        assert deliver_due(at("2026-03-02 08:00") + dt.timedelta(seconds=30))[0] == Outcome.DELIVERED

    create.refresh_from_db()
    assert (create.state, create.attempts, create.last_error) == (OutboxState.DELIVERED, 2, "SyncError: read timed out")
    arrived = received()
    assert [(r.message_id, r.kind) for r in arrived] == [(create.key, CREATE), (update.key, UPDATE)]
    assert [r.copies for r in arrived] == [2, 1]  # the retry carried the same key: counted, not kept twice
    assert OutboxMessage.objects.filter(topic=TOPIC, state=OutboxState.DELIVERED).count() == 2


@pytest.mark.django_db
def test_a_worker_dying_after_the_post_sends_the_same_key_and_the_receiver_keeps_one(receive):
    receive("2026-03-02 08:00")
    message = sync_messages()[0]
    deliver_due(at("2026-03-02 08:01"))
    # A worker that died after the POST and before its commit: the outbox sends the same message again.
    type(message).objects.filter(pk=message.pk).update(state=OutboxState.PENDING)
    assert outbox_deliver(message.pk, now=at("2026-03-02 08:10")) == Outcome.DELIVERED
    (only,) = received()
    assert (only.message_id, only.copies) == (message.key, 2)


# --- A real worker ---------------------------------------------------------------------------------------------


def tried() -> int:
    return sum(OutboxMessage.objects.filter(topic="natsync.push").values_list("attempts", flat=True))


@needs_redis
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
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
