"""Read queries of the processing officers' inbox (/work/): the open steps of one agency, by due moment.

A row is a `DossierStep` that is open (`finished_at IS NULL`) and is its dossier's current step, at the user's
agency. Its state on this screen is derived in SQL from the due moment (the step's, else the dossier's) and the
dossier's clock (docs/domain.md §5.7, §5.11): paused, overdue, due soon (within the window, default 8 working
hours) or on track. The clock is read from the step's `paused`, the copy of the dossier's paused clock the engine
keeps on its open current step (dossiers.services `_step_pause_sync`), so that each state is a range of the
(agency, paused, due_at) or (handler, paused, due_at) index of open steps. The working screen compares moments — a
step due at 10:00 is overdue at 10:01 — where the reports compare dates (§5.11); "late" stays derived and is never
stored here.

The number of queries does not depend on the number of rows: one statement for the counts, one for the page,
one each for the procedure and handler choices (docs/conventions.md "Tests": list pages pin their query count).
Every query is bounded at any number of dossiers: the counts are capped and each reads index ranges of the states'
conditions; the page walks the (agency, due_at) or (handler, due_at) index of open steps in order and stops after
51 rows; the state is computed for those rows only; the procedure choices come from the agency's catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from dossiers.deadlines import Clock, current_clock
from dossiers.models import ClockState, Dossier, DossierStep
from procedures.models import Procedure
from workcalendar.calendar import Duration, due_moment, working_time_between

PAGE_SIZE = 50
# A state's count stops here (shown "100+"): an officer needs "a lot", and an exact count would read every open step.
# A count walks its range of the step index and probes the dossiers' index for each row (current step? clock? the
# dossier's due moment where the step has none) until it has found COUNT_CAP + 1. Before the clock was copied onto the
# step (`paused`), a running state's range held the paused steps too: thousands of probes where most of an agency's
# steps are paused (the busiest commune of bench/, 1M dossiers: 0.33 s). The steps without a due moment of their own
# still need one probe each to learn the dossier's (8,400 at that commune: about 9 ms).
COUNT_CAP = 100
# The due-soon window in working hours (§5.11 [design]); the overdue job's window when one is configured.
DEFAULT_DUE_SOON_HOURS = 8

MINE, UNIT = "mine", "unit"
TABS = ((MINE, gettext_lazy("Của tôi")), (UNIT, gettext_lazy("Của đơn vị")))

ON_TRACK, DUE_SOON, OVERDUE, PAUSED = "on_track", "due_soon", "overdue", "paused"
STATES = (
    (ON_TRACK, gettext_lazy("Trong hạn")),
    (DUE_SOON, gettext_lazy("Sắp đến hạn")),
    (OVERDUE, gettext_lazy("Quá hạn")),
    (PAUSED, gettext_lazy("Tạm dừng")),
)
UNASSIGNED = "none"  # the handler filter's value for steps nobody handles yet
INBOX_ROLES = (Role.OFFICER, Role.HEAD)


def due_soon_hours() -> int:
    return int(getattr(settings, "DUE_SOON_WINDOW_HOURS", DEFAULT_DUE_SOON_HOURS))


def due_soon_until(now: dt.datetime, clock: Clock) -> dt.datetime:
    """The moment `window` working hours after now, at the agency's office hours — computed once a request."""
    moment = due_moment(now, Duration.working_hours(due_soon_hours()), calendar=clock.calendar, hours=clock.hours)
    assert moment is not None
    return moment


@dataclass(frozen=True)
class InboxFilters:
    tab: str = MINE
    procedure: int | None = None
    state: str | None = None
    handler: str | None = None  # a user id as text, UNASSIGNED, or None for anyone
    page: int = 1


@dataclass
class InboxPage:
    rows: list
    counts: dict[str, int]
    total: int
    page: int
    has_next: bool
    num_pages: int
    clock: Clock
    soon_until: dt.datetime
    capped: bool = False  # some count stopped at COUNT_CAP: `total` and `num_pages` are lower bounds ("3+")


def open_steps(*, agency) -> QuerySet[DossierStep]:
    """The agency's open steps that are their dossier's current step. The inbox's page does not filter through
    this: see `inbox_page` for why the "current" check is made on the page's rows instead."""
    return _open_at(agency).filter(Exists(Dossier.objects.filter(current_step_id=OuterRef("pk"))))


def _open_at(agency) -> QuerySet[DossierStep]:
    """The agency's open steps, current or not: the counts' base (every state's condition checks "current")."""
    return DossierStep.objects.filter(agency=agency, finished_at__isnull=True)


