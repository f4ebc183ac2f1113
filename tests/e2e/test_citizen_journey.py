"""Issue 9's acceptance walk: one citizen does online everything they would do at the counter, in headless Chromium.

Sign up by phone (the one-time code read from the SMS fake) → find "dang ky khai sinh" typed without accents → the
wizard with a PDF → leave, and resume the draft in a new browser context → submit → pay on the fake payment
platform → the desk (through the engine) asks for a supplement → the citizen answers it → the desk accepts it, the
commune processes it and issues the result → the citizen downloads it (returned online) → verifies it logged out from
the link its QR code carries → rates it → sees which units read the dossier. Every page passes axe-core (WCAG 2.1
A/AA) and is saved at 1280 and 375 px (var/screenshots/journey-*), where nothing may scroll sideways.

The clock is frozen on Monday 02/03/2026 08:30 and ticks from there, so deadlines and dates are the same every run.
"""

import io
import re

import pytest
import time_machine
from django.test import Client
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from accounts.models import FakeSms, User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency
from dossiers.handover import fees_due_total
from dossiers.models import Dossier, PaymentState, PersonalDataAccess
from dossiers.services import dossier_transition
from dossiers.workflow import Status
from feedback.models import DossierRating
from procedures.templatetags.procedures_tags import vnd
from tests.dossiers.conftest import at
from tests.dossiers.files_fixtures import pdf_bytes
from tests.e2e.conftest import DESKTOP, PHONE, SHOTS, sideways_scroll

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE = "000.00.31.H56"
PHONE_NUMBER = "0987654321"
PASSWORD = "Mot-cua@2026"
NAME = "Lê Văn Bình"


@pytest.fixture
def commune_staff(seeded) -> dict[str, User]:
    """The commune's desk officer, processing officer and head (their own accounts, whatever the demo holds)."""
    agency = Agency.objects.get(e_identifier=COMMUNE)
    people = {}
    for username, role in (("j-desk", Role.DESK), ("j-officer", Role.OFFICER), ("j-head", Role.HEAD)):
        user = User.objects.create_user(username=username, password="x", full_name=username.title())
        staff_assign(user=user, agency=agency, role=role, desk=agency.desks.first() if role == Role.DESK else None)
        people[role] = User.objects.select_related("staff_profile__agency").get(pk=user.pk)
    return people


class Walk:
    """The page in hand, with the checks every page of the journey gets: axe-core, and the two screenshots."""

    def __init__(self, page: Page, axe):
        self.page, self._axe = page, axe

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state()
        self._axe(page, name)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=SHOTS / f"journey-{name}-1280.png", full_page=True)
        page.set_viewport_size(PHONE)
        try:
            page.screenshot(path=SHOTS / f"journey-{name}-375.png", full_page=True)
            self._axe(page, f"{name} at 375 px")
            problems = sideways_scroll(page)
        finally:
            page.set_viewport_size(DESKTOP)
        assert not problems, f"{name} scrolls sideways at 375 px:\n" + "\n".join(problems)


def _sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(PHONE_NUMBER)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def _next(page: Page) -> None:
    page.get_by_role("button", name="Tiếp tục").click()


def _sign_up(walk: Walk, url: str) -> None:
    page = walk.page
    page.goto(f"{url}/")
    walk.check("home")
    page.get_by_role("link", name="Đăng ký", exact=True).click()
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill(PHONE_NUMBER)
    page.get_by_label("Họ và tên").fill(NAME)
    page.get_by_label(re.compile("^Mật khẩu")).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    walk.check("signup")
    page.get_by_role("button", name="Đăng ký và nhận mã").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm/$"))
    walk.check("confirm")
    code = re.search(r"\b(\d{6})\b", FakeSms.objects.get(to=PHONE_NUMBER).body).group(1)
    page.get_by_label("Mã xác nhận").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    page.get_by_label("Số định danh cá nhân").fill("038090004567")
    page.get_by_label("Ngày sinh").fill("15/06/1990")
    page.get_by_label("Địa chỉ").fill("24 Lê Lai, phường Hạc Thành, tỉnh Thanh Hóa")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.locator("main")).to_contain_text("Đã lưu thông tin cá nhân.")
    walk.check("profile")


def _find_and_start(walk: Walk, url: str) -> None:
    page = walk.page
    page.goto(f"{url}/")
    page.get_by_label("Tìm thủ tục hành chính").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    first = page.locator(".proc-result__name a").first
    expect(first).to_have_text("Đăng ký khai sinh")
    walk.check("catalogue")
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    walk.check("procedure")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    agency = Agency.objects.get(e_identifier=COMMUNE)
    page.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option(str(agency.pk))
    walk.check("wizard-start")
    page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()


