"""The citizen's draft before submission (T1): every edit of the online wizard, on the server, one transaction each.

A draft is the citizen's own (`Dossier.owner`) and in status "draft"; everything here selects it through its owner
(someone else's draft is `DossierNotFound`, the same 404 as a missing one) and refuses a dossier already submitted.
Each edit moves the draft's `revision`, so the review page's submit, made with the revision it showed, is refused
when the draft changed meanwhile on another device. Submission itself is the engine's `submit` action.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from dossiers import files, services
from dossiers.errors import DossierNotFound, DossierRefused
from dossiers.models import (
    ApplicantIdentity,
    ApplicantKind,
    Digitisation,
    Dossier,
    DossierDocument,
    DossierFile,
    FeeLine,
    FeeMode,
    FileReuse,
    IdDocumentType,
    PaymentState,
    ReturnMethod,
)
from dossiers.workflow import Status
from procedures.models import ProcedureVersion

# The wizard's steps in order; "case" is asked only of a version with two or more cases.
STEPS = ("case", "applicant", "documents", "fee", "delivery", "review")
REUSE_PURPOSE = "Tái sử dụng giấy tờ khi nộp hồ sơ trực tuyến"


@dataclass
class Person:
    """What the citizen types about the applicant or the representative."""

    name: str
    personal_id: str = ""
    date_of_birth: dt.date | None = None
    address: str = ""
    phone: str = ""
    email: str = ""


def steps_of(version: ProcedureVersion) -> tuple[str, ...]:
    """The wizard's steps for this version: the case step only where there is a choice to make."""
    return STEPS if version.cases.count() >= 2 else STEPS[1:]


def drafts_of(user):
    """The user's own drafts (the one scope every function here selects through)."""
    return Dossier.objects.filter(owner=user, status=Status.DRAFT)


def draft_of(user, pk: int) -> Dossier:
    """The user's own dossier by id for reading (any status: the wizard's "done" page); else `DossierNotFound`."""
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "applicant", "representative", "case")
        .filter(owner=user, pk=pk)
        .first()
    )
    if dossier is None:
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def _locked(user, pk: int) -> Dossier:
    """The user's draft, its row locked for this transaction; another's or a missing one is 404, a submitted one
    is refused with the reason."""
    dossier = Dossier.objects.select_for_update(of=("self",)).filter(owner=user, pk=pk).first()
    if dossier is None:
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    if dossier.status != Status.DRAFT:
        raise DossierRefused(_("Hồ sơ đã được nộp; không thể sửa nữa."), code="wrong_status")
    return dossier


def _touch(dossier: Dossier, *fields: str) -> None:
    dossier.revision += 1
    dossier.save(update_fields=["revision", *fields])


def draft_start(
    *, user, procedure_version: ProcedureVersion, agency: Agency, person: Person, client_key: str
) -> Dossier:
    """Create the draft once per client key (a double click or a retry returns the first one), the applicant
    pre-filled from the citizen's profile; the receiving agency must be one of the version's."""
    if not procedure_version.agencies.filter(pk=agency.pk).exists():
        raise DossierRefused(_("Cơ quan tiếp nhận không thực hiện thủ tục này."), code="invalid", field="agency")
    with transaction.atomic():
        applicant = services.applicant_create(data=_applicant_data(person, user=user))
        if person.date_of_birth:
            applicant.date_of_birth = person.date_of_birth
            applicant.save(update_fields=["date_of_birth"])
        dossier = services.dossier_draft_create(
            user=user, procedure_version=procedure_version, applicant=applicant, agency=agency, client_key=client_key
        )
        if dossier.applicant_id != applicant.pk:  # the retry: the first request's draft and applicant stand
            applicant.identities.all().delete()
            applicant.delete()
    if dossier.owner_id != user.pk:
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def _applicant_data(person: Person, *, user=None) -> services.ApplicantData:
    identities = [(IdDocumentType.PERSONAL_ID, person.personal_id)] if person.personal_id else []
    return services.ApplicantData(
        kind=ApplicantKind.INDIVIDUAL,
        name=person.name,
        identities=identities,
        phone=person.phone,
        email=person.email,
        address=person.address,
        user=user,
    )


def draft_step_set(*, user, pk: int, step: str) -> None:
    """Remember the step the citizen reached, so another browser resumes there."""
    if step not in STEPS:
        raise ValueError(step)
    with transaction.atomic():
        dossier = _locked(user, pk)
        if dossier.wizard_step != step:
            dossier.wizard_step = step
            dossier.save(update_fields=["wizard_step"])


