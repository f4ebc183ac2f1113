"""Named preconditions of transitions (`workflow.Transition.guards`), beyond role, scope and status.

The engine checks them on the locked row before the action's handler runs; the selector of available actions
checks them too, so a button never offers what the engine would refuse. Each returns None when the action may go
ahead, else the refusal (message and stable code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from dossiers.errors import DossierRefused
from dossiers.models import Apology, Dossier, FeeMode, PaymentState, SupplementRequest
from dossiers.workflow import POSTING


def _supplement_not_requested_yet(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """Decree 118/2025 Art. 11: everything missing is requested in one go, once per dossier."""
    if SupplementRequest.objects.filter(dossier_id=d.pk).exists():
        return DossierRefused(
            _(
                "Hồ sơ đã được yêu cầu bổ sung một lần; theo Nghị định 118/2025/NĐ-CP không được yêu cầu bổ sung "
                "lần thứ hai."
            ),
            code="supplement_already_requested",
        )
    return None


def _supplement_deadline_passed(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """T11 only once the applicant's deadline has passed (Decree 297/2025 Art. 6(4)(a))."""
    request = SupplementRequest.objects.filter(dossier_id=d.pk).only("applicant_deadline").first()
    if request is None or request.applicant_deadline > now:
        return DossierRefused(_("Chưa hết hạn bổ sung hồ sơ."), code="supplement_not_expired")
    return None


def _fees_collected(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """Fees collected afterwards ("thu sau") are paid before the result is handed over (docs/domain.md §4.1 T16)."""
    if d.fee_mode == FeeMode.AFTER and d.payment_state == PaymentState.PENDING:
        return DossierRefused(_("Chưa thu phí, lệ phí (thu sau); cần thu trước khi trả kết quả."), code="fees_due")
    return None


def _fees_due(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """A fee is collected only while one is due: never twice, never for a dossier without fees (§3.2)."""
    if d.payment_state != PaymentState.PENDING:
        return DossierRefused(
            _("Hồ sơ không có phí, lệ phí phải thu ({state}).").format(state=d.get_payment_state_display()),
            code="no_fee_due",
        )
    return None


def _not_posted_yet(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """A result is handed to the postal operator once; the delivery report then closes it (T16)."""
    if d.substate == POSTING:
        return DossierRefused(
            _("Kết quả đã được gửi qua bưu chính; chờ xác nhận phát thành công."), code="already_posted"
        )
    return None


def _no_apology_yet(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """One new date at most (§5.10)."""
    if Apology.objects.filter(dossier_id=d.pk).exists():
        return DossierRefused(
            _("Hồ sơ đã có văn bản xin lỗi và hẹn lại; chỉ được hẹn lại ngày trả kết quả một lần."),
            code="apology_already_issued",
        )
    return None


def _has_due_moment(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    if d.current_due_at is None:
        return DossierRefused(
            _("Thủ tục không quy định thời hạn giải quyết; không cần văn bản xin lỗi."), code="no_due_moment"
        )
    return None


def _before_due_moment(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """An apology after the due moment is refused (§5.10); the comparison is of moments, not dates."""
    if d.current_due_at is not None and now > d.current_due_at:
        due = timezone.localtime(d.current_due_at)
        return DossierRefused(
            _("Đã quá thời hạn trả kết quả ({time} ngày {due}); văn bản xin lỗi phải được gửi trước thời hạn.").format(
                time=f"{due:%H:%M}", due=f"{due:%d/%m/%Y}"
            ),
            code="past_due",
        )
    return None


def owner_loa(d: Dossier) -> int:
    """The level of assurance of the account that submits the dossier (0 without an owner)."""
    if d.owner_id is None:
        return 0
    return User.objects.values_list("loa", flat=True).filter(pk=d.owner_id).first() or 0


def _assurance_level_met(d: Dossier, now: dt.datetime) -> DossierRefused | None:
    """A procedure version may require a VNeID account of a given level for online submission (Decree 69/2024/NĐ-CP;
    docs/vneid.md); the owner's account is below it → refused, with the two levels."""
    required = d.procedure_version.min_loa
    if not required:
        return None
    level = owner_loa(d)
    if level >= required:
        return None
    return DossierRefused(
        _(
            "Thủ tục này yêu cầu tài khoản định danh điện tử mức độ {n}; tài khoản của bạn ở mức độ {m}. Vui lòng "
            "đăng nhập bằng VNeID mức độ {n}."
        ).format(n=required, m=level),
        code="assurance_level",
    )


GUARDS: dict[str, Callable[[Dossier, dt.datetime], DossierRefused | None]] = {
    "supplement_not_requested_yet": _supplement_not_requested_yet,
    "supplement_deadline_passed": _supplement_deadline_passed,
    "fees_collected": _fees_collected,
    "fees_due": _fees_due,
    "not_posted_yet": _not_posted_yet,
    "no_apology_yet": _no_apology_yet,
    "has_due_moment": _has_due_moment,
    "before_due_moment": _before_due_moment,
    "assurance_level_met": _assurance_level_met,
}


def first_refusal(names: tuple[str, ...], dossier: Dossier, now: dt.datetime) -> DossierRefused | None:
    for name in names:
        refusal = GUARDS[name](dossier, now)
        if refusal is not None:
            return refusal
    return None
