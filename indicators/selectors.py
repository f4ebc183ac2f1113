"""The Decision 766 scores of a scope and period: the definitions in force on the period's last day, evaluated on
the counts of `indicators.counts` for every agency of the scope and for the scope as a whole (docs/indicators.md).

An indicator whose formula names a count the portal holds no data for is "chưa có dữ liệu"; one whose formula
divides by zero without saying what to do then is "không có số liệu trong kỳ". Both are left out of the total, and
the total's maximum is reduced by their points, so a score is never invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from indicators import formula
from indicators.counts import AVAILABLE, UNAVAILABLE, counts_for
from indicators.models import CountsMark, Group, IndicatorDefinition
from stats.forms import parse_day
from stats.models import RefreshMark

COMPUTED, NO_DATA, NO_DENOMINATOR = "computed", "no_data", "no_denominator"
PRESETS = ("thang", "quy", "nam")  # month, quarter, year


@dataclass(frozen=True)
class Period:
    """Local days, both ends included; `preset` names the month/quarter/year it is, if it is one."""

    start: dt.date
    end: dt.date
    preset: str = ""

    @property
    def span(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end


def _quarter(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    end = (start.replace(month=first_month + 2, day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end


def _month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    return start, (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def period_from(params, *, today: dt.date) -> tuple[Period, str]:
    """The period asked for by `from` and `to` (ISO dates or dd/mm/yyyy), or a preset `ky` (thang / quy / nam)
    around `to` or today; by default the current quarter. Returns the period and a message when the input was not
    understood."""
    message = ""
    preset = params.get("ky", "")
    start, end = parse_day(params.get("from")), parse_day(params.get("to"))
    if (params.get("from") and start is None) or (params.get("to") and end is None):
        start = end = None
        message = _("Ngày không hợp lệ; đang hiển thị quý hiện tại.")
    if preset in PRESETS:
        anchor = end or start or today
        if preset == "thang":
            start, end = _month(anchor)
        elif preset == "quy":
            start, end = _quarter(anchor)
        else:
            start, end = anchor.replace(month=1, day=1), anchor.replace(month=12, day=31)
        return Period(start, end, preset), message
    if start is None and end is None:
        start, end = _quarter(today)
        return Period(start, end, "quy"), message
    start, end = start or end, end or start
    if start > end:
        start, end = end, start
    return Period(start, end), message


@dataclass
class Score:
    """One indicator for one agency or the scope: its status, points (when computed) and the counts it used."""

    definition: IndicatorDefinition
    status: str
    points: Decimal | None
    values: list[dict]  # [{name, meaning, value (None when no data), reason}]

    @property
    def computed(self) -> bool:
        return self.status == COMPUTED


@dataclass
class GroupScore:
    group: int
    label: str
    max: Decimal
    scores: list[Score] = field(default_factory=list)

    @property
    def points(self) -> Decimal:
        return sum((s.points for s in self.scores if s.computed), Decimal(0))

    @property
    def computed_max(self) -> Decimal:
        return sum((s.definition.max_points for s in self.scores if s.computed), Decimal(0))


@dataclass
class Report:
    """The scores of one unit (an agency, or the scope), per group, with the totals over what could be computed."""

    groups: list[GroupScore]

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def computed_max(self) -> Decimal:
        return sum((g.computed_max for g in self.groups), Decimal(0))

    @property
    def max(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))

    @property
    def percent(self) -> float | None:
        """The score as a share of the computable maximum (for ranking agencies whose maxima differ)."""
        return round(float(100 * self.points / self.computed_max), 1) if self.computed_max else None

    def group(self, number: int) -> GroupScore | None:
        return next((g for g in self.groups if g.group == number), None)


def score(definition: IndicatorDefinition, values: dict[str, int]) -> Score:
    """Evaluate one definition on one unit's counts (docs/domain.md §9.1); the points are kept within 0..max."""
    shown = []
    missing = False
    for name, meaning in definition.variables.items():
        if name in AVAILABLE:
            shown.append({"name": name, "meaning": meaning, "value": values.get(name, 0), "reason": ""})
        else:
            missing = True
            reason = UNAVAILABLE[name][1] if name in UNAVAILABLE else _("Hệ thống không có số liệu này.")
            shown.append({"name": name, "meaning": meaning, "value": None, "reason": reason})
    if missing:
        return Score(definition, NO_DATA, None, shown)
    try:
        value = formula.evaluate(definition.formula, {row["name"]: row["value"] for row in shown})
    except formula.NoDenominator:
        return Score(definition, NO_DENOMINATOR, None, shown)
    points = min(max(Decimal(str(round(value, 2))), Decimal(0)), definition.max_points)
    return Score(definition, COMPUTED, points, shown)


def report(definitions: list[IndicatorDefinition], values: dict[str, int]) -> Report:
    groups: dict[int, GroupScore] = {}
    for definition in definitions:
        group = groups.setdefault(
            definition.group,
            GroupScore(definition.group, Group(definition.group).label, definition.group_max),
        )
        group.scores.append(score(definition, values))
    return Report(sorted(groups.values(), key=lambda g: g.group))


def figures_as_of() -> dt.datetime | None:
    """When the rolled-up counts were last brought up to date: the older of the dashboard's refresh and the
    indicators' own; None when either has never run (the page then says so). Two single-row reads."""
    moments = [
        RefreshMark.objects.filter(pk=1).values_list("refreshed_at", flat=True).first(),
        CountsMark.objects.filter(pk=1).values_list("refreshed_at", flat=True).first(),
    ]
    return None if None in moments else min(moments)


@dataclass
class Indicators:
    period: Period
    definitions: list[IndicatorDefinition]
    scope: Report
    agencies: list[dict]  # [{agency, report}] for every agency of the scope
    selected: dict | None  # the chosen agency's row, with its counts


def indicators_for(
    *, agency_ids: list[int], period: Period, today: dt.date, agency_id: int | None = None
) -> Indicators:
    """Everything the page shows: the definitions in force on the period's last day, the scope's report, every
    agency's report (for the table) and, when `agency_id` is given (already checked to be in scope), its detail."""
    definitions = IndicatorDefinition.objects.in_force(on=period.end)
    counts = counts_for(agency_ids=agency_ids, start=period.start, end=period.end, today=today)
    names = Agency.objects.filter(pk__in=agency_ids).only("pk", "name", "level").order_by("name")
    rows = [{"agency": agency, "report": report(definitions, counts.by_agency[agency.pk])} for agency in names]
    selected = next((row for row in rows if row["agency"].pk == agency_id), None)
    return Indicators(period, definitions, report(definitions, counts.scope), rows, selected)


def _by_group(number: int):
    def key(row: dict) -> tuple:
        group = row["report"].group(number)
        return (-(group.points if group else -1), row["agency"].name)

    return key


SORTS = {
    "diem": lambda row: (-(row["report"].percent or -1), row["agency"].name),
    "ten": lambda row: (row["agency"].name,),
    **{f"nhom{number}": _by_group(number) for number in Group.values},
}


def sort_rows(rows: list[dict], key: str) -> list[dict]:
    """The agencies' table by score (share of the computable maximum, highest first), by name, or by a group."""
    return sorted(rows, key=SORTS.get(key, SORTS["diem"]))
