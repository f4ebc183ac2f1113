"""In the browser, the fee step shows the chosen case's fee lines only: late registration 8.000 đ, on time nothing."""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import CitizenProfile
from procedures.models import ProcedureCase, ProcedureFee
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    at,
    make_version,
    people,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _to_fee_step(page: Page, case_url: str, case: str) -> None:
    """Choose the case, then open the fee step (the documents step would wait for uploads)."""
    page.goto(case_url)
    page.get_by_label(case).check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_label("Họ và tên").first).to_be_visible()
    page.goto(case_url.replace("truong-hop", "le-phi"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Phí, lệ phí")


def test_the_fee_step_follows_the_case(
    page: Page,
    live_server,
    sign_in,
    shoot,
    people,  # noqa: F811 - fixtures
    make_version,  # noqa: F811 - fixtures
):
    version = make_version()
    on_time = ProcedureCase.objects.create(version=version, order=1, name="Đăng ký đúng hạn")
    late = ProcedureCase.objects.create(version=version, order=2, name="Đăng ký quá hạn")
    ProcedureFee.objects.create(version=version, order=1, name="Lệ phí (đúng hạn)", amount=0, case=on_time)
    ProcedureFee.objects.create(version=version, order=2, name="Lệ phí đăng ký quá hạn", amount=8000, case=late)
    CitizenProfile.objects.filter(user=people["citizen"]).update(address="12 Lê Hoàn", phone="0912345678")

    with time_machine.travel(at("2026-03-02 09:00"), tick=True):
        sign_in("mai", "x")
        page.goto(f"{live_server.url}/procedures/{version.procedure.code}/")
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
        page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()
        case_url = page.url

        _to_fee_step(page, case_url, "Đăng ký quá hạn")
        fees = page.locator(".wizard__fees")
        expect(fees).to_contain_text("Lệ phí đăng ký quá hạn")
        expect(fees).not_to_contain_text("Lệ phí (đúng hạn)")
        expect(fees.locator("tfoot")).to_contain_text(re.compile(r"8\.000"))
        shoot("wizard-fee-late")

        _to_fee_step(page, case_url, "Đăng ký đúng hạn")
        expect(page.locator(".wizard__fees")).not_to_contain_text("Lệ phí đăng ký quá hạn")
        expect(page.locator("main")).to_contain_text("Không phải nộp phí, lệ phí.")
        expect(page.locator("main")).not_to_contain_text("Thanh toán trực tuyến sau khi nộp")
        shoot("wizard-fee-on-time")
