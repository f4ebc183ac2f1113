"""A citizen finds a procedure in headless Chromium, opens it and sees what to prepare and what it costs."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server, seeded):
    return live_server.url


def test_search_without_accents_then_open_the_procedure(page: Page, portal, shoot):
    page.goto(f"{portal}/")
    page.get_by_label("Tìm thủ tục hành chính").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()

    expect(page).to_have_url(re.compile(r"/procedures/\?q=dang\+ky\+khai\+sinh"))
    first = page.locator(".proc-result__name a").first
    expect(first).to_have_text("Đăng ký khai sinh")
    shoot("catalogue-results")
    first.click()

    expect(page).to_have_url(re.compile(r"/procedures/1\.001193/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    documents = page.locator("section[aria-labelledby=proc-documents] table")
    expect(documents).to_contain_text("Tờ khai đăng ký khai sinh")
    expect(documents).to_contain_text("Giấy chứng sinh")
    fees = page.locator("section[aria-labelledby=proc-fees]")
    expect(fees).to_contain_text("8.000 đồng")
    shoot("procedure-detail")
    # The button follows the feature flag: it would lead to a 404 until online submission exists.
    button = page.get_by_role("link", name="Nộp hồ sơ trực tuyến")
    if settings.ONLINE_SUBMISSION_ENABLED:
        expect(button).to_be_visible()
    else:
        expect(button).to_have_count(0)
    assert_no_link_is_broken(page, portal)


def assert_no_link_is_broken(page: Page, origin: str) -> None:
    """GET every link of the page that stays on the portal; none may be a 404 or a server error."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    internal = sorted({href.split("#")[0] for href in hrefs if href.startswith(origin)})
    assert len(internal) >= 5, internal  # header, footer and the page's own links at least
    broken = []
    for url in internal:
        status = page.request.get(url).status
        if status == 404 or status >= 500:
            broken.append(f"{url} → {status}")
    assert broken == []


def test_filters_and_calendar_day_procedure(page: Page, portal):
    page.goto(f"{portal}/procedures/?q=ly+lich+tu+phap")
    first = page.locator(".proc-result__name a").first
    expect(first).to_have_text(re.compile("Cấp Phiếu lý lịch tư pháp"))
    first.click()
    expect(page.locator("main")).to_contain_text("10 ngày")
    expect(page.locator("section[aria-labelledby=proc-fees]")).to_contain_text("200.000 đồng")


def test_switch_to_english_and_back(page: Page, portal):
    page.goto(f"{portal}/procedures/")
    page.get_by_role("button", name="EN").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Administrative procedures")
    page.get_by_role("button", name="VI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")


def test_two_words_list_the_procedures_named_so_then_everywhere(page: Page, portal, shoot):
    page.goto(f"{portal}/procedures/?q=chung+thuc")
    names = page.locator(".proc-result__name a")
    expect(names.first).to_contain_text("Chứng thực")
    for name in names.all_text_contents():
        assert name.startswith("Chứng thực"), name
    expect(page.locator(".proc-widen")).to_contain_text("Chỉ liệt kê các thủ tục có tên chứa đủ các từ đã nhập.")
    shoot("catalogue-narrowed")
    named = names.count()
    page.get_by_role("link", name="Tìm cả trong giấy tờ, kết quả, căn cứ pháp lý").first.click()
    expect(page).to_have_url(re.compile(r"everywhere=on"))
    expect(page.get_by_label("Tìm cả trong giấy tờ, kết quả, căn cứ pháp lý")).to_be_checked()
    expect(page.locator(".proc-widen")).to_have_count(0)
    assert names.count() > named
    expect(names.first).to_contain_text("Chứng thực")


def test_the_public_lookup_says_when_to_try_again(page: Page, portal, shoot, settings):
    settings.PUBLIC_LOOKUP_LIMIT = 2
    for _ in range(2):
        assert page.goto(f"{portal}/tra-cuu/?ma=000.00.31.H56-260302-9999").status == 200
    response = page.goto(f"{portal}/tra-cuu/?ma=000.00.31.H56-260302-9999")
    assert response.status == 429
    expect(page.get_by_role("alert")).to_contain_text("Bạn đã tra cứu quá 2 lần trong 10 phút.")
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng thử lại sau")
    shoot("public-lookup-limited")
