from django import template

from procedures import display

register = template.Library()


@register.filter
def vnd(amount) -> str:
    return display.vnd(amount)


@register.filter
def time_limit(version) -> str:
    return display.time_limit_text(version)


@register.filter
def fee_summary(version) -> str:
    """Uses the version's prefetched fees."""
    return display.fee_summary(version.fees.all(), version.fee_description)
