"""A citizen signs in, finds their dossier in "Hồ sơ của tôi", opens it and prints the receipt slip."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from dossiers.models import Dossier
from dossiers.workflow import Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_follows_a_dossier_and_prints_the_receipt(page: Page, live_server, sign_in, shoot):
    # The live server and the browser run on the machine's clock (a frozen server clock would expire the session
    # cookie in the browser), so the demo history is seeded before the server's today: no assertion below depends
    # on which day that is.
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    dossier = Dossier.objects.filter(owner__username="citizen", status=Status.IN_PROCESSING).first()
    assert dossier is not None

    sign_in("citizen")
    page.get_by_role("link", name="Hồ sơ của tôi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
    shoot("citizen-my-dossiers")
    while not page.get_by_role("link", name=dossier.code).count():
        page.get_by_role("link", name="Trang sau").click()
    page.get_by_role("link", name=dossier.code).click()

    expect(page).to_have_url(re.compile(rf"/ho-so-cua-toi/{re.escape(dossier.code)}/$"))
    expect(page.locator("main")).to_contain_text("Đang xử lý")
    shoot("citizen-dossier-detail")
    receipt = page.get_by_role("link", name=re.compile("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", re.IGNORECASE))
    pdf = page.request.get(live_server.url + receipt.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    # The public lookup normalises what people type (lower case, spaces) and answers bad input with a message.
    page.goto(f"{live_server.url}/tra-cuu/?ma=%20{dossier.code.lower()}%20")
    expect(page.locator("main")).to_contain_text("Đang xử lý")
    shoot("public-lookup")
    response = page.goto(f"{live_server.url}/tra-cuu/?ma=%00")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("Mã hồ sơ không hợp lệ")
    shoot("public-lookup-bad-input")
