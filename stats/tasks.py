"""Thin Celery wrapper around `stats.services`; safe to run twice (a day is recomputed whole)."""

from celery import shared_task

from stats.services import figures_refresh


@shared_task(name="stats.refresh", ignore_result=True)
def refresh() -> int:
    """Celery beat, every STATS_REFRESH_SECONDS: bring the daily figures up to date; returns the days recomputed."""
    return figures_refresh()