def draft_case_set(*, user, pk: int, case_id: int) -> Dossier:
    """Choose the case: the draft's documents become the case's plus those asked in every case. Files attached to
    a document the new case does not ask are removed with it (a draft's files are only the citizen's work). The fee
    lines are replaced by the case's in the same transaction, so the fee step and the payment never show the
    alternatives of another case (khai sinh đúng hạn 0 đ, quá hạn 8.000 đ)."""
    with transaction.atomic():
        dossier = _locked(user, pk)
        case = dossier.procedure_version.cases.filter(pk=case_id).first()
        if case is None:
            raise DossierRefused(_("Vui lòng chọn một trường hợp của thủ tục."), code="required", field="case")
        if dossier.case_id == case.pk:
            return dossier
        wanted = dossier.procedure_version.documents.filter(Q(case__isnull=True) | Q(case=case))
        dropped = DossierDocument.objects.filter(dossier=dossier).exclude(required_document__in=wanted)
        _files_drop(DossierFile.objects.filter(document__in=dropped))
        dropped.delete()
        have = set(DossierDocument.objects.filter(dossier=dossier).values_list("required_document_id", flat=True))
        services._documents_from_version(dossier, None, asked=[r for r in wanted if r.pk not in have])
        _fees_replace(dossier, case)
        dossier.case = case
        _touch(dossier, "case", "fee_mode", "payment_state")
    return dossier


def _fees_replace(dossier: Dossier, case) -> None:
    """The draft's fee lines and payment state become those of `case` (a draft has paid nothing yet)."""
    FeeLine.objects.filter(dossier=dossier).delete()
    dossier.fee_mode, dossier.payment_state = FeeMode.NONE, PaymentState.NOT_REQUIRED
    services._fees_from_version(dossier, services.case_fee_ids(dossier.procedure_version, case))


def _files_drop(queryset) -> None:
    """Delete draft files' rows now and their stored objects once the transaction commits."""
    names = list(queryset.values_list("file", flat=True))
    FileReuse.objects.filter(target_file__in=queryset).delete()
    queryset.delete()
    transaction.on_commit(lambda: [files.stored_file_discard(n) for n in names])


def draft_applicant_set(*, user, pk: int, applicant: Person, representative: Person | None) -> Dossier:
    """The applicant (edited in place: the draft's own row) and an optional representative (replaced)."""
    if not applicant.name.strip():
        raise DossierRefused(_("Vui lòng nhập họ và tên người nộp hồ sơ."), code="required", field="name")
    with transaction.atomic():
        dossier = _locked(user, pk)
        _applicant_update(dossier.applicant, applicant)
        old = dossier.representative
        dossier.representative = None
        if representative is not None:
            dossier.representative = services.applicant_create(data=_applicant_data(representative))
            _applicant_update(dossier.representative, representative)
        _touch(dossier, "representative")
        if old is not None:
            old.identities.all().delete()
            old.delete()
    return dossier


def _applicant_update(row, person: Person) -> None:
    row.name = person.name.strip()
    row.address, row.phone, row.email = person.address, person.phone, person.email
    row.date_of_birth = person.date_of_birth
    row.save(update_fields=["name", "address", "phone", "email", "date_of_birth"])
    row.identities.all().delete()
    if person.personal_id:
        ApplicantIdentity.objects.create(applicant=row, doc_type=IdDocumentType.PERSONAL_ID, number=person.personal_id)


def draft_return_set(*, user, pk: int, method: str, address: str = "") -> Dossier:
    """How the result reaches the citizen; by post needs the delivery address."""
    if method not in ReturnMethod.values:
        raise DossierRefused(_("Vui lòng chọn hình thức nhận kết quả."), code="required", field="method")
    address = address.strip()[:255]
    if method == ReturnMethod.POST and not address:
        raise DossierRefused(
            _("Nhận kết quả qua bưu chính cần địa chỉ nhận."), code="required", field="delivery_address"
        )
    with transaction.atomic():
        dossier = _locked(user, pk)
        dossier.return_method = method
        dossier.delivery_address = address if method == ReturnMethod.POST else ""
        _touch(dossier, "return_method", "delivery_address")
    return dossier


