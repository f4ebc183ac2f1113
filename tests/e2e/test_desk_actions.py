"""A desk officer opens a received dossier, chooses the highlighted next step and forwards it, in headless Chromium."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from dossiers.models import Dossier
from dossiers.workflow import Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_desk_forwards_a_received_dossier_from_its_page(page: Page, live_server, sign_in, shoot):
    # Seeded before the live server's day (it runs on the machine's clock); nothing below depends on the date.
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    dossier = Dossier.objects.filter(receiving_agency__e_identifier="000.00.31.H56", status=Status.RECEIVED).first()
    assert dossier is not None

    sign_in("desk")
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/")
    actions = page.get_by_role("navigation", name="Thao tác")
    expect(actions.locator(".btn--primary")).to_have_text("Chuyển xử lý")
    shoot("desk-dossier-actions")

    actions.get_by_role("link", name="Chuyển xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chuyển xử lý")
    page.get_by_label("Ghi chú").fill("Chuyển bộ phận chuyên môn thẩm định")
    shoot("desk-action-forward")
    page.get_by_role("button", name="Chuyển xử lý").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã thực hiện “Chuyển xử lý”")
    expect(page.locator("main")).to_contain_text("Đang xử lý")
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROCESSING
    assert dossier.events.latest("id").note == "Chuyển bộ phận chuyên môn thẩm định"
