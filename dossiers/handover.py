"""Returning the result (T16, docs/domain.md §4.1) and what must come before it: the fee collected at the counter
("thu sau", T16a) and the result handed to the postal operator (T16b).

These are engine handlers, registered in `dossiers.services._HANDLERS` and run by `dossier_transition` on the
locked dossier: they never set the status (the table does) and return the event's data. The three ways of
returning a result ask for different facts, so T16 declares them all as optional and the handler checks, per
method, what is required and what does not apply (`HANDOVER_FIELDS`), naming the field in each refusal.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers import workflow
from dossiers.errors import DossierRefused
from dossiers.masking import mask_id_number
from dossiers.models import (
    DocumentForm,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
    FeeLine,
    PaymentState,
    ResultHandover,
)
from dossiers.workflow import ReturnMethod
from procedures.display import vnd

# Per method: the T16 fields that apply (besides `method` and `note`), and those of them that are required.
HANDOVER_FIELDS: dict[str, frozenset[str]] = {
    ReturnMethod.COUNTER: frozenset(
        {"receiver_kind", "receiver", "receiver_id_number", "id_checked", "originals_returned"}
    ),
    ReturnMethod.POST: frozenset({"delivered_on", "receiver", "receiver_kind", "tracking_number"}),
    ReturnMethod.ONLINE: frozenset({"receiver", "file"}),
}
HANDOVER_REQUIRED: dict[str, tuple[str, ...]] = {
    ReturnMethod.COUNTER: ("receiver_kind", "receiver", "receiver_id_number"),
    ReturnMethod.POST: ("delivered_on",),
    ReturnMethod.ONLINE: (),
}


def _label(action: str, name: str) -> str:
    return str(workflow.TRANSITIONS[action].field(name).label)


def fees_due_total(dossier: Dossier) -> int:
    """The sum of the dossier's fee lines, in đồng."""
    return FeeLine.objects.filter(dossier_id=dossier.pk).aggregate(total=Sum("amount"))["total"] or 0


def _originals(d: Dossier, ids: list[int] | None, *, action: str) -> list[dict]:
    """The dossier's own originals among `ids`, as they are named now; anything else is refused."""
    if not ids:
        return []
    rows = list(DossierDocument.objects.filter(dossier_id=d.pk, pk__in=ids, form=DocumentForm.ORIGINAL).order_by("pk"))
    if len(rows) != len(ids):
        raise DossierRefused(
            _("“{label}”: chỉ chọn bản chính đã nộp trong hồ sơ này.").format(
                label=_label(action, "originals_returned")
            ),
            code="invalid",
            field="originals_returned",
        )
    return [{"id": row.pk, "name": row.name, "count": row.count} for row in rows]


# --- T16a: the fee collected at the counter ---------------------------------------------------------------------


def collect_fee(d: Dossier, *, amount: int, payment_method: str, receipt_number: str, **_kw):
    """T16a: the whole amount due is paid at the counter; the payment state becomes paid (guard: a fee is due)."""
    total = fees_due_total(d)
    if amount != total:
        raise DossierRefused(
            _("Số tiền thu phải bằng tổng phí, lệ phí phải nộp: {total}.").format(total=vnd(total)),
            code="amount_mismatch",
            field="amount",
        )
    d.payment_state = PaymentState.PAID
    return {
        "amount": amount,
        "payment_method": payment_method,
        "receipt_number": receipt_number,
        "fee_mode": d.fee_mode,
    }


def pay_online(d: Dossier, *, amount: int, provider: str, transaction_ref: str, platform_transaction: str = "", **_kw):
    """T16a online: the payment platform confirmed the whole amount due (§10.2); the payment state becomes paid.

    The event's data has the shape of `collect_fee`'s, so the dossier page and the handover record show it alike:
    the method is "online" and the receipt number is the platform's transaction reference.
    """
    data = collect_fee(d, amount=amount, payment_method=ONLINE_METHOD, receipt_number=transaction_ref)
    data.update(
        {"provider": provider, "transaction_ref": transaction_ref, "platform_transaction": platform_transaction}
    )
    return data


ONLINE_METHOD = "online"


def fee_method_label(method: str) -> str:
    """How a collected fee was paid, for the dossier page and the handover record."""
    from dossiers.workflow import FeePaymentMethod

    if method == ONLINE_METHOD:
        return _("Thanh toán trực tuyến")
    return str(FeePaymentMethod(method).label) if method in FeePaymentMethod.values else method


FEE_ACTIONS = ("collect_fee", "pay_online")


# --- T16b: handed to the postal operator ------------------------------------------------------------------------


def post_result(d: Dossier, *, postal_operator: str, tracking_number: str, originals_returned=None, **_kw):
    """T16b: the result leaves with the postal operator under a tracking number (sub-state posting)."""
    return {
        "postal_operator": postal_operator,
        "tracking_number": tracking_number,
        "originals_returned": _originals(d, originals_returned, action="post_result"),
    }


# --- T16: returned ---------------------------------------------------------------------------------------------


