"""A desk officer receives a walk-in dossier in one screen, with a scan and the fee paid at the counter, and prints the
receipt (headless Chromium)."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from dossiers.models import Dossier, DossierFile
from dossiers.workflow import Status
from procedures.models import ProcedureVersion
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_receives_a_walk_in_dossier_and_prints_the_receipt(
    page: Page, live_server, sign_in, shoot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # Seeded before the live server's day (it runs on the machine's clock); nothing below depends on the date.
    call_command("seed_demo", dossiers=20, seed=2, force=True, verbosity=0, today=timezone.localdate())
    before = set(Dossier.objects.values_list("pk", flat=True))

    sign_in("desk")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    expect(page).to_have_url(re.compile(r"/desk/intake/$"))

    page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_label("Tìm thủ tục").press("Enter")
    procedure = page.get_by_label("Thủ tục hành chính")
    birth = ProcedureVersion.objects.in_force().get(name="Đăng ký khai sinh", agencies__e_identifier="000.00.31.H56")
    procedure.select_option(value=birth.procedure.code)
    shoot("desk-intake-pick")
    page.get_by_role("button", name="Chọn thủ tục").click()
    expect(page.locator(".intake__procedure")).to_contain_text("Đăng ký khai sinh")

    form = page.locator("#intake-form")
    form.get_by_label("Số giấy tờ").fill("038190004321")
    form.get_by_label("Họ tên / tên tổ chức").fill("Lê Thị Hồng")
    form.get_by_label("Số điện thoại").fill("0912000222")
    form.locator("#id_address").fill("8 Hạc Thành, phường Hạc Thành")
    rows = page.locator(".intake__docs tbody tr")
    for i in range(rows.count()):
        rows.nth(i).locator("input[type=checkbox]").check()
    rows.first.locator("input[type=file]").set_input_files(
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_label("Nội dung yêu cầu giải quyết").fill("Đăng ký khai sinh cho con")

    # A postal dossier is returned by post unless the officer says otherwise; back at the counter, at the counter.
    channel, method = page.locator("#id_channel"), page.locator("#id_return_method")
    channel.select_option("3")
    expect(method).to_have_value("post")
    channel.select_option("1")
    expect(method).to_have_value("counter")

    # The fee lines are alternatives: on time (0 đồng, ticked first) or late, plus an optional copy. Registered
    # late: the desk ticks that line instead, and the amount due and the payment fields follow.
    fees = {fee.name: fee.pk for fee in birth.fees.all()}
    on_time = page.locator(f'input[name=fees][value="{fees["Lệ phí đăng ký khai sinh (đúng hạn)"]}"]')
    late = page.locator(f'input[name=fees][value="{fees["Lệ phí đăng ký khai sinh quá hạn"]}"]')
    payment = page.locator("[data-fee-payment]")
    expect(on_time).to_be_checked()
    expect(page.locator("[data-fee-total]")).to_have_text("0 đồng")
    expect(payment).to_be_hidden()
    on_time.uncheck()
    late.check()
    expect(page.locator("[data-fee-total]")).to_have_text("8.000 đồng")
    expect(payment).to_be_visible()
    expect(page.get_by_label("Số tiền đã thu (đồng)")).to_have_value("8000")
    page.get_by_label("Số biên lai").fill("0001234")
    page.get_by_label("Chuyển khoản").check()
    shoot("desk-intake")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()

    dossier = Dossier.objects.exclude(pk__in=before).get()
    assert dossier.status == Status.RECEIVED
    assert dossier.applicant.name == "Lê Thị Hồng"
    assert DossierFile.objects.get(dossier=dossier).original_name == "to-khai.pdf"
    assert (dossier.fee_mode, dossier.payment_state) == ("before", "paid")
    assert [line.amount for line in dossier.fee_lines.all()] == [8000]
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    expect(page.locator(".dossier-fee")).to_contain_text("đã thu 8.000 đồng (chuyển khoản), biên lai số 0001234")
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    receipt = status.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả")
    expect(receipt).to_have_attribute("target", "_blank")
    shoot("desk-intake-received")

    response = page.request.get(live_server.url + receipt.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert dossier.code in re.sub(r"\s+", "", text) or dossier.code in text
    assert "biên lai số 0001234" in " ".join(text.split())
