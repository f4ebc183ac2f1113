"""Rolling the per-dossier facts of the indicators up into `DailyCount` rows (docs/indicators.md "Roll-up").

Whether a dossier is synced, digitised, reused, paid online, or has a signed electronic result takes a probe of
another table per dossier: too slow to do live for a province-year at a million dossiers (about 20 s measured), so
it is done here, in the background, for a window of recent days, and the page sums the rows (milliseconds).

A day is always recomputed whole (one DELETE, one INSERT of grouped rows) under a row lock, so a refresh run twice or
on two workers gives the same rows. Which days: as the dashboard's roll-up does (`stats.services`), the days of the
dossiers with a dossier event since the previous refresh (receipt, digitisation at intake, online payment, result
issued: each is an event), plus those of the dossiers whose national sync state was written since then (the sync
writes no dossier event). `counts_rebuild()` recomputes every day (after a bulk load).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import Digitisation as D
from dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
    FeeMode,
    FileReuse,
    ResultSignature,
)
from dossiers.workflow import Status
from indicators.models import DAILY_MEASURES, CountsMark, DailyCount
from natsync.models import SyncState
from payments.models import Payment, PaymentStatus
from stats.services import day_ranges, local_day, on_days, touched_days, touched_dossiers, within

OBLIGATION = (FeeMode.BEFORE, FeeMode.AFTER)
HANDLER = Coalesce("processing_agency_id", "receiving_agency_id")
KEY = ("day", "agency", "procedure")


def _received_part(ranges) -> list[dict]:
    """The dossiers received on the days of `ranges` (every day when None), by local day of receipt, agency and
    procedure (one grouped query)."""
    pk = OuterRef("pk")
    synced = Exists(SyncState.objects.filter(dossier=pk))
    digitised = Exists(DossierDocument.objects.filter(dossier=pk, digitisation__gt=D.NOT_DIGITISED))
    reused = Exists(DossierDocument.objects.filter(dossier=pk, digitisation__in=(D.REUSED, D.REUSED_RESULT))) | Exists(
        FileReuse.objects.filter(target_dossier=pk)
    )
    obligation = Q(fee_mode__in=OBLIGATION)
    paid = obligation & Q(Exists(Payment.objects.filter(dossier=pk, state=PaymentStatus.PAID)))
    return list(
        Dossier.objects.filter(within("received_at", ranges), received_at__isnull=False)
        .order_by()
        .values(day=local_day("received_at"), agency=HANDLER, procedure=F("procedure_version__procedure"))
        .annotate(
            synced=Count("pk", filter=Q(synced)),
            digitised=Count("pk", filter=Q(digitised)),
            reused=Count("pk", filter=Q(reused)),
            with_obligation=Count("pk", filter=obligation),
            paid_online=Count("pk", filter=paid),
        )
    )


def _completed_part(ranges) -> list[dict]:
    """The dossiers with a decision or result on those days (withdrawals excluded), by local day of completion,
    agency and procedure, and those with a digitally signed result file (one grouped query)."""
    signed = Exists(ResultSignature.objects.filter(file__dossier=OuterRef("pk"), file__kind=DossierFile.Kind.RESULT))
    return list(
        Dossier.objects.filter(within("completed_at", ranges), received_at__isnull=False, completed_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .order_by()
        .values(day=local_day("completed_at"), agency=HANDLER, procedure=F("procedure_version__procedure"))
        .annotate(decided=Count("pk"), e_result=Count("pk", filter=Q(signed)))
    )


def _recompute(ranges: list[tuple[dt.date, dt.date]] | None) -> int:
    """Replace the rows of the days in `ranges` (every day when None) by a fresh roll-up; returns the rows written."""
    rows: dict[tuple, dict] = {}
    for part in (_received_part(ranges), _completed_part(ranges)):
        for row in part:
            key = tuple(row.pop(name) for name in KEY)
            rows.setdefault(key, dict.fromkeys(DAILY_MEASURES, 0)).update(row)
    DailyCount.objects.filter(on_days(ranges)).delete()
    DailyCount.objects.bulk_create(
        [
            DailyCount(day=day, agency_id=agency, procedure_id=procedure, **values)
            for (day, agency, procedure), values in rows.items()
            if any(values.values())
        ],
        batch_size=5000,
    )
    return len(rows)


def _mark() -> CountsMark:
    CountsMark.objects.get_or_create(pk=1)
    return CountsMark.objects.select_for_update().get(pk=1)


def counts_refresh(*, now: dt.datetime | None = None) -> int:
    """Recompute the days touched since the previous refresh (the first refresh ever is a rebuild, and so is one
    after more than STATS_REBUILD_ABOVE dossiers changed). Returns the rows written.

    Both windows are rescanned from the refresh before the last one (events by id, sync states by moment): an event
    or a sync state whose transaction committed just after a refresh read its bounds is still seen."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = _mark()
        if mark.event_id is None:
            return _rebuild(mark, now)
        last = DossierEvent.objects.aggregate(last=Max("id"))["last"]
        dossier_ids = set(touched_dossiers(after_event_id=mark.previous_event_id))
        if mark.previous_refreshed_at is not None:
            synced = SyncState.objects.filter(synced_at__gte=mark.previous_refreshed_at).order_by()
            dossier_ids |= set(synced.values_list("dossier_id", flat=True))
        if len(dossier_ids) > getattr(settings, "STATS_REBUILD_ABOVE", 50_000):
            return _rebuild(mark, now)
        days = touched_days(sorted(dossier_ids))
        written = _recompute(day_ranges(days)) if days else 0
        mark.previous_event_id, mark.event_id = mark.event_id, last or mark.event_id
        mark.previous_refreshed_at, mark.refreshed_at = mark.refreshed_at, now
        mark.save()
        return written


def counts_rebuild(*, now: dt.datetime | None = None) -> int:
    """Recompute every day from scratch (after a bulk load such as `seed_demo`); returns the rows written."""
    now = now or timezone.now()
    with transaction.atomic():
        return _rebuild(_mark(), now)


def _rebuild(mark: CountsMark, now: dt.datetime) -> int:
    last = DossierEvent.objects.aggregate(last=Max("id"))["last"] or 0
    written = _recompute(None)
    mark.previous_event_id = mark.event_id = last
    mark.previous_refreshed_at = mark.refreshed_at = mark.rebuilt_at = now
    mark.save()
    return written
