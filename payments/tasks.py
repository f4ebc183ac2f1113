"""Reconciliation of online payments whose notification never came (docs/domain.md §10.2)."""

from celery import shared_task


@shared_task(name="payments.reconcile")
def reconcile() -> dict:
    from payments.services import payment_reconcile

    return payment_reconcile()