def return_result(
    d: Dossier, *, actor, role, now: dt.datetime, method: str | None = None, note: str = "", stored=None, **given
):
    """T16: the result reached the applicant — at the counter, by post or by download — and the handover is kept.

    The method defaults to the one registered at receipt. At the counter the desk names the receiver, with the
    kind of person and the ID number it checked (the tick is required); by post the delivery date is reported
    after the result was posted (T16b); online, only the system records it, when the owner downloads the result.
    """
    method = method or d.return_method
    _check_applicable(method, given)
    handover = ResultHandover(
        dossier=d,
        method=method,
        handed_over_at=now,
        handed_over_by=actor if role != workflow.SYSTEM else None,
        receiver=given.get("receiver", ""),
        receiver_kind=given.get("receiver_kind", ""),
        note=note,
    )
    if method == ReturnMethod.COUNTER:
        _at_counter(d, handover, role=role, given=given)
    elif method == ReturnMethod.POST:
        _by_post(d, handover, now=now, given=given)
    else:
        _online(d, handover, role=role, given=given)
    d.returned_at = now
    handover.save()
    data = {
        "method": method,
        "receiver_kind": handover.receiver_kind,
        "receiver": handover.receiver,
        "receiver_id_number": mask_id_number(handover.receiver_id_number),
        "id_checked": handover.id_checked,
        "originals_returned": handover.originals_returned,
        "postal_operator": handover.postal_operator,
        "tracking_number": handover.tracking_number,
        "delivered_on": handover.delivered_on.isoformat() if handover.delivered_on else "",
        "file": handover.file_id,
        "outcome": d.outcome,
    }
    return {key: value for key, value in data.items() if value not in ("", None, [])}


def _check_applicable(method: str, given: dict) -> None:
    allowed = HANDOVER_FIELDS[method]
    method_label = ReturnMethod(method).label
    for name in sorted(given):
        if name not in allowed and given[name] is not False:  # an unticked box says nothing
            raise DossierRefused(
                _("“{label}” không áp dụng khi trả kết quả theo hình thức “{method}”.").format(
                    label=_label("return_result", name), method=method_label
                ),
                code="not_applicable",
                field=name,
            )
    for name in HANDOVER_REQUIRED[method]:
        if name not in given:
            raise DossierRefused(
                _("Cần nhập “{label}”.").format(label=_label("return_result", name)), code="required", field=name
            )


def _at_counter(d: Dossier, handover: ResultHandover, *, role: str, given: dict) -> None:
    if role != workflow.DESK:
        raise DossierRefused(
            _("Chỉ cán bộ Bộ phận Một cửa trả kết quả trực tiếp tại quầy."), code="wrong_method", field="method"
        )
    if not given.get("id_checked"):
        raise DossierRefused(
            _("Cần kiểm tra giấy tờ tùy thân của người nhận trước khi trả kết quả."),
            code="id_not_checked",
            field="id_checked",
        )
    handover.receiver_id_number = given["receiver_id_number"]
    handover.id_checked = True
    handover.originals_returned = _originals(d, given.get("originals_returned"), action="return_result")


def _by_post(d: Dossier, handover: ResultHandover, *, now: dt.datetime, given: dict) -> None:
    """Delivered after it was posted (sub-state posting). The posting event gives the operator, the tracking number
    and the originals enclosed; a dossier put in posting without one (imported data) takes what the input says."""
    if d.substate != workflow.POSTING:
        raise DossierRefused(
            _("Kết quả chưa được gửi qua bưu chính; cần ghi nhận “Gửi kết quả qua bưu chính” trước."),
            code="not_posted",
            field="method",
        )
    posted = DossierEvent.objects.filter(dossier_id=d.pk, action="post_result").order_by("-id").first()
    delivered, today = given["delivered_on"], timezone.localdate(now)
    posted_on = timezone.localdate(posted.at) if posted is not None else None
    if delivered > today or (posted_on is not None and delivered < posted_on):
        message = (
            _("Ngày phát thành công phải từ ngày gửi ({posted}) đến hôm nay.").format(posted=f"{posted_on:%d/%m/%Y}")
            if posted_on is not None
            else _("Ngày phát thành công không được sau ngày hôm nay.")
        )
        raise DossierRefused(message, code="invalid", field="delivered_on")
    data = (posted.data or {}) if posted is not None else {}
    handover.delivered_on = delivered
    handover.posted_at = posted.at if posted is not None else None
    handover.postal_operator = data.get("postal_operator", "")
    handover.tracking_number = given.get("tracking_number") or data.get("tracking_number", "")
    handover.originals_returned = data.get("originals_returned", [])


def _online(d: Dossier, handover: ResultHandover, *, role: str, given: dict) -> None:
    if role != workflow.SYSTEM:
        raise DossierRefused(
            _(
                "Kết quả trực tuyến được ghi nhận đã trả khi chủ hồ sơ tải kết quả về; nếu người nhận đến quầy, "
                "chọn hình thức nhận trực tiếp."
            ),
            code="wrong_method",
            field="method",
        )
    if "file" in given:
        handover.file = DossierFile.objects.filter(
            dossier_id=d.pk, pk=given["file"], kind=DossierFile.Kind.RESULT
        ).first()
        if handover.file is None:
            raise DossierRefused(_("Tệp kết quả không hợp lệ."), code="invalid", field="file")
