"""A desk officer signs in with the password, then the TOTP code from the authenticator app, and reaches the queue;
a wrong code is refused with a Vietnamese message; a new officer enrols an authenticator app and is shown ten
recovery codes (docs/authentication.md, docs/security.md check 10)."""

import base64
import re

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from tests.e2e.conftest import totp_code_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_officer_signs_in_with_password_and_totp(page: Page, live_server, shoot, axe):
    call_command("seed_demo", force=True, verbosity=0)

    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    page.get_by_label("Tên đăng nhập").fill("desk")
    page.get_by_label("Mật khẩu").fill("Demo@2026")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(re.compile(r"/accounts/otp/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai lớp")
    axe(page, "the TOTP step")
    shoot("staff-login-totp")

    # The desk queue is not reachable before the step.
    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))

    code = totp_code_for("desk")
    wrong = f"{(int(code) + 500000) % 1000000:06d}"
    page.get_by_label("Mã xác thực").fill(wrong)
    page.get_by_role("button", name="Xác thực").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã xác thực không đúng")
    shoot("staff-login-totp-wrong")

    page.get_by_label("Mã xác thực").fill(totp_code_for("desk"))
    page.get_by_role("button", name="Xác thực").click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ phận Một cửa — Hồ sơ cần xử lý")


def test_a_new_officer_enrols_an_authenticator_app(page: Page, live_server, shoot, axe, make_staff):
    make_staff("canbomoi", role="officer", agency_id="000.00.31.H56")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("canbomoi")
    page.get_by_label("Mật khẩu").fill("Demo@2026")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập xác thực hai lớp")
    expect(page.locator("figure svg")).to_be_visible()
    axe(page, "the TOTP enrolment")
    shoot("staff-totp-enrol")
    secret = page.get_by_test_id("totp-secret").inner_text()
    code = TOTP(base64.b32decode(secret)).token()
    page.get_by_label("Mã xác thực").fill(f"{code:06d}")
    page.get_by_role("button", name="Xác nhận thiết lập").click()

    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    shoot("staff-totp-recovery-codes")
    page.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/work/$|/$"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
