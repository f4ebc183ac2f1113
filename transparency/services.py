"""Rebuilding the public figures from the dossiers (docs/transparency.md).

One transaction: lock the `PublicRefresh` row, rewrite the working-day ordinals the period needs, then one DELETE
and one INSERT … SELECT … GROUP BY GROUPING SETS of `PublicFigure` with PostgreSQL's `percentile_cont`. Everything
is recomputed from the dossiers each time, so running it twice (or on two workers, one after the other behind the
lock) gives the same rows. On SQLite (development without PostgreSQL) the same joined rows are grouped by their
processing time in SQL and the percentiles are taken in Python from those counts (`_rows_from_counts`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from dossiers.models import Dossier, Outcome
from dossiers.workflow import Status
from transparency.models import PublicFigure, PublicRefresh, WorkingDay
from workcalendar.calendar import LOCAL_TZ
from workcalendar.selectors import current_calendar

# Groups with fewer resolved dossiers are not published (small numbers mislead and can point at a person, §11).
MIN_DOSSIERS = 5
MEDIAN, P90 = 0.5, 0.9
ONE = Value(1, output_field=IntegerField())
ZERO = Value(0, output_field=IntegerField())
# Early or on time (§5.11); a withdrawal is on time and the engine records it so (Outcome.ON_TIME).
ON_TIME = Q(outcome__in=[Outcome.EARLY, Outcome.ON_TIME]) | Q(status=Status.WITHDRAWN)
COLUMNS = ("agency_id", "procedure_id", "resolved", "on_time", "late", "withdrawn", "timed", "on_time_rate")


@dataclass(frozen=True)
class Period:
    """The published period: local days, both included."""

    start: dt.date
    end: dt.date


def period_ending(today: dt.date) -> Period:
    """The 12 months ending yesterday: from the day after the same date a year before yesterday."""
    end = today - dt.timedelta(days=1)
    try:
        year_before = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        year_before = end.replace(year=end.year - 1, day=28)
    return Period(start=year_before + dt.timedelta(days=1), end=end)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def resolved_dossiers(period: Period) -> QuerySet:
    """The dossiers counted: received, and completed (a result, a stop or a withdrawal) within the period's local
    days — as a datetime range on `completed_at` (§5.11, as the statistics count them)."""
    return Dossier.objects.filter(
        received_at__isnull=False,
        completed_at__gte=_day_start(period.start),
        completed_at__lt=_day_start(period.end + dt.timedelta(days=1)),
    ).order_by()


def _dossier_rows(period: Period) -> tuple[str, list]:
    """SELECT, one row per counted dossier: the agency handling it, its procedure, its 0/1 flags and the local
    dates of receipt and completion."""
    rows = (
        resolved_dossiers(period)
        .annotate(
            g_agency=Coalesce("processing_agency_id", "receiving_agency_id"),
            g_procedure=F("procedure_version__procedure_id"),
            f_on_time=Case(When(ON_TIME, then=ONE), default=ZERO, output_field=IntegerField()),
            f_withdrawn=Case(When(status=Status.WITHDRAWN, then=ONE), default=ZERO, output_field=IntegerField()),
            r_day=TruncDate("received_at", tzinfo=LOCAL_TZ),
            c_day=TruncDate("completed_at", tzinfo=LOCAL_TZ),
        )
        .values("g_agency", "g_procedure", "f_on_time", "f_withdrawn", "r_day", "c_day")
    )
    return rows.query.sql_with_params()


def working_days_fill(*, first: dt.date, last: dt.date) -> int:
    """Replace the working-day ordinals by one row per date from `first` to `last`, from the calendar in force
    (§5.2); returns the calendar version. A loop over dates of the calendar, not over a table."""
    calendar, version = current_calendar()
    rows, ordinal, day = [], 0, first
    while day <= last:
        working = calendar.is_working_day(day)
        ordinal += working
        rows.append(WorkingDay(day=day, ordinal=ordinal, is_working=working))
        day += dt.timedelta(days=1)
    WorkingDay.objects.all().delete()
    WorkingDay.objects.bulk_create(rows, batch_size=2000)
    return version


def _joined(period: Period) -> tuple[str, list]:
    """The counted dossiers with their processing time in working days: the ordinal of the completion date minus
    that of the receipt date — the working days after the receipt date up to and including the completion date."""
    sql, params = _dossier_rows(period)
    table = WorkingDay._meta.db_table
    return (
        f"SELECT d.g_agency, d.g_procedure, d.f_on_time, d.f_withdrawn, c.ordinal - r.ordinal AS days "
        f"FROM ({sql}) d JOIN {table} r ON r.day = d.r_day JOIN {table} c ON c.day = d.c_day",
        params,
    )


def _insert_postgresql(period: Period) -> None:
    """One INSERT … SELECT: the four groupings (procedure × agency, procedure, agency, province) at once, the
    percentiles by `percentile_cont` over the dossiers with an answer, groups under MIN_DOSSIERS left out."""
    sql, params = _joined(period)
    timed = "d.f_withdrawn = 0"
    enough = f"COUNT(*) FILTER (WHERE {timed}) >= {MIN_DOSSIERS}"

    def percentile(fraction: float) -> str:
        return (
            f"CASE WHEN {enough} THEN ROUND(CAST(percentile_cont({fraction}) WITHIN GROUP (ORDER BY d.days) "
            f"FILTER (WHERE {timed}) AS numeric), 1) END"
        )

    table = PublicFigure._meta.db_table
    statement = (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}, median_days, p90_days) "
        f"SELECT d.g_agency, d.g_procedure, COUNT(*), SUM(d.f_on_time), COUNT(*) - SUM(d.f_on_time), "
        f"SUM(d.f_withdrawn), COUNT(*) FILTER (WHERE {timed}), "
        f"ROUND(CAST(100.0 * SUM(d.f_on_time) / COUNT(*) AS numeric), 1), {percentile(MEDIAN)}, {percentile(P90)} "
        f"FROM ({sql}) d "
        f"GROUP BY GROUPING SETS ((d.g_agency, d.g_procedure), (d.g_procedure), (d.g_agency), ()) "
        f"HAVING COUNT(*) >= {MIN_DOSSIERS}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def percentile_from_counts(counts: dict[int, int], fraction: float) -> Decimal | None:
    """`percentile_cont` of PostgreSQL on values given as {value: how many}: linear interpolation between the two
    values around position fraction × (n − 1), rounded to one decimal; None for no value."""
    total = sum(counts.values())
    if not total:
        return None
    position = Decimal(str(fraction)) * (total - 1)
    below = int(position)
    low, high = _nth(counts, below), _nth(counts, min(below + 1, total - 1))
    return (low + (high - low) * (position - below)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _nth(counts: dict[int, int], index: int) -> Decimal:
    """The value at `index` (from 0) of the sorted values that `counts` holds."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > index:
            return Decimal(value)
    raise IndexError(index)


