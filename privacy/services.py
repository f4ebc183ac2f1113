"""A citizen's requests about their personal data (Law 91/2025; Decree 356/2025; docs/privacy.md).

`personal_data_export` answers "Tải dữ liệu của tôi" at once with a JSON file of every dossier the citizen owns
and every personal field the portal keeps about them; `erasure_request` refuses erasure of dossiers under
retention with the legal basis. Both write one `DataSubjectRequest` with the date received and the 2-working-day
acknowledgement deadline of the calendar in force.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from citizen.selectors import event_unit
from dossiers.models import Dossier, DossierEvent, DossierFile
from dossiers.workflow import Status
from privacy.models import DataSubjectRequest
from workcalendar.calendar import LOCAL_TZ
from workcalendar.selectors import current_calendar


def retention_basis() -> str:
    """Why a submitted dossier is kept whatever the citizen asks: `settings.PRIVACY_RETENTION_BASIS`
    (docs/privacy.md "Retention"), in the active language."""
    return str(settings.PRIVACY_RETENTION_BASIS)


FORMAT_VERSION = 1

APPLICANT_FIELDS = ("kind", "name", "tax_code", "phone", "email", "address", "date_of_birth", "created_at")
PROFILE_FIELDS = (
    "full_name",
    "personal_id",
    "phone",
    "email",
    "address",
    "date_of_birth",
    "gender",
    "organisation_name",
    "tax_code",
    "notify_email",
    "notify_sms",
)
DOSSIER_FIELDS = (
    "code",
    "status",
    "channel",
    "summary",
    "sets_count",
    "submitted_at",
    "received_at",
    "original_due_at",
    "current_due_at",
    "rescheduled_due_at",
    "completed_at",
    "returned_at",
    "refused_at",
    "fee_mode",
    "payment_state",
    "return_method",
    "delivery_address",
    "result_number",
    "result_date",
    "result_type",
    "created_at",
)
FILE_FIELDS = ("kind", "original_name", "content_type", "size", "sha256", "uploaded_at")
PAYMENT_FIELDS = ("amount", "state", "provider", "transaction_ref", "platform_transaction", "created_at", "updated_at")
RATING_FIELDS = (
    "submitted_at",
    *(f"index_{n}" for n in range(1, 10)),
    "ease",
    "overall",
    "comment",
)
FEEDBACK_FIELDS = ("reference", "subject", "title", "content", "received_at", "answer_due_at", "answer", "answered_at")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value)
    return value


def _fields(obj: Model | None, names: tuple[str, ...]) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {name: _plain(getattr(obj, name)) for name in names}


def _applicant(applicant) -> dict[str, Any] | None:
    row = _fields(applicant, APPLICANT_FIELDS)
    if row is not None:
        row["identities"] = [
            {"doc_type": identity.doc_type, "number": identity.number} for identity in applicant.identities.all()
        ]
    return row


def _dossier(dossier: Dossier) -> dict[str, Any]:
    row = _fields(dossier, DOSSIER_FIELDS)
    row["procedure"] = dossier.procedure_version.name
    row["receiving_agency"] = dossier.receiving_agency.name if dossier.receiving_agency_id else None
    row["applicant"] = _applicant(dossier.applicant)
    row["representative"] = _applicant(dossier.representative)
    row["documents"] = [
        {"name": document.name, "form": document.form, "count": document.count} for document in dossier.documents.all()
    ]
    row["files"] = [_fields(record, FILE_FIELDS) for record in dossier.files.all()]
    row["events"] = [
        {
            "at": _plain(event.at),
            "action": event.action,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "note": event.note,
            "unit": str(event_unit(event)),
        }
        for event in dossier.events.all()
    ]
    row["fees"] = [{"name": line.name, "amount": line.amount} for line in dossier.fee_lines.all()]
    row["payments"] = [_fields(payment, PAYMENT_FIELDS) for payment in dossier.payments.all()]
    row["rating"] = _fields(getattr(dossier, "rating", None), RATING_FIELDS)
    return row


def _owned_dossiers(user):
    events = (
        DossierEvent.objects.filter(visible_to_citizen=True)
        .select_related("actor__staff_profile__agency")
        .order_by("at", "id")
    )
    return (
        Dossier.objects.filter(owner=user)
        .select_related("procedure_version", "receiving_agency", "applicant", "representative", "rating")
        .prefetch_related(
            "applicant__identities",
            "representative__identities",
            "documents",
            Prefetch("files", queryset=DossierFile.objects.order_by("uploaded_at", "pk")),
            Prefetch("events", queryset=events),
            "fee_lines",
            "payments",
        )
        .order_by("pk")
    )


def personal_data_collect(*, user) -> dict[str, Any]:
    """Everything the portal keeps about `user` as a citizen: account, profile, dossiers (with applicant,
    representative, identity numbers, addresses, contact, documents, file metadata, the events shown to them, fees,
    payments, rating) and their feedback. No staff names or internal ids: units stand for the staff (§11)."""
    profile = getattr(user, "citizen_profile", None)
    return {
        "format": "mot-cua-dien-tu/personal-data",
        "version": FORMAT_VERSION,
        "account": {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "date_joined": _plain(user.date_joined),
            "last_login": _plain(user.last_login),
            "identity_assurance_level": user.loa,
        },
        "profile": _fields(profile, PROFILE_FIELDS),
        "dossiers": [_dossier(dossier) for dossier in _owned_dossiers(user)],
        "feedback": [_fields(item, FEEDBACK_FIELDS) for item in user.feedback.order_by("pk")],
        "requests": [
            {
                "kind": row.kind,
                "received_at": _plain(row.received_at),
                "acknowledge_by": _plain(row.acknowledge_by),
                "outcome": row.outcome,
            }
            for row in DataSubjectRequest.objects.filter(user=user).order_by("received_at", "pk")
        ],
    }


def acknowledge_by(moment: dt.datetime) -> dt.date:
    """The acknowledgement deadline of a request received at `moment`: `PRIVACY_ACKNOWLEDGE_WORKING_DAYS` (2,
    Decree 356/2025, docs/domain.md §11) working days after its local date, on the calendar in force."""
    calendar, _version = current_calendar()
    return calendar.add_working_days(moment.astimezone(LOCAL_TZ).date(), settings.PRIVACY_ACKNOWLEDGE_WORKING_DAYS)


def personal_data_export(*, user, now: dt.datetime | None = None) -> tuple[bytes, DataSubjectRequest]:
    """The JSON file of `personal_data_collect` and the request row recording it, answered the moment it was made
    (the file is the answer), with its SHA-256 and the dossier codes it covered."""
    now = now or timezone.now()
    data = personal_data_collect(user=user)
    data["exported_at"] = _plain(now)
    content = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    with transaction.atomic():
        request = DataSubjectRequest.objects.create(
            user=user,
            kind=DataSubjectRequest.Kind.EXPORT,
            received_at=now,
            acknowledge_by=acknowledge_by(now),
            acknowledged_at=now,
            outcome=DataSubjectRequest.Outcome.ANSWERED,
            answer=_("Tệp dữ liệu cá nhân đã được cung cấp ngay khi yêu cầu."),
            details={
                "sha256": hashlib.sha256(content).hexdigest(),
                "dossiers": [row["code"] for row in data["dossiers"] if row["code"]],
            },
        )
    return content, request


def erasure_request(*, user, reason: str = "", now: dt.datetime | None = None) -> DataSubjectRequest:
    """Record an erasure request and answer it at once.

    Dossiers that left the draft state are records under retention: the request is refused for them with
    `retention_basis()` (and the database refuses their DELETE, dossiers/migrations/0020). With none, the request is
    received for the data-protection officer to handle within the legal time (docs/privacy.md).
    """
    now = now or timezone.now()
    retained = list(
        Dossier.objects.filter(owner=user)
        .exclude(status=Status.DRAFT)
        .exclude(code=None)
        .order_by("pk")
        .values_list("code", flat=True)
    )
    if retained:
        outcome = DataSubjectRequest.Outcome.REFUSED
        answer = _("Không xóa được {count} hồ sơ đang trong thời hạn lưu trữ: {codes}.").format(
            count=len(retained), codes=", ".join(retained)
        )
        with override("vi"):  # the record keeps the basis as the law states it
            basis = retention_basis()
    else:
        outcome = DataSubjectRequest.Outcome.RECEIVED
        answer = _(
            "Yêu cầu đã được tiếp nhận; người phụ trách bảo vệ dữ liệu cá nhân sẽ trả lời trong thời hạn luật định."
        )
        basis = ""
    return DataSubjectRequest.objects.create(
        user=user,
        kind=DataSubjectRequest.Kind.ERASURE,
        received_at=now,
        acknowledge_by=acknowledge_by(now),
        acknowledged_at=now,
        outcome=outcome,
        reason=reason[:2000],
        answer=answer,
        legal_basis=basis,
        details={"retained": retained},
    )
