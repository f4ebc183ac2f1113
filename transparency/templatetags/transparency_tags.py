"""The procedure page's one line of published figures (docs/transparency.md)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from transparency.selectors import procedure_figure

register = template.Library()


@register.filter
def days(value: Decimal | None) -> str:
    """A number of working days as people write it: 4, 2,5 (one decimal only when there is one)."""
    if value is None:
        return "—"
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral() else value, decimal_pos=None)


@register.filter
def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return number_format(value, decimal_pos=1) + " %"


@register.inclusion_tag("transparency/_procedure_figure.html")
def procedure_figures(procedure_id: int) -> dict:
    """One query: the procedure's row across agencies, or nothing when it is hidden (too few dossiers)."""
    return {"figure": procedure_figure(procedure_id=procedure_id)}