def state_conditions(*, now: dt.datetime, soon_until: dt.datetime) -> dict[str, Q]:
    """Each state as a condition on the stored columns (the step's due moment, else the dossier's, through the
    step's dossier; the clock, as the step's `paused`): what the page filters by, walking the (agency, paused, due_at)
    index — never a computed CASE, which would have to be evaluated on every open step of the agency."""
    running = Q(paused=False)
    no_step_due = Q(due_at__isnull=True)
    return {
        ON_TRACK: running
        & (
            Q(due_at__gt=soon_until)
            | no_step_due & (Q(dossier__current_due_at__gt=soon_until) | Q(dossier__current_due_at__isnull=True))
        ),
        DUE_SOON: running
        & (
            Q(due_at__gte=now, due_at__lte=soon_until)
            | no_step_due & Q(dossier__current_due_at__gte=now, dossier__current_due_at__lte=soon_until)
        ),
        OVERDUE: running & (Q(due_at__lt=now) | no_step_due & Q(dossier__current_due_at__lt=now)),
        PAUSED: Q(paused=True),
    }


def _current(*, paused: bool, due: Q | None = None) -> IsNull:
    """The step is its dossier's current one, the dossier's clock (not) paused, its due moment matching `due`: one
    probe of a partial index on the dossiers' current step per step, with no visit to the dossier's row. A scalar
    subquery (LIMIT 1), not EXISTS: PostgreSQL may turn an EXISTS into a join or a hashed subplan that reads every
    dossier, where the counts want a probe per row of an index range, stopping at the cap."""
    dossiers = Dossier.objects.filter(current_step_id=OuterRef("pk"))
    if paused:
        dossiers = dossiers.filter(clock_state=ClockState.PAUSED)
    else:
        dossiers = dossiers.exclude(clock_state=ClockState.PAUSED)
    if due is not None:
        dossiers = dossiers.filter(due)
    probe = dossiers.order_by().values(found=Value(1))[:1]
    return IsNull(Subquery(probe, output_field=IntegerField()), False)


def count_conditions(*, now: dt.datetime, soon_until: dt.datetime) -> dict[str, tuple[Q, ...]]:
    """The states again, for the counts, each as the branches whose counts add up to it (no OR): a range of the
    (agency, paused, due_at) index for the steps with a due moment, its NULL range for the others (whose due moment
    is the dossier's), each row checked by one index-only probe (`_current`), which also checks that the step is its
    dossier's current one. Under an OR PostgreSQL hashes the probe's whole side instead — a scan of every dossier."""
    running, no_step_due = Q(paused=False), Q(paused=False, due_at__isnull=True)
    return {
        ON_TRACK: (
            running & Q(due_at__gt=soon_until) & Q(_current(paused=False)),
            no_step_due
            & Q(_current(paused=False, due=Q(current_due_at__gt=soon_until) | Q(current_due_at__isnull=True))),
        ),
        DUE_SOON: (
            running & Q(due_at__gte=now, due_at__lte=soon_until) & Q(_current(paused=False)),
            no_step_due & Q(_current(paused=False, due=Q(current_due_at__gte=now, current_due_at__lte=soon_until))),
        ),
        OVERDUE: (
            running & Q(due_at__lt=now) & Q(_current(paused=False)),
            no_step_due & Q(_current(paused=False, due=Q(current_due_at__lt=now))),
        ),
        PAUSED: (Q(paused=True) & Q(_current(paused=True)),),
    }


def _with_state(qs: QuerySet[DossierStep], *, now: dt.datetime, soon_until: dt.datetime) -> QuerySet[DossierStep]:
    """The state and due moment of each row, computed in the SELECT list: for the page's rows only."""
    return qs.annotate(
        due_moment=Coalesce("due_at", "dossier__current_due_at"),
        state=Case(
            When(paused=True, then=Value(PAUSED)),
            When(due_moment__lt=now, then=Value(OVERDUE)),
            When(due_moment__lte=soon_until, then=Value(DUE_SOON)),
            default=Value(ON_TRACK),  # no due moment at all is "on time" (§5.11 "no fixed time")
            output_field=CharField(),
        ),
    )


def procedure_choices(*, agency) -> list[tuple[int, str]]:
    """(procedure id, name) of the procedures in the agency's catalogue (any version naming it), by name — a few
    hundred rows at most, where a DISTINCT over the agency's open steps would read every one of them."""
    seen: dict[int, str] = {}
    rows = (
        Procedure.objects.filter(versions__agencies=agency)
        .values_list("pk", Coalesce("current_version__name", "code"))
        .distinct()
        .order_by(Coalesce("current_version__name", "code"), "pk")
    )
    for pk, name in rows:
        seen.setdefault(pk, Truncator(name).chars(90))
    return list(seen.items())


def handler_choices(*, agency) -> list[tuple[int, str]]:
    """The agency's officers and heads who may hold a step (one query)."""
    users = User.objects.filter(staff_profile__agency=agency, staff_profile__role__in=INBOX_ROLES).order_by(
        "full_name", "username"
    )
    return [(user.pk, str(user)) for user in users.only("pk", "full_name", "username")]


