"""What the applicant is told about their dossier, by e-mail and by text message, through the outbox.

Every event visible to the applicant is written to the outbox in the transaction of the change
(`services._notify_on_commit` → `notify_put`): one message for the e-mail (topic `dossier.notify`) and, for the
events of the `MESSAGES` table, one for the SMS (topic `dossier.notify.sms`, key = the e-mail's key + ":sms"). Two
rows, two deliveries: a retry after an SMS gateway failure never sends the e-mail again, and the other way round.
Each channel carries its outbox key as idempotency key (the e-mail's `X-Idempotency-Key` header, the SMS gateway's
`key`), so a receiver can drop the copy an at-least-once delivery may send. Which channels a citizen wants is read
at delivery time from their profile (`accounts.CitizenProfile.notify_email` / `notify_sms`); docs/notifications.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import CitizenProfile
from accounts.sms import send_sms
from dossiers.models import Dossier, DossierEvent, ReturnMethod, SupplementRequest
from dossiers.workflow import TRANSITIONS, Status
from outbox.services import outbox_put, register_handler

TOPIC = "dossier.notify"
SMS_TOPIC = "dossier.notify.sms"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"

# The citizen's page of one dossier (the `citizen:dossier` URL). Kept as a path, not reversed: a message is
# rendered by a worker for someone outside the portal, and this is the one place to change if the page moves.
CITIZEN_DOSSIER_PATH = "/ho-so-cua-toi/{code}/"
SMS_REASON_CHARS = 80


def dossier_link(code: str) -> str:
    """The absolute address of the dossier's page for its owner (a message is read outside the portal)."""
    return settings.SITE_URL + CITIZEN_DOSSIER_PATH.format(code=code)


def notify_key(event: DossierEvent) -> str:
    """One e-mail per event: writing it twice keeps one."""
    return f"{TOPIC}:{event.pk}"


def sms_key(key: str) -> str:
    """The SMS of the same event: the e-mail's key and the channel, so each channel is delivered (and kept) once."""
    return f"{key}:sms"


