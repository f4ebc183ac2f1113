"""Thin Celery wrapper around `transparency.services`; safe to run twice (the figures are rebuilt whole)."""

from celery import shared_task

from transparency.services import public_figures_rebuild


@shared_task(name="transparency.refresh", ignore_result=True)
def refresh() -> int:
    """Celery beat, daily in the early morning (local): rebuild the public figures; returns the rows written."""
    return public_figures_rebuild().rows