def state_counts(qs: QuerySet[DossierStep], conditions: dict[str, tuple[Q, ...]]) -> dict[str, int]:
    """Each state's count in one statement, each capped at `COUNT_CAP` + 1 (shown "100+"): one scalar subquery
    per branch of a state over its own index range, each stopping at the cap; a state is the sum of its branches,
    capped again."""
    keys, selects, params = [], [], []
    for key, _label in STATES:
        for number, branch in enumerate(conditions[key]):
            capped = qs.filter(branch).order_by().values("pk")[: COUNT_CAP + 1]
            sql, part_params = capped.query.sql_with_params()
            selects.append(f"(SELECT count(*) FROM ({sql}) AS {key}_{number})")
            params.extend(part_params)
            keys.append(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    counts = dict.fromkeys((key for key, _label in STATES), 0)
    for key, count in zip(keys, row, strict=True):
        counts[key] = min(counts[key] + count, COUNT_CAP + 1)
    return counts


def count_shown(count: int) -> str:
    """What the page prints for a (capped) count: "100+" past the cap."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def inbox_filtered(*, user, filters: InboxFilters) -> QuerySet[DossierStep]:
    """The open steps of the user's agency under the tab, handler and procedure filters (not the state)."""
    qs = _open_at(user.staff_profile.agency)
    if filters.tab == MINE:
        qs = qs.filter(handler=user)
    elif filters.handler == UNASSIGNED:
        qs = qs.filter(handler__isnull=True)
    elif filters.handler:
        qs = qs.filter(handler_id=int(filters.handler))
    if filters.procedure is not None:
        qs = qs.filter(dossier__procedure_version__procedure_id=filters.procedure)
    return qs


def inbox_rows(*, user, filters: InboxFilters, now: dt.datetime) -> QuerySet[DossierStep]:
    """The inbox's rows under every filter, the state included, with their state and due moment and what a row
    shows joined (the API's cursor-paginated list; the page orders and slices the same rows in `inbox_page`)."""
    soon_until = due_soon_until(now, current_clock(user.staff_profile.agency))
    qs = inbox_filtered(user=user, filters=filters)
    if filters.state:
        qs = qs.filter(state_conditions(now=now, soon_until=soon_until)[filters.state])
    return _with_state(qs, now=now, soon_until=soon_until).select_related("dossier__procedure_version", "handler")


def inbox_page(*, user, filters: InboxFilters, now: dt.datetime) -> InboxPage:
    """One page of the inbox of `user` (an officer or head): 50 rows at most, by the step's due moment, then the
    dossier's, those without a due moment last; with the count of each state under the other filters (capped)."""
    agency = user.staff_profile.agency
    clock = current_clock(agency)
    soon_until = due_soon_until(now, clock)
    conditions = state_conditions(now=now, soon_until=soon_until)

    qs = inbox_filtered(user=user, filters=filters)
    counts = state_counts(qs, count_conditions(now=now, soon_until=soon_until))
    total = counts[filters.state] if filters.state else sum(counts.values())
    if filters.state:
        qs = qs.filter(conditions[filters.state])
    offset = (filters.page - 1) * PAGE_SIZE
    rows = list(
        _with_state(qs, now=now, soon_until=soon_until)
        .select_related("dossier__procedure_version", "handler")
        .order_by(F("due_at").asc(nulls_last=True), F("dossier__current_due_at").asc(nulls_last=True), "pk")[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    has_next = len(rows) > PAGE_SIZE
    # An open step is always its dossier's current one (dossiers.services opens a step as the current one and closes
    # the current one); a row that is not — data repaired by hand — is left out here, where the page's rows are at
    # hand (the counts check it in SQL). In the page's SQL the check, a join on current_step_id beside the one on
    # dossier_id, makes PostgreSQL expect a handful of rows and sort the agency's whole list instead of walking the
    # (agency, due_at) index and stopping at 51 rows (0.4 s instead of 3 ms for 36,000 open steps).
    rows = [row for row in rows[:PAGE_SIZE] if row.dossier.current_step_id == row.pk]
    for row in rows:
        row.time_left = time_left_label(row.state, row.due_moment, now=now, clock=clock)
    capped = any(count > COUNT_CAP for count in counts.values())
    return InboxPage(
        rows=rows,
        counts=counts,
        total=total,
        page=filters.page,
        has_next=has_next,
        num_pages=max(1, -(-total // PAGE_SIZE), filters.page + has_next),
        clock=clock,
        soon_until=soon_until,
        capped=capped,
    )


def time_left_label(state: str, due: dt.datetime | None, *, now: dt.datetime, clock: Clock) -> str:
    """ "còn 3 giờ làm việc", "quá hạn 2 ngày làm việc", "tạm dừng": working time between now and the due moment,
    at the agency's office hours and the calendar in force (§5.2–5.3); whole days once a day or more."""
    if state == PAUSED:
        return _("tạm dừng")
    if due is None:
        return _("không quy định thời hạn")
    late = due < now
    span = working_time_between(*((due, now) if late else (now, due)), calendar=clock.calendar, hours=clock.hours)
    days = span // clock.hours.day_length
    hours = int(span.total_seconds() // 3600)
    if late:
        if days:
            return _("quá hạn {n} ngày làm việc").format(n=days)
        if hours:
            return _("quá hạn {n} giờ làm việc").format(n=hours)
        return _("vừa quá hạn")
    if days:
        return _("còn {n} ngày làm việc").format(n=days)
    if hours:
        return _("còn {n} giờ làm việc").format(n=hours)
    return _("còn dưới 1 giờ làm việc")