# --- The messages -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """What the applicant is told of one kind of event: the e-mail's subject after "Hồ sơ <code>: " (None: the
    status the event led to), the e-mail's body between the greeting and the signature, and the text message.

    Placeholders, filled by `_context`: {code} {link} {procedure} {agency} {status} {due} {acceptance_due}
    {deadline} {new_date} {reason} {reason_short} {basis} {items} {collect} {collect_short}.
    """

    title: str | None
    body: str
    sms: str


SUBMITTED = Message(
    _lazy("Đã nộp hồ sơ trực tuyến"),
    _lazy(
        "Hồ sơ {code} ({procedure}) đã được nộp trực tuyến thành công. {agency} sẽ kiểm tra và tiếp nhận hồ sơ "
        "trước {acceptance_due}.\n\nTheo dõi hồ sơ: {link}"
    ),
    _lazy("Hồ sơ {code} đã nộp thành công, sẽ được xem xét tiếp nhận trước {acceptance_due}. Xem: {link}"),
)
RECEIVED = Message(
    None,
    _lazy(
        "Hồ sơ {code} ({procedure}) đã được {agency} tiếp nhận.\nNgày hẹn trả kết quả: {due}.\n\nTheo dõi hồ sơ: {link}"
    ),
    _lazy("Hồ sơ {code} đã được tiếp nhận, hẹn trả kết quả ngày {due}. Xem: {link}"),
)
SUPPLEMENT_ACCEPTED = Message(
    _lazy("Đã nhận hồ sơ bổ sung"),
    _lazy(
        "{agency} đã nhận đủ hồ sơ bổ sung của hồ sơ {code} ({procedure}) và tiếp tục giải quyết.\n"
        "Ngày hẹn trả kết quả: {due}.\n\nTheo dõi hồ sơ: {link}"
    ),
    _lazy("Hồ sơ {code}: đã nhận hồ sơ bổ sung, hẹn trả kết quả ngày {due}. Xem: {link}"),
)
SUPPLEMENT = Message(
    _lazy("Cần bổ sung hồ sơ"),
    _lazy(
        "Hồ sơ {code} ({procedure}) cần được bổ sung, hoàn thiện.\nLý do: {reason}{basis}\n\n"
        "Các nội dung cần bổ sung:\n{items}\n\nHạn nộp bổ sung: {deadline}. Quá hạn này mà chưa bổ sung, hồ sơ sẽ "
        "không được tiếp tục giải quyết.\n\nXem chi tiết và nộp bổ sung: {link}"
    ),
    _lazy("Hồ sơ {code} cần bổ sung giấy tờ, hạn nộp ngày {deadline}. Chi tiết: {link}"),
)
REFUSED = Message(
    None,
    _lazy("Hồ sơ {code} ({procedure}) không được tiếp nhận.\nLý do: {reason}{basis}\n\nXem chi tiết: {link}"),
    _lazy("Hồ sơ {code} không được tiếp nhận. Lý do: {reason_short} Xem: {link}"),
)
SUPPLEMENT_EXPIRED = Message(
    None,
    _lazy(
        "Hồ sơ {code} ({procedure}) chuyển sang trạng thái “{status}” vì đã quá hạn bổ sung ngày {deadline} mà "
        "chưa nhận được hồ sơ bổ sung.\n\nXem chi tiết: {link}"
    ),
    _lazy("Hồ sơ {code}: {status} do quá hạn bổ sung ngày {deadline}. Xem: {link}"),
)
STOPPED = Message(
    None,
    _lazy("Hồ sơ {code} ({procedure}) bị dừng giải quyết.\nLý do: {reason}{basis}\n\nXem chi tiết: {link}"),
    _lazy("Hồ sơ {code} bị dừng giải quyết. Lý do: {reason_short} Xem: {link}"),
)
RESULT_READY = Message(
    _lazy("Đã có kết quả"),
    _lazy("Hồ sơ {code} ({procedure}) đã có kết quả giải quyết.\n{collect}\n\nXem hồ sơ: {link}"),
    _lazy("Hồ sơ {code} đã có kết quả. {collect_short} Xem: {link}"),
)
APOLOGY = Message(
    _lazy("Xin lỗi và hẹn lại ngày trả kết quả"),
    _lazy(
        "{agency} xin lỗi Ông/Bà vì hồ sơ {code} ({procedure}) chưa thể trả kết quả đúng hẹn.\nLý do: {reason}\n"
        "Thời gian hẹn trả kết quả mới: ngày {new_date}.\n\nTheo dõi hồ sơ: {link}"
    ),
    _lazy("Xin lỗi Ông/Bà: hồ sơ {code} chậm trả kết quả, hẹn trả lại ngày {new_date}. Xem: {link}"),
)

# The events the applicant is told of on every channel they chose. A visible event not listed here gets the
# generic e-mail only (`GENERIC`); an internal one (not visible to the applicant) is never written to the outbox.
MESSAGES: dict[str, Message] = {
    "submit": SUBMITTED,  # T1
    "receive_counter": RECEIVED,  # T2
    "receive": RECEIVED,  # T3
    "accept_supplement": SUPPLEMENT_ACCEPTED,  # T10: received at intake, or processing goes on
    "request_supplement_counter": SUPPLEMENT,  # T4 at the counter
    "request_supplement_intake": SUPPLEMENT,  # T4 online
    "request_supplement": SUPPLEMENT,  # T9
    "refuse_counter": REFUSED,  # T5 at the counter
    "refuse": REFUSED,  # T5
    "expire_supplement": SUPPLEMENT_EXPIRED,  # T11
    "stop": STOPPED,  # T13
    "issue_result": RESULT_READY,  # T15
    "apologise": APOLOGY,  # T17
}
GENERIC = Message(None, _lazy("Hồ sơ {code} ({procedure}): {status}.{note}\n\nTheo dõi hồ sơ: {link}"), "")

GREETING = _lazy("Kính gửi {name},")
SIGNATURE = _lazy("{agency}\nThư này được gửi tự động từ Cổng Dịch vụ công, vui lòng không trả lời thư.")
COLLECT = {
    ReturnMethod.ONLINE: _lazy("Ông/Bà tải kết quả điện tử trên trang hồ sơ."),
    ReturnMethod.COUNTER: _lazy(
        "Mời Ông/Bà đến Bộ phận Một cửa của {agency} để nhận kết quả, mang theo giấy tờ tùy thân và giấy tiếp "
        "nhận hồ sơ."
    ),
    ReturnMethod.POST: _lazy("Kết quả sẽ được gửi qua dịch vụ bưu chính công ích đến địa chỉ Ông/Bà đã đăng ký."),
}
COLLECT_SHORT = {
    ReturnMethod.ONLINE: _lazy("Tải kết quả trên Cổng."),
    ReturnMethod.COUNTER: _lazy("Mời nhận tại Bộ phận Một cửa."),
    ReturnMethod.POST: _lazy("Kết quả sẽ gửi qua bưu chính."),
}


# --- Who is told, where ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """The applicant's name and the addresses to use; an address is empty when unknown or its channel is off."""

    name: str
    email: str
    phone: str


