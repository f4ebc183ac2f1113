"""Template filters of the indicators page."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def points(value) -> str:
    """Points as Vietnamese write them: at most two decimals, no trailing zeros, a decimal comma (13,33; 6; 2,4)."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01')):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