def _rows_from_counts(period: Period) -> list[PublicFigure]:
    """The same rows as `_insert_postgresql`, for databases without GROUPING SETS or `percentile_cont` (SQLite):
    the database groups the dossiers by key, flags and processing time; Python adds the groups up."""
    sql, params = _joined(period)
    grouped = (
        "SELECT g_agency, g_procedure, f_on_time, f_withdrawn, days, COUNT(*) "
        f"FROM ({sql}) j GROUP BY g_agency, g_procedure, f_on_time, f_withdrawn, days"
    )
    groups: dict[tuple, dict] = defaultdict(lambda: {"resolved": 0, "on_time": 0, "withdrawn": 0, "days": {}})
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        for agency, procedure, on_time, withdrawn, days, count in cursor.fetchall():
            for key in ((agency, procedure), (None, procedure), (agency, None), (None, None)):
                group = groups[key]
                group["resolved"] += count
                group["on_time"] += count * on_time
                group["withdrawn"] += count * withdrawn
                if not withdrawn:
                    group["days"][days] = group["days"].get(days, 0) + count
    figures = []
    for (agency, procedure), group in groups.items():
        resolved = group["resolved"]
        if resolved < MIN_DOSSIERS:
            continue
        timed = resolved - group["withdrawn"]
        enough = timed >= MIN_DOSSIERS
        figures.append(
            PublicFigure(
                agency_id=agency,
                procedure_id=procedure,
                resolved=resolved,
                on_time=group["on_time"],
                late=resolved - group["on_time"],
                withdrawn=group["withdrawn"],
                timed=timed,
                on_time_rate=(Decimal(100) * group["on_time"] / resolved).quantize(
                    Decimal("0.1"), rounding=ROUND_HALF_UP
                ),
                median_days=percentile_from_counts(group["days"], MEDIAN) if enough else None,
                p90_days=percentile_from_counts(group["days"], P90) if enough else None,
            )
        )
    return figures


def public_figures_rebuild(
    *, today: dt.date | None = None, now: dt.datetime | None = None, in_sql: bool | None = None
) -> PublicRefresh:
    """Recompute the published figures of the 12 months ending yesterday (local) from the dossiers, in one
    transaction (docs/transparency.md). `in_sql` chooses PostgreSQL's single statement (default there) or the
    grouped counts read into Python (default elsewhere; tests compare both)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    period = period_ending(today)
    if in_sql is None:
        in_sql = connection.vendor == "postgresql"
    started = time.perf_counter()
    with transaction.atomic():
        PublicRefresh.objects.get_or_create(pk=1)
        mark = PublicRefresh.objects.select_for_update().get(pk=1)
        counted = resolved_dossiers(period)
        earliest = counted.aggregate(first=Min("received_at"))["first"]
        first = min(earliest.astimezone(LOCAL_TZ).date(), period.start) if earliest else period.start
        mark.calendar_version = working_days_fill(first=first, last=period.end)
        PublicFigure.objects.all().delete()  # one DELETE: nothing refers to the rows
        if in_sql:
            _insert_postgresql(period)
        else:
            PublicFigure.objects.bulk_create(_rows_from_counts(period), batch_size=2000)
        mark.period_start, mark.period_end, mark.refreshed_at = period.start, period.end, now
        mark.dossiers = counted.count()
        mark.rows = PublicFigure.objects.count()
        mark.seconds = round(time.perf_counter() - started, 3)
        mark.save()
    return mark
