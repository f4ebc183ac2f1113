"""The submission wizard (issue 9, part 2): a draft on the server, saved at every "Tiếp tục", resumable anywhere.

Thin views: parse the form, call `dossiers.drafts` (every edit of a draft, one transaction each, selected through
the owner) or the engine's `submit`, render. Another citizen's draft is 404 on every URL; staff are 403 (guard).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citizen.forms_wizard import CaseForm, DeliveryForm, PersonForm, RepresentativeForm, StartForm
from dossiers import drafts
from dossiers.drafts import Person
from dossiers.errors import DossierChanged, DossierNotFound, DossierRefused
from dossiers.files import ALLOWED_LABEL, FileRejected, mb_text
from dossiers.models import DossierDocument, ReturnMethod
from dossiers.workflow import Status
from portal.access import citizen_only
from procedures.selectors import procedure_detail

STEP_SLUGS = {
    "case": "truong-hop",
    "applicant": "nguoi-nop",
    "documents": "giay-to",
    "fee": "le-phi",
    "delivery": "nhan-ket-qua",
    "review": "xem-lai",
}
SLUG_STEPS = {slug: step for step, slug in STEP_SLUGS.items()}
STEP_TITLES = {
    "case": gettext_lazy("Trường hợp"),
    "applicant": gettext_lazy("Người nộp"),
    "documents": gettext_lazy("Giấy tờ"),
    "fee": gettext_lazy("Phí, lệ phí"),
    "delivery": gettext_lazy("Nhận kết quả"),
    "review": gettext_lazy("Xem lại và nộp"),
}


def _draft_or_404(user, pk: int):
    try:
        return drafts.draft_of(user, pk)
    except DossierNotFound:
        raise Http404 from None


def _step_url(dossier, step: str) -> str:
    return reverse("citizen:wizard-step", kwargs={"pk": dossier.pk, "step": STEP_SLUGS[step]})


def _profile_person(user) -> Person:
    profile = getattr(user, "citizen_profile", None)
    if profile is None:
        return Person(name=user.full_name or user.get_full_name() or user.get_username(), phone=user.phone)
    return Person(
        name=profile.full_name,
        personal_id=profile.personal_id or "",
        date_of_birth=profile.date_of_birth,
        address=profile.address,
        phone=profile.phone or user.phone,
        email=profile.email or user.email,
    )


@citizen_only()
def start(request, procedure_code: str):
    """The start page. GET creates nothing; the form's hidden client key makes its POST create the draft once."""
    version = procedure_detail(code=procedure_code)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục hành chính."))
    agencies = version.agencies.order_by("name")
    form = StartForm(request.POST or None, agencies=agencies, initial={"client_key": drafts.client_key_new()})
    if request.method == "POST" and version.allows_online_submission and form.is_valid():
        try:
            dossier = drafts.draft_start(
                user=request.user,
                procedure_version=version,
                agency=form.cleaned_data["agency"],
                person=_profile_person(request.user),
                client_key=form.cleaned_data["client_key"],
            )
        except DossierNotFound:
            raise Http404 from None
        except DossierRefused as refusal:
            messages.error(request, refusal.message)
        else:
            return redirect("citizen:wizard-resume", pk=dossier.pk)
    context = {
        "version": version,
        "procedure": version.procedure,
        "form": form,
        "agencies": agencies,
        # The citizen's unfinished drafts of this procedure: carry on rather than start a second one by mistake.
        "drafts": drafts.drafts_of(request.user)
        .filter(procedure_version__procedure=version.procedure)
        .order_by("-created_at")[:5],
    }
    return render(request, "citizen/wizard/start.html", context)


@citizen_only()
def resume(request, pk: int):
    """Where the draft was left, on whatever device: its stored step (or the done page once submitted)."""
    dossier = _draft_or_404(request.user, pk)
    if dossier.status != Status.DRAFT:
        return redirect("citizen:wizard-done", pk=dossier.pk)
    steps = drafts.steps_of(dossier.procedure_version)
    return redirect(_step_url(dossier, dossier.wizard_step if dossier.wizard_step in steps else steps[0]))


