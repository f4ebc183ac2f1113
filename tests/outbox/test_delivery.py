"""The outbox's rules: one row per key, in order per dossier, at most one handler call per message, back-off,
failure after N attempts, and the sweep that delivers what a kick missed. Every moment is passed as `now=`."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from outbox.models import OutboxMessage, OutboxState
from outbox.services import (
    OutboxError,
    Outcome,
    outbox_backoff,
    outbox_deliver,
    outbox_put,
    outbox_retry,
    outbox_sweep,
    register_handler,
    unregister_handler,
)
from tests.outbox.conftest import RECORD, T0

pytestmark = pytest.mark.django_db

SECOND = dt.timedelta(seconds=1)


def put(name: str, *, dossier_id: int | None = 1, now=T0) -> OutboxMessage:
    with transaction.atomic():
        return outbox_put(topic=RECORD, key=f"{RECORD}:{name}", payload={"name": name}, dossier_id=dossier_id, now=now)


def test_putting_the_same_key_twice_keeps_one_row_and_one_kick(django_capture_on_commit_callbacks, recorder):
    with django_capture_on_commit_callbacks() as callbacks:
        first = put("a")
        second = put("a")
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(key=f"{RECORD}:a").count() == 1
    assert len(callbacks) == 1


def test_a_message_is_written_pending_and_due_at_once(recorder):
    message = put("a", now=T0)
    message.refresh_from_db()
    assert (message.state, message.attempts, message.created_at, message.next_attempt_at) == (
        OutboxState.PENDING,
        0,
        T0,
        T0,
    )
    assert recorder.calls == []  # nothing is performed before the commit


@pytest.mark.django_db(transaction=True)
def test_putting_outside_a_transaction_is_refused(recorder):
    with pytest.raises(OutboxError, match="inside transaction.atomic"):
        outbox_put(topic=RECORD, key="k", payload={}, dossier_id=None)
    assert not OutboxMessage.objects.exists()


def test_the_kick_on_commit_delivers_with_the_payload_and_the_key(django_capture_on_commit_callbacks, recorder):
    with django_capture_on_commit_callbacks(execute=True):
        message = put("a")
    message.refresh_from_db()
    assert recorder.calls == [({"name": "a"}, f"{RECORD}:a")]
    assert (message.state, message.attempts) == (OutboxState.DELIVERED, 1)
    assert message.delivered_at is not None


def test_nothing_is_kicked_when_the_transaction_rolls_back(django_capture_on_commit_callbacks, recorder):
    def change_that_fails_after_writing_its_message():
        with transaction.atomic():
            put("a")
            raise ValueError("the change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValueError, match="the change failed"):
            change_that_fails_after_writing_its_message()
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert recorder.calls == []


def test_delivering_twice_calls_the_handler_once(recorder):
    message = put("a")
    assert outbox_deliver(message.pk, now=T0) == Outcome.DELIVERED
    assert outbox_deliver(message.pk, now=T0 + SECOND) == Outcome.ALREADY
    assert len(recorder.calls) == 1
    message.refresh_from_db()
    assert (message.attempts, message.delivered_at) == (1, T0)


def test_an_unknown_message_is_reported_missing(recorder):
    assert outbox_deliver(987654321, now=T0) == Outcome.MISSING


def test_a_dossier_s_messages_are_delivered_in_the_order_written(django_capture_on_commit_callbacks, recorder):
    first, second = put("first", dossier_id=7), put("second", dossier_id=7)
    other = put("other dossier", dossier_id=8)

    assert outbox_deliver(second.pk, now=T0) == Outcome.BLOCKED
    assert outbox_deliver(other.pk, now=T0) == Outcome.DELIVERED  # another dossier does not wait
    with django_capture_on_commit_callbacks(execute=True):
        # Delivering the first kicks its successor at once (eager here), without waiting for the sweep.
        assert outbox_deliver(first.pk, now=T0) == Outcome.DELIVERED

    assert recorder.names == ["other dossier", "first", "second"]
    second.refresh_from_db()
    assert (second.state, second.attempts) == (OutboxState.DELIVERED, 1)  # the refusal was not an attempt


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1920), (8, 3600)])
def test_the_back_off_doubles_and_is_capped(attempts, seconds, settings):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 3600
    assert outbox_backoff(attempts) == dt.timedelta(seconds=seconds)


def test_a_failing_handler_is_retried_later_then_marked_failed(settings, recorder):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_BACKOFF_SECONDS = 30
    recorder.failing = ConnectionError("SMTP 421 try again later")
    message = put("a")

    assert outbox_deliver(message.pk, now=T0) == Outcome.RETRY
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == (OutboxState.PENDING, 1, T0 + 30 * SECOND)
    assert message.last_error == "ConnectionError: SMTP 421 try again later"

    assert outbox_deliver(message.pk, now=T0 + 30 * SECOND) == Outcome.RETRY
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, T0 + 90 * SECOND)

    assert outbox_deliver(message.pk, now=T0 + 90 * SECOND) == Outcome.FAILED
    message.refresh_from_db()
    assert (message.state, message.attempts, message.delivered_at) == (OutboxState.FAILED, 3, None)
    assert outbox_deliver(message.pk, now=T0 + 3600 * SECOND) == Outcome.ALREADY
    assert recorder.calls == []


def test_a_failing_handler_s_own_writes_are_undone(recorder):
    message = put("a")

    def write_then_fail(payload, *, key):
        OutboxMessage.objects.filter(pk=message.pk).update(payload={"tampered": True})
        raise ValueError("half done")

    unregister_handler(RECORD)
    register_handler(RECORD, write_then_fail)
    assert outbox_deliver(message.pk, now=T0) == Outcome.RETRY
    message.refresh_from_db()
    assert message.payload == {"name": "a"}
    assert message.last_error == "ValueError: half done"


def test_a_topic_without_a_handler_is_retried_with_the_reason():
    with transaction.atomic():
        message = outbox_put(topic="nobody.listens", key="k1", payload={}, dossier_id=None, now=T0)
    assert outbox_deliver(message.pk, now=T0) == Outcome.RETRY
    message.refresh_from_db()
    assert message.last_error == "OutboxError: no handler registered for topic 'nobody.listens'"


def test_the_sweep_queues_due_heads_of_each_dossier_oldest_first(settings, recorder):
    settings.OUTBOX_REQUEUE_SECONDS = 300
    a1, a2 = put("a1", dossier_id=1), put("a2", dossier_id=1)
    b1 = put("b1", dossier_id=2)
    free = put("no dossier", dossier_id=None)
    later = put("not yet due", dossier_id=3, now=T0 + 10 * SECOND)

    assert outbox_sweep(now=T0 + SECOND) == [a1.pk, b1.pk, free.pk]
    queued = OutboxMessage.objects.filter(pk__in=[a1.pk, b1.pk, free.pk])
    assert set(queued.values_list("next_attempt_at", flat=True)) == {T0 + 301 * SECOND}
    # Queued once: the next sweep leaves them to the queue until the requeue delay has passed.
    assert outbox_sweep(now=T0 + 11 * SECOND) == [later.pk]
    assert outbox_sweep(now=T0 + 302 * SECOND) == [a1.pk, b1.pk, free.pk]
    assert a2.pk not in outbox_sweep(now=T0 + 10_000 * SECOND)


def test_the_sweep_delivers_what_the_kick_missed(django_capture_on_commit_callbacks, recorder):
    # Written without their commit callbacks running: as if the broker had been down at commit time.
    put("first", dossier_id=5)
    put("second", dossier_id=5)
    # The worker reads the clock: freeze it at the sweep's moment (the successor is kicked once it is due).
    with time_machine.travel(T0 + SECOND, tick=False), django_capture_on_commit_callbacks(execute=True):
        outbox_sweep(now=T0 + SECOND)
    assert recorder.names == ["first", "second"]
    assert not OutboxMessage.objects.exclude(state=OutboxState.DELIVERED).exists()


def test_a_head_in_back_off_holds_its_dossier_s_line(settings, recorder):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    first, second = put("first", dossier_id=1), put("second", dossier_id=1)
    recorder.failing = TimeoutError("timed out")
    assert outbox_deliver(first.pk, now=T0) == Outcome.RETRY
    recorder.failing = None

    assert outbox_sweep(now=T0 + 29 * SECOND) == []
    assert outbox_deliver(second.pk, now=T0 + 29 * SECOND) == Outcome.BLOCKED
    assert outbox_sweep(now=T0 + 30 * SECOND) == [first.pk]


def test_a_failed_message_no_longer_holds_the_line(settings, recorder, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    first, second = put("first", dossier_id=1), put("second", dossier_id=1)
    recorder.failing = RuntimeError("rejected")
    with django_capture_on_commit_callbacks() as callbacks:
        assert outbox_deliver(first.pk, now=T0) == Outcome.FAILED
    recorder.failing = None
    assert outbox_sweep(now=T0 + SECOND) == [second.pk]
    callbacks[0]()  # the failure kicked the dossier's next message
    assert recorder.names == ["second"]


def test_retry_now_gives_a_failed_message_fresh_attempts(settings, recorder, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    failed, pending = put("failed", dossier_id=1), put("pending", dossier_id=2)
    recorder.failing = RuntimeError("rejected")
    outbox_deliver(failed.pk, now=T0)
    recorder.failing = None

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_retry(ids=[failed.pk, pending.pk], now=T0 + SECOND) == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (OutboxState.DELIVERED, 1)
    assert recorder.names == ["failed"]
