"""What the leaders' dashboard reads: totals, rates and breakdowns for a period and a scope, from `DailyFigure` only.

Each function is one aggregate query on the summary table (never a scan of the dossiers); rates are divided here
from the summed counts. Scope is a list of agency ids — a leader's `dossiers.permissions.agency_subtree_ids`.
In-progress and "overdue now" counts are live figures of the dossiers and are not here (docs/statistics.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from dossiers.models import Channel, Dossier
from procedures.models import OnlineMode
from stats.models import MEASURES, DailyFigure
from stats.services import PARTS, RULES, within

# dimension → the columns a breakdown row carries (the key first, then its label).
DIMENSIONS = {
    "agency": ("agency_id", "agency__name"),
    "field": ("field_id", "field__name"),
    "procedure": ("procedure_id", "procedure__code", "procedure__current_version__name"),
    "channel": ("channel",),
    "online_mode": ("online_mode",),
    "day": ("day",),
}


@dataclass(frozen=True)
class Period:
    """A range of local days, both ends included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (the trend's comparison)."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)


def _sum(measure: str, condition: Q | None = None):
    return Coalesce(Sum(measure, filter=condition), 0)


ONLINE = Q(channel=Channel.ONLINE)
# Named with a prefix: an aggregate may not take the name of the column it sums.
SUMS = {f"s_{name}": _sum(name) for name in MEASURES} | {
    "s_online": _sum("received", ONLINE),
    "s_full_received": _sum("received", Q(online_mode=OnlineMode.FULL)),
    "s_full_online": _sum("received", ONLINE & Q(online_mode=OnlineMode.FULL)),
    "s_partial_received": _sum("received", Q(online_mode=OnlineMode.PARTIAL)),
    "s_partial_online": _sum("received", ONLINE & Q(online_mode=OnlineMode.PARTIAL)),
}


def _rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal; None when there is nothing to divide (the page shows a dash, not 0 %)."""
    return round(100 * part / whole, 1) if whole else None


def with_rates(row: dict) -> dict:
    """Add resolved and the §5.11 / §9.2 rates to a row of sums: early, on time (early included), late, online
    (of all received), and the online share within full ("toàn trình") and partial ("một phần") procedures."""
    row = {key.removeprefix("s_"): value for key, value in row.items()}
    resolved = row["early"] + row["on_time"] + row["late"]
    return row | {
        "resolved": resolved,
        "early_rate": _rate(row["early"], resolved),
        "on_time_rate": _rate(row["early"] + row["on_time"], resolved),
        "late_rate": _rate(row["late"], resolved),
        "online_rate": _rate(row["online"], row["received"]),
        "full_online_rate": _rate(row["full_online"], row["full_received"]),
        "partial_online_rate": _rate(row["partial_online"], row["partial_received"]),
    }


def figures_in(
    *,
    agency_ids: Iterable[int],
    period: Period,
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: int | None = None,
) -> QuerySet[DailyFigure]:
    """The summary rows of a scope and period, narrowed by the dashboard's optional filters."""
    rows = DailyFigure.objects.filter(agency_id__in=list(agency_ids), day__range=(period.start, period.end))
    if field_id is not None:
        rows = rows.filter(field_id=field_id)
    if procedure_id is not None:
        rows = rows.filter(procedure_id=procedure_id)
    if channel is not None:
        rows = rows.filter(channel=channel)
    return rows


def figures_totals(*, agency_ids: Iterable[int], period: Period, **filters) -> dict:
    """The counts and rates of a scope over a period (one query)."""
    return with_rates(figures_in(agency_ids=agency_ids, period=period, **filters).aggregate(**SUMS))


def figures_by(*, dimension: str, agency_ids: Iterable[int], period: Period, **filters) -> list[dict]:
    """The same figures broken down by agency, field, procedure, channel, online mode or day (one query),
    largest intake first (by key for days)."""
    columns = DIMENSIONS[dimension]
    rows = figures_in(agency_ids=agency_ids, period=period, **filters).values(*columns).annotate(**SUMS)
    rows = rows.order_by(columns[0]) if dimension == "day" else rows.order_by("-s_received", columns[0])
    return [with_rates(row) for row in rows]


def figures_trend(*, agency_ids: Iterable[int], period: Period, **filters) -> dict:
    """The period's totals beside those of the previous period of equal length, with the change of each count
    and of each rate (in percentage points); two queries."""
    agency_ids = list(agency_ids)
    current = figures_totals(agency_ids=agency_ids, period=period, **filters)
    previous = figures_totals(agency_ids=agency_ids, period=period.previous(), **filters)
    change = {
        key: None if value is None or previous[key] is None else round(value - previous[key], 1)
        for key, value in current.items()
    }
    return {"current": current, "previous": previous, "change": change}


def figure_dossiers(
    *,
    measure: str,
    agency_ids: Iterable[int],
    period: Period,
    field_id: int | None = None,
    procedure_id: int | None = None,
    channel: int | None = None,
    online_mode: str | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind one figure (the drill-down): those the roll-up counts in `measure` for the scope, period
    and filters — the same rules as `stats.services`, so the list has exactly the figure's count (as of the last
    refresh). Unordered and without joins: the caller picks the columns it may show (no personal data, §11)."""
    column, condition = RULES[measure]
    agency_ids = list(agency_ids)
    handled_by = Q(processing_agency_id__in=agency_ids) | Q(
        processing_agency_id__isnull=True, receiving_agency_id__in=agency_ids
    )
    rows = Dossier.objects.filter(PARTS[column], handled_by, within(column, [(period.start, period.end)]))
    if condition is not None:
        rows = rows.filter(condition)
    narrowing = {
        "procedure_version__field_id": field_id,
        "procedure_version__procedure_id": procedure_id,
        "channel": channel,
        "procedure_version__online_mode": online_mode,
    }
    return rows.filter(**{key: value for key, value in narrowing.items() if value is not None})
