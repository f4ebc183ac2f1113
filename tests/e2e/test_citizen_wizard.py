"""A citizen finds a procedure, walks the submission wizard with a small PDF, submits, and sees the code."""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from accounts.models import CitizenProfile
from dossiers.models import Dossier
from dossiers.workflow import Status
from procedures.models import ProcedureCase, RequiredDocument
from tests.citizen.wizard_fixtures import PDF
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    at,
    make_version,
    people,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _next(page: Page) -> None:
    page.get_by_role("button", name="Tiếp tục").click()


def test_citizen_walks_the_wizard_and_submits(
    page: Page,
    live_server,
    sign_in,
    shoot,
    tmp_path,
    people,  # noqa: F811 - fixtures
    make_version,  # noqa: F811 - fixtures
):
    version = make_version(fee=50000)
    first = ProcedureCase.objects.create(version=version, order=1, name="Kết hôn lần đầu")
    ProcedureCase.objects.create(version=version, order=2, name="Đã từng kết hôn, đã ly hôn")
    RequiredDocument.objects.create(version=version, order=3, name="Giấy xác nhận tình trạng hôn nhân", case=first)
    CitizenProfile.objects.filter(user=people["citizen"]).update(
        address="12 Lê Hoàn, phường Hạc Thành", phone="0912345678", email="mai@example.vn"
    )
    pdf = tmp_path / "to-khai.pdf"
    pdf.write_bytes(PDF)

    with time_machine.travel(at("2026-03-02 09:00"), tick=True):
        sign_in("mai", "x")
        page.goto(f"{live_server.url}/procedures/{version.procedure.code}/")
        page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Nộp hồ sơ trực tuyến")
        shoot("wizard-start")
        page.get_by_role("button", name="Bắt đầu khai hồ sơ").click()

        expect(page.locator(".wizard__count")).to_have_text(re.compile("Bước 1/6", re.I))
        page.get_by_label("Kết hôn lần đầu").check()
        shoot("wizard-case")
        _next(page)

        expect(page.get_by_label("Họ và tên").first).to_have_value("Hoàng Thị Mai")
        expect(page.get_by_label("Số định danh cá nhân").first).to_have_value("038190001234")
        shoot("wizard-applicant")
        _next(page)

        expect(page.get_by_role("heading", level=1)).to_have_text("Giấy tờ")
        for slot in page.locator(".wizard__doc").all():
            name = slot.locator(".wizard__doc-name").inner_text()
            slot.locator("input[type=file]").set_input_files(pdf)
            slot.get_by_role("button", name=re.compile("^Tải lên")).click()
            expect(page.locator("main")).to_contain_text("Đã tải lên tệp “to-khai.pdf”.")
            assert name
        expect(page.locator(".wizard__file-name")).to_have_count(3)
        shoot("wizard-documents")
        _next(page)

        expect(page.locator("main")).to_contain_text("50.000 đồng")
        shoot("wizard-fee")
        _next(page)

        page.get_by_label("Qua dịch vụ bưu chính công ích").check()
        page.get_by_label("Địa chỉ nhận kết quả qua bưu chính").fill("5 Trần Phú, phường Hạc Thành")
        shoot("wizard-delivery")
        _next(page)

        expect(page.locator("main")).to_contain_text("5 Trần Phú, phường Hạc Thành")
        expect(page.locator("main")).to_contain_text("Kết hôn lần đầu")
        shoot("wizard-review")
        page.get_by_role("button", name="Nộp hồ sơ").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ thành công")
        dossier = Dossier.objects.get(owner=people["citizen"])
        assert dossier.status == Status.SUBMITTED
        expect(page.locator("main")).to_contain_text(dossier.code)
        expect(page.get_by_role("button", name="Thanh toán")).to_be_visible()
        shoot("wizard-done")