def recipient_of(dossier: Dossier) -> Recipient:
    """Whom to tell about a dossier and on which channels.

    The addresses are the ones on the dossier's applicant (what the desk or the wizard recorded), else the
    account's. With a citizen profile its choices decide; without one (a walk-in applicant with no account) every
    channel whose address is known is used.
    """
    applicant = dossier.applicant
    account = dossier.owner or applicant.user
    profile = CitizenProfile.objects.filter(user=account).first() if account is not None else None
    email = applicant.email or (profile.email if profile else "") or (account.email if account else "")
    phone = applicant.phone or (profile.phone if profile else "") or (account.phone if account else "")
    if profile is not None:
        email = email if profile.notify_email else ""
        phone = phone if profile.notify_sms else ""
    return Recipient(name=applicant.name, email=email, phone=phone)


# --- Rendering ---------------------------------------------------------------------------------------------------


def _local_date(value) -> str:
    """dd/mm/yyyy in Asia/Ho_Chi_Minh of a datetime, an ISO string of one, or a date; "" when there is none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%d/%m/%Y}"


def _local_moment(value) -> str:
    if not value:
        return ""
    return f"{timezone.localtime(value):%H:%M} {_local_date(value)}"


def _short(text: str, limit: int = SMS_REASON_CHARS) -> str:
    """A reason cut for a text message, ending as a sentence (the e-mail and the dossier page carry it whole)."""
    text = " ".join(text.split())
    if len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text if not text or text[-1] in ".!?…" else text + "."


def _items(items) -> str:
    lines = []
    for item in items or []:
        if isinstance(item, dict):
            document, content = item.get("document", ""), item.get("content", "")
            lines.append(f"- {document}: {content}" if document and content else f"- {document or content}")
        else:
            lines.append(f"- {item}")
    return "\n".join(lines)


def _deadline(event: DossierEvent) -> str:
    """The applicant's supplement deadline: in the request's event, or (T11) on the request itself."""
    deadline = (event.data or {}).get("applicant_deadline")
    if deadline is None and event.action == "expire_supplement":
        deadline = (
            SupplementRequest.objects.filter(dossier_id=event.dossier_id)
            .values_list("applicant_deadline", flat=True)
            .first()
        )
    return _local_date(deadline)


def _context(event: DossierEvent) -> dict[str, str]:
    """Every placeholder's value for this event; dates are local (Asia/Ho_Chi_Minh) and dd/mm/yyyy."""
    dossier, data = event.dossier, event.data or {}
    agency = dossier.receiving_agency.name
    unknown = _("xem trên trang hồ sơ")
    due = data.get("new_due_at") if event.action == "accept_supplement" else dossier.original_due_at
    basis = data.get("legal_basis") or ""
    return {
        "code": dossier.code or "",
        "link": dossier_link(dossier.code or ""),
        "procedure": dossier.procedure_version.name,
        "agency": agency,
        "status": _status_title(event),
        "due": _local_date(due) or unknown,
        "acceptance_due": _local_moment(dossier.acceptance_due_at) or unknown,
        "deadline": _deadline(event) or unknown,
        "new_date": _local_date(data.get("new_due_at")) or unknown,
        "reason": event.public_note,
        "reason_short": _short(event.public_note),
        "basis": "\n" + _("Căn cứ pháp lý: {basis}").format(basis=basis) if basis else "",
        "note": "\n" + event.public_note if event.public_note else "",
        "items": _items(data.get("items")),
        "collect": str(COLLECT.get(dossier.return_method, "")).format(agency=agency),
        "collect_short": str(COLLECT_SHORT.get(dossier.return_method, "")),
    }


