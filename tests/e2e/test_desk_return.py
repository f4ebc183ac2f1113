"""A desk officer returns a result at the counter in headless Chromium: the "thu sau" fee first, then the receiver
with the ID checked and the original given back; the handover record is offered and the dossier's class shown."""
# The engine's fixtures are imported for use as parameters, not redefined.
# ruff: noqa: F401, F811

import re

import pytest
from playwright.sync_api import Page, expect

from dossiers.models import DocumentForm, ResultHandover
from dossiers.workflow import Status
from tests.dossiers.conftest import agencies, applicant_for, make_version, people, receive, submitted
from tests.dossiers.transition_cases import prepared

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_collects_the_fee_and_returns_the_result_at_the_counter(
    page: Page, live_server, sign_in, shoot, prepared, people
):
    dossier = prepared("result_ready_fee_after")
    original = dossier.documents.get(form=DocumentForm.ORIGINAL)

    sign_in("desk", "x")
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/")
    page.get_by_role("navigation", name="Thao tác").get_by_role("link", name="Thu phí, lệ phí").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/return/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Trả kết quả")

    # 1. The fee first: the amount is pre-filled, the receipt number typed.
    expect(page.get_by_label("Số tiền đã thu (đồng)")).to_have_value("16000")
    page.get_by_label("Số biên lai").fill("BL-0042")
    shoot("desk-return-fee")
    page.get_by_role("button", name="Xác nhận đã thu phí").click()
    expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận thu phí")
    expect(page.locator(".rt-paid")).to_contain_text("Đã thu 16.000 đồng, biên lai số BL-0042")

    # 2. At the counter (registered at receipt): the owner, pre-filled; the ID checked; the original given back.
    expect(page.get_by_role("link", name="Nhận trực tiếp tại Bộ phận Một cửa")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_label("Chủ hồ sơ")).to_be_checked()
    expect(page.get_by_label("Họ tên người nhận kết quả")).to_have_value("Hoàng Thị Mai")
    page.get_by_label("Đã kiểm tra giấy tờ tùy thân").check()
    page.get_by_label(re.compile(re.escape(original.name))).check()
    shoot("desk-return")
    page.get_by_role("button", name="Trả kết quả").click()

    expect(page.get_by_role("status")).to_contain_text(f"Đã trả kết quả hồ sơ {dossier.code}")
    record = page.locator(".rt-done").get_by_role("link", name="In phiếu giao nhận kết quả")
    expect(record).to_have_attribute("href", f"/dossiers/{dossier.code}/forms/handover.pdf")
    expect(page.locator(".rt-verdict")).to_contain_text("Kết quả giải quyết hồ sơ: Trước hạn")
    shoot("desk-return-done")

    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.receiver, handover.id_checked) == ("Hoàng Thị Mai", True)
    assert [row["id"] for row in handover.originals_returned] == [original.pk]
    pdf = page.request.get(f"{live_server.url}/dossiers/{dossier.code}/forms/handover.pdf")
    assert (pdf.status, pdf.headers["content-type"]) == (200, "application/pdf")

    # The dossier page shows the class too.
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/")
    expect(page.locator("main")).to_contain_text("Kết quả giải quyết: Trước hạn")
