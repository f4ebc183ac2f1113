"""Text messages: an interface and the local backend (setting SMS_BACKEND, a dotted path to a class).

A real operator's gateway implements `SmsBackend.send`; the default `DatabaseSmsBackend` only records the message
in `accounts.FakeSms`, where development and the tests read the code. Messages leave only through the outbox
(topic `account.otp`, accounts/otp.py), which passes its idempotency key so a gateway can drop a duplicate.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend:
    """Send one text message; raise to have the outbox retry it."""

    def send(self, to: str, body: str, *, key: str) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


class DatabaseSmsBackend(SmsBackend):
    """Keeps the message in a table instead of sending it (development, tests, demonstrations)."""

    def send(self, to: str, body: str, *, key: str) -> None:
        from accounts.models import FakeSms

        FakeSms.objects.get_or_create(idempotency_key=key, defaults={"to": to, "body": body})


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(to: str, body: str, *, key: str) -> None:
    sms_backend().send(to, body, key=key)