@citizen_only()
def step(request, pk: int, step: str):
    """One step of the wizard: GET shows it (and remembers it as the place to resume); POST saves and moves on."""
    dossier = _draft_or_404(request.user, pk)
    name = SLUG_STEPS.get(step)
    steps = drafts.steps_of(dossier.procedure_version)
    if name not in steps:
        raise Http404
    if dossier.status != Status.DRAFT:
        return redirect("citizen:wizard-done", pk=dossier.pk)
    handler = _STEP_HANDLERS[name]
    try:
        response, context = handler(request, dossier)
    except DossierNotFound:
        raise Http404 from None
    if response is not None:
        return response
    if request.method == "GET":
        drafts.draft_step_set(user=request.user, pk=dossier.pk, step=name)
    index = steps.index(name)
    context.update(
        {
            "dossier": dossier,
            "version": dossier.procedure_version,
            "step": name,
            "step_number": index + 1,
            "step_count": len(steps),
            "step_title": STEP_TITLES[name],
            "steps": [
                {"title": STEP_TITLES[s], "url": _step_url(dossier, s), "done": i < index, "current": i == index}
                for i, s in enumerate(steps)
            ],
            "back_url": _step_url(dossier, steps[index - 1]) if index else "",
        }
    )
    return render(request, f"citizen/wizard/step_{name}.html", context)


def _next(dossier, name: str):
    steps = drafts.steps_of(dossier.procedure_version)
    return redirect(_step_url(dossier, steps[steps.index(name) + 1]))


