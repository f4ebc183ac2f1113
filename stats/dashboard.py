"""What the dashboard pages show, assembled from the roll-up (stats/selectors.py) and the live counts (stats/live.py):
the reader's scope and query, the totals with their trend, and the tables by agency, field, procedure and channel
(docs/dashboard.md). Every function here reads aggregates or one page of rows, never a table row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from dossiers.models import Channel
from dossiers.workflow import Status
from procedures.models import Field, Procedure
from stats.forms import FiguresForm
from stats.live import live_breakdowns, live_measure
from stats.models import MEASURES
from stats.scope import figures_scope
from stats.selectors import Period, figure_dossiers, figures_by, figures_totals, figures_trend, with_rates

# The sums a row carries before its rates are divided (`stats.selectors.SUMS` without the prefix).
BASE = (*MEASURES, "online", "full_received", "full_online", "partial_received", "partial_online")
LIVE = ("in_progress", "overdue_now")
RESOLVED = ("early", "on_time", "late")
TABLES = {
    "agency": _("Theo cơ quan, đơn vị"),
    "field": _("Theo lĩnh vực"),
    "procedure": _("Theo thủ tục"),
    "channel": _("Theo kênh nộp"),
}
# The figures a drill-down lists: the rolled-up measures and the two live ones.
DRILL_MEASURES = {
    "received": _("Hồ sơ tiếp nhận"),
    "resolved": _("Hồ sơ đã giải quyết"),
    "early": _("Hồ sơ giải quyết trước hạn"),
    "on_time": _("Hồ sơ giải quyết đúng hạn"),
    "late": _("Hồ sơ giải quyết quá hạn"),
    "withdrawn": _("Hồ sơ rút (dừng theo yêu cầu)"),
    "refused": _("Hồ sơ không được tiếp nhận"),
    "returned": _("Hồ sơ đã trả kết quả"),
    "in_progress": _("Hồ sơ đang giải quyết"),
    "overdue_now": _("Hồ sơ đang quá hạn"),
}


class AgencyTree:
    """The agencies of the province, from one query: names, parents and subtrees for the scope and the roll-up of
    the table by agency to the level just under the agency in focus."""

    def __init__(self):
        rows = Agency.objects.order_by("e_identifier").values_list("pk", "parent_id", "name", "e_identifier")
        self.parent: dict[int, int | None] = {}
        self.name: dict[int, str] = {}
        self.children: dict[int | None, list[int]] = {}
        for pk, parent_id, name, _ident in rows:
            self.parent[pk] = parent_id
            self.name[pk] = name
            self.children.setdefault(parent_id, []).append(pk)

    def subtree(self, pk: int) -> list[int]:
        found, stack = [], [pk]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.children.get(current, ()))
        return found

    def depth(self, pk: int) -> int:
        depth = 0
        while self.parent.get(pk) is not None:
            pk, depth = self.parent[pk], depth + 1
        return depth

    def under(self, focus: int, pk: int) -> int:
        """The agency just under `focus` on the way to `pk` (or `focus` itself for its own figures)."""
        while pk != focus and self.parent.get(pk) not in (focus, None):
            pk = self.parent[pk]
        return pk


@dataclass
class FiguresQuery:
    """The reader's scope and the page's parameters, parsed and checked once for every dashboard page."""

    form: FiguresForm
    tree: AgencyTree
    scope: list[int]
    root: int
    today: dt.date
    period: Period | None = None
    focus: int = 0  # the agency whose subtree the page shows (the reader's root unless `agency` narrows it)
    own: bool = False
    agency_ids: list[int] = field(default_factory=list)
    field: Field | None = None
    procedure: Procedure | None = None
    channel: int | None = None

    @property
    def valid(self) -> bool:
        return self.period is not None

    @property
    def filters(self) -> dict:
        return {
            "field_id": self.field.pk if self.field else None,
            "procedure_id": self.procedure.pk if self.procedure else None,
            "channel": self.channel,
        }

    @property
    def selection(self) -> dict:
        """The keyword arguments of every selector: scope and filters."""
        return {"agency_ids": self.agency_ids, **self.filters}

    def params(self, **changes) -> dict:
        """The query string's values (the URL contract), with `changes` applied (None removes one)."""
        values: dict = {}
        if self.period:
            values = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.focus != self.root:
            values["agency"] = self.focus
        if self.own:
            values["own"] = 1
        for key, value in self.filters.items():
            if value is not None:
                values[key.removesuffix("_id")] = value
        values |= changes
        return {key: value for key, value in values.items() if value is not None}

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))

    @property
    def focus_name(self) -> str:
        return self.tree.name.get(self.focus, "")

    @property
    def has_subtree(self) -> bool:
        """Whether the reader's scope holds agencies under others (else "this agency only" means nothing)."""
        return len(self.scope) > 1

    def field_choices(self) -> list[tuple[int, str]]:
        """The fields for the filter (one query; a province has a few dozen)."""
        return list(Field.objects.order_by("name").values_list("pk", "name"))

    def agency_choices(self) -> list[tuple[int, str]]:
        """The agencies of the reader's scope for the filter, indented by depth under the reader's root."""
        base = self.tree.depth(self.root)
        return [(pk, "\u2003" * (self.tree.depth(pk) - base) + self.tree.name[pk]) for pk in self.scope]


