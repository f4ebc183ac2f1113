"""Formatting of the dashboard's figures: counts with grouping, rates with a dash when there is nothing to divide,
the trend's arrows, and links that keep the period and filters (docs/dashboard.md)."""

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def num(value) -> str:
    """A count with the thousands separator of the language (1.234 in Vietnamese)."""
    return number_format(value or 0, 0, force_grouping=True)


@register.filter
def rate(value) -> str:
    """A percentage with one decimal, or a dash when nothing was there to divide (never 0 %)."""
    if value is None:
        return "–"
    return f"{number_format(value, 1)} %"


@register.inclusion_tag("stats/_change.html")
def change(value, *, points: bool = False, up_is_good: bool = True):
    """The change against the previous period: an arrow, the amount (percentage points for a rate) and whether it
    is good news (an arrow alone says nothing to a screen reader: the text says it too)."""
    if value is None:
        return {"shown": False}
    direction = "up" if value > 0 else "down" if value < 0 else "flat"
    good = direction == "flat" or (direction == "up") == up_is_good
    amount = number_format(abs(value), 1 if points else 0, force_grouping=True)
    unit = _("điểm %") if points else ""
    words = {"up": _("tăng"), "down": _("giảm"), "flat": _("không đổi")}[direction]
    return {
        "shown": True,
        "direction": direction,
        "arrow": {"up": "▲", "down": "▼", "flat": "■"}[direction],
        "tone": "flat" if direction == "flat" else ("good" if good else "bad"),
        "amount": amount,
        "unit": unit,
        "words": words,
    }


@register.simple_tag
def drill_url(q, measure: str, link=None) -> str:
    """The list of dossiers behind a figure: the page's period and filters, the row's narrowing, the measure."""
    return f"{reverse('dashboard:drill')}?{q.query(measure=measure, **(link or {}))}"


@register.simple_tag
def dash_url(q, name: str = "dashboard:home", **changes) -> str:
    """A dashboard page with the same period and filters, `changes` applied (an empty value removes one)."""
    changes = {key: (value if value not in ("", None) else None) for key, value in changes.items()}
    return f"{reverse(name)}?{q.query(**changes)}"


@register.inclusion_tag("stats/_split.html")
def split(early, late, resolved):
    """The early / on time / late bar of a row (rates in %; nothing drawn when nothing was resolved)."""
    early, late = early or 0, late or 0
    return {
        "early": f"{early:.2f}",
        "late": f"{late:.2f}",
        "late_start": f"{100 - late:.2f}",
        "resolved": resolved,
        "early_rate": early,
        "late_rate": late,
    }


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")
