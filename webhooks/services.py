"""Webhooks as a consumer of the outbox (docs/webhooks.md).

`webhook_put(dossier, event)` is called beside the applicant's notification and the national sync
(`dossiers.services._notify_on_commit`), in the transaction of the change: when the event changed the dossier's
status it writes one `webhook.deliver` outbox message per active webhook whose integration may see the dossier —
the integration's service account sees what a staff member of its role and agency sees (an administrator's
account everything; a province leader's nothing, docs/domain.md §2, §11). The handler `deliver` signs and POSTs
the body after the commit, through the outbound guard; a failure is retried with the outbox's back-off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.db.models import Q

from accounts.roles import Role
from dossiers.models import Dossier, DossierEvent, DossierStep
from outbox.services import outbox_put, register_handler
from portal.access import DOSSIER_ROLES
from portal.outbound import OutboundRefused, outbound_post
from webhooks.models import STATUS_CHANGED, Webhook

logger = logging.getLogger(__name__)

TOPIC = "webhook.deliver"
# Ordering keys of webhook messages: one line per webhook and dossier, below the sync's negated dossier ids, so a
# receiver that is down holds only its own messages, never the applicant's e-mails, the sync or another receiver.
_LANE_STRIDE = 10**12


class DeliveryFailed(RuntimeError):
    """The receiver did not accept the message (network error or non-2xx answer): the outbox retries it."""


def webhook_lane(webhook_id: int, dossier_id: int) -> int:
    return -(webhook_id * _LANE_STRIDE + dossier_id)


def webhooks_for(dossier: Dossier):
    """The active webhooks whose integration's account may see this dossier (one query)."""
    # The rule of `dossiers_visible_to`, from the dossier's side: its receiving or processing agency, or an agency
    # one of its steps went to.
    held_by = {dossier.receiving_agency_id, dossier.processing_agency_id} - {None}
    stepped = DossierStep.objects.filter(dossier_id=dossier.pk).values("agency_id")
    agencies = Q(integration__account__staff_profile__agency_id__in=held_by) | Q(
        integration__account__staff_profile__agency_id__in=stepped
    )
    staff_in_scope = Q(integration__account__staff_profile__role__in=[r for r in DOSSIER_ROLES if r != Role.ADMIN])
    admin = Q(integration__account__staff_profile__role=Role.ADMIN)
    return Webhook.objects.filter(
        (staff_in_scope & agencies) | admin,
        is_active=True,
        integration__is_active=True,
        integration__account__is_active=True,
    ).order_by("pk")


def webhook_put(dossier: Dossier, event: DossierEvent) -> None:
    """Write one message per interested webhook in the caller's transaction (nothing unless the status changed)."""
    if event.from_status == event.to_status or not dossier.code:
        return
    for webhook in webhooks_for(dossier):
        if STATUS_CHANGED not in (webhook.events or []):
            continue
        outbox_put(
            topic=TOPIC,
            key=f"{TOPIC}:{webhook.pk}:{event.pk}",
            payload={
                "webhook_id": webhook.pk,
                "event_id": event.pk,
                "dossier_code": dossier.code,
                "status": event.to_status,
                "at": event.at.astimezone(dt.UTC).isoformat(),
            },
            dossier_id=webhook_lane(webhook.pk, dossier.pk),
            now=event.at,
        )


def signature(secret: str, body: bytes) -> str:
    """The `X-Signature` header: `sha256=` and the hex HMAC-SHA256 of the exact body with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(data: dict) -> bytes:
    return json.dumps(
        {
            "event": STATUS_CHANGED,
            "event_id": data["event_id"],
            "dossier_code": data["dossier_code"],
            "status": data["status"],
            "at": data["at"],
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def deliver(data: dict, *, key: str) -> None:
    """The outbox handler: POST the signed body. A webhook deleted or switched off since is dropped; a URL the
    guard now refuses is a failure (retried, then shown to the admin) and never contacted."""
    webhook = Webhook.objects.select_related("integration").filter(pk=data["webhook_id"]).first()
    if webhook is None or not webhook.is_active or not webhook.integration.is_active:
        logger.info("webhook %s: gone or inactive, message %s dropped", data["webhook_id"], key)
        return
    body = body_of(data)
    headers = {
        "X-Signature": signature(webhook.secret, body),
        "X-Webhook-Id": str(webhook.pk),
        "Idempotency-Key": key,
        "User-Agent": "mot-cua-portal-webhook/1",
    }
    try:
        status, _answer = outbound_post(webhook.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT)
    except OutboundRefused as error:
        raise DeliveryFailed(f"refused by the outbound guard ({error.code}): {error}") from error
    except OSError as error:
        raise DeliveryFailed(f"network error: {error}") from error
    if not 200 <= status < 300:
        raise DeliveryFailed(f"answered {status}")


register_handler(TOPIC, deliver)
