"""One screen per engine action on a dossier, derived from the transition table (docs/adr/0006-typed-actions.md).

GET shows the action's declared input as a form; POST hands the cleaned input to `dossiers.services.dossier_transition`.
The view restates no rule: what may be done comes from `dossier_actions_available`, what is asked from the transition's
fields, and a refusal from the engine is shown on the form (a field's own error where the engine names one).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dossiers import services, workflow
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from dossiers.forms import action_form_class
from dossiers.permissions import actor_role, dossier_actions_available
from dossiers.selectors import dossier_detail
from portal.access import DOSSIER, staff_only

# The paper each action produces, offered for printing once it is done (docs/domain.md §6.1).
PRINTS = {
    "receive": "receipt",
    "accept_supplement": "receipt",
    "request_supplement_intake": "supplement",
    "request_supplement": "supplement",
    "refuse": "refusal",
    "apologise": "apology",
    "withdraw": "stop_notice",
}
RETURN_SCREEN = ("return_result", "post_result")
STAFF_ROLES = (workflow.DESK, workflow.OFFICER, workflow.HEAD, workflow.ADMIN)
# Actions with a screen of their own, for more than the declared fields (the result: a summary, the steps, where
# the file comes from). The generic URL leads there.
DEDICATED_SCREENS = {"issue_result": "desk:result"}


@staff_only(roles=STAFF_ROLES, scope=DOSSIER)
@require_http_methods(["GET", "POST"])
def dossier_action(request, code: str, action: str):
    transition = workflow.TRANSITIONS.get(action)
    if transition is None or None in transition.sources:
        raise Http404
    if action in DEDICATED_SCREENS and request.method == "GET":
        return redirect(DEDICATED_SCREENS[action], code=code)
    dossier = dossier_detail(user=request.user, code=code, purpose=f"action:{action}", **request_client(request))
    offered = any(t.key == action for t in dossier_actions_available(request.user, dossier))
    if action in RETURN_SCREEN and request.method == "GET":
        # Returning a result has its own screen (the receiver, the originals, the post); a POST still goes through.
        return redirect("desk:return", code=dossier.code)
    if not offered and request.method == "GET":
        # Nothing to fill in: the button is not shown either. A POST still goes to the engine, which says why.
        raise Http404
    form_class = action_form_class(transition)
    initial = {"expected_revision": dossier.revision}
    if action == "assign" and actor_role(request.user) == workflow.OFFICER:
        initial["handler"] = request.user.pk  # an officer takes the step for themself ("Nhận xử lý")
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    _narrow_choices(form, request.user, dossier, action)
    if "items" in form.fields:
        form.fields["items"].widget.attrs["placeholder"] = _(
            "Mỗi dòng một nội dung, dạng “Tên giấy tờ: nội dung cần bổ sung”, ví dụ:\nTờ khai: ghi rõ nơi sinh"
        )
    status = 200
    if request.method == "POST":
        if form.is_valid() and _handler_fits(form, dossier, action):
            try:
                services.dossier_transition(
                    dossier=dossier.pk,
                    action=action,
                    actor=request.user,
                    expected_revision=form.cleaned_data.get("expected_revision"),
                    **form.action_input(),
                )
            except DossierRefused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                messages.success(request, _done_message(dossier.code, transition, action))
                return redirect("dossiers:detail", code=dossier.code)
        status = 400
    return render(
        request, "desk/action.html", {"dossier": dossier, "transition": transition, "form": form}, status=status
    )


def _narrow_choices(form, user, dossier, action: str) -> None:
    """People to hand a dossier to are the staff of the user's own agency, not every account in the province.

    A step change (T7) may hand the dossier to another unit, or back to the one it came from ("Trình ký" to the
    commune's head): its choices are the officers and heads of the agencies the dossier has passed through, each
    shown with their agency; the agency a new unit's step goes to is chosen, its staff then take it from their inbox.
    """
    if "handler" not in form.fields:
        return
    users = get_user_model().objects
    if action == "step":
        agencies = {user.staff_profile.agency_id, dossier.receiving_agency_id, dossier.processing_agency_id}
        agencies |= set(dossier.steps.values_list("agency_id", flat=True))
        staff = users.filter(
            staff_profile__agency_id__in=agencies - {None}, staff_profile__role__in=(workflow.OFFICER, workflow.HEAD)
        ).select_related("staff_profile__agency")
        form.fields["handler"].queryset = staff.order_by("staff_profile__agency__name", "full_name", "username")
        form.fields["handler"].label_from_instance = _staff_label
        form.fields["handler"].help_text = _(
            "Để trống khi chuyển sang đơn vị khác: cán bộ của đơn vị đó nhận xử lý tại “Hồ sơ cần xử lý”, thẻ "
            "“Của đơn vị”."
        )
        return
    staff = users.filter(staff_profile__agency_id=user.staff_profile.agency_id)
    if actor_role(user) == workflow.OFFICER:
        staff = staff.filter(pk=user.pk)  # an officer may only take a step for themself
    form.fields["handler"].queryset = staff.order_by("username")


def _staff_label(user) -> str:
    profile = user.staff_profile
    return f"{user} — {profile.get_role_display()}, {profile.agency.short_name or profile.agency.name}"


def _handler_fits(form, dossier, action: str) -> bool:
    """A step's handler works at the step's agency (the one chosen, else the processing one), or the form says so."""
    handler = form.cleaned_data.get("handler")
    if action != "step" or handler is None:
        return True
    agency = form.cleaned_data.get("agency") or dossier.processing_agency or dossier.receiving_agency
    if handler.staff_profile.agency_id == agency.pk:
        return True
    form.add_error(
        "handler", _("Cán bộ xử lý phải thuộc cơ quan, đơn vị “{agency}” của bước này.").format(agency=agency)
    )
    return False


def _done_message(code: str, transition: workflow.Transition, action: str):
    done = _("Đã thực hiện “{action}” cho hồ sơ {code}.").format(action=transition.label, code=code)
    key = PRINTS.get(action)
    if key is None:
        return done
    return format_html('{} <a href="{}">{}</a>', done, reverse("dossiers:form-pdf", args=[code, key]), _("In biểu mẫu"))
