"""Why late (docs/statistics.md "Why late"): which step, unit and officer used time beyond its budget (§5.7, §5.11).

The figures read `LateStepFigure` only (one aggregate query each); the lists of steps read the partial index of the
overrunning steps (`dossier_step_overrun`) or of the open steps, a page at a time. Scope is a list of agency ids
(`stats.scope.figures_scope`, or the subtree of one agency in it); a step belongs to the scope by its own agency —
the unit where it was — not by the dossier's. Nothing here carries the applicant's personal data (§11).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from agencies.models import Agency
from dossiers import deadlines
from dossiers.models import OPEN_STATUSES, DossierPause, DossierStep, Outcome
from stats.models import LATE_MEASURES, LateStepFigure
from stats.selectors import Period
from stats.services import day_start
from workcalendar.calendar import LOCAL_TZ, OfficeHours

# dimension → the columns a breakdown row carries (the key first, then its labels). "unit" is the step's agency.
DIMENSIONS = {
    "unit": ("agency_id", "agency__name"),
    "officer": ("handler_id", "handler__full_name", "handler__username"),
    "procedure": ("procedure_id", "procedure__code", "procedure__current_version__name"),
    "day": ("day",),
}
SUMS = {f"s_{name}": Coalesce(Sum(name), 0) for name in LATE_MEASURES}
HOUR = Decimal(60)


def hours(minutes: int | None) -> Decimal | None:
    """Working minutes as working hours with one decimal (8 working hours make a working day by default, §5.1)."""
    if minutes is None:
        return None
    return (Decimal(minutes) / HOUR).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def with_shares(row: dict) -> dict:
    """Add the derived figures to a row of sums: the share of judged steps that overran, the overrun in working
    hours, and the average overrun of a late step."""
    row = {key.removeprefix("s_"): value for key, value in row.items()}
    return row | {
        "late_share": _share(row["late_steps"], row["steps"]),
        "overrun_hours": hours(row["overrun_minutes"]),
        "average_hours": hours(row["overrun_minutes"] // row["late_steps"]) if row["late_steps"] else None,
    }


def late_rows(
    *, agency_ids: Iterable[int], period: Period, procedure_id: int | None = None
) -> QuerySet[LateStepFigure]:
    """The roll-up rows of the units in scope over a period (local days of the steps' finish)."""
    rows = LateStepFigure.objects.filter(agency_id__in=list(agency_ids), day__range=(period.start, period.end))
    if procedure_id is not None:
        rows = rows.filter(procedure_id=procedure_id)
    return rows


def late_totals(*, agency_ids: Iterable[int], period: Period, procedure_id: int | None = None) -> dict:
    """Judged steps, late steps, late dossiers blamed on a step, and the overrun, over the scope (one query)."""
    return with_shares(late_rows(agency_ids=agency_ids, period=period, procedure_id=procedure_id).aggregate(**SUMS))


def late_by(
    *,
    dimension: str,
    agency_ids: Iterable[int],
    period: Period,
    procedure_id: int | None = None,
    limit: int | None = 50,
) -> list[dict]:
    """The figures per unit (the step's agency), officer (the step's handler; None = nobody held it), procedure or
    day — only keys with a step over budget, most late dossiers then most overrun first (one query).

    `dimension="agency"` rolls the units up into the agencies directly under the scope's root (`late_by_agency`).
    """
    if dimension == "agency":
        return late_by_agency(agency_ids=agency_ids, period=period, procedure_id=procedure_id, limit=limit)
    columns = DIMENSIONS[dimension]
    rows = (
        late_rows(agency_ids=agency_ids, period=period, procedure_id=procedure_id)
        .values(*columns)
        .annotate(**SUMS)
        .filter(s_late_steps__gt=0)
    )
    if dimension == "day":
        rows = rows.order_by("day")
    else:
        rows = rows.order_by("-s_late_dossiers", "-s_overrun_minutes", columns[0])
    if limit is not None:
        rows = rows[:limit]
    return [with_shares(row) for row in rows]


def late_by_agency(
    *, agency_ids: Iterable[int], period: Period, procedure_id: int | None = None, limit: int | None = 50
) -> list[dict]:
    """The units' figures added up per agency directly under the scope's root (a province's departments and
    communes; a commune's own units): one query on the roll-up, one for the tree (a few hundred agencies)."""
    agency_ids = list(agency_ids)
    tree = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "parent_id"))
    names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    root = next((pk for pk, parent in tree.items() if parent not in tree), None)

    def branch(pk: int) -> int:
        while pk != root and tree.get(pk) not in (root, None):
            pk = tree[pk]
        return pk

    units = (
        late_rows(agency_ids=agency_ids, period=period, procedure_id=procedure_id).values("agency_id").annotate(**SUMS)
    )
    totals: dict[int, dict] = {}
    for unit in units:
        key = branch(unit["agency_id"])
        row = totals.setdefault(key, {"agency_id": key, "agency__name": names.get(key, "")} | dict.fromkeys(SUMS, 0))
        for name in SUMS:
            row[name] += unit[name]
    rows = sorted(
        (row for row in totals.values() if row["s_late_steps"]),
        key=lambda row: (-row["s_late_dossiers"], -row["s_overrun_minutes"], row["agency_id"]),
    )
    return [with_shares(row) for row in rows[:limit]]


