"""The desk reviews an online dossier with its PDF in the page and refuses it with form 03; at the counter, an
incomplete dossier gets its supplement request (form 02) — headless Chromium."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from agencies.models import Agency
from dossiers import services
from dossiers.files import dossier_file_add
from dossiers.models import ApplicantKind, Dossier, IdDocumentType
from dossiers.workflow import Status
from procedures.models import ProcedureVersion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE = "000.00.31.H56"


def _scan_pdf() -> bytes:
    """A one-page application form, as a citizen's scan would look (rendered by the portal's own PDF engine)."""
    from dossiers.printing import html_to_pdf

    return html_to_pdf(
        "<h1 style='text-align:center'>TỜ KHAI ĐĂNG KÝ KHAI SINH</h1>"
        "<p>Kính gửi: Ủy ban nhân dân phường Hạc Thành</p>"
        "<p>Họ, chữ đệm, tên người yêu cầu: Hoàng Thị Mai</p><p>Nơi cư trú: 12 Lê Hoàn, phường Hạc Thành</p>"
        "<p>Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:</p><p>Họ, chữ đệm, tên: Nguyễn Minh An</p>"
        "<p>Ngày, tháng, năm sinh: 02/11/2026</p><p>Giới tính: Nam</p>"
    )


def _scan_png() -> bytes:
    """A photographed identity card (grey card, a few lines of text)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), "#e8ecf2")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 380), outline="#1d2330", width=3)
    draw.rectangle((40, 90, 200, 300), fill="#b8c2d0")
    for row, line in enumerate(("CAN CUOC", "So: 038190001234", "Ho va ten: HOANG THI MAI", "Ngay sinh: 12/05/1990")):
        draw.text((230, 100 + row * 40), line, fill="#1d2330")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _online_dossier() -> Dossier:
    """The demo citizen's online dossier at the demo desk's commune, a PDF and a PNG attached, just submitted."""
    citizen = User.objects.get(username="citizen")
    version = (
        ProcedureVersion.objects.in_force()
        .filter(agencies__e_identifier=COMMUNE, online_mode="full")
        .annotate(n=Count("documents"))
        .filter(n__gte=2)
        .order_by("pk")
        .first()
    )
    applicant = services.applicant_create(
        data=services.ApplicantData(
            kind=ApplicantKind.INDIVIDUAL,
            name="Hoàng Thị Mai",
            identities=[(IdDocumentType.PERSONAL_ID, "038190001234")],
            user=citizen,
        )
    )
    draft = services.dossier_draft_create(
        user=citizen, procedure_version=version, applicant=applicant, agency=Agency.objects.get(e_identifier=COMMUNE)
    )
    first, second = list(draft.documents.order_by("pk"))[:2]
    dossier_file_add(
        dossier=draft, upload=SimpleUploadedFile("to-khai.pdf", _scan_pdf()), actor=citizen, document=first
    )
    dossier_file_add(dossier=draft, upload=SimpleUploadedFile("cccd.png", _scan_png()), actor=citizen, document=second)
    # Submitted on the live server's clock (the browser and the server run on the machine's time).
    return services.dossier_transition(dossier=draft, action="submit", actor=citizen)


