"""The desk's papers on screen and the head's bulk assignment, clicked through in a browser.

The demo desk officer opens "Sổ theo dõi" from the navigation, narrows the period, follows the PDF link with the
same period, opens a dossier and its control sheet on screen; then the demo head checks two rows of the unit's
inbox and assigns them to the demo officer at once.
"""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from desk.selectors_inbox import open_steps
from dossiers.models import DossierStep

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_reads_the_register_and_a_control_sheet(page: Page, live_server, sign_in, shoot):
    # The server runs on the machine's clock: the period is counted back from today.
    today = timezone.localdate()
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=today)
    start, end = (today - dt.timedelta(days=60)).strftime("%d/%m/%Y"), today.strftime("%d/%m/%Y")

    sign_in("desk")
    page.get_by_role("link", name="Sổ theo dõi").click()
    expect(page).to_have_url(re.compile(r"/desk/register/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ theo dõi hồ sơ")

    page.get_by_label("Từ ngày").fill(start)
    page.get_by_label("Đến ngày").fill(end)
    page.get_by_label("Đến ngày").press("Enter")
    rows = page.locator("tr.register-row")
    expect(rows.first).to_be_visible()
    assert rows.count() <= 50
    pdf_link = page.get_by_role("link", name="In sổ (PDF)")
    href = pdf_link.get_attribute("href")
    assert href == f"/dossiers/register.pdf?from={start.replace('/', '%2F')}&to={end.replace('/', '%2F')}"
    pdf = page.request.get(f"{live_server.url}{href}")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    shoot("desk-register")

    # A dossier that went to processing: its control sheet has handover rows.
    row = page.locator("tr.register-row").filter(has=page.locator("td:nth-child(9)", has_text="giờ")).first
    code = row.get_attribute("data-code")
    row.get_by_role("link", name=code).click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(code)}/$"))
    page.get_by_role("link", name="Xem trên màn hình").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phiếu kiểm soát quá trình giải quyết hồ sơ")
    expect(page.locator("tr.handover-row").first).to_contain_text("1. Giao")
    expect(page.get_by_role("link", name="In phiếu (PDF)")).to_have_attribute(
        "href", f"/dossiers/{code}/forms/control_sheet.pdf"
    )
    shoot("control-sheet")


def test_head_assigns_two_dossiers_at_once(page: Page, live_server, sign_in, shoot):
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    officer = User.objects.select_related("staff_profile").get(username="officer")
    assert open_steps(agency=officer.staff_profile.agency_id).count() >= 2

    sign_in("head")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    expect(page.get_by_role("link", name="Của đơn vị")).to_have_attribute("aria-current", "page")
    boxes = page.locator('input[type=checkbox][name="dossier"]')
    expect(boxes.first).to_be_visible()
    first, second = (boxes.nth(i).get_attribute("value") for i in (0, 1))
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("Phân công các hồ sơ đã chọn cho").select_option(str(officer.pk))
    page.get_by_role("button", name="Phân công", exact=True).click()

    expect(page).to_have_url(re.compile(r"/work/\?tab=unit$"))
    expect(page.locator(".message--success")).to_contain_text(f"Đã phân công 2 hồ sơ cho {officer}")
    for picked in (first, second):
        dossier_id = int(picked.split(":")[0])
        assert DossierStep.objects.get(dossier_id=dossier_id, finished_at__isnull=True).handler_id == officer.pk
    shoot("inbox-bulk-assign")

    # The same rows sent again with the revisions of before: each is refused with the engine's reason.
    page.evaluate(
        """(values) => {
            const boxes = document.querySelectorAll('input[name=dossier]');
            values.forEach((value, i) => { boxes[i].value = value; });
        }""",
        [first, second],
    )
    page.locator('input[type=checkbox][name="dossier"]').nth(0).check()
    page.locator('input[type=checkbox][name="dossier"]').nth(1).check()
    page.get_by_label("Phân công các hồ sơ đã chọn cho").select_option(str(officer.pk))
    page.get_by_role("button", name="Phân công", exact=True).click()
    expect(page.locator(".message--error")).to_have_count(2)
    expect(page.locator(".message--error").first).to_contain_text("vừa được")
    shoot("inbox-bulk-assign-refused")
