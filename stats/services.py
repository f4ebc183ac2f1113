"""Rolling the dossiers up into `DailyFigure` rows, and their steps into `LateStepFigure` rows (docs/statistics.md).

A day is always recomputed whole from the dossiers, by one DELETE and one INSERT … SELECT … GROUP BY in a single
transaction: the incremental refresh only chooses *which* days, so it gives the same rows as a rebuild from scratch
and running it twice (or on two workers, serialised by the watermark's row lock) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent, DossierPause, DossierStep, Outcome
from dossiers.overrun import overrun_fill
from dossiers.workflow import Status
from stats.models import LATE_MEASURES, MEASURES, DailyFigure, LateStepFigure, RefreshMark
from workcalendar.calendar import LOCAL_TZ

# The key columns of `DailyFigure`, as written by the INSERT, and the dossier expression each is taken from.
KEY = {
    "day": None,  # set per part: the local date of the moment that part counts
    "agency_id": Coalesce("processing_agency_id", "receiving_agency_id"),
    "procedure_id": F("procedure_version__procedure_id"),
    "field_id": F("procedure_version__field_id"),
    "channel": F("channel"),
    "online_mode": F("procedure_version__online_mode"),
}
ONE = Value(1, output_field=IntegerField())
ZERO = Value(0, output_field=IntegerField())
RECEIVED = Q(received_at__isnull=False)
# Each part of the roll-up: the moment column whose local day it counts, and the dossiers it takes.
PARTS = {
    "received_at": RECEIVED,
    "completed_at": RECEIVED & Q(completed_at__isnull=False),
    "refused_at": Q(refused_at__isnull=False),
    "returned_at": RECEIVED & Q(returned_at__isnull=False),
}
# Each measure: its part, and what a dossier of that part must further be to count (None: every one). The drill-down
# (`stats.selectors.figure_dossiers`) reads the same rules, so the list behind a figure has exactly its count.
RULES: dict[str, tuple[str, Q | None]] = {
    "received": ("received_at", None),
    "early": ("completed_at", Q(outcome=Outcome.EARLY)),
    "on_time": ("completed_at", Q(outcome=Outcome.ON_TIME)),
    "late": ("completed_at", Q(outcome=Outcome.LATE)),
    "withdrawn": ("completed_at", Q(status=Status.WITHDRAWN)),
    "refused": ("refused_at", None),
    "returned": ("returned_at", None),
}


def _measure(column: str, name: str):
    """The 0/1 value of a measure for a dossier of the part on `column`."""
    part, condition = RULES[name]
    if part != column:
        return ZERO
    if condition is None:
        return ONE
    return Case(When(condition, then=ONE), default=ZERO, output_field=IntegerField())


def local_day(column: str) -> TruncDate:
    return TruncDate(column, tzinfo=LOCAL_TZ)


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def day_ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days merged into [first, last] ranges, so a month of touched days is one index range."""
    ranges: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if ranges and day == ranges[-1][1] + dt.timedelta(days=1):
            ranges[-1][1] = day
        else:
            ranges.append([day, day])
    return [(first, last) for first, last in ranges]


def on_days(ranges: list[tuple[dt.date, dt.date]] | None) -> Q:
    """A summary row's `day` is in one of the ranges (every day when None)."""
    if ranges is None:
        return Q()
    condition = Q(pk__in=[])
    for first, last in ranges:
        condition |= Q(day__range=(first, last))
    return condition


def within(column: str, ranges: list[tuple[dt.date, dt.date]] | None) -> Q:
    """The moment falls on one of the days (local), as datetime ranges an index on the column can serve."""
    if ranges is None:
        return Q()
    condition = Q(pk__in=[])
    for first, last in ranges:
        condition |= Q(**{f"{column}__gte": day_start(first), f"{column}__lt": day_start(last + dt.timedelta(days=1))})
    return condition


def _part(column: str, ranges) -> QuerySet:
    """The SELECT of one part: one row per dossier with its key, the day of `column` and its 0/1 measures."""
    expressions = {f"k_{name}": expr for name, expr in KEY.items() if expr is not None}
    expressions["k_day"] = local_day(column)
    expressions |= {f"m_{name}": _measure(column, name) for name in MEASURES}
    order = ["k_day", *(f"k_{name}" for name in KEY if name != "day"), *(f"m_{name}" for name in MEASURES)]
    return (
        Dossier.objects.filter(PARTS[column], within(column, ranges)).order_by().annotate(**expressions).values(*order)
    )


