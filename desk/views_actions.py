"""One screen per engine action on a dossier, derived from the transition table (docs/adr/0006-typed-actions.md).

GET shows the action's declared input as a form; POST hands the cleaned input to `dossiers.services.dossier_transition`.
The view restates no rule: what may be done comes from `dossier_actions_available`, what is asked from the transition's
fields, and a refusal from the engine is shown on the form (a field's own error where the engine names one).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk.action_choices import REFRESH, narrow_choices
from dossiers import services, workflow
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from dossiers.forms import action_form_class
from dossiers.permissions import actor_role, dossier_actions_available
from dossiers.selectors import dossier_detail
from portal.access import DOSSIER, DOSSIER_ROLES, staff_only

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
STAFF_ROLES = DOSSIER_ROLES
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
    refresh = request.method == "POST" and REFRESH in request.POST
    if not offered and (request.method == "GET" or refresh):
        # Nothing to fill in: the button is not shown either. A POST still goes to the engine, which says why.
        raise Http404
    form_class = action_form_class(transition)
    initial = {"expected_revision": dossier.revision}
    if action == "assign" and actor_role(request.user) == workflow.OFFICER:
        initial["handler"] = request.user.pk  # an officer takes the step for themself ("Nhận xử lý")
    if refresh:
        # "Cập nhật danh sách cán bộ": the same form again, as filled in, with the chosen agency's staff; nothing done.
        kept = {k: v for k, v in request.POST.items() if k in form_class.base_fields and k != "handler"}
        form = form_class(initial={**initial, **kept})
    else:
        form = form_class(request.POST or None, request.FILES or None, initial=initial)
    asked = request.POST.get("agency") if request.method == "POST" else request.GET.get("agency")
    follows = narrow_choices(form, dossier=dossier, user=request.user, asked=asked)
    if "items" in form.fields:
        form.fields["items"].widget.attrs["placeholder"] = _(
            "Mỗi dòng một nội dung, dạng “Tên giấy tờ: nội dung cần bổ sung”, ví dụ:\nTờ khai: ghi rõ nơi sinh"
        )
    status = 200
    if request.method == "POST" and not refresh:
        if form.is_valid():
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
    context = {"dossier": dossier, "transition": transition, "form": form, "handlers_follow": follows}
    return render(request, "desk/action.html", {**context, "refresh": REFRESH}, status=status)


def _done_message(code: str, transition: workflow.Transition, action: str):
    done = _("Đã thực hiện “{action}” cho hồ sơ {code}.").format(action=transition.label, code=code)
    key = PRINTS.get(action)
    if key is None:
        return done
    return format_html('{} <a href="{}">{}</a>', done, reverse("dossiers:form-pdf", args=[code, key]), _("In biểu mẫu"))