def figures_query(request) -> FiguresQuery:
    """Parse and check the GET parameters against the reader's scope. An agency outside the scope is a 404 (the same
    answer as a missing one, docs/conventions.md "Access"); other bad input leaves `period` unset and the form's
    errors to show."""
    today = timezone.localdate()
    tree = AgencyTree()
    scope = figures_scope(request.user)
    if not scope:
        raise Http404
    query = FiguresQuery(
        form=FiguresForm(request.GET or None, today=today),
        tree=tree,
        scope=scope,
        root=scope[0],
        today=today,
        focus=scope[0],
    )
    form = query.form
    if request.GET and not form.is_valid():
        agency = form.cleaned_data.get("agency") if hasattr(form, "cleaned_data") else None
        if agency is not None and agency not in scope:
            raise Http404
        return query
    data = form.cleaned_data if request.GET else {}
    agency = data.get("agency")
    if agency is not None and agency not in scope:
        raise Http404
    query.focus = agency or query.root
    query.own = bool(data.get("own"))
    query.agency_ids = [query.focus] if query.own else tree.subtree(query.focus)
    query.field = data.get("field")
    query.procedure = data.get("procedure")
    query.channel = data.get("channel")
    query.period = data.get("period") or Period(today.replace(day=1), today)
    return query


def _merge(rows: list[dict], key: str, live: dict) -> dict[object, dict]:
    """Rows of the roll-up keyed by `key`, with the live counts of the same keys (keys only live get zero sums)."""
    merged = {row[key]: row | {name: 0 for name in LIVE} for row in rows}
    for value, counts in live.items():
        if value not in merged:
            merged[value] = with_rates(dict.fromkeys(BASE, 0)) | {key: value}
        merged[value] |= counts
    return merged


def _sum_rows(rows: list[dict]) -> dict:
    total = {name: sum(row[name] for row in rows) for name in (*BASE, *LIVE)}
    return with_rates({name: total[name] for name in BASE}) | {name: total[name] for name in LIVE}


def table_by_agency(query: FiguresQuery, live: dict) -> list[dict]:
    """One row per agency just under the agency in focus (its whole subtree summed), and one for the focus's own
    figures: a province leader reads departments and communes, a commune leader their commune (two queries)."""
    rows = figures_by(dimension="agency", period=query.period, **query.selection)
    merged = _merge(rows, "agency_id", live)
    groups: dict[int, list[dict]] = {}
    for agency_id, row in merged.items():
        groups.setdefault(query.tree.under(query.focus, agency_id), []).append(row)
    table = []
    for pk, members in groups.items():
        own = pk == query.focus and (query.own or len(query.tree.children.get(pk, ())) > 0)
        row = _sum_rows(members) | {
            "key": pk,
            "label": query.tree.name.get(pk, ""),
            "link": {"agency": pk, "own": 1 if own else None},
            "own": own,
            "narrow": not own and pk != query.focus,
        }
        table.append(row)
    return sorted(table, key=lambda row: (-row["received"], -row["in_progress"], row["label"]))


def _labels(dimension: str, keys: list) -> dict:
    """Names of fields or procedures that have live counts but no row in the period (one query, rarely run)."""
    if not keys:
        return {}
    if dimension == "field":
        return dict(Field.objects.filter(pk__in=keys).values_list("pk", "name"))
    found = Procedure.objects.filter(pk__in=keys).values_list("pk", "code", "current_version__name")
    return {pk: (code, name or "") for pk, code, name in found}


def table_by(query: FiguresQuery, dimension: str, live: dict | None = None) -> list[dict]:
    """One row per agency, field, procedure or channel: the roll-up's figures (one query) and the live counts
    (`live_breakdowns`, read once for the four tables)."""
    if live is None:
        live = live_breakdowns(today=query.today, **query.selection)[dimension]
    if dimension == "agency":
        return table_by_agency(query, live)
    key = {"field": "field_id", "procedure": "procedure_id", "channel": "channel"}[dimension]
    rows = figures_by(dimension=dimension, period=query.period, **query.selection)
    merged = _merge(rows, key, live)
    rolled = {row[key] for row in rows}
    labels = _labels(dimension, [value for value in merged if value not in rolled] if dimension != "channel" else [])
    channels = dict(Channel.choices)
    table = []
    for value, row in merged.items():
        if dimension == "field":
            label, code = row.get("field__name") or labels.get(value, ""), ""
        elif dimension == "procedure":
            code, label = (
                (row["procedure__code"], row.get("procedure__current_version__name") or "")
                if "procedure__code" in row
                else labels.get(value, ("", ""))
            )
        else:
            label, code = str(channels.get(value, value)), ""
        table.append(row | {"key": value, "label": label, "code": code, "link": {dimension: value}})
    return sorted(table, key=lambda row: (-row["received"], -row["in_progress"], str(row["label"])))


