"""A citizen rates their returned dossier and sends a feedback about its procedure; the commune's head answers it
and the citizen reads the answer. Screenshots at 1280 and 375 px under var/screenshots/feedback-*."""

# The engine's fixtures are imported for use as parameters, not redefined.
# ruff: noqa: F401, F811
import re

import pytest
import time_machine
from playwright.sync_api import Page, expect

from feedback.models import DossierRating, Feedback
from tests.dossiers.conftest import agencies, applicant_for, at, make_version, people, receive
from tests.feedback.helpers import bring_to_returned

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _clock():
    """A fixed Wednesday morning, ticking: the answer deadline counts working days from it."""
    with time_machine.travel(at("2026-03-04 09:00"), tick=True):
        yield


def test_a_citizen_rates_and_complains_and_the_agency_answers(
    page: Page, live_server, sign_in, shoot, no_sideways_scroll, receive, people
):
    dossier = bring_to_returned(receive("2026-03-02 10:00"), people=people)

    sign_in("mai", "x")
    page.goto(f"{live_server.url}/danh-gia/{dossier.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đánh giá việc giải quyết hồ sơ")
    expect(page.locator("main")).to_contain_text("Trước hạn")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("main")).to_contain_text("Vui lòng chọn mức độ hài lòng chung.")
    shoot("feedback-rate-errors")
    no_sideways_scroll(page)

    page.get_by_role("group", name=re.compile("bao nhiêu lần")).get_by_label("Không phải liên hệ lần nào").check()
    page.get_by_role("group", name=re.compile("những cơ quan")).get_by_label("Chỉ Bộ phận Một cửa").check()
    page.get_by_role("group", name=re.compile("Thái độ")).get_by_label("Lịch sự, tận tình").check()
    page.get_by_role("group", name=re.compile("dễ dàng")).get_by_label("Rất hài lòng").check()
    page.get_by_role("group", name=re.compile("Nhìn chung")).get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("Góp ý thêm").fill("Cán bộ hướng dẫn rất tận tình.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("main")).to_contain_text("Cảm ơn bạn đã đánh giá")
    expect(page.locator(".fb-score")).to_contain_text("16 / 18")
    shoot("feedback-rated")
    no_sideways_scroll(page)
    assert DossierRating.objects.get(dossier=dossier).total == 16

    # The feedback form, reached from the procedure's page.
    page.goto(f"{live_server.url}/procedures/{dossier.procedure_version.procedure.code}/")
    page.get_by_role("link", name="Phản ánh, kiến nghị về thủ tục này").click()
    expect(page.get_by_label("Mã thủ tục hành chính")).to_have_value(dossier.procedure_version.procedure.code)
    page.get_by_label("Tiêu đề").fill("Hướng dẫn về bản sao chưa rõ")
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill("Trang thủ tục không nói rõ cần bản sao có chứng thực.")
    shoot("feedback-new")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    feedback = Feedback.objects.get()
    expect(page.locator("main")).to_contain_text(f"Số tiếp nhận: {feedback.reference}")
    expect(page.locator("main")).to_contain_text("Chưa có trả lời")
    shoot("feedback-sent")
    no_sideways_scroll(page)

    # The commune's head answers from the agency's list.
    page.context.clear_cookies()
    sign_in("head", "x")
    page.get_by_role("link", name="Phản ánh, kiến nghị").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị của cơ quan")
    shoot("feedback-inbox")
    no_sideways_scroll(page)
    page.get_by_role("link", name=feedback.reference).click()
    page.get_by_label("Nội dung trả lời").fill("Cảm ơn ông/bà. Hồ sơ cần bản sao có chứng thực; trang đã được bổ sung.")
    shoot("feedback-answer")
    page.get_by_role("button", name="Gửi trả lời").click()
    expect(page.locator("main")).to_contain_text("Đã gửi trả lời")
    feedback.refresh_from_db()
    assert feedback.answered_at is not None
    assert feedback.on_time is True

    page.context.clear_cookies()
    sign_in("mai", "x")
    page.goto(f"{live_server.url}/phan-anh-kien-nghi/cua-toi/")
    expect(page.locator("main")).to_contain_text("Đã trả lời")
    shoot("feedback-mine")
    no_sideways_scroll(page)
    page.get_by_role("link", name=feedback.reference).click()
    expect(page.locator("main")).to_contain_text("trang đã được bổ sung")
    shoot("feedback-answered")
    no_sideways_scroll(page)
