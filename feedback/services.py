"""Writing ratings and feedback: each service owns its transaction; a double submit keeps one row by a unique
constraint, never by a check first (docs/conventions.md "State changes").

No dossier changes status here: a rating and a feedback only read the dossier (docs/domain.md §9.3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from dossiers.deadlines import current_clock
from dossiers.models import Dossier
from dossiers.workflow import Status
from feedback import scoring
from feedback.models import DossierRating, Feedback
from procedures.models import Procedure
from workcalendar.calendar import LOCAL_TZ, Duration, due_moment

ANSWERED_TOPIC = "feedback.answered"


class FeedbackRefused(Exception):
    """The rules refuse the request; `message` is shown to the user as is (Vietnamese)."""

    def __init__(self, message: str):
        super().__init__(str(message))
        self.message = str(message)


class FeedbackNotFound(Exception):
    """No such feedback in the user's scope: the view answers 404, as for one that does not exist."""


# --- Rating a returned dossier ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingAnswers:
    """What only the applicant knows (indices 3, 4, 7) and the two questions, as the form cleaned them."""

    contacts: str
    bodies: str
    attitude: str
    ease: str
    overall: str
    comment: str = ""


def rating_agency(dossier: Dossier) -> Agency:
    """The agency a rating counts for: the one that resolved the dossier, else the one that received it."""
    return dossier.processing_agency or dossier.receiving_agency


def dossier_rate(
    *, dossier: Dossier, user, answers: RatingAnswers, now: dt.datetime | None = None
) -> tuple[DossierRating, bool]:
    """Record the owner's one rating of a returned dossier (§9.3); returns the rating and whether it is new.

    Refused before the result is returned. A second submission, even a concurrent one, changes nothing and gives
    back the rating already saved: the one-to-one on the dossier decides.
    """
    if dossier.owner_id != user.pk:
        raise FeedbackNotFound
    existing = DossierRating.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing, False
    if dossier.status != Status.RETURNED:
        raise FeedbackRefused(_("Hồ sơ chưa được trả kết quả: bạn đánh giá được sau khi nhận kết quả."))
    now = now or timezone.now()
    points = {point.index: point.points for point in scoring.portal_points(dossier, now=now)}
    points.update(
        {
            3: scoring.answer_points(3, answers.contacts),
            4: scoring.answer_points(4, answers.bodies),
            7: scoring.answer_points(7, answers.attitude),
        }
    )
    try:
        with transaction.atomic():
            rating = DossierRating.objects.create(
                dossier=dossier,
                user=user,
                agency=rating_agency(dossier),
                submitted_at=now,
                ease=answers.ease,
                overall=answers.overall,
                comment=answers.comment,
                **{f"index_{n}": value for n, value in points.items()},
            )
    except IntegrityError:
        return DossierRating.objects.get(dossier=dossier), False
    return rating, True


# --- Feedback and complaints (phản ánh, kiến nghị) -------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    """A feedback as the form cleaned it: the agency concerned is already decided (from the procedure, the
    dossier or the citizen's choice)."""

    subject: str
    agency: Agency
    title: str
    content: str
    procedure: Procedure | None = None
    dossier: Dossier | None = None
    client_key: str | None = None


def answer_due(received_at: dt.datetime, agency: Agency) -> tuple[dt.datetime, int]:
    """The answer deadline: received + `FEEDBACK_ANSWER_DAYS` working days of the agency's calendar and office hours
    (§5.4–5.5(a), a design default), and the calendar version it used."""
    clock = current_clock(agency)
    due = due_moment(
        received_at, Duration.working_days(settings.FEEDBACK_ANSWER_DAYS), calendar=clock.calendar, hours=clock.hours
    )
    return due, clock.version


def feedback_reference(feedback: Feedback) -> str:
    """The number the citizen quotes: "PAKN-" + local date of receipt + the row's number (unique by the id)."""
    return f"PAKN-{feedback.received_at.astimezone(LOCAL_TZ):%y%m%d}-{feedback.pk:06d}"


def feedback_submit(*, user, data: FeedbackInput, now: dt.datetime | None = None) -> tuple[Feedback, bool]:
    """Receive a citizen's feedback with its reference and answer deadline; returns it and whether it is new.

    A dossier named must be the citizen's own (else the same refusal as an unknown code). A double submit with the
    same client key gives back the first feedback.
    """
    if data.dossier is not None and data.dossier.owner_id != user.pk:
        raise FeedbackRefused(_("Không tìm thấy hồ sơ của bạn với mã này."))
    now = now or timezone.now()
    due, version = answer_due(now, data.agency)
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                user=user,
                subject=data.subject,
                procedure=data.procedure,
                agency=data.agency,
                dossier=data.dossier,
                title=data.title,
                content=data.content,
                received_at=now,
                answer_due_at=due,
                calendar_version=version,
                client_key=data.client_key or None,
            )
            feedback.reference = feedback_reference(feedback)
            feedback.save(update_fields=["reference"])
    except IntegrityError:
        existing = Feedback.objects.filter(client_key=data.client_key).first() if data.client_key else None
        if existing is None:
            raise
        if existing.user_id != user.pk:
            # A key is drawn at random for each form shown; another person's can only be a forged or shared page.
            raise FeedbackRefused(_("Biểu mẫu đã hết hiệu lực. Vui lòng tải lại trang và gửi lại.")) from None
        return existing, False
    return feedback, True


def answered_on_time(answered_at: dt.datetime, due: dt.datetime) -> bool:
    """On time when answered on or before the due date, compared by local date as §5.11 does for dossiers."""
    return answered_at.astimezone(LOCAL_TZ).date() <= due.astimezone(LOCAL_TZ).date()


def feedback_answer(*, feedback_id: int, actor, answer: str, now: dt.datetime | None = None) -> Feedback:
    """The agency's answer to a feedback of its own: one transaction, the row locked, the citizen told by e-mail
    through the outbox after the commit. Another agency's feedback is not found; a second answer is refused."""
    from outbox.services import outbox_put

    profile = getattr(actor, "staff_profile", None)
    if profile is None:
        raise FeedbackNotFound
    now = now or timezone.now()
    with transaction.atomic():
        feedback = Feedback.objects.select_for_update().filter(pk=feedback_id, agency_id=profile.agency_id).first()
        if feedback is None:
            raise FeedbackNotFound
        if feedback.answered_at is not None:
            raise FeedbackRefused(_("Phản ánh, kiến nghị này đã được trả lời."))
        feedback.answer = answer
        feedback.answered_at = now
        feedback.answered_by = actor
        feedback.on_time = answered_on_time(now, feedback.answer_due_at)
        feedback.save(update_fields=["answer", "answered_at", "answered_by", "on_time"])
        outbox_put(
            topic=ANSWERED_TOPIC,
            key=f"{ANSWERED_TOPIC}:{feedback.pk}",
            payload={"feedback_id": feedback.pk},
            dossier_id=None,
            now=now,
        )
    return feedback
