"""Signed out, anyone holding a result opens its verification page from the QR code's address, sees what proves
it — and none of the applicant's personal data — then drops the PDF in hand and is told it matches, in headless
Chromium."""
# The engine's fixtures are imported for pytest to find; a test's parameter of the same name uses them.
# ruff: noqa: F811

import re

import pytest
from playwright.sync_api import Page, expect

from dossiers.models import DossierFile
from dossiers.verification import code_masked, dossier_token
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_verifies_a_result_and_checks_the_file_in_hand(page: Page, live_server, prepared, shoot, tmp_path):
    dossier = prepared("returned")
    record = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    with record.file.open("rb") as stored:
        (tmp_path / "ket-qua.pdf").write_bytes(stored.read())

    # The address printed beside the QR code on the generated result.
    page.goto(f"{live_server.url}/xac-minh/{dossier_token(dossier)}/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Xác minh văn bản kết quả")
    expect(page.get_by_text("Văn bản do Cổng Dịch vụ công tỉnh Thanh Hóa cấp")).to_be_visible()
    facts = page.locator(".verify__facts")
    expect(facts).to_contain_text(dossier.result_number)
    expect(facts).to_contain_text(dossier.result_date.strftime("%d/%m/%Y"))
    expect(facts).to_contain_text(dossier.result_signer)
    expect(facts).to_contain_text(record.sha256)
    expect(facts).to_contain_text(code_masked(dossier.code))
    body = page.locator("main")
    expect(body).not_to_contain_text(dossier.applicant.name)
    expect(body).not_to_contain_text("038190001234")
    expect(page.get_by_role("link", name=re.compile(r"\.pdf$"))).to_have_count(0)

    page.get_by_label("Tệp văn bản cần kiểm tra").set_input_files(str(tmp_path / "ket-qua.pdf"))
    page.get_by_role("button", name="Kiểm tra tệp").click()

    expect(page.get_by_role("status")).to_contain_text("Khớp")
    expect(page.get_by_role("status")).not_to_contain_text("Không khớp")
    shoot("result-verify")

    # A copy changed by one byte does not match.
    data = (tmp_path / "ket-qua.pdf").read_bytes()
    (tmp_path / "ban-sua.pdf").write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    page.get_by_label("Tệp văn bản cần kiểm tra").set_input_files(str(tmp_path / "ban-sua.pdf"))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("status")).to_contain_text("Không khớp")
    shoot("result-verify-mismatch")

    # A tampered address is a Vietnamese 404.
    token = dossier_token(dossier)
    response = page.goto(f"{live_server.url}/xac-minh/{token[:-1]}{'B' if token[-1] == 'A' else 'A'}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không xác minh được văn bản")
