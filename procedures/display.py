"""How catalogue values read to a citizen: time limits in words, VND amounts, a fee summary.

Wording follows announcing decisions ("05 ngày làm việc", "Trong ngày; sau 15:00 trả trong ngày làm việc tiếp
theo"); amounts are whole đồng with "." between thousands in every language, as on receipts and fee tables.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from procedures.models import ProcedureFee, ProcedureVersion, TimeUnit


def vnd(amount: int | None) -> str:
    """200000 → "200.000 đồng"."""
    digits = f"{int(amount or 0):,}".replace(",", ".")
    return _("{amount} đồng").format(amount=digits)


def _quantity(value: Decimal | int | float, *, pad: bool) -> str:
    value = Decimal(str(value)).normalize()
    if value == value.to_integral_value():
        # Announcing decisions write day counts on two digits ("05 ngày làm việc").
        return f"{int(value):02d}" if pad else str(int(value))
    return number_format(value)


def _amount_of_time(unit: str, value) -> str:
    if unit == TimeUnit.WORKING_DAYS:
        return _("{n} ngày làm việc").format(n=_quantity(value, pad=True))
    if unit == TimeUnit.WORKING_HOURS:
        return _("{n} giờ làm việc").format(n=_quantity(value, pad=False))
    if unit == TimeUnit.CALENDAR_DAYS:
        return _("{n} ngày").format(n=_quantity(value, pad=True))
    return ""


def time_limit_text(version: ProcedureVersion) -> str:
    """The statutory time limit in words, with the cut-off rule when there is one (docs/domain.md §5.3-5.5)."""
    unit, cutoff = version.time_unit, version.cutoff_time
    cutoff_text = cutoff.strftime("%H:%M") if cutoff else ""
    if unit == TimeUnit.SAME_DAY:
        if cutoff:
            return _("Trong ngày; sau {cutoff} trả trong ngày làm việc tiếp theo").format(cutoff=cutoff_text)
        return _("Trong ngày")
    if unit == TimeUnit.NONE:
        return _("Không quy định thời hạn")
    if unit == TimeUnit.MIXED:
        text = " + ".join(_amount_of_time(part["unit"], part["value"]) for part in version.time_parts or [])
    elif version.time_value is None:
        return ""
    else:
        text = _amount_of_time(unit, version.time_value)
    if cutoff:
        text = _("{time}; hồ sơ nhận sau {cutoff} được tính từ ngày làm việc tiếp theo").format(
            time=text, cutoff=cutoff_text
        )
    return text


def fee_summary(fees: Iterable[ProcedureFee], description: str = "") -> str:
    """One line for a result list: the amount, or its range, or that nothing is charged."""
    amounts = sorted({fee.amount for fee in fees})
    if not amounts:
        return _("Xem chi tiết") if description else _("Không thu phí, lệ phí")
    if amounts == [0]:
        return _("Miễn phí, lệ phí")
    if len(amounts) == 1:
        return vnd(amounts[0])
    # A free line next to charged ones (exempt on time, charged when late) keeps 0 as the low end.
    low = f"{amounts[0]:,}".replace(",", ".")
    return f"{low} – {vnd(amounts[-1])}"
