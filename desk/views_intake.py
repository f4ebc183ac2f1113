"""The walk-in intake screen: the desk checks a counter or postal dossier in one page and receives it (T2), asks for
everything missing (T4, form 02) or refuses it (T5, form 03) (docs/domain.md §4.1).

Step 1 is a GET (`?q=` filters the agency's procedures in force, `?procedure=<code>` picks one), the applicant lookup
is a GET too (`?id_type=&id_number=` pre-fills a known applicant), and "Tiếp nhận" POSTs everything once. The view
restates no rule: it parses the form, checks every scan before anything is written, then hands everything to
`desk.services.intake_receive`: one transaction for the applicant, the engine's creation for the outcome with the
form's client key (a double submit returns the first dossier), the scans and, when the fee is collected before
("thu trước"), the payment with its receipt number (the engine's `collect_fee`).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from desk.forms_intake import ApplicantLookupForm, IntakeForm, personal_id_check
from desk.forms_outcome import REFUSE, SUPPLEMENT
from desk.services import intake_receive
from dossiers import services, workflow
from dossiers.errors import DossierRefused
from dossiers.files import FileRejected
from dossiers.models import ApplicantIdentity, ApplicantKind, Dossier, IdDocumentType
from portal.access import DESK, staff_only
from procedures.models import ProcedureFee, ProcedureVersion, RequiredDocument
from procedures.selectors import procedure_search

PROCEDURE_LIST_MAX = 200


@staff_only(roles=[workflow.DESK], scope=DESK)
@require_http_methods(["GET", "POST"])
def intake(request):
    agency = request.user.staff_profile.agency
    code = (request.POST.get("procedure") if request.method == "POST" else request.GET.get("procedure")) or ""
    code = code.strip()
    if not code:
        return _pick(request, agency)
    version, error = _version_for(agency, code)
    if version is None:
        return _pick(request, agency, error=error, status=400)

    required, fees = list(version.documents.all()), list(version.fees.all())
    if request.method == "POST":
        replay = _replayed(request, agency)
        if replay is not None:
            return _received(request, replay, again=True)
        form = IntakeForm(
            request.POST,
            request.FILES,
            required_documents=required,
            fees=fees,
            outcome=request.POST.get("outcome") or None,
        )
        if form.is_valid():
            dossier = _receive(request, form, version)
            if dossier is not None:
                return _received(request, dossier)
        return _page(request, version, form, ApplicantLookupForm(), status=400)

    lookup = ApplicantLookupForm(request.GET if "id_number" in request.GET else None)
    initial = {"client_key": uuid.uuid4().hex}
    if lookup.is_bound and lookup.is_valid():
        doc_type, number = lookup.cleaned_data["id_type"], lookup.cleaned_data["id_number"].strip()
        error = personal_id_check(doc_type, number)
        if error:
            lookup.add_error("id_number", error)
        initial.update(_known_applicant(doc_type, number))
    form = IntakeForm(initial=initial, required_documents=required, fees=fees)
    if lookup.is_bound:
        # Keyboard first: after the lookup the officer goes on with the name (checked or typed).
        form.fields["name"].widget.attrs["autofocus"] = True
    return _page(request, version, form, lookup, known=initial.pop("known", False))


def _version_for(agency, code: str) -> tuple[ProcedureVersion | None, str]:
    """The in-force version of `code` if the officer's agency handles it, else None and why (in Vietnamese)."""
    handled_by = ProcedureVersion.agencies.through.objects.filter(procedureversion=OuterRef("pk"), agency=agency)
    version = (
        ProcedureVersion.objects.in_force()
        .filter(procedure__code=code)
        .select_related("procedure")
        .annotate(handled=Exists(handled_by))
        .prefetch_related(
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("order", "pk")),
            Prefetch("fees", queryset=ProcedureFee.objects.order_by("order", "pk")),
        )
        .first()
    )
    if version is None:
        return None, _("Không tìm thấy thủ tục đang có hiệu lực có mã “{code}”.").format(code=code)
    if not version.handled:
        return None, _("Thủ tục “{name}” không thuộc thẩm quyền tiếp nhận của {agency}.").format(
            name=version.name, agency=agency.name
        )
    return version, ""


def _pick(request, agency, *, error: str = "", status: int = 200):
    """Step 1: the agency's procedures in force, filtered by an accent-insensitive search."""
    query = request.GET.get("q", "").strip()[:200]
    found = procedure_search(query=query, agency=agency.e_identifier).prefetch_related(None)
    versions = list(found[:PROCEDURE_LIST_MAX])
    context = {"agency": agency, "query": query, "versions": versions, "error": error, "limit": PROCEDURE_LIST_MAX}
    return render(request, "desk/intake_pick.html", context, status=status)


def _page(request, version, form, lookup, *, known: bool = False, status: int = 200):
    context = {
        "version": version,
        "form": form,
        "lookup": lookup,
        "agency": request.user.staff_profile.agency,
        "known": known,
    }
    return render(request, "desk/intake.html", context, status=status)