def _status_title(event: DossierEvent) -> str:
    """The status the event led to — or, for an action that keeps the status (a fee paid), the action's name."""
    if event.to_status and event.to_status != event.from_status:
        return str(Status(event.to_status).label)
    transition = TRANSITIONS.get(event.action)
    return str(transition.label) if transition else str(Status(event.to_status).label)


def render_email(event: DossierEvent, recipient: Recipient) -> tuple[str, str]:
    """The e-mail's subject and body, in Vietnamese."""
    message = MESSAGES.get(event.action, GENERIC)
    with translation.override("vi"):
        context = _context(event)
        title = str(message.title) if message.title is not None else context["status"]
        subject = _("Hồ sơ {code}: {title}").format(code=context["code"], title=title)
        parts = [
            GREETING.format(name=recipient.name),
            message.body.format(**context),
            SIGNATURE.format(agency=context["agency"]),
        ]
    return subject, "\n\n".join(parts)


def render_sms(event: DossierEvent) -> str:
    """The text message, in Vietnamese; "" for an event that has none."""
    message = MESSAGES.get(event.action)
    if message is None:
        return ""
    with translation.override("vi"):
        return message.sms.format(**_context(event))


# --- Writing and delivering -----------------------------------------------------------------------------------


def notify_put(event: DossierEvent) -> None:
    """Queue the applicant's messages about a visible event, in the transaction of the change.

    The SMS row carries no dossier id: an SMS gateway that is down must not hold the dossier's other messages in
    line behind it (the outbox delivers one dossier's messages in order); the texts still leave in the order of
    the events, since each is queued on its change's commit.
    """
    key = notify_key(event)
    payload = {"dossier_id": event.dossier_id, "event_id": event.pk}
    outbox_put(topic=TOPIC, key=key, payload=payload, dossier_id=event.dossier_id)
    if event.action in MESSAGES:
        outbox_put(topic=SMS_TOPIC, key=sms_key(key), payload=payload, dossier_id=None)


def _event_of(payload: dict) -> DossierEvent | None:
    event = (
        DossierEvent.objects.select_related(
            "dossier__applicant__user", "dossier__owner", "dossier__procedure_version", "dossier__receiving_agency"
        )
        .filter(pk=payload["event_id"], dossier_id=payload["dossier_id"])
        .first()
    )
    return event if event is not None and event.visible_to_citizen else None


def dossier_notify(payload: dict, *, key: str) -> bool:
    """Mail the applicant about an event visible to them, if they take e-mail; returns whether a message left.

    The message names what the event did, not the dossier's status at delivery time, so a late delivery still
    tells what happened then.
    """
    event = _event_of(payload)
    if event is None:
        return False
    recipient = recipient_of(event.dossier)
    if not recipient.email:
        return False
    subject, body = render_email(event, recipient)
    EmailMessage(subject, body, to=[recipient.email], headers={IDEMPOTENCY_HEADER: key}).send()
    return True


def dossier_notify_sms(payload: dict, *, key: str) -> bool:
    """Text the applicant about an event of the table, if they take SMS; returns whether a message left.

    The gateway is given the outbox key: the local fake keeps one row per key, a real gateway drops the duplicate.
    """
    event = _event_of(payload)
    if event is None:
        return False
    text = render_sms(event)
    recipient = recipient_of(event.dossier)
    if not text or not recipient.phone:
        return False
    send_sms(recipient.phone, text, key=key)
    return True


register_handler(TOPIC, dossier_notify)
register_handler(SMS_TOPIC, dossier_notify_sms)
