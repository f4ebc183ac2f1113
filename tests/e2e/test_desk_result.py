"""The demo head issues a dossier's result by uploading a digitally signed PDF, then sees on the dossier's page that
it is signed, by whom and when, in headless Chromium."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from dossiers.models import Dossier, ResultSignature
from dossiers.permissions import dossier_actions_available
from dossiers.workflow import Status
from tests.signing import SIGNER_NAME, make_signed_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_head_uploads_a_signed_result_and_sees_it_signed(page: Page, live_server, sign_in, shoot, settings, tmp_path):
    signed = make_signed_pdf()
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "ca.pem").write_bytes(signed.ca_pem)
    settings.RESULT_TRUST_ROOTS = [str(tmp_path / "ca.pem")]
    (tmp_path / "ket-qua-da-ky-so.pdf").write_bytes(signed.data)
    # Seeded before the live server's day (it runs on the machine's clock); nothing below depends on the date.
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    head = User.objects.select_related("staff_profile").get(username="head")
    dossier = next(
        d
        for d in Dossier.objects.filter(status=Status.IN_PROCESSING).order_by("pk")
        if any(t.key == "issue_result" for t in dossier_actions_available(head, d))
    )

    sign_in("head")
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/")
    page.get_by_role("navigation", name="Thao tác").get_by_role("link", name="Ban hành kết quả").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/result/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban hành kết quả")
    # The number field has the focus: the head types straight away.
    expect(page.get_by_label("Số, ký hiệu văn bản kết quả")).to_be_focused()
    page.keyboard.type("125/QĐ-UBND")
    # The file picker appears only once "upload" is chosen.
    expect(page.get_by_label("Tệp kết quả (PDF đã ký số)")).to_be_hidden()
    page.get_by_label("Tải lên tệp PDF đã ký số").check()
    page.get_by_label("Tệp kết quả (PDF đã ký số)").set_input_files(str(tmp_path / "ket-qua-da-ky-so.pdf"))
    page.get_by_label("Người ký").fill("")
    shoot("desk-result")
    page.get_by_role("button", name="Ban hành kết quả").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã ban hành kết quả số 125/QĐ-UBND")
    result = page.locator("section", has=page.get_by_role("heading", name="Kết quả giải quyết"))
    expect(result).to_contain_text("ket-qua-da-ky-so.pdf")
    expect(result.locator(".badge--full").first).to_have_text("Đã ký số")
    expect(result).to_contain_text(SIGNER_NAME)
    expect(result).to_contain_text("Chứng thư số tin cậy")
    shoot("desk-result-issued")

    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert dossier.result_number == "125/QĐ-UBND"
    assert dossier.result_signer == SIGNER_NAME
    assert ResultSignature.objects.get(file__dossier=dossier).trusted