STEP_COLUMNS = (
    "pk",
    "dossier__code",
    "dossier__procedure_version__procedure__code",
    "dossier__procedure_version__name",
    "dossier__outcome",
    "dossier__completed_at",
    "order",
    "name",
    "agency__name",
    "handler__full_name",
    "handler__username",
    "started_at",
    "due_at",
    "finished_at",
    "overrun_minutes",
)


def late_steps(
    *,
    agency_ids: Iterable[int],
    period: Period,
    procedure_id: int | None = None,
    late_dossiers_only: bool = True,
    limit: int = 20,
) -> list[dict]:
    """The steps that overran their budget, finished in the period at a unit in scope, largest overrun first —
    by default only those of dossiers resolved late (§5.11), so each row answers "why was this dossier late".
    Code, procedure, step, unit, officer, due, finished and overrun: no applicant data (§11). One query, on the
    partial index of the overrunning steps."""
    steps = DossierStep.objects.filter(
        Q(overrun_minutes__gt=0),
        agency_id__in=list(agency_ids),
        finished_at__gte=day_start(period.start),
        finished_at__lt=day_start(period.end + dt.timedelta(days=1)),
    )
    if late_dossiers_only:
        steps = steps.filter(dossier__outcome=Outcome.LATE, dossier__completed_at__isnull=False)
    if procedure_id is not None:
        steps = steps.filter(dossier__procedure_version__procedure_id=procedure_id)
    rows = steps.order_by("-overrun_minutes", "-finished_at", "pk").values(*STEP_COLUMNS)[:limit]
    return [row | {"overrun_hours": hours(row["overrun_minutes"])} for row in rows]


def open_overdue_steps(
    *, agency_ids: Iterable[int], now: dt.datetime, procedure_id: int | None = None, limit: int = 20
) -> dict:
    """The open, running steps of open dossiers past their due date now (§5.11 "Steps: same rule"; the late-steps
    job flags them): live, not rolled up — the count, and the oldest `limit` with the working time they have used
    beyond their budget so far, paused time left out. Three queries (count, page, their pauses) and the calendar."""
    today = day_start(now.astimezone(LOCAL_TZ).date())
    steps = DossierStep.objects.filter(
        agency_id__in=list(agency_ids),
        finished_at__isnull=True,
        paused=False,
        due_at__lt=today,
        dossier__status__in=OPEN_STATUSES,
    )
    if procedure_id is not None:
        steps = steps.filter(dossier__procedure_version__procedure_id=procedure_id)
    count = steps.count()
    columns = [c for c in STEP_COLUMNS if c not in ("finished_at", "overrun_minutes")]
    page = list(
        steps.order_by("due_at", "pk")
        .annotate(
            dossier_id_=F("dossier_id"),
            m_start=F("agency__morning_start"),
            m_end=F("agency__morning_end"),
            a_start=F("agency__afternoon_start"),
            a_end=F("agency__afternoon_end"),
        )
        .values(*columns, "dossier_id_", "m_start", "m_end", "a_start", "a_end")[:limit]
    )
    if page:
        from workcalendar.selectors import current_calendar

        calendar, _version = current_calendar()
        pauses: dict[int, list] = {}
        for dossier_id, start, end in DossierPause.objects.filter(
            dossier_id__in={row["dossier_id_"] for row in page}
        ).values_list("dossier_id", "started_at", "ended_at"):
            pauses.setdefault(dossier_id, []).append((start, end))
        for row in page:
            minutes = deadlines.step_overrun(
                started_at=row["started_at"],
                due_at=row["due_at"],
                finished_at=now,
                pauses=pauses.get(row["dossier_id_"], ()),
                calendar=calendar,
                hours=OfficeHours(((row["m_start"], row["m_end"]), (row["a_start"], row["a_end"]))),
            )
            row["overrun_minutes"], row["overrun_hours"] = minutes, hours(minutes)
    return {"count": count, "steps": page}
