"""Rating a returned dossier, sending feedback, and the agency's answers: thin views over `feedback.services` and
`feedback.selectors` (docs/feedback.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Role
from dossiers.models import Dossier
from dossiers.workflow import Status
from feedback import scoring, selectors, services
from feedback.forms import AnswerForm, FeedbackForm, RatingForm
from feedback.models import MAX_POINTS, DossierRating
from portal.access import AGENCY, citizen_only, staff_only
from procedures.selectors import procedure_search
from workcalendar.calendar import LOCAL_TZ

ANSWERING_ROLES = [Role.HEAD, Role.DESK, Role.OFFICER]
SEARCH_RESULTS = 10


def _today():
    return timezone.now().astimezone(LOCAL_TZ).date()


# --- Rating ------------------------------------------------------------------------------------------------


def _rating_rows(rating: DossierRating) -> list[dict]:
    """The nine indices as the page lists them: name, points, and the reason or the applicant's answer."""
    answers = {3: scoring.CONTACTS, 4: scoring.BODIES, 7: scoring.ATTITUDE}
    rows = []
    for index, points in rating.points.items():
        reason = ""
        if index in answers:
            reason = next(str(label) for label, value in answers[index].values() if value == points)
        label = DossierRating._meta.get_field(f"index_{index}").verbose_name
        rows.append({"index": index, "label": label, "points": points, "reason": reason})
    return rows


@citizen_only()
def rate(request, code: str):
    """The owner rates their returned dossier once (docs/domain.md §9.3). Anyone else's or an unknown code is 404;
    before the return the page says so and saves nothing; once rated, the saved rating is shown and kept."""
    dossier = (
        Dossier.objects.filter(code=code, owner=request.user)
        .select_related("procedure_version", "processing_agency", "receiving_agency")
        .first()
    )
    if dossier is None:
        raise Http404
    context = {"dossier": dossier, "max_points": MAX_POINTS}
    rating = DossierRating.objects.filter(dossier=dossier).first()
    if rating is not None:
        if request.method == "POST":
            messages.info(request, _("Hồ sơ này đã được đánh giá; đánh giá đã lưu không thay đổi."))
        return render(request, "feedback/rate.html", {**context, "rating": rating, "rows": _rating_rows(rating)})
    if dossier.status != Status.RETURNED:
        context["not_returned"] = True
        return render(request, "feedback/rate.html", context)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _rating, created = services.dossier_rate(dossier=dossier, user=request.user, answers=form.answers())
        except services.FeedbackRefused as refusal:
            messages.error(request, refusal.message)
        else:
            if created:
                messages.success(request, _("Cảm ơn bạn đã đánh giá. Ý kiến của bạn giúp cơ quan phục vụ tốt hơn."))
            return redirect("feedback:rate", code=dossier.code)
    context.update(form=form, computed=scoring.portal_points(dossier, now=timezone.now()))
    return render(request, "feedback/rate.html", context)


# --- Feedback: the citizen ---------------------------------------------------------------------------------


@citizen_only()
def feedback_new(request):
    """Write a feedback about a procedure (found in the catalogue) or an agency; on success its page with the
    reference and the answer deadline."""
    search = request.GET.get("tim", "").strip()[:100]
    found = list(procedure_search(query=search)[:SEARCH_RESULTS]) if search else []
    form = FeedbackForm(
        request.POST or None,
        user=request.user,
        initial={
            "procedure_code": request.GET.get("thu-tuc", "")[:40],
            "dossier_code": request.GET.get("ho-so", "")[:64],
            "client_key": uuid.uuid4().hex,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            feedback, _created = services.feedback_submit(user=request.user, data=form.feedback_input())
        except services.FeedbackRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Đã gửi phản ánh, kiến nghị. Số tiếp nhận: {reference}.").format(reference=feedback.reference),
            )
            return redirect("feedback:detail", feedback_id=feedback.pk)
    context = {"form": form, "search": search, "found": found, "days": settings.FEEDBACK_ANSWER_DAYS}
    return render(request, "feedback/new.html", context)


@citizen_only()
@require_GET
def feedback_mine(request):
    rows = selectors.citizen_feedback_list(user=request.user, today=_today())
    return render(request, "feedback/mine.html", {"rows": rows})


@citizen_only()
@require_GET
def feedback_detail(request, feedback_id: str):
    feedback = selectors.citizen_feedback(user=request.user, feedback_id=int(feedback_id), today=_today())
    return render(request, "feedback/detail.html", {"feedback": feedback})


# --- Feedback: the agency ----------------------------------------------------------------------------------


@staff_only(roles=ANSWERING_ROLES, scope=AGENCY)
@require_GET
def agency_inbox(request):
    """The open feedback of the user's agency by deadline with the late flag; `?da-tra-loi=1` lists the answered."""
    answered = request.GET.get("da-tra-loi") == "1"
    rows = selectors.agency_feedback(user=request.user, today=_today(), answered=answered)
    return render(request, "feedback/inbox.html", {"rows": rows, "answered": answered})


@staff_only(roles=ANSWERING_ROLES, scope=AGENCY)
def agency_answer(request, feedback_id: str):
    """Read one feedback of the agency and answer it once; another agency's is 404."""
    feedback = selectors.agency_feedback_item(user=request.user, feedback_id=int(feedback_id), today=_today())
    form = AnswerForm(request.POST or None) if feedback.answered_at is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.feedback_answer(feedback_id=feedback.pk, actor=request.user, answer=form.cleaned_data["answer"])
        except services.FeedbackNotFound:
            raise Http404 from None
        except services.FeedbackRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("Đã gửi trả lời cho người phản ánh, kiến nghị."))
        return redirect("feedback:inbox")
    return render(request, "feedback/answer.html", {"feedback": feedback, "form": form})
