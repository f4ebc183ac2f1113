"""A citizen signs up with a mobile number, types the code the SMS fake received, and fills in the profile."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import CitizenProfile, FakeSms, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "0912345678"


def test_citizen_signs_up_by_phone_confirms_and_fills_in_the_profile(page: Page, live_server, shoot):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Đăng ký").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký tài khoản")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("091 234 5678")
    page.get_by_label("Họ và tên").fill("Hoàng Thị Mai")
    page.get_by_label(re.compile("^Mật khẩu")).fill("Mot-cua@2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Mot-cua@2027")
    page.get_by_role("button", name="Đăng ký và nhận mã").click()
    expect(page.locator("main")).to_contain_text("Hai mật khẩu không khớp.")
    shoot("citizen-signup")

    page.get_by_label(re.compile("^Mật khẩu")).fill("Mot-cua@2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Mot-cua@2026")
    page.get_by_role("button", name="Đăng ký và nhận mã").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm/$"))
    expect(page.locator("main")).to_contain_text(f"bằng tin nhắn tới số {PHONE}")
    code = re.search(r"\b(\d{6})\b", FakeSms.objects.get(to=PHONE).body).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.get_by_label("Mã xác nhận").fill(wrong)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("main")).to_contain_text("Bạn còn 4 lần thử.")
    shoot("citizen-confirm")

    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    expect(page.locator("main")).to_contain_text("Tài khoản đã được kích hoạt.")
    assert User.objects.get(username=PHONE).is_active
    page.get_by_label("Số định danh cá nhân").fill("00119001234")
    page.get_by_label("Ngày sinh").fill("02/09/1990")
    page.get_by_label("Địa chỉ").fill("12 Lê Lợi, phường Thuận Hóa, thành phố Huế")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.locator("main")).to_contain_text("Số định danh cá nhân gồm đúng 12 chữ số.")
    page.get_by_label("Số định danh cá nhân").fill("001190012345")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.locator("main")).to_contain_text("Đã lưu thông tin cá nhân.")
    expect(page.get_by_label("Ngày sinh")).to_have_value("02/09/1990")
    shoot("citizen-profile")
    assert CitizenProfile.objects.get(user__username=PHONE).personal_id == "001190012345"
