"""Check 10 — second factor for staff.

The check: a staff account that gave only its password reaches no staff page and no API; a TOTP code used once is
refused the second time.

How the tests show it: every staff role (and a Django superuser) signed in with the password alone is sent to the
TOTP step from the desk, the inbox, the figures, the indicators and the admin, and gets 403 with the API's error body
on `/api/`; after a valid code the same pages open, and `next` survives the step. The same code given again in a
new session (the clock frozen inside one 30-second step) is refused, as is a recovery code used twice. A staff
account without a device is shown the enrolment page (QR code as inline SVG, the secret in text) and must confirm
a code, receiving ten recovery codes once. Citizens are never asked. These tests are marked `second_factor`, so
the harness's `force_login` (tests/conftest.py) does not pass the step for them.
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import datetime as dt
import re
from base64 import b32encode

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import current_code, demo_device
from tests.security.auth_support import demo_accounts, password_login  # noqa: F401

pytestmark = [pytest.mark.second_factor, pytest.mark.django_db]

STAFF = ["desk", "officer", "head", "leader", "leader_xa", "supervisor", "admin"]
STAFF_PAGES = ["desk:queue", "desk:inbox", "dashboard:home", "indicators:home", "admin:index"]
MOMENT = dt.datetime(2026, 11, 30, 9, 0, 5, tzinfo=dt.UTC)
OTP = "/accounts/otp/"


def _otp_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(OTP)


@pytest.mark.parametrize("username", STAFF)
def test_password_alone_reaches_no_staff_page_and_no_api(client, demo_accounts, username):
    response = password_login(client, username)
    assert response.status_code == 302

    for name in STAFF_PAGES:
        page = client.get(reverse(name))
        assert _otp_redirect(page), (name, page.status_code, page.get("Location"))
    api = client.get("/api/v1/procedures/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"
    assert set(api.json()) == {"code", "message", "field"}


def test_after_the_code_the_pages_open_and_next_survives_the_step(client, demo_accounts):
    with time_machine.travel(MOMENT, tick=False):
        password_login(client, "desk", next_url="/work/")
        step = client.get("/work/")
        assert step["Location"] == f"{OTP}?next=%2Fwork%2F"
        page = client.get(step["Location"])
        assert "Xác thực hai lớp" in page.content.decode()

        code = current_code(TOTPDevice.objects.get(user__username="desk"))
        response = client.post(OTP, {"code": code, "next": "/work/"})
        assert response["Location"] == "/work/"
        assert client.get(reverse("desk:queue")).status_code == 200
        assert client.get("/api/v1/procedures/").status_code == 200


def test_a_code_used_once_is_refused_the_second_time(client, demo_accounts):
    with time_machine.travel(MOMENT, tick=False):
        code = current_code(TOTPDevice.objects.get(user__username="officer"))
        password_login(client, "officer")
        assert client.post(OTP, {"code": code})["Location"] != OTP
        client.post(reverse("logout"))

        password_login(client, "officer")
        again = client.post(OTP, {"code": code})
        assert again.status_code == 200
        assert "Mã xác thực không đúng, đã được dùng hoặc đã hết hạn." in again.content.decode()
        assert _otp_redirect(client.get(reverse("desk:inbox")))


def test_a_wrong_code_is_refused_with_a_message(client, demo_accounts):
    password_login(client, "head")
    wrong = "000000" if current_code(demo_device(demo_accounts["head"])) != "000000" else "111111"
    response = client.post(OTP, {"code": wrong})
    assert "Mã xác thực không đúng" in response.content.decode()
    assert _otp_redirect(client.get(reverse("desk:inbox")))


def test_enrolment_shows_a_qr_code_and_the_secret_and_gives_ten_single_use_recovery_codes(client, make_staff):
    user = make_staff("newdesk", role="officer")
    with time_machine.travel(MOMENT, tick=False):
        password_login(client, "newdesk")
        page = client.get(OTP)
        html = page.content.decode()
        assert "<svg" in html
        assert "Thiết lập xác thực hai lớp" in html
        secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', html).group(1)
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert secret == b32encode(device.bin_key).decode()

        done = client.post(OTP, {"code": current_code(device)})
        codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
        assert len(codes) == 10 == StaticToken.objects.filter(device__user=user).count()
        assert client.get(reverse("desk:inbox")).status_code == 200
        assert client.get(OTP).content.decode().count("<li><code>") == 0  # shown once, not again

    client.post(reverse("logout"))
    password_login(client, "newdesk")
    assert client.post(OTP, {"code": codes[0]}).status_code == 302
    assert client.get(reverse("desk:inbox")).status_code == 200
    client.post(reverse("logout"))
    password_login(client, "newdesk")
    assert "Mã xác thực không đúng" in client.post(OTP, {"code": codes[0]}).content.decode()


def test_citizens_are_not_asked(client, demo_accounts):
    password_login(client, "citizen")
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.get(OTP)["Location"] == reverse("desk:after-login")
