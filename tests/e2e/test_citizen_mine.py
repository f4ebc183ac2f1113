"""A citizen follows their dossiers in "Hồ sơ của tôi": the list with what to do now, a dossier's page with its
timeline and the units that read it, and the supplement answer — at 1280 and 375 px, nothing scrolling sideways.

The server runs on a travelling clock from a fixed start (the supplement deadline must lie ahead); the session and
CSRF cookies last for the browser's session, so the browser's own (real) clock cannot expire them.
"""

import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from dossiers import services
from dossiers.models import FeeMode
from dossiers.selectors import personal_data_read_log
from dossiers.workflow import SUPPLIED, Status
from tests.citizen.mine_helpers import SUPPLEMENT
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    advance,
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import jpeg_bytes, pdf_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Page) -> None:
    page.set_viewport_size({"width": 375, "height": 900})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert width <= 375, f"{page.url} is {width} px wide at 375 px"


def test_citizen_follows_and_answers_in_my_dossiers(
    page: Page,
    live_server,
    sign_in,
    shoot,
    settings,
    people,  # noqa: F811 - fixtures
    receive,  # noqa: F811
    submitted,  # noqa: F811
    make_version,  # noqa: F811
    applicant_for,  # noqa: F811
    agencies,  # noqa: F811
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(at("2026-03-04 09:00"), tick=True):
        followed = advance(
            receive("2026-03-02 08:00"),
            ("forward", "desk", {}),
            ("step", "officer", {"name": "Thẩm định hồ sơ", "message": "Hồ sơ đang được thẩm định"}),
            ("apologise", "head", {"note": "Cần xác minh thêm", "new_due_at": at("2026-03-20 10:00")}),
            people=people,
        )
        for who in ("desk", "officer", "officer", "head"):
            personal_data_read_log(user=people[who], dossier_id=followed.pk, purpose="view")
        advance(
            receive("2026-03-02 08:30", version=make_version(fee=16000), fee_mode=FeeMode.AFTER),
            ("forward", "desk", {}),
            ("issue_result", "head", {"number": "15/QĐ-UBND"}),
            people=people,
        )
        asked = advance(submitted("2026-03-02 09:00"), ("request_supplement_intake", "desk", SUPPLEMENT), people=people)
        services.dossier_draft_create(
            user=people["citizen"],
            procedure_version=make_version(),
            applicant=applicant_for(people["citizen"]),
            agency=agencies["000.00.31.H56"],
        )

        sign_in("mai", "x")
        page.get_by_role("link", name="Hồ sơ của tôi").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ của tôi")
        expect(page.locator("main")).to_contain_text("Hồ sơ chưa nộp")
        expect(page.locator("main")).to_contain_text("Hẹn lại (văn bản xin lỗi)")
        expect(page.get_by_role("button", name="Nộp phí, lệ phí")).to_be_visible()
        shoot("citizen-mine-list")
        no_sideways_scroll(page)

        page.get_by_role("link", name=followed.code).click()
        expect(page).to_have_url(re.compile(rf"/ho-so-cua-toi/{re.escape(followed.code)}/$"))
        expect(page.locator("main")).to_contain_text("Hồ sơ đang được thẩm định")
        reads = page.get_by_role("region", name="Ai đã xem hồ sơ của tôi")
        expect(reads).to_contain_text("Ủy ban nhân dân phường Hạc Thành")
        expect(reads).not_to_contain_text(people["officer"].full_name)
        shoot("citizen-mine-detail")
        no_sideways_scroll(page)

        page.get_by_role("link", name="Hồ sơ của tôi").first.click()
        page.get_by_role("link", name="Bổ sung hồ sơ").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bổ sung hồ sơ")
        page.get_by_label("Tệp cho “Giấy tờ tùy thân”").set_input_files(
            files=[{"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
        )
        page.get_by_label("Tệp cho “Tờ khai đăng ký kết hôn”").set_input_files(
            files=[{"name": "to-khai.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
        )
        shoot("citizen-mine-supplement")
        no_sideways_scroll(page)
        page.get_by_role("button", name="Gửi bổ sung").click()

        expect(page.locator("main")).to_contain_text("Đã gửi hồ sơ bổ sung")
        expect(page.locator("main")).to_contain_text("Gửi hồ sơ bổ sung")
        asked.refresh_from_db()
        assert (asked.status, asked.substate) == (Status.SUPPLEMENT_REQUESTED, SUPPLIED)
        assert asked.files.filter(kind="supplement").count() == 2