def _document(dossier: Dossier, document_id) -> DossierDocument:
    document = DossierDocument.objects.filter(dossier=dossier, pk=document_id).first()
    if document is None:
        raise DossierNotFound(_("Không tìm thấy thành phần hồ sơ."))
    return document


def draft_file_add(*, user, pk: int, document_id: int, upload) -> DossierFile:
    """Attach an upload to one document of the draft; a wrong type or size raises `files.FileRejected` (Vietnamese
    message) and nothing is stored."""
    with transaction.atomic():
        dossier = _locked(user, pk)
        document = _document(dossier, document_id)
        record = files.dossier_file_add(dossier=dossier, upload=upload, actor=user, document=document)
        try:
            _touch(dossier)
        except BaseException:
            files.stored_file_discard(record.file.name)
            raise
    return record


def draft_file_remove(*, user, pk: int, file_id: int) -> None:
    with transaction.atomic():
        dossier = _locked(user, pk)
        queryset = DossierFile.objects.filter(dossier=dossier, pk=file_id)
        if not queryset.exists():
            raise DossierNotFound(_("Không tìm thấy tệp hồ sơ."))
        _files_drop(queryset)
        _touch(dossier)


def reusable_files(user, draft: Dossier):
    """ "Kho dữ liệu của tôi": the components and results of the citizen's own other dossiers, newest first."""
    return (
        DossierFile.objects.filter(
            dossier__owner=user,
            kind__in=(DossierFile.Kind.COMPONENT, DossierFile.Kind.RESULT),
            scan_status=DossierFile.ScanStatus.CLEAN,  # a file not (yet) found clean is not offered again
        )
        .exclude(dossier=draft)
        .select_related("dossier", "document")
        .order_by("-uploaded_at", "-pk")
    )


def draft_file_reuse(
    *, user, pk: int, document_id: int, source_file_id: int, now: dt.datetime | None = None
) -> DossierFile:
    """Copy a file of the citizen's own earlier dossier into a document of the draft, and log the reuse (source,
    target, actor, purpose). Someone else's file is `DossierNotFound`."""
    with transaction.atomic():
        dossier = _locked(user, pk)
        document = _document(dossier, document_id)
        source = reusable_files(user, dossier).filter(pk=source_file_id).first()
        if source is None:
            raise DossierNotFound(_("Không tìm thấy tệp trong kho dữ liệu của bạn."))
        with source.file.open("rb") as handle:
            content = ContentFile(handle.read(), name=source.original_name)
        record = files.dossier_file_add(dossier=dossier, upload=content, actor=user, document=document)
        try:
            FileReuse.objects.create(
                source_dossier_id=source.dossier_id,
                source_file=source,
                target_dossier=dossier,
                target_file=record,
                actor=user,
                purpose=REUSE_PURPOSE,
                at=now or timezone.now(),
            )
            document.digitisation = (
                Digitisation.REUSED_RESULT if source.kind == DossierFile.Kind.RESULT else Digitisation.REUSED
            )
            document.save(update_fields=["digitisation"])
            _touch(dossier)
        except BaseException:
            files.stored_file_discard(record.file.name)
            raise
    return record


def missing_documents(dossier: Dossier) -> list[DossierDocument]:
    """Mandatory documents of the draft with no file yet: the review lists them and submission waits for them."""
    return list(
        DossierDocument.objects.filter(dossier=dossier, required_document__mandatory=True, files__isnull=True)
        .distinct()
        .order_by("pk")
    )


def draft_submit(*, user, pk: int, expected_revision: int | None, now: dt.datetime | None = None) -> Dossier:
    """Submit the draft through the engine (T1) once it is complete. A second submit (double click, retry, another
    tab) finds the dossier no longer a draft and is refused by the engine: one dossier, one code."""
    dossier = draft_of(user, pk)
    if dossier.status == Status.DRAFT:
        missing = missing_documents(dossier)
        if missing:
            raise DossierRefused(
                _("Còn thiếu giấy tờ bắt buộc: {names}.").format(names="; ".join(d.name for d in missing)),
                code="incomplete",
            )
        if dossier.procedure_version.cases.count() >= 2 and dossier.case_id is None:
            raise DossierRefused(_("Vui lòng chọn trường hợp của thủ tục."), code="incomplete")
    return services.dossier_transition(
        dossier=dossier, action="submit", actor=user, expected_revision=expected_revision, now=now
    )


def client_key_new() -> str:
    return uuid.uuid4().hex
