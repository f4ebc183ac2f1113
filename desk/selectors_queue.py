"""Read queries behind the desk's queue (/desk/): section counts in one statement, each section a bounded slice.

The queue is the desk's own work: the dossiers received, or waiting to be received, at its agency (docs/domain.md
§2, §4: the desk receives and returns). Every section is one range of a partial index on (receiving agency, the
section's sort moment) whose condition is the section's status predicate, so a section reads its 50 rows and
stops, and a count reads index entries only, capped at `COUNT_CAP` ("1000+"), at any number of dossiers
(migration dossiers/0010; the answered supplements: dossiers/0014, see `SECTION_ORDER`). A search looks in the
agency's whole scope (`dossiers_visible_to`), but starts from the few dossiers that match (the code, the applicants
holding a number) and checks the scope on those only.

The number of queries does not depend on the number of dossiers (docs/conventions.md "Tests": every list pins
its query count).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet

# Lists show personal data masked, the full values only on the dossier page (docs/domain.md §11).
from dossiers.masking import mask_id_number, mask_name, mask_phone  # noqa: F401 - the queue's views use mask_name
from dossiers.models import OPEN_STATUSES, RUNNING_STATUSES, Applicant, ApplicantIdentity, Dossier
from dossiers.permissions import dossiers_visible_to
from dossiers.selectors import public_code_normalise
from dossiers.workflow import SUPPLIED, Status
from procedures.models import Procedure
from workcalendar.calendar import LOCAL_TZ

SECTION_SIZE = 50
# A section's count stops here: the page says "1000+" — a desk needs to know "a lot", not 48,213, and an exact count
# of a large agency's history-sized section would read every entry of it.
COUNT_CAP = 1000
MAX_HOLDERS = 500  # applicants sharing one phone number (a family, an agent) — far more would be a data problem

# The sections in page order; their conditions are in `section_conditions`, their order in `SECTION_ORDER`.
# "supplied" follows "waiting": both are online dossiers the desk has to receive (T3, T10).
SECTIONS = ("waiting", "supplied", "result_ready", "due_today", "overdue")

# What a row shows: the dossier's own columns and the procedure and applicant names (one join each, no per-row query).
ROW_FIELDS = (
    "code",
    "status",
    "substate",
    "channel",
    "submitted_at",
    "acceptance_due_at",
    "received_at",
    "current_due_at",
    "completed_at",
    "procedure_version__name",
    "applicant__name",
    "applicant__phone",
)

_DIGITS_RE = re.compile(r"^\+?\d{8,15}$")


def day_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local start of `today` and of the day after (aware datetimes)."""
    start = dt.datetime.combine(today, dt.time.min, tzinfo=LOCAL_TZ)
    return start, start + dt.timedelta(days=1)


def section_conditions(today: dt.date) -> dict[str, Q]:
    """Which dossiers each section holds (§3, §5.8, §5.11): late is derived from dates, not from the cached flag."""
    start, end = day_bounds(today)
    return {
        "waiting": Q(status=Status.SUBMITTED),
        # The applicant answered the one supplement request online (T10, citizen); the desk has not accepted it yet.
        "supplied": Q(status=Status.SUPPLEMENT_REQUESTED, substate=SUPPLIED),
        "result_ready": Q(status=Status.RESULT_READY),
        "due_today": Q(status__in=OPEN_STATUSES, current_due_at__gte=start, current_due_at__lt=end),
        "overdue": Q(status__in=RUNNING_STATUSES, current_due_at__lt=start),
    }


SECTION_ORDER = {
    # The most urgent first: the acceptance window that closes soonest, the oldest result, the earliest due moment.
    "waiting": ("acceptance_due_at", "id"),
    # The oldest answer first. The moment lives on the request, not the dossier: the section's partial index
    # (dossier_desk_supplied: receiving agency, id) holds only the agency's answered, not yet accepted supplements —
    # a handful, since the desk accepts them as they come — and each joins its request by the unique dossier key,
    # so the sort is over that handful, never over the agency's dossiers.
    "supplied": ("supplement_request__supplied_at", "id"),
    "result_ready": ("completed_at", "id"),
    "due_today": ("current_due_at", "id"),
    "overdue": ("current_due_at", "id"),
}


@dataclass(frozen=True)
class QueueFilters:
    procedure_id: int | None = None
    status: str = ""
    channel: int | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None


@dataclass
class Search:
    """What a typed search means: a dossier code, an ID or phone number (exact), or the start of a name."""

    text: str
    code: str | None = None
    number: str | None = None
    name: str | None = None
    condition: Q = field(default_factory=Q)

    @property
    def shown(self) -> str:
        """What the page echoes as the search: a number masked like the rows (§11), anything else as typed."""
        if self.number is None:
            return self.code or self.text
        return mask_phone(self.number) if len(self.number) in (10, 11) else mask_id_number(self.number)


def search_parse(raw: str) -> Search | None:
    """Trimmed input → its condition; None for empty input.

    Digits only: an ID number (CCCD, 9–12 digits) or a phone number, matched exactly (both indexed). Something
    shaped like a code: the code, exact and case-insensitive (codes are stored upper-case). Anything else: the
    start of the applicant's name, case-insensitive (not accent-insensitive: that would need a folded column).
    """
    text = " ".join((raw or "").split())[:100]
    if not text:
        return None
    if _DIGITS_RE.match(text):
        # The condition is built in `queue_search`, from the applicants holding the number.
        return Search(text=text, number=text.lstrip("+"))
    code = public_code_normalise(text)
    if code is not None and any(ch.isdigit() for ch in code) and ("-" in code or "." in code):
        return Search(text=text, code=code, condition=Q(code=code))
    return Search(text=text, name=text, condition=Q(applicant__name__istartswith=text))


