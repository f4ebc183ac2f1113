"""The dashboard's live figures, counted from the dossiers at the moment of reading (docs/dashboard.md "Live
counts"): in progress and overdue now describe the present, so they are not rolled up into `DailyFigure`.

Both read one partial index alone (`dossier_live_handler`, dossiers migration 0016, an index-only scan): keyed by the
handling agency (the processing agency, else the receiving one — the roll-up's key), the status and the due moment,
including the procedure version and the channel, limited to the in-progress statuses — so a province's counts read
the index entries of its open dossiers only, never the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import IN_PROGRESS_STATUSES, RUNNING_STATUSES, Dossier
from procedures.models import ProcedureVersion
from stats.services import day_start

# Received and not yet resolved (§9.2 "in progress"): the clock runs or is paused; a dossier with its result ready
# is resolved (it has `completed_at`), one only submitted is not yet received.
IN_PROGRESS = IN_PROGRESS_STATUSES
# The agency handling a dossier, as the roll-up keys it (stats.services.KEY) and as the partial index stores it.
HANDLER = Coalesce(F("processing_agency"), F("receiving_agency"))
# The breakdowns of the live counts (the same keys as `stats.selectors.DIMENSIONS`).
LIVE_KEYS = ("agency", "field", "procedure", "channel")


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
    # The filters read columns the index includes: the versions of a field or procedure are a subquery, so the
    # count stays an index-only scan.
    versions = ProcedureVersion.objects.all()
    if field_id is not None:
        versions = versions.filter(field_id=field_id)
    if procedure_id is not None:
        versions = versions.filter(procedure_id=procedure_id)
    if field_id is not None or procedure_id is not None:
        rows = rows.filter(procedure_version_id__in=versions.values("pk"))
    if channel is not None:
        rows = rows.filter(channel=channel)
    return rows


def live_breakdowns(*, today: dt.date | None = None, **selection) -> dict[str, dict[object, dict[str, int]]]:
    """`count_live_breakdowns`, kept DASHBOARD_CACHE_SECONDS per scope, filters and day: the dashboard, its exports
    and the tabs of one reader share one scan of the open dossiers a minute (docs/dashboard.md "Cache")."""
    today = today or timezone.localdate()
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return count_live_breakdowns(today=today, **selection)
    parts = (today.isoformat(), sorted(selection.pop("agency_ids")), sorted(selection.items()))
    key = "dashboard:live:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = count_live_breakdowns(today=today, agency_ids=parts[1], **selection)
        cache.set(key, found, seconds)
    return found


def count_live_breakdowns(*, today: dt.date | None = None, **selection) -> dict[str, dict[object, dict[str, int]]]:
    """In progress and overdue now per agency, field, procedure and channel: dimension → key → {"in_progress": n,
    "overdue_now": m}. One index-only scan grouped by (handling agency, procedure version, channel), summed here per
    dimension, and one query for the versions' procedures and fields — two queries whatever the number of dossiers."""
    today = today or timezone.localdate()
    groups = list(
        live_dossiers(**selection)
        .order_by()
        .values("handler", "procedure_version_id", "channel")
        .annotate(in_progress=Count("*"), overdue_now=Count("current_due_at", filter=overdue_now(today=today)))
    )
    versions = {
        pk: (procedure_id, field_id)
        for pk, procedure_id, field_id in ProcedureVersion.objects.filter(
            pk__in={group["procedure_version_id"] for group in groups}
        ).values_list("pk", "procedure_id", "field_id")
    }
    found: dict[str, dict[object, dict[str, int]]] = {name: {} for name in LIVE_KEYS}
    for group in groups:
        procedure_id, field_id = versions[group["procedure_version_id"]]
        keys = {"agency": group["handler"], "field": field_id, "procedure": procedure_id, "channel": group["channel"]}
        for dimension, key in keys.items():
            counts = found[dimension].setdefault(key, {"in_progress": 0, "overdue_now": 0})
            counts["in_progress"] += group["in_progress"]
            counts["overdue_now"] += group["overdue_now"]
    return found


def live_measure(*, measure: str, today: dt.date | None = None, **selection) -> QuerySet[Dossier]:
    """The dossiers behind a live figure (the drill-down): `in_progress` or `overdue_now`."""
    rows = live_dossiers(**selection)
    if measure == "overdue_now":
        rows = rows.filter(overdue_now(today=today or timezone.localdate()))
    return rows