def _insert_sql(ranges) -> tuple[str, list]:
    """INSERT … SELECT key, SUM(measures) FROM (part UNION ALL part …) GROUP BY key — accepted by PostgreSQL and
    SQLite alike (compound SELECT without parentheses, no ORDER BY inside)."""
    selects, params = [], []
    for column in PARTS:
        sql, part_params = _part(column, ranges).query.sql_with_params()
        selects.append(sql)
        params.extend(part_params)
    keys = ", ".join(f"k_{name}" for name in KEY)
    sums = ", ".join(f"SUM(m_{name})" for name in MEASURES)
    table = DailyFigure._meta.db_table
    columns = ", ".join([*KEY, *MEASURES])
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {keys}, {sums} FROM ({' UNION ALL '.join(selects)}) parts "
        f"GROUP BY {keys}"
    )
    return sql, params


# --- Why late: the judged steps, by the local day they finished (docs/statistics.md "Why late") ---------------

LATE_KEY = {
    "day": local_day("finished_at"),
    "agency_id": F("agency_id"),  # the unit: the step's agency
    "procedure_id": F("dossier__procedure_version__procedure_id"),
    "handler_id": F("handler_id"),  # the officer: the step's handler
}
OVERRAN = Q(overrun_minutes__gt=0)


def _culprit() -> Q:
    """The step a late dossier is blamed on: its largest overrun (the earlier step on a tie) — no other step of the
    dossier overran more. Resolved late (§5.11) is the dossier's `outcome` with a `completed_at`."""
    step = OuterRef("pk")
    worse = DossierStep.objects.filter(dossier_id=OuterRef("dossier_id")).filter(
        Q(overrun_minutes__gt=OuterRef("overrun_minutes"))
        | Q(overrun_minutes=OuterRef("overrun_minutes"), order__lt=OuterRef("order"))
        | Q(overrun_minutes=OuterRef("overrun_minutes"), order=OuterRef("order"), pk__lt=step)
    )
    return OVERRAN & Q(dossier__outcome=Outcome.LATE, dossier__completed_at__isnull=False) & ~Exists(worse)


def late_steps_part(ranges: list[tuple[dt.date, dt.date]] | None) -> QuerySet:
    """The judged steps (finished, with a due moment, not closed by a withdrawal: `overrun_minutes` not NULL)
    finished on the days, one row each with its key and its 0/1 measures and overrun."""
    expressions = {f"k_{name}": expr for name, expr in LATE_KEY.items()}
    expressions |= {
        "m_steps": ONE,
        "m_late_steps": Case(When(OVERRAN, then=ONE), default=ZERO, output_field=IntegerField()),
        "m_late_dossiers": Case(When(_culprit(), then=ONE), default=ZERO, output_field=IntegerField()),
        "m_overrun_minutes": F("overrun_minutes"),
    }
    order = [*(f"k_{name}" for name in LATE_KEY), *(f"m_{name}" for name in LATE_MEASURES)]
    return (
        DossierStep.objects.filter(within("finished_at", ranges), overrun_minutes__isnull=False)
        .order_by()
        .annotate(**expressions)
        .values(*order)
    )


def _late_insert_sql(ranges) -> tuple[str, list]:
    sql, params = late_steps_part(ranges).query.sql_with_params()
    keys = ", ".join(f"k_{name}" for name in LATE_KEY)
    sums = ", ".join(f"SUM(m_{name})" for name in LATE_MEASURES)
    columns = ", ".join([*LATE_KEY, *LATE_MEASURES])
    table = LateStepFigure._meta.db_table
    return f"INSERT INTO {table} ({columns}) SELECT {keys}, {sums} FROM ({sql}) steps GROUP BY {keys}", list(params)


