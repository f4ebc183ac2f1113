"""A desk officer opens a received dossier, chooses the highlighted next step and forwards it, in headless Chromium."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.models import Agency
from dossiers.models import Dossier
from dossiers.workflow import Status
from tests.e2e.conftest import SHOTS, sign_in_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


OTHER_COMMUNE = "000.00.32.H56"  # Ủy ban nhân dân phường Hàm Rồng


def seeded() -> Dossier:
    """The demo world with an officer at the other commune; a dossier received at Hạc Thành."""
    # Seeded before the live server's day (it runs on the machine's clock); nothing below depends on the date.
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    hoa = User.objects.create_user(username="hoa.dt", password="x", full_name="Đỗ Thị Hoa")
    staff_assign(user=hoa, agency=Agency.objects.get(e_identifier=OTHER_COMMUNE), role=Role.OFFICER)
    dossier = Dossier.objects.filter(receiving_agency__e_identifier="000.00.31.H56", status=Status.RECEIVED).first()
    assert dossier is not None
    return dossier


def test_desk_forwards_a_received_dossier_from_its_page(page: Page, live_server, sign_in, shoot):
    dossier = seeded()

    sign_in("desk")
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/")
    actions = page.get_by_role("navigation", name="Thao tác")
    expect(actions.locator(".btn--primary")).to_have_text("Chuyển xử lý")
    shoot("desk-dossier-actions")

    actions.get_by_role("link", name="Chuyển xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chuyển xử lý")
    page.get_by_label("Ghi chú").fill("Chuyển bộ phận chuyên môn thẩm định")
    # The agency first, preset to the dossier's; its heads and officers by name and role.
    agency, handler = page.get_by_label("Cơ quan giải quyết"), page.get_by_label("Cán bộ thụ lý")
    expect(agency.locator("option:checked")).to_have_text("Ủy ban nhân dân phường Hạc Thành")
    expect(handler.locator("option")).to_have_text(
        ["— Chọn —", "Lê Quốc Hùng — Lãnh đạo đơn vị (phê duyệt)", "Trần Văn Minh — Chuyên viên thụ lý"]
    )
    # With the script, the list follows the agency without the update button (a fallback without it).
    expect(page.get_by_role("button", name="Cập nhật danh sách cán bộ")).to_be_hidden()
    handler.select_option(label="Trần Văn Minh — Chuyên viên thụ lý")
    shoot("desk-action-forward")

    agency.select_option(label="Ủy ban nhân dân phường Hàm Rồng")
    expect(handler.locator("option")).to_have_text(["— Chọn —", "Đỗ Thị Hoa — Chuyên viên thụ lý"])
    agency.select_option(label="Ủy ban nhân dân phường Hạc Thành")
    expect(handler.locator("option")).to_have_count(3)
    handler.select_option(label="Trần Văn Minh — Chuyên viên thụ lý")
    expect(page.get_by_label("Ghi chú")).to_have_value("Chuyển bộ phận chuyên môn thẩm định")
    page.get_by_role("button", name="Chuyển xử lý").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã thực hiện “Chuyển xử lý”")
    expect(page.locator("main")).to_contain_text("Đang xử lý")
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROCESSING
    assert dossier.events.latest("id").note == "Chuyển bộ phận chuyên môn thẩm định"
    assert dossier.current_handler.username == "officer"


def test_without_javascript_the_update_button_lists_the_chosen_agency_s_staff(browser, live_server):
    dossier = seeded()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_page(page, live_server.url, "desk")  # this context runs no JavaScript, the step needs none
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/actions/forward/")

    page.get_by_label("Ghi chú").fill("Chuyển theo thẩm quyền")
    page.get_by_label("Cơ quan giải quyết").select_option(label="Ủy ban nhân dân phường Hàm Rồng")
    page.get_by_role("button", name="Cập nhật danh sách cán bộ").click()

    handler = page.get_by_label("Cán bộ thụ lý")
    expect(handler.locator("option")).to_have_text(["— Chọn —", "Đỗ Thị Hoa — Chuyên viên thụ lý"])
    expect(page.get_by_label("Ghi chú")).to_have_value("Chuyển theo thẩm quyền")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "desk-action-forward-nojs-1280.png", full_page=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED  # the update did nothing to the dossier

    handler.select_option(label="Đỗ Thị Hoa — Chuyên viên thụ lý")
    page.get_by_role("button", name="Chuyển xử lý").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    dossier.refresh_from_db()
    assert (dossier.processing_agency.e_identifier, dossier.current_handler.username) == (OTHER_COMMUNE, "hoa.dt")
    context.close()


def test_enter_in_the_step_name_does_the_step_not_the_list_update(page: Page, live_server, sign_in):
    seeded()
    dossier = Dossier.objects.filter(
        processing_agency__e_identifier="000.00.31.H56",
        status=Status.IN_PROCESSING,
        current_step__agency__e_identifier="000.00.31.H56",
        current_step__finished_at__isnull=True,
        substate="",
    ).first()
    assert dossier is not None
    steps = dossier.steps.count()

    sign_in("officer")
    page.goto(f"{live_server.url}/dossiers/{dossier.code}/actions/step/")
    page.get_by_label("Cán bộ xử lý").select_option(label="Lê Quốc Hùng — Lãnh đạo đơn vị (phê duyệt)")
    page.get_by_label("Tên bước xử lý").fill("Trình lãnh đạo ký")
    page.get_by_label("Tên bước xử lý").press("Enter")

    expect(page).to_have_url(re.compile(rf"/dossiers/{re.escape(dossier.code)}/$"))
    dossier.refresh_from_db()
    assert dossier.steps.count() == steps + 1
    assert (dossier.current_step.name, dossier.current_handler.username) == ("Trình lãnh đạo ký", "head")
