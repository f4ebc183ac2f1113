"""The citizen's e-mail when the agency answers their feedback, performed by the outbox (topic `feedback.answered`).

Written in the answer's transaction (`services.feedback_answer`); the e-mail carries the outbox's idempotency key,
as the dossier notifications do (dossiers/notifications.py).
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dossiers.notifications import IDEMPOTENCY_HEADER
from feedback.models import Feedback
from feedback.services import ANSWERED_TOPIC
from outbox.services import register_handler


def citizen_email(user) -> str:
    """Where the citizen reads mail: the account's address, else the profile's."""
    profile = getattr(user, "citizen_profile", None)
    return user.email or (profile.email if profile is not None else "")


def feedback_answered_notify(payload: dict, *, key: str) -> bool:
    """Mail the citizen the answer with the reference and a link to read it; returns whether a message left."""
    feedback = (
        Feedback.objects.select_related("user__citizen_profile", "agency").filter(pk=payload["feedback_id"]).first()
    )
    if feedback is None or feedback.answered_at is None:
        return False
    address = citizen_email(feedback.user)
    if not address:
        return False
    link = settings.SITE_URL + reverse("feedback:detail", kwargs={"feedback_id": feedback.pk})
    with translation.override("vi"):
        subject = _("Phản ánh, kiến nghị {reference} đã được trả lời").format(reference=feedback.reference)
        body = _(
            "Kính gửi {name},\n\n{agency} đã trả lời phản ánh, kiến nghị số {reference} ({title}):\n\n{answer}\n\n"
            "Xem chi tiết: {link}"
        ).format(
            name=feedback.user,
            agency=feedback.agency.name,
            reference=feedback.reference,
            title=feedback.title,
            answer=feedback.answer,
            link=link,
        )
    EmailMessage(subject, body, to=[address], headers={IDEMPOTENCY_HEADER: key}).send()
    return True


register_handler(ANSWERED_TOPIC, feedback_answered_notify)