def _first_half_of_the_wizard(walk: Walk, pdf) -> None:
    """Case (if offered), applicant (pre-filled from the profile), the documents; then the citizen leaves."""
    page = walk.page
    cases = page.get_by_label(re.compile("quá hạn"))
    if cases.count():
        cases.check()
        walk.check("wizard-case")
        _next(page)
    expect(page.get_by_label("Họ và tên").first).to_have_value(NAME)
    expect(page.get_by_label("Số định danh cá nhân").first).to_have_value("038090004567")
    phone = page.get_by_label("Số điện thoại").first
    if not phone.input_value():
        phone.fill(PHONE_NUMBER)
    walk.check("wizard-applicant")
    _next(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ")
    for slot in page.locator(".wizard__doc").all():
        slot.locator("input[type=file]").set_input_files(pdf)
        slot.get_by_role("button", name=re.compile("^Tải lên")).click()
        expect(page.locator("main")).to_contain_text("Đã tải lên tệp “to-khai-khai-sinh.pdf”.")
    walk.check("wizard-documents")
    _next(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Phí, lệ phí"))


def _resume_submit_and_pay(walk: Walk, url: str) -> Dossier:
    page = walk.page
    _sign_in(page, url)
    page.get_by_role("navigation").get_by_role("link", name="Hồ sơ của tôi").first.click()
    expect(page.get_by_role("heading", name="Hồ sơ chưa nộp")).to_be_visible()
    walk.check("my-dossiers-draft")
    page.get_by_role("link", name=re.compile("^Tiếp tục")).first.click()
    # The draft was saved on the server at the step the citizen left it: the fee.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Phí, lệ phí"))
    expect(page.locator("main")).to_contain_text("8.000 đồng")
    walk.check("wizard-fee")
    _next(page)
    page.get_by_label("Nhận trực tuyến").check()
    walk.check("wizard-delivery")
    _next(page)
    expect(page.locator("main")).to_contain_text("to-khai-khai-sinh.pdf")
    walk.check("wizard-review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ thành công")
    dossier = Dossier.objects.get(owner__username=PHONE_NUMBER)
    assert dossier.status == Status.SUBMITTED
    expect(page.locator("main")).to_contain_text(dossier.code)
    walk.check("wizard-done")

    page.get_by_role("button", name="Thanh toán").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán phí, lệ phí")
    assert fees_due_total(dossier) > 0
    expect(page.locator("main")).to_contain_text(vnd(fees_due_total(dossier)))
    walk.check("payment-platform")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả thanh toán")
    expect(page.get_by_role("status")).to_contain_text("Thanh toán thành công")
    expect(page.locator("main")).to_contain_text(dossier.code)
    walk.check("payment-return")
    dossier.refresh_from_db()
    assert dossier.payment_state == PaymentState.PAID
    return dossier


def _desk_asks_for_a_supplement(dossier: Dossier, staff: dict) -> None:
    """The desk opens the dossier (a staff read the citizen will see) and asks for one missing item (T4)."""
    desk = Client()
    desk.force_login(staff[Role.DESK])
    assert desk.get(f"/dossiers/{dossier.code}/").status_code == 200
    dossier_transition(
        dossier=dossier,
        action="request_supplement_intake",
        actor=staff[Role.DESK],
        note="Giấy chứng sinh tải lên không đọc được.",
        items=[{"document": "Giấy chứng sinh", "content": "Bản chụp rõ nét, đủ 4 góc", "form": "Bản chụp", "count": 1}],
        legal_basis="Nghị định 118/2025/NĐ-CP, Điều 11",
    )


def _citizen_answers(walk: Walk, url: str, dossier: Dossier, pdf) -> None:
    page = walk.page
    page.goto(f"{url}/ho-so-cua-toi/")
    row = page.locator("main").get_by_text(dossier.code).first
    expect(row).to_be_visible()
    walk.check("my-dossiers-supplement")
    page.goto(f"{url}/ho-so-cua-toi/{dossier.code}/")
    expect(page.locator("main")).to_contain_text("Giấy chứng sinh tải lên không đọc được.")
    page.get_by_role("link", name="Gửi hồ sơ bổ sung").first.click()
    expect(page.locator("main")).to_contain_text("Bản chụp rõ nét, đủ 4 góc")
    page.locator("main input[type=file]").first.set_input_files(pdf)
    walk.check("supplement")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.locator("main")).to_contain_text("Bạn đã gửi")
    dossier.refresh_from_db()
    assert dossier.substate == "supplied"


def _commune_decides(dossier: Dossier, staff: dict) -> None:
    """The desk accepts the supplement (T10), forwards (T6); the officer reads; the head issues the result (T15)."""
    dossier_transition(dossier=dossier, action="accept_supplement", actor=staff[Role.DESK])
    dossier_transition(dossier=dossier, action="forward", actor=staff[Role.DESK], handler=staff[Role.OFFICER])
    officer = Client()
    officer.force_login(staff[Role.OFFICER])
    assert officer.get(f"/dossiers/{dossier.code}/").status_code == 200
    dossier_transition(
        dossier=dossier, action="issue_result", actor=staff[Role.HEAD], number="15/GKS", signer="Nguyễn Văn An"
    )


def _download_and_verify(walk: Walk, browser: Browser, url: str, dossier: Dossier) -> None:
    page = walk.page
    page.goto(f"{url}/ho-so-cua-toi/{dossier.code}/")
    result = page.locator("#ket-qua")
    expect(result).to_contain_text("15/GKS")
    walk.check("dossier-result")
    with page.expect_download() as download:
        result.locator(".result-files__item > a").first.click()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages)
    assert "15/GKS" in text
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED  # the owner's first download returned it online (T16)
    verify_url = re.search(r"(https?://\S+/xac-minh/\S+/)", text.replace("\n", "")).group(1)

    stranger = browser.new_context()
    try:
        anonymous = Walk(stranger.new_page(), walk._axe)
        anonymous.page.goto(verify_url)
        expect(anonymous.page.get_by_role("heading", level=1)).to_have_text("Xác minh văn bản kết quả")
        expect(anonymous.page.locator("main")).to_contain_text("Mã xác minh hợp lệ")
        expect(anonymous.page.locator("main")).to_contain_text("15/GKS")
        assert NAME not in anonymous.page.content()
        assert dossier.code not in anonymous.page.content()
        anonymous.check("verify")
    finally:
        stranger.close()


