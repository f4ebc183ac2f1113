"""Writes of the staff's screens that span more than one engine call, each in one transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import CitizenProfile
from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.files import dossier_file_add
from dossiers.models import Dossier, FeeMode, IdDocumentType, PaymentState
from dossiers.workflow import Status
from procedures.display import vnd
from procedures.models import ProcedureVersion


class _AlreadyReceived(Exception):
    """A concurrent submit with the same client key won: undo this request's applicant, return the first dossier."""

    def __init__(self, dossier: Dossier):
        self.dossier = dossier


# The engine's creation for each outcome at the counter (docs/domain.md §4.1 T2, T4, T5).
CREATE = {
    "receive": services.dossier_receive_counter,
    "supplement": services.dossier_request_supplement_counter,
    "refuse": services.dossier_refuse_counter,
}


def intake_receive(
    *,
    actor,
    procedure_version: ProcedureVersion,
    applicant: services.ApplicantData,
    representative: services.ApplicantData | None,
    documents: list[dict],
    scans: Iterable[tuple[int, object]],
    client_key: str,
    outcome: str = "receive",
    payment: dict | None = None,
    **decision,
) -> Dossier:
    """Walk-in intake: the applicant (linked to the citizen account of their personal ID), the representative, the
    dossier as the desk decided it — received (T2), sent back for a supplement (T4) or refused (T5) — the scans of
    each document and, for a received dossier whose fee is collected before ("thu trước"), the payment (`amount`,
    `payment_method`, `receipt_number`: the engine's `collect_fee`, T16a), all or nothing. `decision` is the rest
    of the engine function's input.

    A resent form (same client key) returns the dossier it created and keeps nothing new. A refusal of the engine
    (`DossierRefused`, a wrong amount included) or of a scan (`FileRejected`) rolls everything back, the stored scans
    included.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            applicant.user = _citizen_account(applicant)
            owner = services.applicant_create(data=applicant)
            rep = services.applicant_create(data=representative) if representative is not None else None
            dossier = CREATE[outcome](
                actor=actor,
                procedure_version=procedure_version,
                applicant=owner,
                documents=documents,
                representative=rep,
                client_key=client_key,
                **decision,
            )
            if dossier.applicant_id != owner.pk:
                raise _AlreadyReceived(dossier)
            rows = {row.required_document_id: row for row in dossier.documents.all()}
            for required_id, upload in scans:
                record = dossier_file_add(dossier=dossier, upload=upload, actor=actor, document=rows[required_id])
                stored.append(record.file.name)
            if _fee_before(dossier):
                dossier = _collect_fee(dossier, actor=actor, payment=payment)
    except _AlreadyReceived as replay:
        return replay.dossier
    except BaseException:
        # dossier_file_add cannot see an outer rollback: delete the scans it wrote.
        for name in stored:
            default_storage.delete(name)
        raise
    return dossier


def _citizen_account(applicant: services.ApplicantData):
    """The citizen account with this personal ID, so the dossier shows in their account too."""
    numbers = [number for doc_type, number in applicant.identities if doc_type == IdDocumentType.PERSONAL_ID]
    if not numbers:
        return None
    profile = CitizenProfile.objects.filter(personal_id=numbers[0]).select_related("user").first()
    return profile.user if profile is not None else None


def _fee_before(dossier: Dossier) -> bool:
    """A received dossier whose fee, still due, is collected before ("thu trước"): paid at the counter, now."""
    return (
        dossier.status == Status.RECEIVED
        and dossier.fee_mode == FeeMode.BEFORE
        and dossier.payment_state == PaymentState.PENDING
    )


def _collect_fee(dossier: Dossier, *, actor, payment: dict | None) -> Dossier:
    """T16a in the receipt's transaction: the engine checks the amount against the dossier's fee lines."""
    if not payment:
        raise DossierRefused(
            _("Thu phí, lệ phí trước: cần nhập số tiền đã thu, hình thức thanh toán và số biên lai."),
            code="required",
            field="amount",
        )
    amount = payment.get("amount")
    note = _("Thu phí, lệ phí khi tiếp nhận hồ sơ: {amount}, biên lai số {receipt}.").format(
        amount=vnd(amount) if isinstance(amount, int) else amount, receipt=payment.get("receipt_number", "")
    )
    # No expected revision: the dossier was created in this transaction, nobody else can see it yet.
    return services.dossier_transition(dossier=dossier, action="collect_fee", actor=actor, note=note, **payment)
