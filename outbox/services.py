"""Writing, kicking, delivering and sweeping outbox messages (docs/domain.md §5.12, §10).

The rule: a side effect leaves only through `outbox_put`, called inside the transaction that caused it; the
handler registered for its topic performs it after the commit, at least once, in order per dossier, and is given
the message's idempotency key so the receiver can drop a duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from outbox.models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

# A handler performs one message's side effect: handler(payload, key=idempotency_key). It raises to ask for a retry.
Handler = Callable[..., None]
_handlers: dict[str, Handler] = {}


class OutboxError(RuntimeError):
    """A programming error in the use of the outbox (not a delivery failure)."""


def register_handler(topic: str, handler: Handler) -> None:
    """Name the function that performs `topic`'s messages; registering the same function again is harmless."""
    current = _handlers.get(topic)
    if current is not None and current is not handler:
        raise OutboxError(f"Outbox topic {topic!r} already has a handler: {current!r}")
    _handlers[topic] = handler


def unregister_handler(topic: str) -> None:
    """Forget a topic's handler (tests register throw-away topics)."""
    _handlers.pop(topic, None)


def handler_for(topic: str) -> Handler | None:
    return _handlers.get(topic)


# --- Writing --------------------------------------------------------------------------------------------------


def outbox_put(
    *, topic: str, key: str, payload: dict[str, Any], dossier_id: int | None, now: dt.datetime | None = None
) -> OutboxMessage:
    """Write a message in the caller's transaction and kick its delivery when that transaction commits.

    Must be called inside `transaction.atomic()`: the message commits or rolls back with the change it reports.
    Putting the same key twice keeps one row (the unique key, not a check, makes a double submit harmless).
    """
    if not transaction.get_connection().in_atomic_block:
        raise OutboxError("outbox_put must be called inside transaction.atomic(), with the change it reports")
    now = now or timezone.now()
    message, created = OutboxMessage.objects.get_or_create(
        key=key,
        defaults={
            "topic": topic,
            "payload": payload,
            "dossier_id": dossier_id,
            "next_attempt_at": now,
            "created_at": now,
        },
    )
    if created:
        message_id = message.pk
        transaction.on_commit(lambda: outbox_kick(message_id))
    return message


# --- Kicking: hand a message to a worker without ever blocking the request on the broker ----------------------

_kick_pools: dict[str, Any] = {}
_kick_pools_lock = threading.Lock()


def _kick_pool(app):
    """A small connection pool per broker URL whose connections try once, with short timeouts.

    The app's own pool retries a refused connection for several seconds; a request must not wait on that.
    """
    url = app.conf.broker_write_url
    pool = _kick_pools.get(url)
    if pool is None:
        with _kick_pools_lock:
            pool = _kick_pools.get(url)
            if pool is None:
                timeout = settings.OUTBOX_KICK_TIMEOUT
                connection = app.connection_for_write(
                    url,
                    transport_options={
                        "max_retries": 0,
                        "socket_connect_timeout": timeout,
                        "socket_timeout": timeout,
                    },
                )
                pool = _kick_pools[url] = connection.Pool(limit=settings.OUTBOX_KICK_POOL_SIZE)
    return pool


def outbox_kick(message_id: int) -> bool:
    """Queue one delivery now; on any broker error log it and return False (the beat sweep delivers it later).

    In eager mode (the embedded default and tests) the delivery runs here, in the committing process.
    """
    from outbox.tasks import deliver
    from portal.celery import app

    try:
        if app.conf.task_always_eager:
            deliver.apply(args=(message_id,))
            return True
        with _kick_pool(app).acquire(block=True, timeout=settings.OUTBOX_KICK_TIMEOUT) as connection:
            try:
                deliver.apply_async(args=(message_id,), connection=connection, retry=False)
            except Exception:
                # A broken connection must not go back into the pool as if it were sound.
                connection.collect()
                raise
    except Exception:
        logger.warning("outbox: could not queue message %s now; the sweep will deliver it", message_id, exc_info=True)
        return False
    return True


# --- Delivering -----------------------------------------------------------------------------------------------