def desk_dossiers(*, user) -> QuerySet[Dossier]:
    """The desk's own dossiers: received, or submitted online to be received, at its agency (drafts never are)."""
    return Dossier.objects.filter(receiving_agency_id=user.staff_profile.agency_id)


def _filtered(qs: QuerySet[Dossier], filters: QueueFilters) -> QuerySet[Dossier]:
    if filters.procedure_id is not None:
        qs = qs.filter(procedure_version__procedure_id=filters.procedure_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel is not None:
        qs = qs.filter(channel=filters.channel)
    if filters.received_from is not None:
        qs = qs.filter(received_at__gte=day_bounds(filters.received_from)[0])
    if filters.received_to is not None:
        qs = qs.filter(received_at__lt=day_bounds(filters.received_to)[1])
    return qs


def queue_scope(*, user, filters: QueueFilters) -> QuerySet[Dossier]:
    """The desk's dossiers (its agency's receipts) narrowed by the validated filters: what the sections read."""
    return _filtered(desk_dossiers(user=user), filters)


def search_scope(*, user, filters: QueueFilters) -> QuerySet[Dossier]:
    """Everything the desk's agency may open (`dossiers_visible_to`) narrowed by the filters: what a search reads."""
    return _filtered(dossiers_visible_to(user), filters)


def queue_counts(scope: QuerySet[Dossier], *, today: dt.date) -> dict[str, int]:
    """Every section's count in one statement, each capped at `COUNT_CAP` + 1 (the page shows "1000+").

    One scalar subquery per section, each over its own partial-index range: an aggregate with FILTER clauses
    would read every open dossier of the agency once, however few each section holds.
    """
    conditions = section_conditions(today)
    selects, params = [], []
    for key in SECTIONS:
        capped = scope.filter(conditions[key]).order_by().values("pk")[: COUNT_CAP + 1]
        sql, part_params = capped.query.sql_with_params()
        selects.append(f"(SELECT count(*) FROM ({sql}) AS {key})")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return dict(zip(SECTIONS, row, strict=True))


def count_shown(count: int) -> str:
    """What the page prints for a (capped) count: "1000+" past the cap."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


# The supplied section also shows when the applicant answered and the deadline they had (the same join as its order).
SUPPLIED_FIELDS = ("supplement_request__supplied_at", "supplement_request__applicant_deadline")


def _rows(qs: QuerySet[Dossier], key: str = "") -> QuerySet[Dossier]:
    if key == "supplied":
        return qs.select_related("procedure_version", "applicant", "supplement_request").only(
            *ROW_FIELDS, *SUPPLIED_FIELDS
        )
    return qs.select_related("procedure_version", "applicant").only(*ROW_FIELDS)


def queue_section(
    scope: QuerySet[Dossier], key: str, *, today: dt.date, offset: int = 0, limit: int | None = None
) -> tuple[list[Dossier], bool]:
    """One section's rows from `offset`, at most `limit`, and whether more follow (one query: limit + 1 rows)."""
    limit = limit or SECTION_SIZE
    qs = _rows(scope.filter(section_conditions(today)[key]), key).order_by(*SECTION_ORDER[key])
    rows = list(qs[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def queue_search(scope: QuerySet[Dossier], search: Search, *, limit: int | None = None) -> tuple[list[Dossier], bool]:
    """The dossiers in scope matching the search, newest first (one query; two for a number)."""
    limit = limit or SECTION_SIZE
    qs = _rows(scope.filter(search_condition(search))).order_by("-id")
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def search_condition(search: Search) -> Q:
    """The search as a condition on dossiers (a number costs one query: the applicants holding it)."""
    if search.number is None:
        return search.condition
    # First the applicants holding the number (one query, each branch on its index: phone, identity number),
    # then their dossiers through the applicant_id index — an OR across the join would scan the scope instead.
    holders = (
        Applicant.objects.filter(phone=search.number)
        .values_list("pk", flat=True)
        .union(ApplicantIdentity.objects.filter(number=search.number).values_list("applicant_id", flat=True))
    )
    return Q(applicant_id__in=list(holders[:MAX_HOLDERS]))


def row_fields(qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What a queue row reads, joined (the API's list uses the same columns as the page)."""
    return _rows(qs)


def search_scope_for(search: Search, *, user, filters: QueueFilters) -> QuerySet[Dossier]:
    """Where a search looks: an exact code or number in everything the agency may open (a handful of candidates,
    each checked against the scope); the start of a name among the desk's own dossiers, newest first through the
    (receiving agency, id) index — a common prefix stops after a page, a rare one reads the agency's dossiers only."""
    if search.name is not None:
        return queue_scope(user=user, filters=filters).exclude(status=Status.DRAFT)  # a draft is the citizen's
    return search_scope(user=user, filters=filters)


def procedure_choices(*, user) -> list[tuple[int, str]]:
    """The procedures the desk's agency handles (current versions), by name — one query."""
    agency = user.staff_profile.agency
    return [
        (pk, name)
        for pk, name in Procedure.objects.filter(current_version__agencies=agency)
        .order_by("current_version__name", "pk")
        .values_list("pk", "current_version__name")
        .distinct()
    ]