def _rate_and_see_who_read(walk: Walk, url: str, dossier: Dossier) -> None:
    page = walk.page
    page.goto(f"{url}/ho-so-cua-toi/{dossier.code}/")
    page.get_by_role("link", name=re.compile("Đánh giá")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đánh giá việc giải quyết hồ sơ")
    for group in page.locator("main fieldset").all():
        group.locator("input[type=radio]").first.check()
    page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Cán bộ hướng dẫn rõ ràng.")
    walk.check("rate")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("heading", name="Kết quả đánh giá của bạn")).to_be_visible()
    assert DossierRating.objects.filter(dossier=dossier).count() == 1

    page.goto(f"{url}/ho-so-cua-toi/{dossier.code}/")
    reads = page.locator("section", has=page.get_by_role("heading", name="Ai đã xem hồ sơ của tôi"))
    commune = Agency.objects.get(e_identifier=COMMUNE)
    expect(reads).to_contain_text(commune.name)
    expect(reads).not_to_contain_text("J-Desk")
    expect(reads).not_to_contain_text("J-Officer")
    assert PersonalDataAccess.objects.filter(dossier=dossier, agency=commune).count() >= 2
    walk.check("dossier-returned")


def test_a_citizen_does_online_what_they_would_do_at_the_counter(
    page: Page, browser: Browser, live_server, settings, axe, commune_staff, tmp_path
):
    settings.SITE_URL = live_server.url
    url = live_server.url
    pdf = tmp_path / "to-khai-khai-sinh.pdf"
    pdf.write_bytes(pdf_bytes())

    with time_machine.travel(at("2026-03-02 08:30"), tick=True):
        first = browser.new_context()
        try:
            walk = Walk(first.new_page(), axe)
            _sign_up(walk, url)
            _find_and_start(walk, url)
            _first_half_of_the_wizard(walk, pdf)
        finally:
            first.close()  # the citizen leaves: another device later

        walk = Walk(page, axe)
        dossier = _resume_submit_and_pay(walk, url)
        _desk_asks_for_a_supplement(dossier, commune_staff)
        _citizen_answers(walk, url, dossier, pdf)
        _commune_decides(dossier, commune_staff)
        _download_and_verify(walk, page.context.browser, url, dossier)
        _rate_and_see_who_read(walk, url, dossier)
