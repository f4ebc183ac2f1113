"""Thin Celery wrappers: one task per §5.12 selection (dossiers/jobs.py, docs/jobs.md); each is safe to run twice
and on two workers at once.

One task per selection, not one sweep: a selection that fails (or is slow) neither undoes nor delays the others,
and each shows in the worker's log under its own name. Notifications are not tasks: they leave through the outbox
(`dossiers.notifications`, `dossiers.jobs`), delivered by the `outbox.deliver` task.
"""

from dataclasses import asdict

from celery import shared_task


def _run(name: str) -> dict:
    from dossiers.jobs import JOBS

    return asdict(JOBS[name]())


@shared_task(name="dossiers.flag_overdue")
def flag_overdue() -> dict:
    """Celery beat, every 5 minutes: flag newly late dossiers and tell the staff once per due moment."""
    return _run("late")


@shared_task(name="dossiers.job_late_steps")
def job_late_steps() -> dict:
    return _run("late_steps")


@shared_task(name="dossiers.job_due_soon")
def job_due_soon() -> dict:
    return _run("due_soon")


@shared_task(name="dossiers.job_apology")
def job_apology() -> dict:
    return _run("apology")


@shared_task(name="dossiers.job_late_acceptance")
def job_late_acceptance() -> dict:
    return _run("late_acceptance")


@shared_task(name="dossiers.job_uncollected")
def job_uncollected() -> dict:
    return _run("uncollected")


@shared_task(name="dossiers.job_expire_supplements")
def job_expire_supplements() -> dict:
    return _run("expire_supplements")


@shared_task(name="dossiers.job_markers_purge")
def job_markers_purge() -> int:
    """Celery beat, daily: delete the job markers of dossiers closed more than JOB_MARKER_KEEP_DAYS days ago."""
    from dossiers.jobs import job_markers_purge as purge

    return purge()


@shared_task(name="dossiers.files_rescan")
def files_rescan() -> dict:
    """Celery beat, every minute, and kicked after a file is stored unscanned: scan the files waiting for the
    malware scanner (dossiers/files.py); nothing happens while the scanner does not answer."""
    from dossiers.files import files_rescan as rescan

    return rescan()
