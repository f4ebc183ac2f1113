"""The demo desk officer signs in, lands on the queue, searches a code with the keyboard and opens the dossier; a desk
officer finds a supplement answered online in its own section and accepts it on the review screen (T10)."""

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from dossiers import services
from dossiers.permissions import dossiers_visible_to
from dossiers.workflow import Status
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    advance,
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import files_media, pdf_bytes  # noqa: F401
from tests.dossiers.transition_cases import ITEMS

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


def test_desk_officer_finds_and_accepts_an_answered_supplement(
    page: Page,
    live_server,
    sign_in,
    shoot,
    axe,
    settings,
    files_media,  # noqa: F811 - fixtures
    people,  # noqa: F811
    submitted,  # noqa: F811
    receive,  # noqa: F811
):
    # A travelling clock from a fixed start (the applicants' deadlines lie ahead); cookies last for the browser session.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(at("2026-03-05 09:00"), tick=True):
        ask = ("request_supplement_intake", "desk", ITEMS)
        first = advance(submitted("2026-03-02 08:00"), ask, people=people, when="2026-03-02 09:00")
        identity = first.documents.order_by("pk")[1]
        services.dossier_supplement_supply(
            dossier=first,
            actor=people["citizen"],
            uploads=[(identity, SimpleUploadedFile("cccd-bo-sung.pdf", pdf_bytes()))],
            note="Đã bổ sung bản sao giấy tờ tùy thân",
            now=at("2026-03-03 08:15"),
        )
        second = advance(submitted("2026-03-02 10:00"), ask, people=people, when="2026-03-02 11:00")
        answer = ("supply_supplement", "citizen", {"note": "Đã bổ sung"})
        advance(second, answer, people=people, when="2026-03-04 16:40")
        still_open = advance(submitted("2026-03-02 13:00"), ask, people=people, when="2026-03-02 14:00")
        submitted("2026-03-05 08:00")
        receive("2026-03-02 10:00")

        sign_in("desk", "x")
        expect(page).to_have_url(re.compile(r"/desk/$"))
        expect(page.locator("[data-count=supplied]")).to_have_text("2")
        section = page.locator("section#supplied")
        expect(section.get_by_role("heading", level=2)).to_contain_text("Đã bổ sung, chờ tiếp nhận")
        expect(section.locator(".dq-code")).to_have_text([first.code, second.code])  # the oldest answer first
        expect(section).to_contain_text("08:15 03/03/2026")
        expect(section).not_to_contain_text(still_open.code)
        expect(page.locator("main")).not_to_contain_text("Hoàng Thị Mai")  # masked (§11)
        shoot("desk-queue-supplied")
        axe(page, "desk-queue-supplied")

        section.get_by_role("link", name="Kiểm tra, tiếp nhận").first.click()
        expect(page).to_have_url(re.compile(rf"/desk/review/{re.escape(first.code)}/$"))
        supplied = page.locator("#review-supplied")
        expect(supplied).to_contain_text("Tệp người nộp gửi bổ sung")
        expect(supplied.get_by_role("link", name="cccd-bo-sung.pdf")).to_be_visible()
        expect(page.locator("#review-explain")).to_contain_text("thời hạn giải quyết bắt đầu tính từ lúc nhận")
        shoot("desk-review-supplied")
        axe(page, "desk-review-supplied")

        for box in page.locator("input[name=checked]").all():
            box.check()
        page.get_by_role("button", name="Nhận hồ sơ bổ sung").click()
        expect(page.locator("main")).to_contain_text(f"Đã nhận hồ sơ bổ sung {first.code}.")
        first.refresh_from_db()
        assert first.status == Status.RECEIVED
        page.goto(f"{live_server.url}/desk/")
        expect(page.locator("[data-count=supplied]")).to_have_text("1")
