"""The indicators page in a browser for a supervisor: the province's scores, an agency's detail, a phone's width.
Screenshots at 1280 and 375 px under var/screenshots/indicators-*."""

# The fixtures are imported for use as parameters, not redefined.
# ruff: noqa: F401, F811
import pytest
import time_machine
from playwright.sync_api import Page, expect

from tests.dossiers.conftest import at
from tests.e2e.conftest import axe, browser_type_launch_args, shoot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-04-15 09:00"), tick=True):
        yield


def test_a_supervisor_reads_the_indicators(page: Page, live_server, sign_in, shoot, axe, built, people):
    sign_in("supervisor", "x")
    page.goto(f"{live_server.url}/dashboard/chi-so-766/?from=2026-03-01&to=2026-03-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chỉ số Quyết định 766")
    expect(page.locator(".ind-total").first).to_contain_text("tính tại hệ thống")
    expect(page.locator("main")).to_contain_text("chưa có dữ liệu")
    axe(page, "indicators province")
    shoot("indicators-province")

    page.get_by_role("link", name="Ủy ban nhân dân phường Hạc Thành").first.click()
    expect(page.locator(".ind-total h2")).to_have_text("Ủy ban nhân dân phường Hạc Thành")
    expect(page.locator(".ind-total")).to_contain_text("42,9")
    axe(page, "indicators agency")
    shoot("indicators-agency")
