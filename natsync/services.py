"""The national portal sync, outbound, as a consumer of the outbox (docs/national-sync.md, domain §10.1).

Every event of a syncable dossier writes one `natsync.push` outbox message in the transaction of the change
(`sync_put`, called beside the applicant's notification in `dossiers.services._notify_on_commit`). The message holds
only the kind and the ids: the handler `push` builds the body from the dossier's state at delivery ("resend on
change"), so a message delivered late carries the newest facts. The outbox delivers a dossier's sync messages in
order (in a line of their own, `sync_lane`), retries a failure with back-off, and its key is the message id the
receiver uses to drop a copy.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from dossiers import workflow
from dossiers.models import Dossier, DossierEvent
from natsync import payload
from natsync.adapters.base import CREATE, PROGRESS, UPDATE, Message, Receipt, SyncError
from natsync.models import SyncState
from outbox.services import outbox_put, register_handler

TOPIC = "natsync.push"


def sync_lane(dossier_id: int) -> int:
    """The outbox ordering key of a dossier's sync messages: its id negated, a line of its own.

    The outbox keeps one line per ordering key and a message in back-off holds its line; under the dossier's own
    id, a national portal down for an hour would hold the applicant's e-mails behind the sync, and a dead mail
    server would hold the sync. Negated ids never meet a real one, and the payload keeps the real id.
    """
    return -dossier_id


def push_key(event: DossierEvent) -> str:
    """One message per event: the id the receiver sees, the same on every retry."""
    return f"{TOPIC}:{event.pk}"


def message_kind(event: DossierEvent) -> str:
    """create for the event that brought the dossier into the sync, update for a status change, else progress."""
    if not event.from_status or workflow.SYNC_CODES.get(event.from_status, (None,))[0] is None:
        return CREATE
    return UPDATE if event.from_status != event.to_status else PROGRESS


def sync_put(dossier: Dossier, event: DossierEvent) -> None:
    """Write the event's sync message in the caller's transaction (nothing while the sync is off or for a draft)."""
    if not settings.NATSYNC_ENABLED or payload.status_code(dossier) is None or not dossier.code:
        return
    outbox_put(
        topic=TOPIC,
        key=push_key(event),
        payload={"kind": message_kind(event), "dossier_id": dossier.pk, "event_id": event.pk},
        dossier_id=sync_lane(dossier.pk),
        now=event.at,
    )


def adapter():
    return import_string(settings.NATSYNC_ADAPTER)()


def build_message(data: dict, *, key: str) -> Message:
    """The message as it is sent now: the dossier's current sync fields, or the event's progress row."""
    dossier = payload.dossier_for_sync(data["dossier_id"])
    if data["kind"] == PROGRESS:
        event = DossierEvent.objects.select_related("actor").get(pk=data["event_id"])
        return Message(kind=PROGRESS, id=key, body=payload.progress_body(dossier, event))
    return Message(kind=data["kind"], id=key, body=payload.dossier_body(dossier))


def push(data: dict, *, key: str) -> Receipt:
    """The outbox handler: send, then set the dossier's synced flag. Raising SyncError asks the outbox to retry."""
    message = build_message(data, key=key)
    receipt = adapter().send(message)
    if receipt.error_code != "0":
        raise SyncError(f"not accepted: {receipt.error_code}")
    SyncState.objects.update_or_create(
        dossier_id=data["dossier_id"],
        defaults={
            "last_key": key,
            "last_kind": receipt.kind or message.kind,
            "status_code": message.body.get("TrangThaiHoSo") or message.body.get("TrangThai"),
            "synced_at": timezone.now(),
        },
    )
    return receipt


register_handler(TOPIC, push)
