"""The SMS adapter: the backend named by SMS_BACKEND sends, the outbox retries a failure, the fake keeps one copy."""

import pytest

from accounts.models import CodePurpose, FakeSms, User
from accounts.otp import Identifier, issue_code, parse_identifier
from accounts.sms import SmsBackend, send_sms
from outbox.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str, str]] = []


class BrokenGateway(SmsBackend):
    def send(self, to, body, *, key):
        raise ConnectionError("gateway down")


class RecordingGateway(SmsBackend):
    def send(self, to, body, *, key):
        SENT.append((to, body, key))


def test_the_fake_keeps_one_message_per_key():
    send_sms("0912345678", "Mã 123456", key="k1")
    send_sms("0912345678", "Mã 123456", key="k1")  # an at-least-once delivery's second copy
    assert list(FakeSms.objects.values_list("to", "body")) == [("0912345678", "Mã 123456")]


def test_the_backend_is_chosen_by_the_setting_and_gets_the_outbox_key(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.accounts.test_sms.RecordingGateway"
    SENT.clear()
    user = User.objects.create_user(username="0912345678", phone="0912345678", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        issue_code(user, CodePurpose.SIGNUP, Identifier("phone", "0912345678"))
    ((to, body, key),) = SENT
    assert to == "0912345678"
    assert "Mã xác nhận đăng ký" in body
    assert key == OutboxMessage.objects.get().key
    assert FakeSms.objects.count() == 0


def test_a_gateway_failure_leaves_the_message_pending_for_a_retry(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = "tests.accounts.test_sms.BrokenGateway"
    user = User.objects.create_user(username="0912345678", phone="0912345678", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        issue_code(user, CodePurpose.SIGNUP, Identifier("phone", "0912345678"))
    message = OutboxMessage.objects.get()
    assert (message.state, message.attempts) == (OutboxState.PENDING, 1)
    assert "gateway down" in message.last_error


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", Identifier("phone", "0912345678")),
        ("+84 912.345.678", Identifier("phone", "0912345678")),
        ("84912345678", Identifier("phone", "0912345678")),
        (" Mai@Example.VN ", Identifier("email", "mai@example.vn")),
        ("0212345678", None),  # a landline
        ("091234567", None),
        ("mai@example", None),
        ("", None),
    ],
)
def test_identifiers_are_read_as_people_type_them(typed, expected):
    assert parse_identifier(typed) == expected


def test_the_admin_lists_the_fake_s_messages_read_only(admin_client):
    send_sms("0912345678", "Mã 123456", key="k1")
    response = admin_client.get("/admin/accounts/fakesms/")
    assert response.status_code == 200
    assert "Mã 123456" in response.content.decode()
    assert admin_client.get("/admin/accounts/fakesms/add/").status_code == 403
