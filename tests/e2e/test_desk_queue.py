"""The demo desk officer signs in, lands on the queue, searches a code with the keyboard and opens the dossier."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from dossiers.permissions import dossiers_visible_to
from dossiers.workflow import Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_officer_works_the_queue(page: Page, live_server, sign_in, shoot):
    # Seeded before the server's today (the browser and the live server run on the machine's clock).
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    desk = User.objects.get(username="desk")
    dossier = dossiers_visible_to(desk).exclude(status=Status.DRAFT).select_related("applicant").order_by("-id").first()
    assert dossier is not None

    sign_in("desk")

    expect(page).to_have_url(re.compile(r"/desk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bộ phận Một cửa — Hồ sơ cần xử lý")
    expect(page.locator("[data-count=waiting]")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("main")).not_to_contain_text(dossier.applicant.name)  # names are masked in lists (§11)
    shoot("desk-queue")

    # The search box has the focus: type and press Enter.
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type(f"  {dossier.code.lower()} ")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_contain_text("Kết quả tìm")
    expect(page.locator(".dq-code")).to_have_count(1)
    shoot("desk-queue-search")
    page.get_by_role("link", name=dossier.code).click()

    # A dossier waiting for acceptance opens on the review screen, any other on its page.
    opened = "desk/review" if dossier.status == Status.SUBMITTED else "dossiers"
    expect(page).to_have_url(re.compile(rf"/{opened}/{re.escape(dossier.code)}/$"))
    expect(page.locator("main")).to_contain_text(dossier.code)

    # A bad date is answered with a message next to its field, not an error page.
    response = page.goto(f"{live_server.url}/desk/?received_from=31/02/2026")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("Ngày không hợp lệ")
    shoot("desk-queue-bad-date")