def _recompute(ranges: list[tuple[dt.date, dt.date]] | None) -> None:
    """Replace the rows of the days in `ranges` (all days when None) by a fresh roll-up: for each summary table one
    DELETE and one INSERT … SELECT."""
    for model, insert in ((DailyFigure, _insert_sql), (LateStepFigure, _late_insert_sql)):
        model.objects.filter(on_days(ranges)).delete()  # one DELETE: nothing refers to the rows
        sql, params = insert(ranges)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _mark() -> RefreshMark:
    RefreshMark.objects.get_or_create(pk=1)
    return RefreshMark.objects.select_for_update().get(pk=1)


def touched_dossiers(*, after_event_id: int | None, since: dt.datetime | None = None) -> list[int]:
    """The dossiers with an event after `after_event_id` (or at or after `since`): one range of the events' primary
    key — fetched first, so the days query below probes indexes with a short list instead of joining whole tables."""
    recent = Q(id__gt=after_event_id or 0)
    if since is not None:
        recent |= Q(at__gte=since)
    return list(DossierEvent.objects.filter(recent).order_by().values_list("dossier_id", flat=True).distinct())


def touched_days(dossier_ids: list[int]) -> set[dt.date]:
    """The local days whose figures may have changed through these dossiers: every day carrying one of their
    events or one of their counted moments.

    The event days cover the old values too (a completion date recalled, an agency changed by forwarding: the
    event that set the old value lies on the old day), the dossier's columns the new ones. One query.
    """
    if not dossier_ids:
        return set()
    events = DossierEvent.objects.filter(dossier_id__in=dossier_ids).order_by()
    days = events.annotate(d=local_day("at")).values_list("d")
    for column in PARTS:
        moments = Dossier.objects.filter(pk__in=dossier_ids, **{f"{column}__isnull": False}).order_by()
        days = days.union(moments.annotate(d=local_day(column)).values_list("d"))
    # The days their steps finished: the "why late" rows (each also carries the event of its transition).
    finished = DossierStep.objects.filter(dossier_id__in=dossier_ids, finished_at__isnull=False).order_by()
    days = days.union(finished.annotate(d=local_day("finished_at")).values_list("d"))
    return {day for (day,) in days}


def figures_refresh(*, since: dt.datetime | None = None, now: dt.datetime | None = None) -> int:
    """Recompute the days touched since the last refresh (and, with `since`, by the events from that moment);
    the first refresh ever, or one after more than STATS_REBUILD_ABOVE dossiers changed, is a rebuild.
    Returns how many days were recomputed."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = _mark()
        if mark.event_id is None:
            return _rebuild(mark, now)
        last = DossierEvent.objects.aggregate(last=Max("id"))["last"]
        dossier_ids = touched_dossiers(after_event_id=mark.previous_event_id, since=since)
        if len(dossier_ids) > settings.STATS_REBUILD_ABOVE:
            return _rebuild(mark, now)  # after a bulk load: cheaper than a list of days and dossiers this long
        overrun_fill(step_model=DossierStep, pause_model=DossierPause, dossier_ids=dossier_ids)  # bulk-written steps
        days = touched_days(dossier_ids)
        if days:
            _recompute(day_ranges(days))
        mark.previous_event_id, mark.event_id = mark.event_id, last or mark.event_id
        mark.refreshed_at, mark.days = now, len(days)
        mark.save()
        return len(days)


def figures_rebuild(*, now: dt.datetime | None = None) -> int:
    """Recompute every day from scratch (after a bulk load such as `seed_demo`); returns the number of rows."""
    now = now or timezone.now()
    with transaction.atomic():
        _rebuild(_mark(), now)
        return DailyFigure.objects.count()


def _rebuild(mark: RefreshMark, now: dt.datetime) -> int:
    """Every day from scratch; first judges the finished steps a bulk load (the demo seeder) wrote without their
    overrun (`dossiers.overrun.overrun_fill`, a no-op when none)."""
    last = DossierEvent.objects.aggregate(last=Max("id"))["last"] or 0
    overrun_fill(step_model=DossierStep, pause_model=DossierPause)
    _recompute(None)
    mark.previous_event_id = mark.event_id = last
    mark.refreshed_at = now
    mark.days = DailyFigure.objects.values("day").distinct().count()
    mark.save()
    return mark.days
