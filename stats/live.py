"""The dashboard's live figures, counted from the dossiers at the moment of reading (docs/dashboard.md "Live
counts"): in progress and overdue now describe the present, so they are not rolled up into `DailyFigure`.

Both select by the columns of one partial index (`dossier_live_handler`, dossiers migration 0016): the handling
agency (the processing agency, else the receiving one — the roll-up's key), the status and the due moment, limited
to the in-progress statuses, so a province's count reads the index entries of its open dossiers only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import IN_PROGRESS_STATUSES, RUNNING_STATUSES, Dossier
from stats.services import day_start

# Received and not yet resolved (§9.2 "in progress"): the clock runs or is paused; a dossier with its result ready
# is resolved (it has `completed_at`), one only submitted is not yet received.
IN_PROGRESS = IN_PROGRESS_STATUSES
# The agency handling a dossier, as the roll-up keys it (stats.services.KEY) and as the partial index stores it.
HANDLER = Coalesce(F("processing_agency"), F("receiving_agency"))
# dimension → the dossier column a live breakdown groups by (the same keys as `stats.selectors.DIMENSIONS`).
LIVE_KEYS = {
    "agency": "handler",
    "field": "procedure_version__field_id",
    "procedure": "procedure_version__procedure_id",
    "channel": "channel",
}


def overdue_now(*, today: dt.date) -> Q:
    """Late now (§5.11 open and running: today is after the due date; §9.2: supplement and financial-obligation
    waits are never late): a running status and a due moment before the start of today, local time."""
    return Q(status__in=RUNNING_STATUSES, current_due_at__lt=day_start(today))


def live_dossiers(
    *,
    agency_ids: Iterable[int],
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: int | None = None,
) -> QuerySet[Dossier]:
    """The in-progress dossiers handled within the scope, narrowed by the dashboard's filters (unordered)."""
    rows = Dossier.objects.annotate(handler=HANDLER).filter(status__in=IN_PROGRESS, handler__in=list(agency_ids))
    narrowing = {
        "procedure_version__field_id": field_id,
        "procedure_version__procedure_id": procedure_id,
        "channel": channel,
    }
    return rows.filter(**{key: value for key, value in narrowing.items() if value is not None})


def live_by(*, dimension: str, today: dt.date | None = None, **selection) -> dict[object, dict[str, int]]:
    """In progress and overdue now per agency, field, procedure or channel (one grouped query):
    key → {"in_progress": n, "overdue_now": m}."""
    today = today or timezone.localdate()
    key = LIVE_KEYS[dimension]
    rows = (
        live_dossiers(**selection)
        .order_by()
        .values(key)
        .annotate(in_progress=Count("pk"), overdue_now=Count("pk", filter=overdue_now(today=today)))
    )
    return {row[key]: {"in_progress": row["in_progress"], "overdue_now": row["overdue_now"]} for row in rows}


def live_measure(*, measure: str, today: dt.date | None = None, **selection) -> QuerySet[Dossier]:
    """The dossiers behind a live figure (the drill-down): `in_progress` or `overdue_now`."""
    rows = live_dossiers(**selection)
    if measure == "overdue_now":
        rows = rows.filter(overdue_now(today=today or timezone.localdate()))
    return rows
