"""The demo officer opens "Hồ sơ cần xử lý", sees the unit's open steps soonest due first and coloured by time
left, and narrows the list to the overdue ones."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from desk.selectors_inbox import open_steps
from dossiers.models import DossierStep

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _dues(page: Page) -> list[str]:
    return page.locator("tr.inbox-row").evaluate_all("rows => rows.map(r => r.dataset.due)")


def test_officer_reads_the_inbox_by_due_moment_and_filters_the_overdue(page: Page, live_server, sign_in, shoot):
    # The server runs on the machine's clock (see test_citizen_dossiers): nothing below depends on the day.
    call_command("seed_demo", dossiers=120, seed=2, force=True, verbosity=0, today=timezone.localdate())
    # Whether a demo step is overdue depends on the hour the test runs: make sure one is, two working days late.
    officer = User.objects.select_related("staff_profile").get(username="officer")
    late = open_steps(agency=officer.staff_profile.agency_id).order_by("pk").first()
    assert late is not None
    DossierStep.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=4))

    sign_in("officer")
    page.get_by_role("link", name="Hồ sơ cần xử lý").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ cần xử lý")

    page.get_by_role("link", name="Của đơn vị").click()
    rows = page.locator("tr.inbox-row")
    expect(rows.first).to_be_visible()
    dues = _dues(page)
    dated = [due for due in dues if due]
    assert dated == sorted(dated), "rows are not in due order"
    assert dues == dated + [""] * (len(dues) - len(dated)), "rows without a due moment are not last"
    states = set(rows.evaluate_all("rows => rows.map(r => r.dataset.state)"))
    assert states <= {"on_track", "due_soon", "overdue", "paused"}
    # Coloured: an overdue row's background is not a plain white one.
    overdue_row = page.locator("tr.inbox-row--overdue").first
    expect(overdue_row).to_be_visible()
    assert overdue_row.evaluate("r => getComputedStyle(r).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "rgb(255, 255, 255)",
    )
    shoot("officer-inbox")

    overdue_chip = page.locator("a.inbox-count--overdue strong")
    expected = int(overdue_chip.inner_text())
    page.get_by_label("Tình trạng", exact=True).select_option("overdue")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_label("Tình trạng", exact=True)).to_have_value("overdue")
    shown = rows.evaluate_all("rows => rows.map(r => r.dataset.state)")
    assert shown
    assert set(shown) == {"overdue"}
    assert len(shown) == min(expected, 50)
    expect(rows.first).to_contain_text("quá hạn")
    shoot("officer-inbox-overdue")

    response = page.goto(f"{live_server.url}/work/?state=late")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("Tình trạng đã chọn không hợp lệ.")
