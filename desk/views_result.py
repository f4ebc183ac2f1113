"""The head's screen for issuing a result (T15, docs/domain.md §4.1): the dossier in brief, its steps, the
result's number, date, signer and type, and the file — generated from the result template or the head's signed
PDF. The engine decides everything (`services.dossier_transition`, action `issue_result`); the view restates no
rule: the screen is offered when the engine offers the action, and a refusal is shown where the engine points.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk.forms_result import UPLOAD, ResultForm
from desk.views_actions import STAFF_ROLES
from dossiers import services, workflow
from dossiers.audit import request_client
from dossiers.errors import DossierForbidden, DossierRefused
from dossiers.permissions import dossier_actions_available
from dossiers.selectors import dossier_detail, dossier_steps
from portal.access import DOSSIER, staff_only

ACTION = "issue_result"


@staff_only(roles=STAFF_ROLES, scope=DOSSIER)
@require_http_methods(["GET", "POST"])
def result(request, code: str):
    dossier = dossier_detail(user=request.user, code=code, purpose=f"action:{ACTION}", **request_client(request))
    offered = any(t.key == ACTION for t in dossier_actions_available(request.user, dossier))
    if not offered and request.method == "GET":
        # Not this user's to issue (or not now): no form. A POST still goes to the engine, which says why.
        raise Http404
    form = ResultForm(request.POST or None, request.FILES or None, initial=_initial(request.user, dossier))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_transition(
                    dossier=dossier.pk,
                    action=ACTION,
                    actor=request.user,
                    expected_revision=form.cleaned_data.get("expected_revision"),
                    **form.action_input(),
                )
            except DossierForbidden:
                raise  # 403 through DossierErrorMiddleware, as for any action the role may not take
            except DossierRefused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Đã ban hành kết quả số {number} cho hồ sơ {code}.").format(
                        number=form.cleaned_data["number"], code=dossier.code
                    ),
                )
                return redirect("dossiers:detail", code=dossier.code)
        status = 400
    context = {
        "dossier": dossier,
        "transition": workflow.TRANSITIONS[ACTION],
        "form": form,
        "steps": dossier_steps(dossier),
        "upload": form["source"].value() == UPLOAD,
    }
    return render(request, "desk/result.html", context, status=status)


def _initial(user, dossier) -> dict:
    return {
        "expected_revision": dossier.revision,
        "result_date": timezone.localdate(),
        "signer": str(user),  # the head's full name
        "result_type": dossier.procedure_version.result[:255],
    }
