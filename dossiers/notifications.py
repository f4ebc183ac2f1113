"""The citizen's e-mail about a change of their dossier, performed by the outbox (topic `dossier.notify`).

The message is written in the transaction of the change (`services._notify_on_commit`); the e-mail carries the
outbox's idempotency key in `X-Idempotency-Key`, so a receiving system can drop the copy an at-least-once
delivery may send.
"""

from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from dossiers.models import DossierEvent
from dossiers.workflow import Status
from outbox.services import register_handler

TOPIC = "dossier.notify"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"


def notify_key(event: DossierEvent) -> str:
    """One message per event: writing it twice keeps one."""
    return f"{TOPIC}:{event.pk}"


def dossier_notify(payload: dict, *, key: str) -> bool:
    """Mail the applicant about an event visible to them; returns whether a message left.

    The subject names the status the event led to, not the dossier's status at delivery time, so a late delivery
    still tells what happened then.
    """
    event = (
        DossierEvent.objects.select_related("dossier__applicant", "dossier__procedure_version")
        .filter(pk=payload["event_id"], dossier_id=payload["dossier_id"])
        .first()
    )
    if event is None or not event.visible_to_citizen or not event.dossier.applicant.email:
        return False
    dossier = event.dossier
    status = Status(event.to_status).label
    with translation.override("vi"):
        subject = _("Hồ sơ {code}: {status}").format(code=dossier.code or "", status=status)
        body = _("Kính gửi {name},\n\nHồ sơ {code} ({procedure}) đã chuyển sang trạng thái: {status}.\n{note}").format(
            name=dossier.applicant.name,
            code=dossier.code or "",
            procedure=dossier.procedure_version.name,
            status=status,
            note=event.public_note,
        )
    EmailMessage(subject, body, to=[dossier.applicant.email], headers={IDEMPOTENCY_HEADER: key}).send()
    return True


register_handler(TOPIC, dossier_notify)
