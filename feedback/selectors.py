"""Read queries on ratings and feedback: the citizen's own, the agency's to answer, and the leaders' figures.

The figures (`ratings_by_agency`, `feedback_by_agency`) are one grouped SQL statement each: counts, averages and
shares are computed by the database, never by a loop over rows (docs/conventions.md "What we avoid").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf
from django.http import Http404

from feedback.models import RATING_INDICES, DossierRating, Feedback, Satisfaction
from workcalendar.calendar import LOCAL_TZ


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def late_expression(today: dt.date):
    """Late (§5.11 by date): open and its due date before `today`, or answered after its due date."""
    return Case(
        When(answered_at__isnull=True, answer_due_at__lt=start_of_day(today), then=Value(True)),
        When(on_time=False, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


# --- The citizen -------------------------------------------------------------------------------------------


def citizen_feedback_list(*, user, today: dt.date) -> QuerySet[Feedback]:
    """The citizen's feedback, newest first, with what a row shows (one query)."""
    return (
        Feedback.objects.filter(user=user)
        .select_related("agency", "procedure")
        .annotate(late=late_expression(today))
        .order_by("-received_at", "-id")
    )


def citizen_feedback(*, user, feedback_id: int, today: dt.date) -> Feedback:
    """One of the citizen's own feedback; someone else's is the same 404 as a missing one."""
    feedback = citizen_feedback_list(user=user, today=today).select_related("dossier").filter(pk=feedback_id).first()
    if feedback is None:
        raise Http404
    return feedback


# --- The agency's staff ------------------------------------------------------------------------------------


def agency_feedback(*, user, today: dt.date, answered: bool = False) -> QuerySet[Feedback]:
    """The feedback addressed to the user's agency: open ones by deadline (earliest first), or the answered ones
    newest first; each with its late flag (one query)."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return Feedback.objects.none()
    rows = (
        Feedback.objects.filter(agency_id=profile.agency_id, answered_at__isnull=not answered)
        .select_related("procedure", "user")
        .annotate(late=late_expression(today))
    )
    return rows.order_by("-answered_at", "-id") if answered else rows.order_by("answer_due_at", "id")


def agency_feedback_item(*, user, feedback_id: int, today: dt.date) -> Feedback:
    """One feedback of the user's agency; another agency's is the same 404 as a missing one."""
    profile = getattr(user, "staff_profile", None)
    feedback = (
        Feedback.objects.filter(pk=feedback_id, agency_id=getattr(profile, "agency_id", None))
        .select_related("procedure__current_version", "user", "dossier", "answered_by")
        .annotate(late=late_expression(today))
        .first()
    )
    if feedback is None:
        raise Http404
    return feedback


# --- The leaders' figures (issue 10) -----------------------------------------------------------------------


def _period(field: str, start: dt.date, end: dt.date) -> Q:
    """`field` within the local dates `start`..`end`, both included."""
    return Q(**{f"{field}__gte": start_of_day(start), f"{field}__lt": start_of_day(end + dt.timedelta(days=1))})


def _share(part, whole):
    """part / whole as a float computed by the database; None when `whole` is 0."""
    return ExpressionWrapper(Cast(part, FloatField()) / NullIf(Cast(whole, FloatField()), 0.0), FloatField())


def ratings_by_agency(*, start: dt.date, end: dt.date, agency_ids: Iterable[int] | None = None) -> list[dict]:
    """Ratings given in `start`..`end` per agency: `count`, `avg_total` (of 18), `avg_index_1`…`avg_index_9`,
    and the shares of each answer to the overall and ease questions (`overall_very_satisfied`, …,
    `ease_not_satisfied`); `satisfied_share` = (rất hài lòng + hài lòng) / count, what indicator 5.4 uses.
    One grouped query; an agency without ratings has no row."""
    rows = DossierRating.objects.filter(_period("submitted_at", start, end))
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    total = sum((F(f"index_{n}") for n in RATING_INDICES[1:]), F("index_1"))
    shares = {}
    for question in ("overall", "ease"):
        for value in Satisfaction.values:
            shares[f"{question}_{value}"] = _share(Count("id", filter=Q(**{question: value})), Count("id"))
    satisfied = Q(overall__in=[Satisfaction.VERY, Satisfaction.SATISFIED])
    return list(
        rows.values("agency_id")
        .annotate(
            count=Count("id"),
            avg_total=Avg(total, output_field=FloatField()),
            **{f"avg_index_{n}": Avg(Cast(f"index_{n}", FloatField())) for n in RATING_INDICES},
            **shares,
            satisfied_share=_share(Count("id", filter=satisfied), Count("id")),
        )
        .order_by("agency_id")
    )


def feedback_by_agency(
    *, start: dt.date, end: dt.date, agency_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> list[dict]:
    """Feedback received in `start`..`end` per agency: `received`, `answered`, `answered_on_time`, `open_late`
    (still unanswered after its due date, judged at the period's end or `today` if earlier), and `on_time_share`
    = (answered on time + open and not late) / received — an open one within its deadline is on time, as §9.2
    counts dossiers in progress. One grouped query; an agency that received nothing has no row."""
    reference = min(end, today) if today else end
    rows = Feedback.objects.filter(_period("received_at", start, end))
    if agency_ids is not None:
        rows = rows.filter(agency_id__in=list(agency_ids))
    # Late when its due date is before the reference date (§5.11): due before the start of the next day.
    late_open = Q(answered_at__isnull=True, answer_due_at__lt=start_of_day(reference))
    on_time = Q(on_time=True) | Q(answered_at__isnull=True, answer_due_at__gte=start_of_day(reference))
    return list(
        rows.values("agency_id")
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            answered_on_time=Count("id", filter=Q(on_time=True)),
            open_late=Count("id", filter=late_open),
            on_time_share=_share(Count("id", filter=on_time), Count("id")),
        )
        .order_by("agency_id")
    )
