"""Every public and citizen page that exists passes axe-core's WCAG 2.1 A/AA rules and, 375 px wide, does not
scroll sideways (issue 9, point 10) — signed out and as the citizen who owns the dossiers.

Each page is checked as it is after the step that leads to it (a search with filters, a form sent back with its
errors), since that is where labels, error links and tables go wrong."""
# The engine's fixtures are imported for pytest to find; a test's parameter of the same name uses them.
# ruff: noqa: F811

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from dossiers.models import FeeMode
from dossiers.verification import dossier_token
from payments import services as payments
from portal.urls import urlpatterns as portal_urlpatterns
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def denied(request):
    raise PermissionDenied


# The portal's URLs plus a view that refuses, to see Django's own 403 page (templates/403.html).
urlpatterns = [*portal_urlpatterns, path("test-denied/", denied)]


@pytest.fixture
def check(page, axe, shoot):
    """`check("name")`: the page as it is now passes axe-core at 1280 px and again at 375 px (the phone layout
    hides, stacks and resizes things), and its screenshots at both widths are saved (`shoot` fails when 375 px
    scrolls sideways)."""

    def check(name: str) -> None:
        axe(page, name)
        page.set_viewport_size(PHONE)
        try:
            axe(page, f"{name}, 375 px")
        finally:
            page.set_viewport_size(DESKTOP)
        shoot(f"a11y-{name}")

    return check


def test_public_pages_signed_out(page: Page, live_server, check, prepared, people):
    dossier = prepared("returned")
    procedure = dossier.procedure_version.procedure

    page.goto(f"{live_server.url}/")
    check("home")

    page.goto(f"{live_server.url}/procedures/")
    check("catalogue")
    page.get_by_label("Tên hoặc mã thủ tục").fill("ket hon")
    page.get_by_label("Lĩnh vực").select_option(label="Hộ tịch")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("status")).to_contain_text("Tìm thấy")
    check("catalogue-search")
    page.goto(f"{live_server.url}/procedures/?q=zzzz-khong-co")
    check("catalogue-nothing")

    page.goto(f"{live_server.url}/procedures/{procedure.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(dossier.procedure_version.name)
    check("procedure")

    page.goto(f"{live_server.url}/tra-cuu/")
    check("lookup-empty")
    page.goto(f"{live_server.url}/tra-cuu/?ma={dossier.code}")
    expect(page.locator("main")).to_contain_text(dossier.code)
    check("lookup-found")
    page.goto(f"{live_server.url}/tra-cuu/?ma=000.00.00.H56-260101-9999")
    check("lookup-not-found")
    page.goto(f"{live_server.url}/tra-cuu/?ma=%00")
    check("lookup-bad-input")

    token = dossier_token(dossier)
    page.goto(f"{live_server.url}/xac-minh/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác minh văn bản kết quả")
    check("verify")
    page.goto(f"{live_server.url}/xac-minh/{token[:-1]}{'B' if token[-1] == 'A' else 'A'}/")
    check("verify-invalid")

    response = page.goto(f"{live_server.url}/khong-co-trang-nay/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    check("404")


def test_account_pages_signed_out(page: Page, live_server, check, people):
    page.goto(f"{live_server.url}/accounts/login/")
    check("login")
    page.get_by_label("Tên đăng nhập").fill("mai")
    page.get_by_label("Mật khẩu").fill("sai mật khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("login-error")

    page.goto(f"{live_server.url}/accounts/signup/")
    check("signup")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("không phải địa chỉ")
    page.get_by_label("Họ và tên").fill("Hoàng Văn Nam")
    page.get_by_label(re.compile("^Mật khẩu")).fill("Mot-cua@2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Mot-cua@2027")
    page.get_by_role("button", name="Đăng ký và nhận mã").click()
    check("signup-errors")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("0912345000")
    page.get_by_label(re.compile("^Mật khẩu")).fill("Mot-cua@2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Mot-cua@2026")
    page.get_by_role("button", name="Đăng ký và nhận mã").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm/$"))
    check("confirm")
    page.get_by_label("Mã xác nhận").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    check("confirm-error")

    page.goto(f"{live_server.url}/accounts/password/reset/")
    check("password-reset")
    page.get_by_role("button", name="Gửi", exact=True).click()
    check("password-reset-errors")
    page.goto(f"{live_server.url}/accounts/password/reset/sent/")
    check("password-reset-sent")
    user = people["citizen"]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    page.goto(f"{live_server.url}/accounts/reset/{uid}/{default_token_generator.make_token(user)}/")
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    check("password-reset-new")
    page.goto(f"{live_server.url}/accounts/reset/{uid}/khong-hop-le/")
    check("password-reset-bad-link")
    page.goto(f"{live_server.url}/accounts/reset/done/")
    check("password-reset-done")


@pytest.mark.urls(__name__)
def test_citizen_pages(page: Page, live_server, check, sign_in, settings, prepared, receive, make_version, people):
    settings.SITE_URL = live_server.url
    returned = prepared("returned")
    to_pay = receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)
    payment = payments.payment_start(to_pay, people["citizen"], now=at("2026-03-02 09:00"))
    sign_in("mai", "x")

    page.goto(f"{live_server.url}/accounts/profile/")
    check("profile")
    page.get_by_label("Số định danh cá nhân").fill("123")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.locator("main")).to_contain_text("12 chữ số")
    check("profile-errors")

    page.goto(f"{live_server.url}/dossiers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    check("my-dossiers")
    page.goto(f"{live_server.url}/dossiers/{returned.code}/")
    check("my-dossier-returned")
    page.goto(f"{live_server.url}/dossiers/{to_pay.code}/")
    check("my-dossier-to-pay")

    page.goto(f"{live_server.url}/nop-ho-so/thu-tuc/{to_pay.procedure_version.procedure.code}/")
    check("wizard-start")
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
    expect(page).to_have_url(re.compile(r"/nop-ho-so/\d+/"))
    check("wizard-first-step")
    page.goto(f"{live_server.url}/danh-gia/{returned.code}/")
    check("rate")
    page.goto(f"{live_server.url}/phan-anh-kien-nghi/")
    check("feedback-new")
    page.goto(f"{live_server.url}/phan-anh-kien-nghi/cua-toi/")
    check("feedback-mine")

    page.goto(f"{live_server.url}/payments/return/{payment.transaction_ref}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả thanh toán")
    check("payment-return")

    response = page.goto(f"{live_server.url}/desk/")
    assert response.status == 403
    check("403-staff-page")
    response = page.goto(f"{live_server.url}/test-denied/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Không có quyền truy cập")
    check("403")
    response = page.goto(f"{live_server.url}/dossiers/khong-co/")
    assert response.status == 404
    check("404-signed-in")


def test_the_checks_catch_what_they_look_for(page: Page, axe, no_sideways_scroll):
    """The fixtures fail on a page with an unlabelled field, poor contrast and a too wide block."""
    page.set_content(
        '<html lang="vi"><body><main><h1>Trang thử</h1>'
        '<input type="text"><p style="color:#bbb;background:#fff">chữ nhạt</p>'
        '<div style="width:600px">rộng</div></main></body></html>'
    )
    with pytest.raises(AssertionError) as caught:
        axe(page, "trang thử")
    assert "label" in str(caught.value)
    assert "color-contrast" in str(caught.value)
    with pytest.raises(AssertionError, match="scrolls sideways at 375 px"):
        no_sideways_scroll(page)
