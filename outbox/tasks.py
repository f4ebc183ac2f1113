"""Thin Celery wrappers around `outbox.services`; both are safe to run twice."""

from celery import shared_task

from outbox.services import outbox_deliver, outbox_sweep


@shared_task(name="outbox.deliver", ignore_result=True)
def deliver(message_id: int) -> str:
    """Perform one outbox message (queued by the on-commit kick or by the sweep)."""
    return outbox_deliver(message_id)


@shared_task(name="outbox.sweep", ignore_result=True)
def sweep() -> int:
    """Celery beat, every minute: queue the pending messages that are due; returns how many."""
    return len(outbox_sweep())
