"""Returning a result (T16) from one screen: /dossiers/<code>/return/ (docs/domain.md §4.1 T16).

The desk of the receiving agency sees the result, collects "thu sau" fees first (T16a), then hands the result over
at the counter, or posts it (T16b) and later records the delivery; the method is pre-selected from the one
registered at receipt. Once returned, the page shows the dossier's class (trước hạn / đúng hạn / quá hạn) and the
handover record to print. Every write is one engine action; the view restates no rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from desk.forms_return import DEFAULT_POSTAL_OPERATOR, CounterForm, DeliveredForm, FeeForm, PostForm
from dossiers import services, workflow
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from dossiers.handover import FEE_ACTIONS
from dossiers.models import DocumentForm, Dossier, PaymentState
from dossiers.selectors import denied_access_log, dossier_detail
from dossiers.workflow import POSTING, ReceiverKind, ReturnMethod, Status
from portal.access import DOSSIER, staff_only

# The step a POST carries → (its form, the engine action, the input the step adds).
STEPS = {
    "fee": (FeeForm, "collect_fee", {}),
    "counter": (CounterForm, "return_result", {"method": ReturnMethod.COUNTER}),
    "post": (PostForm, "post_result", {}),
    "delivered": (DeliveredForm, "return_result", {"method": ReturnMethod.POST}),
}
TABS = (ReturnMethod.COUNTER, ReturnMethod.POST)


@staff_only(roles=[workflow.DESK], scope=DOSSIER)
@require_http_methods(["GET", "POST"])
def result_return(request, code: str):
    # The desk of the agency that received the dossier returns its result; any other desk gets the same 404.
    agency_id = request.user.staff_profile.agency_id
    if not Dossier.objects.filter(code=code, receiving_agency_id=agency_id).exclude(status=Status.DRAFT).exists():
        denied_access_log(user=request.user, kind="dossier", ref=f"{code} return", code=code, **request_client(request))
        raise Http404
    dossier = dossier_detail(user=request.user, code=code, purpose="return", **request_client(request))
    forms = _forms(dossier)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in STEPS:
            raise Http404
        form_class, action, extra = STEPS[step]
        form = forms[step] = _bind(form_class, dossier, request.POST)
        if form.is_valid():
            try:
                services.dossier_transition(
                    dossier=dossier.pk,
                    action=action,
                    actor=request.user,
                    expected_revision=form.cleaned_data.get("expected_revision"),
                    **extra,
                    **form.action_input(),
                )
            except DossierRefused as refusal:
                form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
            else:
                return _done(request, dossier, step)
        status = 400
    tab = request.POST.get("step") if request.method == "POST" else request.GET.get("method")
    tab = {"delivered": ReturnMethod.POST, "fee": None}.get(tab, tab)
    if tab not in TABS:
        # The method registered at receipt; a result already with the postal operator waits for its delivery.
        tab = ReturnMethod.POST if dossier.substate == POSTING else dossier.return_method
        tab = tab if tab in TABS else ReturnMethod.COUNTER
    return render(request, "desk/return.html", _context(dossier, forms, tab), status=status)


def _originals(dossier: Dossier) -> list[tuple[int, str]]:
    return [
        (doc.pk, _("{name} ({count} bản)").format(name=doc.name, count=doc.count))
        for doc in dossier.documents.all()
        if doc.form == DocumentForm.ORIGINAL
    ]


def _bind(form_class, dossier: Dossier, data=None, initial=None):
    form = form_class(data, initial={"expected_revision": dossier.revision, **(initial or {})})
    if "originals_returned" in form.fields:
        form.fields["originals_returned"].choices = _originals(dossier)
    return form


def _forms(dossier: Dossier) -> dict:
    """Every step's form, unbound, pre-filled with what the dossier already says (the officer corrects it)."""
    applicant = dossier.applicant
    identity = next(iter(applicant.identities.all()), None)
    return {
        "fee": _bind(FeeForm, dossier, initial={"amount": _fee_total(dossier), "payment_method": "cash"}),
        "counter": _bind(
            CounterForm,
            dossier,
            initial={
                "receiver_kind": ReceiverKind.OWNER,
                "receiver": applicant.name,
                "receiver_id_number": identity.number if identity is not None else "",
            },
        ),
        "post": _bind(PostForm, dossier, initial={"postal_operator": DEFAULT_POSTAL_OPERATOR}),
        "delivered": _bind(
            DeliveredForm, dossier, initial={"delivered_on": timezone.localdate(), "receiver": applicant.name}
        ),
    }


def _fee_total(dossier: Dossier) -> int:
    return sum(line.amount for line in dossier.fee_lines.all())


def _last_event(dossier: Dossier, *actions: str):
    """The newest event of one of `actions`, from the events the detail selector prefetched (no query)."""
    found = [event for event in dossier.events.all() if event.action in actions]
    return found[-1] if found else None


def _context(dossier: Dossier, forms: dict, tab: str) -> dict:
    returned = dossier.status == Status.RETURNED
    handover = dossier.handovers.order_by("-handed_over_at", "-id").first() if returned else None
    return {
        "dossier": dossier,
        "forms": forms,
        "tab": tab,
        "tabs": [(method, ReturnMethod(method).label) for method in TABS],
        "ready": dossier.status == Status.RESULT_READY,
        "returned": returned,
        "handover": handover,
        "fee_total": _fee_total(dossier),
        "fee_due": dossier.payment_state == PaymentState.PENDING,
        # At the counter (collect_fee) or online through the payment platform (pay_online, payments/).
        "fee_event": _last_event(dossier, *FEE_ACTIONS),
        "posted": _last_event(dossier, "post_result") if dossier.substate == POSTING else None,
        "online": dossier.return_method == ReturnMethod.ONLINE,
    }


def _done(request, dossier: Dossier, step: str):
    page = reverse("desk:return", args=[dossier.code])
    if step == "fee":
        messages.success(request, _("Đã ghi nhận thu phí, lệ phí cho hồ sơ {code}.").format(code=dossier.code))
        return redirect(page)
    if step == "post":
        messages.success(request, _("Đã ghi nhận gửi kết quả hồ sơ {code} qua bưu chính.").format(code=dossier.code))
        return redirect(f"{page}?method=post")
    record = reverse("dossiers:form-pdf", args=[dossier.code, "handover"])
    messages.success(
        request,
        format_html(
            '{} <a href="{}" target="_blank" rel="noopener" data-print="handover">{}</a>',
            _("Đã trả kết quả hồ sơ {code}.").format(code=dossier.code),
            record,
            _("In phiếu giao nhận kết quả"),
        ),
    )
    return redirect(page)
