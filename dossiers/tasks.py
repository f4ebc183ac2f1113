"""Thin Celery wrappers: load by id, act; safe to run twice.

Notifications are not tasks any more: they leave through the outbox (`dossiers.notifications`, topic
`dossier.notify`), delivered by the `outbox.deliver` task.
"""

from celery import shared_task


@shared_task(name="dossiers.flag_overdue")
def flag_overdue() -> int:
    """Celery beat, every 5 minutes: flag newly late dossiers (safe to run twice)."""
    from dossiers.services import dossiers_flag_overdue

    return dossiers_flag_overdue()