def _step_case(request, dossier):
    form = CaseForm(
        request.POST or None,
        cases=dossier.procedure_version.cases.all(),
        initial={"case": dossier.case_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            drafts.draft_case_set(user=request.user, pk=dossier.pk, case_id=form.cleaned_data["case"].pk)
        except DossierRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _next(dossier, "case"), {}
    return None, {"form": form}


def _person_initial(applicant) -> dict:
    if applicant is None:
        return {}
    identity = applicant.identities.first()
    return {
        "name": applicant.name,
        "personal_id": identity.number if identity else "",
        "date_of_birth": applicant.date_of_birth,
        "address": applicant.address,
        "phone": applicant.phone,
        "email": applicant.email,
    }


def _step_applicant(request, dossier):
    data = request.POST if request.method == "POST" else None
    has_rep = bool(data.get("has_representative")) if data is not None else dossier.representative_id is not None
    form = PersonForm(data, prefix="applicant", initial=_person_initial(dossier.applicant))
    rep = RepresentativeForm(data if has_rep else None, prefix="rep", initial=_person_initial(dossier.representative))
    if data is not None and form.is_valid() and (not has_rep or rep.is_valid()):
        try:
            drafts.draft_applicant_set(
                user=request.user,
                pk=dossier.pk,
                applicant=form.person(),
                representative=rep.person() if has_rep else None,
            )
        except DossierRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _next(dossier, "applicant"), {}
    return None, {"form": form, "rep_form": rep, "has_representative": has_rep}


def _documents(dossier) -> list[DossierDocument]:
    return list(
        DossierDocument.objects.filter(dossier=dossier)
        .select_related("required_document")
        .prefetch_related("files")
        .order_by("required_document__order", "pk")
    )


def _step_documents(request, dossier):
    documents = _documents(dossier)
    if request.method == "POST":
        missing = drafts.missing_documents(dossier)
        if not missing:
            return _next(dossier, "documents"), {}
        messages.error(
            request,
            _("Vui lòng tải lên giấy tờ bắt buộc: {names}.").format(names="; ".join(d.name for d in missing)),
        )
    context = {
        "documents": documents,
        "store": list(drafts.reusable_files(request.user, dossier)[:50]),
        "allowed": ALLOWED_LABEL,
        "max_mb": mb_text(settings.DOSSIER_MAX_FILE_BYTES),
        "total_mb": mb_text(settings.DOSSIER_MAX_TOTAL_BYTES),
    }
    return None, context


def _fee_lines(dossier):
    lines = list(dossier.fee_lines.all())
    return lines, sum(line.amount for line in lines)


def _step_fee(request, dossier):
    if request.method == "POST":
        return _next(dossier, "fee"), {}
    lines, total = _fee_lines(dossier)
    return None, {"fee_lines": lines, "fee_total": total, "fee_description": dossier.procedure_version.fee_description}


def _step_delivery(request, dossier):
    form = DeliveryForm(
        request.POST or None,
        initial={"method": dossier.return_method, "delivery_address": dossier.delivery_address},
    )
    if request.method == "POST" and form.is_valid():
        try:
            drafts.draft_return_set(
                user=request.user,
                pk=dossier.pk,
                method=form.cleaned_data["method"],
                address=form.cleaned_data["delivery_address"],
            )
        except DossierRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _next(dossier, "delivery"), {}
    return None, {"form": form, "post_method": ReturnMethod.POST}


def _step_review(request, dossier):
    if request.method == "POST":  # the submit button posts to its own URL
        raise Http404
    lines, total = _fee_lines(dossier)
    return None, {
        "documents": _documents(dossier),
        "missing": drafts.missing_documents(dossier),
        "fee_lines": lines,
        "fee_total": total,
        "identity": dossier.applicant.identities.first(),
        "rep_identity": dossier.representative.identities.first() if dossier.representative_id else None,
        "slugs": STEP_SLUGS,
    }


_STEP_HANDLERS = {
    "case": _step_case,
    "applicant": _step_applicant,
    "documents": _step_documents,
    "fee": _step_fee,
    "delivery": _step_delivery,
    "review": _step_review,
}


def _documents_url(dossier) -> str:
    return _step_url(dossier, "documents")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@citizen_only()
@require_POST
def upload(request, pk: int):
    """One file into one document slot; a wrong type or size is refused with its Vietnamese message, nothing kept."""
    dossier = _draft_or_404(request.user, pk)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        messages.error(request, _("Vui lòng chọn tệp để tải lên."))
        return redirect(_documents_url(dossier))
    try:
        record = drafts.draft_file_add(
            user=request.user, pk=dossier.pk, document_id=_int(request.POST.get("document")), upload=upload_file
        )
    except DossierNotFound:
        raise Http404 from None
    except FileRejected as rejection:
        messages.error(request, " ".join(rejection.messages))
    except DossierRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Đã tải lên tệp “{name}”.").format(name=record.original_name))
    return redirect(_documents_url(dossier))


@citizen_only()
@require_POST
def file_remove(request, pk: int):
    dossier = _draft_or_404(request.user, pk)
    try:
        drafts.draft_file_remove(user=request.user, pk=dossier.pk, file_id=_int(request.POST.get("file")))
    except DossierNotFound:
        raise Http404 from None
    except DossierRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Đã xóa tệp."))
    return redirect(_documents_url(dossier))


@citizen_only()
@require_POST
def reuse(request, pk: int):
    """Copy a file from the citizen's store ("kho dữ liệu của tôi") into a slot; the reuse is logged."""
    dossier = _draft_or_404(request.user, pk)
    try:
        record = drafts.draft_file_reuse(
            user=request.user,
            pk=dossier.pk,
            document_id=_int(request.POST.get("document")),
            source_file_id=_int(request.POST.get("source")),
        )
    except DossierNotFound:
        raise Http404 from None
    except FileRejected as rejection:
        messages.error(request, " ".join(rejection.messages))
    except DossierRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request, _("Đã dùng lại tệp “{name}” từ kho dữ liệu của bạn.").format(name=record.original_name)
        )
    return redirect(_documents_url(dossier))


@citizen_only()
@require_POST
def submit(request, pk: int):
    """T1 through the engine, with the revision the review page showed. A second submit (double click, retry)
    finds the dossier submitted and lands on the same done page: one dossier, one code."""
    dossier = _draft_or_404(request.user, pk)
    if dossier.status != Status.DRAFT:
        return redirect("citizen:wizard-done", pk=dossier.pk)
    try:
        drafts.draft_submit(user=request.user, pk=dossier.pk, expected_revision=_int(request.POST.get("revision")))
    except DossierNotFound:
        raise Http404 from None
    except DossierChanged:
        dossier.refresh_from_db(fields=["status"])
        if dossier.status != Status.DRAFT:
            return redirect("citizen:wizard-done", pk=dossier.pk)
        messages.error(request, _("Hồ sơ vừa được sửa ở nơi khác; vui lòng xem lại trước khi nộp."))
        return redirect(_step_url(dossier, "review"))
    except DossierRefused as refusal:
        dossier.refresh_from_db(fields=["status"])
        if dossier.status != Status.DRAFT:
            return redirect("citizen:wizard-done", pk=dossier.pk)
        messages.error(request, refusal.message)
        return redirect(_step_url(dossier, "review"))
    return redirect("citizen:wizard-done", pk=dossier.pk)


@citizen_only()
def done(request, pk: int):
    """After submission: the code, the acceptance window, the pay button when a fee is due, the acknowledgement."""
    dossier = _draft_or_404(request.user, pk)
    if dossier.status == Status.DRAFT:
        return redirect("citizen:wizard-resume", pk=dossier.pk)
    _lines, total = _fee_lines(dossier)
    context = {"dossier": dossier, "version": dossier.procedure_version, "fee_total": total}
    return render(request, "citizen/wizard/done.html", context)
