"""Filling `DossierStep.overrun_minutes` for steps finished without it (§5.6–5.7; docs/statistics.md "Why late").

The engine sets the overrun when a step finishes (`dossiers.services._close_step`); this fills the steps that
finished before the column existed (migration dossiers/0018) and those written in bulk by the demo seeder, which
writes steps without it (`stats.services.figures_rebuild` calls it first). Safe to run twice: it only touches
steps whose overrun is still NULL.

The models are arguments so the migration can pass its historical ones.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from dossiers import deadlines

BATCH = 2000


def _unjudged(step_model: Any, dossier_ids: list[int] | None = None):
    """Finished steps with a due moment and no overrun yet, except those a withdrawal closed (not judged)."""
    withdrawn = Q(dossier__status="withdrawn", finished_at__gte=F("dossier__completed_at"))
    steps = step_model.objects.filter(overrun_minutes__isnull=True, due_at__isnull=False, finished_at__isnull=False)
    if dossier_ids is not None:
        steps = steps.filter(dossier_id__in=dossier_ids)
    return steps.exclude(withdrawn)


def overrun_fill(*, step_model: Any, pause_model: Any, dossier_ids: list[int] | None = None) -> int:
    """Set the overrun of every unjudged finished step (of `dossier_ids` only, when given: the incremental
    refresh's touched dossiers): one UPDATE to 0 for the steps on time by date (the vast majority), then the late
    ones in batches with the calendar in force and their agency's office hours. Returns how many late steps were
    computed."""
    if dossier_ids is not None and not dossier_ids:
        return 0
    from workcalendar.calendar import OfficeHours
    from workcalendar.selectors import current_calendar

    _unjudged(step_model, dossier_ids).filter(is_late=False).update(overrun_minutes=0)
    calendar = None
    hours_of: dict[int, OfficeHours] = {}
    done = 0
    while True:
        batch = list(
            _unjudged(step_model, dossier_ids).filter(is_late=True).select_related("agency").order_by("pk")[:BATCH]
        )
        if not batch:
            return done
        if calendar is None:  # read only when there is a late step to judge
            calendar, _version = current_calendar()
        pauses: dict[int, list] = {}
        rows = pause_model.objects.filter(dossier_id__in={s.dossier_id for s in batch}).values_list(
            "dossier_id", "started_at", "ended_at"
        )
        for dossier_id, start, end in rows:
            pauses.setdefault(dossier_id, []).append((start, end))
        for step in batch:
            if step.agency_id not in hours_of:
                a = step.agency  # the periods read from the columns: a historical model has no `office_periods`
                periods = ((a.morning_start, a.morning_end), (a.afternoon_start, a.afternoon_end))
                hours_of[step.agency_id] = OfficeHours(periods)
            step.overrun_minutes = deadlines.step_overrun(
                started_at=step.started_at,
                due_at=step.due_at,
                finished_at=step.finished_at,
                pauses=[(s, e) for s, e in pauses.get(step.dossier_id, ()) if s < step.finished_at],
                calendar=calendar,
                hours=hours_of[step.agency_id],
            )
        step_model.objects.bulk_update(batch, ["overrun_minutes"])
        done += len(batch)
