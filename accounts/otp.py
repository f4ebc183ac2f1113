"""One-time codes for a citizen's own account: confirming a sign-up and resetting a password by phone.

A code is 6 digits, kept only as a keyed hash, valid for `OTP_TTL_SECONDS`, refused after `OTP_MAX_ATTEMPTS`
wrong tries, and a new one is not sent within `OTP_RESEND_SECONDS` of the last. It leaves through the outbox
(topic `account.otp`, docs/adr/0004-outbox.md): by e-mail with Django's mail, by SMS through accounts/sms.py.
The password-reset e-mail with Django's link leaves the same way (topic `account.mail`).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import CodePurpose, OneTimeCode, User
from accounts.sms import send_sms
from outbox.services import outbox_put, register_handler

TOPIC = "account.otp"
MAIL_TOPIC = "account.mail"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"

# A Vietnamese mobile number: 10 digits starting 03, 05, 07, 08 or 09 (+84 is read as 0).
MOBILE_RE = re.compile(r"^0[35789]\d{8}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Identifier:
    """An e-mail address or a mobile number, normalised: what the account signs in with."""

    kind: str  # "email" or "phone"
    value: str


def parse_identifier(raw: str) -> Identifier | None:
    """The identifier typed by a person, or None when it is neither an e-mail address nor a mobile number."""
    text = (raw or "").strip()
    if "@" in text:
        return Identifier("email", text.lower()) if EMAIL_RE.match(text) else None
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return Identifier("phone", digits) if MOBILE_RE.match(digits) else None


def identifier_of(user: User) -> Identifier:
    return Identifier("email", user.email) if user.email and not user.phone else Identifier("phone", user.phone)


def _hash(user_id: int, purpose: str, code: str) -> str:
    return salted_hmac("accounts.otp", f"{user_id}:{purpose}:{code}").hexdigest()


class CodeRefused(Exception):
    """A code is not accepted; the message says why and what to do."""


def latest_code(user: User, purpose: str) -> OneTimeCode | None:
    return OneTimeCode.objects.filter(user=user, purpose=purpose).order_by("-created_at", "-id").first()


def resend_wait(user: User, purpose: str, now: dt.datetime | None = None) -> int:
    """Seconds to wait before another code may be sent (0: now)."""
    now = now or timezone.now()
    last = latest_code(user, purpose)
    if last is None:
        return 0
    left = (last.created_at + dt.timedelta(seconds=settings.OTP_RESEND_SECONDS) - now).total_seconds()
    return max(0, int(left + 0.999))


def issue_code(user: User, purpose: str, to: Identifier, now: dt.datetime | None = None) -> OneTimeCode:
    """A new code for `user`, sent to `to` through the outbox; earlier codes of the purpose stop working."""
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        otp = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            code_hash=_hash(user.pk, purpose, code),
            created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        outbox_put(
            topic=TOPIC,
            key=f"{TOPIC}:{otp.pk}",
            payload={"kind": to.kind, "to": to.value, "code": code, "purpose": purpose},
            dossier_id=None,
            now=now,
        )
    return otp


def check_code(user: User, purpose: str, code: str, now: dt.datetime | None = None) -> None:
    """Accept `code` (and spend it) or raise CodeRefused; a wrong code counts against the attempts left."""
    now = now or timezone.now()
    with transaction.atomic():
        refusal = _check_locked(user, purpose, (code or "").strip(), now)
    if refusal is not None:
        raise CodeRefused(refusal)


def _check_locked(user: User, purpose: str, code: str, now: dt.datetime) -> str | None:
    """The refusal's message, or None when the code is accepted; the attempt is saved either way."""
    otp = OneTimeCode.objects.select_for_update().filter(user=user, purpose=purpose).order_by("-created_at", "-id")
    otp = otp.first()
    resend = _("Hãy bấm “Gửi lại mã” để nhận mã mới.")
    if otp is None or otp.used_at is not None:
        return _("Mã xác nhận không còn hiệu lực.") + " " + resend
    if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
        return _("Bạn đã nhập sai quá {n} lần.").format(n=settings.OTP_MAX_ATTEMPTS) + " " + resend
    if now >= otp.expires_at:
        return _("Mã xác nhận đã hết hạn.") + " " + resend
    if not constant_time_compare(otp.code_hash, _hash(user.pk, purpose, code)):
        otp.attempts += 1
        otp.save(update_fields=["attempts"])
        left = settings.OTP_MAX_ATTEMPTS - otp.attempts
        if left <= 0:
            return _("Mã xác nhận không đúng. Bạn đã hết lượt nhập.") + " " + resend
        return _("Mã xác nhận không đúng. Bạn còn {left} lần thử.").format(left=left)
    otp.used_at = now
    otp.save(update_fields=["used_at"])
    return None


# --- Delivery (outbox handlers) ---------------------------------------------------------------------------------


def send_code(payload: dict, *, key: str) -> None:
    """Send a code by e-mail or SMS, in Vietnamese."""
    with translation.override("vi"):
        if payload["purpose"] == CodePurpose.SIGNUP:
            text = _("Mã xác nhận đăng ký tài khoản Cổng Dịch vụ công: {code}. Mã có hiệu lực trong 10 phút.")
        else:
            text = _("Mã đặt lại mật khẩu Cổng Dịch vụ công: {code}. Mã có hiệu lực trong 10 phút.")
        text = text.format(code=payload["code"]) + " " + _("Không chia sẻ mã này với bất kỳ ai.")
        if payload["kind"] == "email":
            subject = _("Mã xác nhận Cổng Dịch vụ công")
            EmailMessage(subject, text, to=[payload["to"]], headers={IDEMPOTENCY_HEADER: key}).send()
        else:
            send_sms(payload["to"], text, key=key)


def send_mail_message(payload: dict, *, key: str) -> None:
    EmailMessage(payload["subject"], payload["body"], to=[payload["to"]], headers={IDEMPOTENCY_HEADER: key}).send()


def put_mail(*, subject: str, body: str, to: str) -> None:
    """Queue an e-mail through the outbox (the password-reset link)."""
    with transaction.atomic():
        outbox_put(
            topic=MAIL_TOPIC,
            key=f"{MAIL_TOPIC}:{uuid.uuid4()}",
            payload={"subject": subject, "body": body, "to": to},
            dossier_id=None,
        )


register_handler(TOPIC, send_code)
register_handler(MAIL_TOPIC, send_mail_message)
