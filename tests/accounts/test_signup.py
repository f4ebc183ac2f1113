"""Signing up with an e-mail address or a mobile number, confirmed by a one-time code sent through the outbox."""

import datetime as dt

import pytest

from accounts.models import CodePurpose, FakeSms, OneTimeCode, User
from outbox.models import OutboxMessage, OutboxState
from tests.accounts.conftest import PASSWORD, T0, code_in, last_sms_code

pytestmark = pytest.mark.django_db

PHONE = "0912345678"
EMAIL = "mai@example.vn"
DUPLICATE = "Không thể đăng ký bằng thông tin này."


def signup(post, identifier: str, password: str = PASSWORD):
    return post(
        "/accounts/signup/",
        {"identifier": identifier, "full_name": "  Hoàng   Thị Mai ", "password1": password, "password2": password},
    )


def confirm(post, code: str):
    return post("/accounts/confirm/", {"code": code})


def test_signing_up_by_phone_sends_a_code_by_sms_and_the_code_activates_and_signs_in(client, post, clock):
    response = signup(post, "091 234 5678")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm/"
    user = User.objects.get(username=PHONE)
    assert (user.is_active, user.phone, user.email, user.full_name) == (False, PHONE, "", "Hoàng Thị Mai")
    assert user.check_password(PASSWORD)
    message = OutboxMessage.objects.get(topic="account.otp")
    assert message.state == OutboxState.DELIVERED
    code = last_sms_code(PHONE)
    assert "10 phút" in FakeSms.objects.get().body
    # Only a keyed hash of the code is stored with the account.
    assert code not in OneTimeCode.objects.get(user=user).code_hash

    page = client.get("/accounts/confirm/").content.decode()
    assert "bằng tin nhắn tới số 0912345678" in page

    response = confirm(post, code)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert user.is_active
    assert client.get("/accounts/profile/").status_code == 200  # signed in
    # The code is spent and the pending sign-up forgotten.
    assert client.get("/accounts/confirm/").context["expired"] is True


def test_signing_up_by_email_sends_the_code_by_mail(client, post, mailoutbox, clock):
    response = signup(post, "Mai@Example.VN")
    assert response.status_code == 302
    user = User.objects.get(username=EMAIL)
    assert (user.email, user.phone, user.is_active) == (EMAIL, "", False)
    (mail,) = mailoutbox
    assert mail.to == [EMAIL]
    assert mail.extra_headers["X-Idempotency-Key"] == OutboxMessage.objects.get().key
    assert FakeSms.objects.count() == 0
    assert confirm(post, code_in(mail.body))["Location"] == "/accounts/profile/"
    assert User.objects.get(pk=user.pk).is_active


