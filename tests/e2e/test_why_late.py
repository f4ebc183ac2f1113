"""The province leader reads "Nguyên nhân trễ hạn": the dossier late because its second step overran, blamed on that
step's unit and officer. Screenshots at 1280 and 375 px under var/screenshots/why-late-*."""

# The engine's fixtures are imported for use as parameters, not redefined.
# ruff: noqa: F401, F811
import pytest
import time_machine
from playwright.sync_api import Page, expect

from stats.services import figures_refresh
from tests.dossiers.conftest import agencies, applicant_for, at, make_version, people, receive
from tests.stats.test_late import finish, late_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-20 09:00"), tick=True):
        yield


def test_the_leader_sees_which_step_made_a_dossier_late(page: Page, live_server, sign_in, shoot, receive, people):
    dossier = finish(late_dossier(receive, people), people)
    late_dossier(receive, people)  # still open, its step overdue now
    figures_refresh(now=at("2026-03-20 08:00"))

    sign_in("leader", "x")
    page.goto(f"{live_server.url}/dashboard/tre-han/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nguyên nhân trễ hạn")
    main = page.locator("main")
    expect(main).to_contain_text(dossier.code)
    expect(main).to_contain_text("Officer")
    expect(main).to_contain_text("16,5")
    expect(page.get_by_role("link", name="Nguyên nhân trễ hạn")).to_have_attribute("aria-current", "page")
    shoot("why-late")
