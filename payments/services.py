"""Paying a dossier's fees online (docs/domain.md §10.2): start, confirm, reconcile.

The platform's messages only ever touch a `Payment` row, locked; the dossier's payment state changes through the
engine's `pay_online` action (dossiers/workflow.py), once, in the same transaction as the payment row. A replayed or
early notification finds the row final and changes nothing; a failed or cancelled attempt leaves the dossier's fee
pending, so a new attempt can start.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from dossiers.errors import DossierNotFound, DossierRefused
from dossiers.handover import fees_due_total
from dossiers.models import Dossier, PaymentState
from dossiers.services import dossier_transition
from payments.adapters.base import CANCELLED, FAILED, PAID, PENDING, UNKNOWN, Outcome, PaymentAdapter, PlatformError
from payments.models import OPEN, Payment, PaymentStatus

logger = logging.getLogger("payments")


class PaymentRejected(Exception):
    """A platform message that is refused as a whole (bad integrity code, unknown reference, wrong amount)."""


def adapter() -> PaymentAdapter:
    return import_string(settings.PAYMENT_ADAPTER)()


def _reference(dossier: Dossier, now: dt.datetime) -> str:
    """MaThamChieu: "dvc" + the dossier's code + a timestamp (§10.2), unique per attempt."""
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    code = (dossier.code or str(dossier.pk)).replace(".", "").replace("-", "")
    return f"dvc{code}{stamp}{secrets.token_hex(3)}"[:64]


# --- Start ---------------------------------------------------------------------------------------------------