def dashboard_figures(query: FiguresQuery) -> dict:
    """Everything the dashboard shows for a valid query."""
    trend = figures_trend(period=query.period, **query.selection)
    live_counts = live_breakdowns(today=query.today, **query.selection)
    tables = {dimension: table_by(query, dimension, live_counts[dimension]) for dimension in TABLES}
    live = {name: sum(row[name] for row in tables["channel"]) for name in LIVE}
    days = figures_by(dimension="day", period=query.period, **query.selection)
    return {"trend": trend, "totals": trend["current"] | live, "tables": tables, "days": days}


# The moment a drill-down list is ordered by (newest first; the overdue oldest due first) — also its keyset.
DRILL_ORDER = {
    "received": "received_at",
    "resolved": "completed_at",
    "early": "completed_at",
    "on_time": "completed_at",
    "late": "completed_at",
    "withdrawn": "completed_at",
    "refused": "refused_at",
    "returned": "returned_at",
    "in_progress": None,  # newest first by id: the open dossiers are many, a page is the first 50 of the id index
    "overdue_now": "current_due_at",
}
# The only columns a drill-down reads: nothing of the applicant (docs/domain.md §2, §11).
DRILL_COLUMNS = (
    "pk",
    "code",
    "status",
    "procedure_version__procedure__code",
    "procedure_version__name",
    "processing_agency__name",
    "receiving_agency__name",
    "current_step__name",
    "received_at",
    "current_due_at",
    "completed_at",
)
PAGE_SIZE = 50


def drill_dossiers(query: FiguresQuery, *, measure: str):
    """The dossiers behind one figure of the query (unordered): the roll-up's rules for counted measures
    (`figure_dossiers`), the live selection for in progress and overdue now."""
    if measure in LIVE:
        return live_measure(measure=measure, today=query.today, **query.selection)
    if measure == "resolved":
        # Early + on time + late (stats.selectors.with_rates), each by the roll-up's own rule.
        parts = [figure_dossiers(measure=name, period=query.period, **query.selection) for name in RESOLVED]
        return parts[0] | parts[1] | parts[2]
    return figure_dossiers(measure=measure, period=query.period, **query.selection)


def drill_count(query: FiguresQuery, *, measure: str) -> int:
    """The figure itself (one aggregate): from the roll-up for counted measures, live for the others."""
    if measure in LIVE:
        return live_measure(measure=measure, today=query.today, **query.selection).count()
    return figures_totals(period=query.period, **query.selection)[measure]


def _ordered(query: FiguresQuery, measure: str):
    column = DRILL_ORDER[measure]
    rows = drill_dossiers(query, measure=measure)
    if column is None:
        return column, False, rows.order_by("-pk")
    if measure == "overdue_now":
        return column, True, rows.order_by(column, "pk")
    return column, False, rows.order_by(f"-{column}", "-pk")


@dataclass(frozen=True)
class DrillPage:
    rows: list[dict]
    next_cursor: str


def _cursor(row: dict, column: str | None) -> str:
    return f"{row[column].isoformat()}~{row['pk']}" if column else str(row["pk"])


def _after(cursor: str, column: str | None) -> tuple[dt.datetime | None, int]:
    """The keyset of the last row of the previous page; ValueError for anything else."""
    if column is None:
        return None, int(cursor)
    moment, _sep, pk = cursor.partition("~")
    value = dt.datetime.fromisoformat(moment)
    if value.tzinfo is None:
        raise ValueError(cursor)
    return value, int(pk)


def drill_page(query: FiguresQuery, *, measure: str, after: str = "") -> DrillPage:
    """One page of the list behind a figure, by keyset (moment, id): one query with its joins, no COUNT."""
    column, ascending, rows = _ordered(query, measure)
    if after:
        moment, pk = _after(after, column)
        if column is None:
            rows = rows.filter(pk__lt=pk)
        else:
            later = {f"{column}__gt" if ascending else f"{column}__lt": moment}
            rows = rows.filter(Q(**later) | Q(**{column: moment, "pk__gt" if ascending else "pk__lt": pk}))
    found = list(rows.values(*DRILL_COLUMNS)[: PAGE_SIZE + 1])
    statuses = dict(Status.choices)
    for row in found:
        row["status_label"] = statuses.get(row["status"], row["status"])
        row["agency"] = row["processing_agency__name"] or row["receiving_agency__name"]
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    return DrillPage(rows=found, next_cursor=_cursor(found[-1], column) if more and found else "")


def drill_rows(query: FiguresQuery, *, measure: str, limit: int) -> Iterator[list]:
    """Every row of the list behind a figure for an export, in the page's order (streamed from the database)."""
    _column, _ascending, rows = _ordered(query, measure)
    statuses = dict(Status.choices)
    for row in rows.values(*DRILL_COLUMNS)[:limit].iterator(chunk_size=2000):
        yield [
            row["code"],
            row["procedure_version__procedure__code"],
            row["procedure_version__name"],
            row["processing_agency__name"] or row["receiving_agency__name"],
            row["current_step__name"] or "",
            _local(row["received_at"]),
            _local(row["current_due_at"]),
            _local(row["completed_at"]),
            str(statuses.get(row["status"], row["status"])),
        ]


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment else None
