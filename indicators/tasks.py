"""Thin Celery wrapper around `indicators.services`; safe to run twice (a day is recomputed whole)."""

from celery import shared_task

from indicators.services import counts_refresh


@shared_task(name="indicators.refresh", ignore_result=True)
def refresh() -> int:
    """Celery beat (entry `indicators-refresh`): recompute the indicator counts of the days touched since the
    last refresh; returns the rows written."""
    return counts_refresh()