def test_a_wrong_code_is_refused_with_the_tries_left(client, post, clock):
    signup(post, PHONE)
    right = last_sms_code(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    response = confirm(post, wrong)
    assert response.status_code == 200
    assert "Mã xác nhận không đúng. Bạn còn 4 lần thử." in response.content.decode()
    assert not User.objects.get(username=PHONE).is_active
    assert OneTimeCode.objects.get().attempts == 1


@pytest.mark.parametrize(("code", "error"), [("12345", "gồm 6 chữ số"), ("12a456", "gồm 6 chữ số"), ("", "")])
def test_a_malformed_code_is_a_form_error_and_costs_no_attempt(client, post, clock, code, error):
    signup(post, PHONE)
    response = confirm(post, code)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert OneTimeCode.objects.get().attempts == 0


def test_an_expired_code_is_refused(client, post, clock):
    signup(post, PHONE)
    code = last_sms_code(PHONE)
    clock.move_to(T0 + dt.timedelta(minutes=10))
    response = confirm(post, code)
    assert "Mã xác nhận đã hết hạn." in response.content.decode()
    assert not User.objects.get(username=PHONE).is_active


def test_a_code_is_good_until_its_tenth_minute(client, post, clock):
    signup(post, PHONE)
    clock.move_to(T0 + dt.timedelta(minutes=9, seconds=59))
    assert confirm(post, last_sms_code(PHONE))["Location"] == "/accounts/profile/"


def test_after_five_wrong_codes_even_the_right_one_is_refused(client, post, clock):
    signup(post, PHONE)
    right = last_sms_code(PHONE)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(4):
        confirm(post, wrong)
    assert "Bạn đã hết lượt nhập." in confirm(post, wrong).content.decode()
    response = confirm(post, right)
    assert "Bạn đã nhập sai quá 5 lần." in response.content.decode()
    assert not User.objects.get(username=PHONE).is_active


def test_a_new_code_waits_a_minute_and_replaces_the_old_one(client, post, clock):
    signup(post, PHONE)
    first = last_sms_code(PHONE)
    response = post("/accounts/confirm/", {"resend": "1"}, follow=True)
    assert "Vui lòng đợi 60 giây" in response.content.decode()
    assert FakeSms.objects.count() == 1

    clock.move_to(T0 + dt.timedelta(seconds=61))
    response = post("/accounts/confirm/", {"resend": "1"}, follow=True)
    assert "Đã gửi mã mới." in response.content.decode()
    assert FakeSms.objects.count() == 2
    second = last_sms_code(PHONE)
    if first != second:
        assert "Mã xác nhận không đúng." in confirm(post, first).content.decode()
    assert confirm(post, second)["Location"] == "/accounts/profile/"


@pytest.mark.parametrize("identifier", [PHONE, EMAIL, "MAI@example.vn"])
def test_an_identifier_already_in_use_is_refused_without_saying_more(client, post, clock, identifier):
    User.objects.create_user(username="mai", email=EMAIL, phone=PHONE, password="x", full_name="Hoàng Thị Mai")
    response = signup(post, identifier)
    assert response.status_code == 200
    page = response.content.decode()
    assert DUPLICATE in page
    assert "Hoàng Thị Mai" not in page
    assert User.objects.count() == 1
    assert OutboxMessage.objects.count() == 0


def test_an_unconfirmed_sign_up_may_be_started_again(client, post, clock):
    """Someone who lost the code signs up again: the same account, a new code after the minute's wait."""
    signup(post, PHONE)
    clock.move_to(T0 + dt.timedelta(minutes=2))
    client.cookies.clear()
    response = signup(post, PHONE, password="Khac-han@2026")
    assert response["Location"] == "/accounts/confirm/"
    user = User.objects.get(username=PHONE)
    assert user.check_password("Khac-han@2026")
    assert FakeSms.objects.count() == 2
    assert confirm(post, last_sms_code(PHONE))["Location"] == "/accounts/profile/"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"identifier": "01234"}, "số điện thoại di động Việt Nam gồm 10 chữ số"),
        ({"identifier": "mai@"}, "số điện thoại di động Việt Nam gồm 10 chữ số"),
        ({"password1": "12345678", "password2": "12345678"}, "password"),
        ({"password2": "Khac-han@2026"}, "Hai mật khẩu không khớp."),
        ({"full_name": ""}, "field__error"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_creates_nothing(client, post, data, error):
    form = {"identifier": PHONE, "full_name": "Hoàng Thị Mai", "password1": PASSWORD, "password2": PASSWORD}
    response = post("/accounts/signup/", {**form, **data})
    assert response.status_code == 200
    page = response.content.decode()
    if error == "password":
        assert response.context["form"].errors["password1"]
    else:
        assert error in page
    assert User.objects.count() == 0


def test_confirm_without_a_pending_sign_up_explains_and_links_to_sign_up(client):
    response = client.get("/accounts/confirm/")
    assert response.status_code == 200
    assert 'href="/accounts/signup/"' in response.content.decode()
    assert client.post("/accounts/confirm/", {"code": "123456"}).status_code == 200


def test_the_header_offers_sign_up_to_anonymous_visitors_only(client, django_user_model):
    assert 'href="/accounts/signup/"' in client.get("/").content.decode()
    client.force_login(django_user_model.objects.create_user(username="mai", password="x"))
    assert 'href="/accounts/signup/"' not in client.get("/").content.decode()


def test_codes_have_a_purpose():
    assert set(CodePurpose.values) == {"signup", "reset"}


def test_a_sign_up_racing_another_with_the_same_identifier_is_refused_not_a_server_error(client, post, monkeypatch):
    """Both requests saw no account; the second one's insert hits the unique username."""
    User.objects.create_user(username=PHONE, phone=PHONE, password="x")
    monkeypatch.setattr("accounts.views._holder", lambda identifier: None)
    response = signup(post, PHONE)
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert OutboxMessage.objects.count() == 0