def test_desk_reviews_an_online_dossier_and_refuses_it_with_form_03(
    page: Page, live_server, sign_in, shoot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", dossiers=20, seed=2, force=True, verbosity=0, today=timezone.localdate())
    dossier = _online_dossier()
    first, second = list(dossier.documents.order_by("pk"))[:2]

    sign_in("desk")
    waiting = page.locator("#waiting")
    waiting.get_by_role("link", name=dossier.code).click()
    expect(page).to_have_url(re.compile(rf"/desk/review/{re.escape(dossier.code)}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
    expect(page.locator(".review__facts")).to_contain_text("Hạn tiếp nhận")

    # The PDF is shown in the page, served inline and framable by this site only.
    frame = page.locator("iframe.review__frame")
    expect(frame).to_have_attribute("src", re.compile(r"/files/\d+/inline/$"))
    inline = page.request.get(live_server.url + frame.get_attribute("src"))
    assert inline.ok
    assert inline.headers["content-type"] == "application/pdf"
    assert inline.headers["content-disposition"].startswith("inline;")
    assert inline.headers["x-frame-options"] == "SAMEORIGIN"
    assert inline.headers["x-content-type-options"] == "nosniff"

    # The image of the second document replaces it, without reloading the page.
    page.get_by_role("link", name="cccd.png").click()
    expect(page.locator("img.review__image")).to_be_visible()
    expect(page.locator("iframe.review__frame")).to_have_count(0)

    # Keyboard: K back to the first document (its PDF again), space ticks it, J moves on and space ticks the second.
    page.locator("h1").click()
    page.keyboard.press("k")
    expect(page.locator("[data-review-doc]").first).to_have_class(re.compile("is-current"))
    expect(page.locator("iframe.review__frame")).to_have_count(1)
    page.locator("h1").click()
    page.keyboard.press("Space")
    expect(page.locator(f"#check-{first.pk}")).to_be_checked()
    page.keyboard.press("j")
    expect(page.locator(f"#check-{second.pk}")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(f"#check-{second.pk}")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.locator("iframe.review__frame")).to_have_count(1)
    page.wait_for_timeout(1500)  # let the PDF viewer paint the page
    shoot("desk-review")

    page.locator("#outcome-refuse summary").click()
    page.get_by_label("Lý do không tiếp nhận").fill("Người nộp không phải người có yêu cầu đăng ký theo quy định")
    page.locator("#id_refusal_legal_basis").fill("Điều 9 Nghị định 118/2025/NĐ-CP")
    shoot("desk-review-refuse")
    page.get_by_role("button", name="Từ chối tiếp nhận và in phiếu").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Đã từ chối tiếp nhận hồ sơ {dossier.code}")
    form_03 = status.get_by_role("link", name="In phiếu từ chối tiếp nhận giải quyết hồ sơ")
    expect(form_03).to_have_attribute("href", f"/dossiers/{dossier.code}/forms/refusal.pdf")
    expect(form_03).to_have_attribute("target", "_blank")
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED
    assert sorted(dossier.documents.filter(checked=True).values_list("pk", flat=True)) == [first.pk, second.pk]

    response = page.request.get(live_server.url + form_03.get_attribute("href"))
    assert response.ok
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).split())
    assert "Người nộp không phải người có yêu cầu đăng ký theo quy định" in text


def test_desk_records_an_incomplete_walk_in_dossier_with_its_supplement_request(
    page: Page, live_server, sign_in, shoot
):
    call_command("seed_demo", dossiers=20, seed=2, force=True, verbosity=0, today=timezone.localdate())
    birth = ProcedureVersion.objects.in_force().get(name="Đăng ký khai sinh", agencies__e_identifier=COMMUNE)
    documents = list(birth.documents.order_by("order", "pk"))
    before = set(Dossier.objects.values_list("pk", flat=True))

    sign_in("desk")
    page.goto(f"{live_server.url}/desk/intake/?procedure={birth.procedure.code}")
    form = page.locator("#intake-form")
    form.get_by_label("Số giấy tờ").fill("038190004322")
    form.get_by_label("Họ tên / tên tổ chức").fill("Lê Văn Hùng")
    rows = page.locator(".intake__docs tbody tr")
    rows.first.locator("input[type=checkbox]").check()

    page.locator("#outcome-supplement summary").click()
    missing = page.locator(".outcome__missing li")
    # The ticked document has left the list of items; the others wait for what is missing.
    expect(missing.first).to_be_hidden()
    expect(missing.nth(1)).to_be_visible()
    missing.nth(1).locator("input").fill("Bản chính, còn hiệu lực")
    page.get_by_label("Nội dung khác cần bổ sung, hoàn thiện").fill("Tờ khai: ghi rõ nơi sinh")
    shoot("desk-intake-incomplete")
    page.get_by_role("button", name="Yêu cầu bổ sung và in phiếu").click()

    dossier = Dossier.objects.exclude(pk__in=before).get()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    items = [(i["document"], i["content"]) for i in dossier.supplement_request.items]
    assert items[0] == (documents[1].name, "Bản chính, còn hiệu lực")
    assert items[-1] == ("Tờ khai", "ghi rõ nơi sinh")
    listed = [name for name, _content in items]
    # Every required document not handed in is listed, each once; the one handed in is not.
    assert all(listed.count(d.name) == 1 for d in documents[1:] if d.mandatory)
    assert documents[0].name not in listed
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    link = page.get_by_role("status").get_by_role("link", name="In phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    expect(link).to_have_attribute("href", f"/dossiers/{dossier.code}/forms/supplement.pdf")
    shoot("desk-intake-incomplete-done")
