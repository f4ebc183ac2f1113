"""Issue 8's acceptance walk: one walk-in dossier goes through every staff screen, in headless Chromium.

The desk receives it at the counter and forwards it to the commune's officer; the officer moves it to a second unit
(the province's Department of Justice), whose officer asks for a supplement; the desk accepts the supplement; the
second officer sends it back to the commune's head, who issues a digitally signed result; the desk returns it at the
counter. Two steps in two units, every state change made by a click. The live server runs on the machine's clock:
nothing below depends on the date or the hour (the dossier's class is read from the page and checked against the DB).
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency
from dossiers.models import Dossier, DossierFile, DossierStep, ResultSignature
from dossiers.workflow import Status
from procedures.models import ProcedureVersion
from tests.dossiers.files_fixtures import pdf_bytes
from tests.signing import SIGNER_NAME, make_signed_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE = "000.00.31.H56"
JUSTICE = "000.00.10.H56"  # Sở Tư pháp tỉnh Thanh Hóa: the second unit
PASSWORD = "Demo@2026"


def _second_officer() -> User:
    user = User.objects.create(username="tuphap", full_name="Đỗ Thị Thu Trang", email="tuphap@example.vn")
    user.set_password(PASSWORD)
    user.save()
    staff_assign(user=user, agency=Agency.objects.get(e_identifier=JUSTICE), role=Role.OFFICER)
    return user


def _switch(page: Page, sign_in, username: str) -> None:
    """Sign out with the header's button (a POST), then sign in as someone else."""
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_load_state()
    sign_in(username)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def _pdf_text(page: Page, url: str) -> str:
    response = page.request.get(url)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def _take_action(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Thao tác").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _choose_agency(page: Page, label: str, agency) -> None:
    """Pick the agency and wait for its staff list to arrive (the handler list reloads when the agency changes)."""
    page.get_by_label(label).select_option(value=str(agency.pk))
    expect(page.locator("[data-handlers-list]")).not_to_have_attribute("aria-busy", "true")


def _done(page: Page, code: str, label: str) -> None:
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/$"))
    expect(page.get_by_role("status")).to_contain_text(f"Đã thực hiện “{label}” cho hồ sơ {code}")


def test_one_walk_in_dossier_through_two_units_to_its_return(
    page: Page, live_server, sign_in, shoot, settings, tmp_path
):
    signed = make_signed_pdf()
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "ca.pem").write_bytes(signed.ca_pem)
    settings.RESULT_TRUST_ROOTS = [str(tmp_path / "ca.pem")]
    (tmp_path / "ket-qua-da-ky-so.pdf").write_bytes(signed.data)
    # Seeded before the live server's day (it runs on the machine's clock); nothing below depends on the date.
    call_command("seed_demo", dossiers=20, seed=2, force=True, verbosity=0, today=timezone.localdate())
    second = _second_officer()
    commune = Agency.objects.get(e_identifier=COMMUNE)
    justice = Agency.objects.get(e_identifier=JUSTICE)
    officer, head = User.objects.get(username="officer"), User.objects.get(username="head")
    birth = ProcedureVersion.objects.in_force().get(name="Đăng ký khai sinh", agencies__e_identifier=COMMUNE)
    before = set(Dossier.objects.values_list("pk", flat=True))

    # 1. Desk: the walk-in intake, the checklist ticked and a scan attached, then the receipt (form 01).
    sign_in("desk")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_label("Tìm thủ tục").press("Enter")
    page.get_by_label("Thủ tục hành chính").select_option(value=birth.procedure.code)
    page.get_by_role("button", name="Chọn thủ tục").click()
    expect(page.locator(".intake__procedure")).to_contain_text("Đăng ký khai sinh")
    form = page.locator("#intake-form")
    form.get_by_label("Số giấy tờ").fill("038190007777")
    form.get_by_label("Họ tên / tên tổ chức").fill("Phan Thị Ngọc Ánh")
    form.get_by_label("Số điện thoại").fill("0912000777")
    form.locator("#id_address").fill("15 Trần Phú, phường Hạc Thành")
    rows = page.locator(".intake__docs tbody tr")
    for i in range(rows.count()):
        rows.nth(i).locator("input[type=checkbox]").check()
    rows.first.locator("input[type=file]").set_input_files(
        files=[{"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_label("Nội dung yêu cầu giải quyết").fill("Đăng ký khai sinh cho con thứ hai")
    shoot("walk-01-intake")
    page.get_by_role("button", name="Tiếp nhận", exact=True).click()

    dossier = Dossier.objects.exclude(pk__in=before).get()
    code = dossier.code
    assert dossier.status == Status.RECEIVED
    assert DossierFile.objects.get(dossier=dossier).original_name == "to-khai.pdf"
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Đã tiếp nhận hồ sơ {code}")
    receipt = status.get_by_role("link", name="In giấy tiếp nhận và hẹn trả kết quả")
    shoot("walk-02-received")
    assert code in re.sub(r"\s+", "", _pdf_text(page, live_server.url + receipt.get_attribute("href")))

    # 2. Desk: "Chuyển xử lý" (T6) to the commune's officer.
    _take_action(page, "Chuyển xử lý")
    _choose_agency(page, "Cơ quan giải quyết", commune)
    page.get_by_label("Cán bộ thụ lý").select_option(value=str(officer.pk))
    page.get_by_label("Ghi chú").fill("Chuyển công chức tư pháp – hộ tịch thụ lý")
    shoot("walk-03-forward")
    page.get_by_role("button", name="Chuyển xử lý").click()
    _done(page, code, "Chuyển xử lý")

    # 3. Commune officer: the dossier in "Hồ sơ cần xử lý" (mine), opened, moved on to the Department of Justice.
    _switch(page, sign_in, "officer")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")
    row = page.locator("tr.inbox-row", has=page.get_by_role("link", name=code))
    expect(row).to_be_visible()
    shoot("walk-04-officer-inbox")
    row.get_by_role("link", name=code).click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/$"))
    shoot("walk-05-officer-dossier")
    _take_action(page, "Chuyển bước xử lý")
    page.get_by_label("Tên bước xử lý").fill("Thẩm định, xác minh hộ tịch")
    _choose_agency(page, "Cơ quan, đơn vị", justice)
    expect(page.locator("main")).to_contain_text("Danh sách cán bộ gồm lãnh đạo và chuyên viên của cơ quan được chọn")
    page.get_by_label("Ghi chú").fill("Đề nghị Sở Tư pháp xác minh thông tin hộ tịch")
    shoot("walk-06-step-form")
    page.get_by_role("button", name="Chuyển bước xử lý").click()
    _done(page, code, "Chuyển bước xử lý")

    # 4. Second officer (Sở Tư pháp): the unit's new step in their inbox; takes it, asks for a supplement (T9).
    _switch(page, sign_in, second.username)
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    page.get_by_role("link", name="Của đơn vị").click()
    row = page.locator("tr.inbox-row", has=page.get_by_role("link", name=code))
    expect(row).to_contain_text("Thẩm định, xác minh hộ tịch")
    shoot("walk-07-second-inbox")
    row.get_by_role("link", name=code).click()
    _take_action(page, "Phân công xử lý")
    expect(page.get_by_label("Cán bộ xử lý")).to_have_value(str(second.pk))
    page.get_by_role("button", name="Phân công xử lý").click()
    _done(page, code, "Phân công xử lý")
    _take_action(page, "Yêu cầu bổ sung hồ sơ")
    page.get_by_label("Các nội dung cần bổ sung, hoàn thiện").fill(
        "Tờ khai đăng ký khai sinh: ghi rõ nơi sinh theo giấy chứng sinh\nGiấy chứng sinh: bản chính do cơ sở y tế cấp"
    )
    page.get_by_label("Lý do").fill("Thông tin nơi sinh trên tờ khai không khớp giấy chứng sinh")
    shoot("walk-08-supplement-form")
    page.get_by_role("button", name="Yêu cầu bổ sung hồ sơ").click()
    _done(page, code, "Yêu cầu bổ sung hồ sơ")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    step_at_justice = dossier.current_step_id

    # 5. Desk: the supplement handed in at the counter is accepted (T10); processing resumes at the same step.
    _switch(page, sign_in, "desk")
    page.goto(f"{live_server.url}/dossiers/{code}/")
    _take_action(page, "Nhận hồ sơ bổ sung")
    requested = page.locator("section", has=page.get_by_role("heading", name="Nội dung đã yêu cầu bổ sung"))
    expect(requested.locator("li")).to_have_text(
        [
            "Tờ khai đăng ký khai sinh: ghi rõ nơi sinh theo giấy chứng sinh",
            "Giấy chứng sinh: bản chính do cơ sở y tế cấp",
        ]
    )
    page.get_by_label("Ghi chú").fill("Công dân nộp bổ sung tờ khai và giấy chứng sinh bản chính")
    shoot("walk-09-accept-supplement")
    page.get_by_role("button", name="Nhận hồ sơ bổ sung").click()
    _done(page, code, "Nhận hồ sơ bổ sung")
    expect(page.locator("main")).to_contain_text("Đang xử lý")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.current_step_id) == (Status.IN_PROCESSING, step_at_justice)

    # 6. Second officer: back to the commune, to its head for signature ("Trình ký", T7).
    _switch(page, sign_in, second.username)
    page.goto(f"{live_server.url}/dossiers/{code}/")
    _take_action(page, "Chuyển bước xử lý")
    page.get_by_label("Tên bước xử lý").fill("Trình ký")
    _choose_agency(page, "Cơ quan, đơn vị", commune)
    page.get_by_label("Cán bộ xử lý").select_option(value=str(head.pk))
    page.get_by_label("Ghi chú").fill("Đã xác minh, đủ điều kiện; trình lãnh đạo ký")
    shoot("walk-10-step-back")
    page.get_by_role("button", name="Chuyển bước xử lý").click()
    _done(page, code, "Chuyển bước xử lý")

    # 7. Head: the result screen, a signed PDF uploaded; the dossier page shows it signed, by whom.
    _switch(page, sign_in, "head")
    page.goto(f"{live_server.url}/dossiers/{code}/")
    page.get_by_role("navigation", name="Thao tác").get_by_role("link", name="Ban hành kết quả").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/result/$"))
    page.get_by_label("Số, ký hiệu văn bản kết quả").fill("88/TrKS")
    page.get_by_label("Tải lên tệp PDF đã ký số").check()
    page.get_by_label("Tệp kết quả (PDF đã ký số)").set_input_files(str(tmp_path / "ket-qua-da-ky-so.pdf"))
    page.get_by_label("Người ký").fill("")
    shoot("walk-11-result-screen")
    page.get_by_role("button", name="Ban hành kết quả").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã ban hành kết quả số 88/TrKS")
    result = page.locator("section", has=page.get_by_role("heading", name="Kết quả giải quyết"))
    expect(result.locator(".badge--full").first).to_have_text("Đã ký số")
    expect(result).to_contain_text(SIGNER_NAME)
    shoot("walk-12-result-issued")

    # 8. Desk: the return at the counter (the fee first if the page asks), the handover record, the class.
    _switch(page, sign_in, "desk")
    page.goto(f"{live_server.url}/dossiers/{code}/return/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trả kết quả")
    fee_button = page.get_by_role("button", name="Xác nhận đã thu phí")
    collected = fee_button.count() > 0
    if collected:
        page.get_by_label("Số biên lai").fill("BL-0808")
        fee_button.click()
        expect(page.get_by_role("status")).to_contain_text("Đã ghi nhận thu phí")
    expect(page.get_by_label("Họ tên người nhận kết quả")).to_have_value("Phan Thị Ngọc Ánh")
    page.get_by_label("Số giấy tờ tùy thân của người nhận").fill("038190007777")
    page.get_by_label("Đã kiểm tra giấy tờ tùy thân").check()
    shoot("walk-13-return")
    page.get_by_role("button", name="Trả kết quả").click()
    expect(page.get_by_role("status")).to_contain_text(f"Đã trả kết quả hồ sơ {code}")
    record = page.locator(".rt-done").get_by_role("link", name="In phiếu giao nhận kết quả")
    expect(record).to_have_attribute("href", f"/dossiers/{code}/forms/handover.pdf")
    verdict = page.locator(".rt-verdict .rt-class")
    expect(verdict).to_have_text(re.compile(r"^(Trước hạn|Đúng hạn|Quá hạn)$"))
    shown_class = verdict.inner_text().strip()
    shoot("walk-14-returned")

    # The dossier as stored: the log in order, returned, the class shown, two steps in two units, the signature.
    dossier.refresh_from_db()
    actions = list(dossier.events.order_by("id").values_list("action", flat=True))
    expected = ["receive_counter", "forward", "step", "assign", "request_supplement", "accept_supplement", "step"]
    expected += ["issue_result", *(["collect_fee"] if collected else []), "return_result"]
    assert actions == expected
    assert dossier.status == Status.RETURNED
    assert dossier.get_outcome_display() == shown_class
    steps = list(DossierStep.objects.filter(dossier=dossier, name__in=["Thẩm định, xác minh hộ tịch", "Trình ký"]))
    assert [(s.name, s.agency_id, s.handler_id) for s in sorted(steps, key=lambda s: s.order)] == [
        ("Thẩm định, xác minh hộ tịch", justice.pk, second.pk),
        ("Trình ký", commune.pk, head.pk),
    ]
    assert all(s.finished_at is not None for s in steps)
    signature = ResultSignature.objects.get(file__dossier=dossier)
    assert (signature.trusted, signature.intact) == (True, True)
    out = io.StringIO()
    call_command("audit_verify", dossier=code, stdout=out)
    assert "Nhật ký nguyên vẹn" in out.getvalue()