def payment_start(dossier: Dossier, user, *, ip: str = "", now: dt.datetime | None = None) -> Payment:
    """Start paying the dossier's fees online, or return the attempt already open for it (idempotent).

    Only the dossier's owner pays, and only while its fee is pending; the platform is asked for the redirect URL
    after the row is committed, so no lock is held during the network call.
    """
    now = now or timezone.now()
    dossier = Dossier.objects.filter(pk=dossier.pk, owner_id=getattr(user, "pk", None)).first()
    if dossier is None:
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    existing = Payment.objects.filter(dossier=dossier, state__in=OPEN).first()
    if existing is not None and existing.redirect_url:
        return existing
    if dossier.payment_state != PaymentState.PENDING:
        raise DossierRefused(_("Hồ sơ không có phí, lệ phí phải nộp."), code="no_fee_due")
    amount = fees_due_total(dossier)
    if amount <= 0:
        raise DossierRefused(_("Hồ sơ không có phí, lệ phí phải nộp."), code="no_fee_due")
    gateway = adapter()
    if existing is None:
        try:
            with transaction.atomic():
                existing = Payment.objects.create(
                    dossier=dossier,
                    amount=amount,
                    provider=gateway.name,
                    transaction_ref=_reference(dossier, now),
                    started_by=user,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # a concurrent start won: use its attempt
            return Payment.objects.get(dossier=dossier, state__in=OPEN)
    site = settings.SITE_URL
    try:
        url = gateway.init(
            existing,
            return_url=site + reverse("payments:return", args=[existing.transaction_ref]),
            notify_url=site + reverse("payments:notify"),
            ip=ip,
        )
    except PlatformError:
        logger.exception("payments: init failed for %s", existing.transaction_ref)
        Payment.objects.filter(pk=existing.pk, state=PaymentStatus.INIT).update(
            state=PaymentStatus.FAILED, updated_at=now
        )
        raise DossierRefused(
            _("Chưa kết nối được nền tảng thanh toán; vui lòng thử lại sau."), code="platform_unavailable"
        ) from None
    Payment.objects.filter(pk=existing.pk, state=PaymentStatus.INIT).update(
        state=PaymentStatus.PENDING, redirect_url=url, updated_at=now
    )
    existing.refresh_from_db()
    return existing


# --- Confirm and reconcile --------------------------------------------------------------------------------------


def payment_confirm(params: dict, *, now: dt.datetime | None = None) -> Payment:
    """Apply a confirm callback (or the signed parameters of the return redirect): verified, then applied once.

    A bad integrity code, an unknown reference or a wrong amount raises PaymentRejected after a log line; nothing
    changes. A message about a payment that is already final changes nothing (replay, or the redirect after the
    notification).
    """
    outcome = adapter().verify_notification(params)
    if not outcome.valid:
        logger.warning("payments: notification refused, bad integrity code (MaThamChieu=%r)", outcome.transaction_ref)
        raise PaymentRejected("bad signature")
    return _apply(outcome, now=now or timezone.now(), source="notification")


def _apply(outcome: Outcome, *, now: dt.datetime, source: str) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(transaction_ref=outcome.transaction_ref).first()
        if payment is None:
            logger.warning("payments: %s for an unknown reference %r", source, outcome.transaction_ref)
            raise PaymentRejected("unknown reference")
        if outcome.amount is not None and outcome.amount != payment.amount:
            logger.warning(
                "payments: %s for %s with amount %s, expected %s; refused",
                source,
                payment.transaction_ref,
                outcome.amount,
                payment.amount,
            )
            raise PaymentRejected("amount mismatch")
        if not payment.is_open:
            if outcome.outcome == PAID and payment.state != PaymentStatus.PAID:
                logger.error(
                    "payments: %s says %s was paid, but it is %s; review and refund by hand",
                    source,
                    payment.transaction_ref,
                    payment.state,
                )
            return payment  # final already: a replay changes nothing
        if outcome.outcome in (PENDING, UNKNOWN):
            return payment
        payment.last_notification = outcome.raw
        payment.platform_transaction = outcome.platform_transaction or payment.platform_transaction
        payment.updated_at = now
        if outcome.outcome == PAID:
            payment.state = PaymentStatus.PAID
            _settle_dossier(payment, now=now)
        else:
            payment.state = PaymentStatus.CANCELLED if outcome.outcome == CANCELLED else PaymentStatus.FAILED
        payment.save()
        logger.info("payments: %s %s by %s", payment.transaction_ref, payment.state, source)
        return payment


def _settle_dossier(payment: Payment, *, now: dt.datetime) -> None:
    """The dossier's fee becomes paid through the engine; if it no longer can (paid at the counter meanwhile, or
    withdrawn), the money was still taken: the payment stays paid and the log asks for a refund."""
    try:
        dossier_transition(
            dossier=payment.dossier_id,
            action="pay_online",
            actor=None,
            now=now,
            amount=payment.amount,
            provider=payment.provider,
            transaction_ref=payment.transaction_ref,
            platform_transaction=payment.platform_transaction,
        )
    except DossierRefused as refusal:
        logger.error(
            "payments: %s paid but the dossier refused it (%s); review and refund by hand",
            payment.transaction_ref,
            refusal.code,
        )


def payment_reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Ask the platform about pending payments older than PAYMENT_RECONCILE_AFTER_MINUTES and settle them.

    Paid, failed and cancelled answers are applied like a notification; one still pending or unknown to the
    platform after PAYMENT_EXPIRE_MINUTES is cancelled (abandoned), so the dossier is payable again.
    """
    now = now or timezone.now()
    older = now - dt.timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)
    expire = now - dt.timedelta(minutes=settings.PAYMENT_EXPIRE_MINUTES)
    counts = {"checked": 0, "settled": 0, "expired": 0, "errors": 0}
    gateway = adapter()
    refs = Payment.objects.filter(state__in=OPEN, created_at__lte=older).order_by("created_at")
    for ref, created_at in refs.values_list("transaction_ref", "created_at"):
        counts["checked"] += 1
        try:
            outcome = gateway.query(ref)
        except PlatformError:
            logger.warning("payments: query for %s failed", ref)
            counts["errors"] += 1
            continue
        if not outcome.valid:
            counts["errors"] += 1
            continue
        if outcome.outcome in (PAID, FAILED, CANCELLED):
            try:
                payment = _apply(outcome, now=now, source="reconciliation")
            except PaymentRejected:
                counts["errors"] += 1
                continue
            counts["settled"] += payment.state == outcome.outcome
        elif created_at <= expire:
            counts["expired"] += _expire(ref, now=now)
    return counts


def _expire(ref: str, *, now: dt.datetime) -> int:
    return Payment.objects.filter(transaction_ref=ref, state__in=OPEN).update(
        state=PaymentStatus.CANCELLED, updated_at=now
    )
