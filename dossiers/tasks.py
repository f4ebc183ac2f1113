"""Thin Celery wrappers: load by id, act; safe to run twice."""

from celery import shared_task
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from dossiers.models import DossierEvent


@shared_task(name="dossiers.dossier_changed")
def dossier_changed(dossier_id: int, event_id: int) -> bool:
    """Tell the applicant by e-mail about an event visible to them; returns whether a message left.

    Runs only after the transaction that wrote the event committed (services use `on_commit`).
    """
    event = (
        DossierEvent.objects.select_related("dossier__applicant", "dossier__procedure_version")
        .filter(pk=event_id, dossier_id=dossier_id)
        .first()
    )
    if event is None or not event.visible_to_citizen or not event.dossier.applicant.email:
        return False
    dossier = event.dossier
    with translation.override("vi"):
        subject = _("Hồ sơ {code}: {status}").format(code=dossier.code or "", status=dossier.get_status_display())
        body = _("Kính gửi {name},\n\nHồ sơ {code} ({procedure}) đã chuyển sang trạng thái: {status}.\n{note}").format(
            name=dossier.applicant.name,
            code=dossier.code or "",
            procedure=dossier.procedure_version.name,
            status=dossier.get_status_display(),
            note=event.note,
        )
    send_mail(subject, body, None, [dossier.applicant.email])
    return True


@shared_task(name="dossiers.flag_overdue")
def flag_overdue() -> int:
    """Celery beat, every 5 minutes: flag newly late dossiers (safe to run twice)."""
    from dossiers.services import dossiers_flag_overdue

    return dossiers_flag_overdue()
