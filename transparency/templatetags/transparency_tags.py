"""The procedure page's one line of published figures (docs/transparency.md)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from transparency.selectors import procedure_figure

register = template.Library()


@register.filter
def days(value: Decimal | None) -> str:
    """A number of working days as people write it: 4, 2,5 (one decimal only when there is one)."""
    if value is None:
        return "—"
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value, decimal_pos=None)


@register.filter
def workdays(value: Decimal | None, style: str = "") -> str:
    """A processing time in words: "trong ngày" for 0 (a result the day of receipt), else "N ngày"; style "long"
    says "N ngày làm việc", style "sentence" "trong N ngày làm việc" (to follow a verb)."""
    if value is None:
        return "—"
    if value == 0:
        return str(_("trong ngày"))
    if style == "sentence":
        return _("trong {n} ngày làm việc").format(n=days(value))
    if style == "long":
        return _("{n} ngày làm việc").format(n=days(value))
    return _("{n} ngày").format(n=days(value))


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return number_format(value, decimal_pos=1) + " %"


@register.inclusion_tag("transparency/_procedure_figure.html")
def procedure_figures(procedure_id: int) -> dict:
    """One query: the procedure's row across agencies, or nothing when it is hidden (too few dossiers)."""
    return {"figure": procedure_figure(procedure_id=procedure_id)}