def outbox_backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt `attempts + 1`: the base doubled per failed attempt, capped."""
    base = settings.OUTBOX_BACKOFF_SECONDS
    cap = settings.OUTBOX_BACKOFF_MAX_SECONDS
    return dt.timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


class Outcome:
    DELIVERED = "delivered"
    ALREADY = "already"  # delivered or failed before: nothing to do (a duplicate task)
    MISSING = "missing"
    BUSY = "busy"  # another worker holds the row right now
    BLOCKED = "blocked"  # an older message of the same dossier is still pending
    RETRY = "retry"
    FAILED = "failed"


def outbox_deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """Perform one message: lock it, keep per-dossier order, call its handler, record the result atomically.

    Safe to run twice: a delivered message is never performed again, and a row another worker holds is skipped.
    A handler's own database writes commit with the "delivered" mark; an exception undoes them and schedules a
    retry with exponential back-off, until `OUTBOX_MAX_ATTEMPTS` turns the message into a failure for the admin.
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        if message is None:
            return Outcome.BUSY if OutboxMessage.objects.filter(pk=message_id).exists() else Outcome.MISSING
        if message.state != OutboxState.PENDING:
            return Outcome.ALREADY
        if (
            message.dossier_id is not None
            and OutboxMessage.objects.filter(
                state=OutboxState.PENDING, dossier_id=message.dossier_id, id__lt=message.pk
            ).exists()
        ):
            # Its predecessor's delivery kicks it next; the sweep is the safety net.
            return Outcome.BLOCKED
        handler = handler_for(message.topic)
        try:
            if handler is None:
                raise OutboxError(f"no handler registered for topic {message.topic!r}")
            with transaction.atomic():
                handler(message.payload, key=message.key)
        except Exception as exc:
            logger.warning("outbox: message %s (%s) failed", message.pk, message.topic, exc_info=True)
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.state = OutboxState.FAILED
                outcome = Outcome.FAILED
            else:
                message.next_attempt_at = now + outbox_backoff(message.attempts)
                outcome = Outcome.RETRY
            message.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
        else:
            message.state = OutboxState.DELIVERED
            message.attempts += 1
            message.delivered_at = now
            message.save(update_fields=["state", "attempts", "delivered_at"])
            outcome = Outcome.DELIVERED
        if outcome != Outcome.RETRY:
            _kick_successor_on_commit(message, now=now)
    return outcome


def _kick_successor_on_commit(message: OutboxMessage, *, now: dt.datetime) -> None:
    """The line moved: queue the dossier's next due message now rather than at the next sweep."""
    if message.dossier_id is None:
        return
    successor = (
        OutboxMessage.objects.filter(state=OutboxState.PENDING, dossier_id=message.dossier_id)
        .filter(id__gt=message.pk, next_attempt_at__lte=now)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if successor is not None:
        transaction.on_commit(lambda: outbox_kick(successor))


# --- Sweeping -------------------------------------------------------------------------------------------------


def outbox_due(*, now: dt.datetime):
    """Pending messages that are due and first in their dossier's line, oldest first (one set-based query)."""
    older_pending = OutboxMessage.objects.filter(
        state=OutboxState.PENDING, dossier_id=OuterRef("dossier_id"), id__lt=OuterRef("id")
    )
    return (
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        .exclude(Exists(older_pending))
        .order_by("id")
    )


def outbox_sweep(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Queue every due message a kick missed or a back-off released; returns their ids.

    Each queued message is given `OUTBOX_REQUEUE_SECONDS` before the sweep queues it again, so a slow queue is
    not flooded with copies; sweeps running side by side skip each other's rows.
    """
    now = now or timezone.now()
    limit = limit or settings.OUTBOX_SWEEP_BATCH
    with transaction.atomic():
        ids = list(outbox_due(now=now).select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(
                next_attempt_at=now + dt.timedelta(seconds=settings.OUTBOX_REQUEUE_SECONDS)
            )
            transaction.on_commit(lambda: [outbox_kick(message_id) for message_id in ids])
    return ids


def outbox_retry(*, ids, now: dt.datetime | None = None) -> int:
    """Give failed messages a fresh series of attempts, starting now (the admin's "retry now")."""
    now = now or timezone.now()
    with transaction.atomic():
        retried = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=list(ids), state=OutboxState.FAILED)
            .values_list("id", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=retried).update(state=OutboxState.PENDING, attempts=0, next_attempt_at=now)
        transaction.on_commit(lambda: [outbox_kick(message_id) for message_id in retried])
    return len(retried)