def _known_applicant(doc_type: str, number: str) -> dict:
    """The last applicant entered with this identity, as initial form values ({} if none or a malformed number)."""
    initial = {"id_type": doc_type, "id_number": number}
    if personal_id_check(doc_type, number):
        return initial
    identity = (
        ApplicantIdentity.objects.filter(doc_type=doc_type, number=number)
        .select_related("applicant")
        .order_by("-applicant_id")
        .first()
    )
    if identity is not None:
        applicant = identity.applicant
        initial.update(
            kind=applicant.kind,
            name=applicant.name,
            phone=applicant.phone,
            email=applicant.email,
            address=applicant.address,
            known=True,
        )
    return initial


def _replayed(request, agency) -> Dossier | None:
    """A resubmit of a form already received (same client key) shows the dossier it created."""
    key = request.POST.get("client_key", "").strip()
    if not key:
        return None
    return Dossier.objects.filter(client_key=key, receiving_agency=agency).only("pk", "code", "status").first()


def _receive(request, form: IntakeForm, version) -> Dossier | None:
    """Hand the form to the intake service; a refusal (engine or file) keeps nothing and lands on the form."""
    data = form.cleaned_data
    decision = _decision(form, data)
    representative = None
    if data["representative_name"].strip():
        rep_id = data["representative_id"].strip()
        representative = services.ApplicantData(
            kind=ApplicantKind.INDIVIDUAL,
            name=data["representative_name"],
            identities=[(IdDocumentType.PERSONAL_ID, rep_id)] if rep_id else [],
        )
    try:
        return intake_receive(
            actor=request.user,
            procedure_version=version,
            applicant=services.ApplicantData(
                kind=data["kind"],
                name=data["name"],
                identities=[(data["id_type"], data["id_number"])],
                phone=data["phone"].strip(),
                email=data["email"],
                address=data["address"].strip(),
            ),
            representative=representative,
            documents=form.documents_input(),
            scans=form.scans(),
            channel=data["channel"],
            summary=data["summary"].strip(),
            sets_count=data["sets_count"],
            client_key=data["client_key"],
            outcome=form.outcome,
            payment=form.payment(),
            **decision,
        )
    except FileRejected as rejected:
        form.add_error(None, rejected.messages)
    except DossierRefused as refusal:
        form.engine_error(refusal.field, refusal.message)
    return None


def _decision(form: IntakeForm, data: dict) -> dict:
    """The engine input particular to the outcome: how the dossier goes on, the supplement's items, the reasons."""
    if form.outcome == REFUSE:
        return {"note": data["refusal_note"], "legal_basis": data["refusal_legal_basis"]}
    carry_on = {"return_method": data["return_method"], "fee_mode": data["fee_mode"], "fees": form.chosen_fees()}
    if form.outcome == SUPPLEMENT:
        return {
            **carry_on,
            "note": data["supplement_note"],
            "items": data["items"],
            "legal_basis": data["supplement_legal_basis"],
        }
    return carry_on


# What the desk prints after each outcome (docs/domain.md §6.1): form 01, 02 or 03.
PRINTED = {
    workflow.Status.RECEIVED: ("receipt", gettext_lazy("In giấy tiếp nhận và hẹn trả kết quả")),
    workflow.Status.SUPPLEMENT_REQUESTED: ("supplement", gettext_lazy("In phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    workflow.Status.REFUSED: ("refusal", gettext_lazy("In phiếu từ chối tiếp nhận giải quyết hồ sơ")),
}
DONE = {
    workflow.Status.RECEIVED: gettext_lazy("Đã tiếp nhận hồ sơ {code}."),
    workflow.Status.SUPPLEMENT_REQUESTED: gettext_lazy("Đã ghi nhận hồ sơ {code} chưa đầy đủ và yêu cầu bổ sung."),
    workflow.Status.REFUSED: gettext_lazy("Đã từ chối tiếp nhận hồ sơ {code}."),
}


def _received(request, dossier: Dossier, *, again: bool = False):
    key, label = PRINTED.get(dossier.status, PRINTED[workflow.Status.RECEIVED])
    if again:
        done = _("Biểu mẫu này đã được gửi: hồ sơ {code} đã được ghi nhận trước đó, không tạo hồ sơ mới.").format(
            code=dossier.code
        )
    else:
        done = str(DONE[dossier.status]).format(code=dossier.code)
    messages.success(request, print_link(dossier.code, key, done, label))
    return redirect("dossiers:detail", code=dossier.code)


def print_link(code: str, key: str, done: str, label) -> str:
    """The message after a decision, with its form opening in a new tab for printing."""
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener" data-print="{}">{}</a>',
        done,
        reverse("dossiers:form-pdf", args=[code, key]),
        key,
        label,
    )
