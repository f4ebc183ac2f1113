"""An anonymous visitor looks up how a procedure is really handled before choosing where to submit
(docs/transparency.md)."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from transparency.services import public_figures_rebuild

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal(live_server):
    # Seeded before the live server's day (it runs on the machine's clock): every dossier lies before today.
    call_command("seed_demo", dossiers=600, seed=1, force=True, verbosity=0, today=timezone.localdate())
    call_command("import_procedures", verbosity=0)
    public_figures_rebuild()
    return live_server.url


def test_a_visitor_searches_khai_sinh_and_reads_the_figures(page: Page, portal, shoot, axe):
    page.goto(f"{portal}/cong-khai/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Công khai kết quả giải quyết thủ tục hành chính")
    expect(page.locator(".tp-period")).to_contain_text("Số liệu 12 tháng gần nhất")
    shoot("transparency-home")
    axe(page, "transparency home")

    page.get_by_label("Tên hoặc mã thủ tục").fill("khai sinh")
    page.get_by_label("Sắp xếp").select_option(label="Tỷ lệ đúng hạn cao trước")
    page.get_by_role("button", name="Xem số liệu").click()
    expect(page).to_have_url(re.compile(r"/cong-khai/\?.*q=khai\+sinh"))
    rows = page.locator(".tp-table tbody tr")
    expect(rows.first).to_contain_text(re.compile("khai sinh", re.IGNORECASE))
    expect(rows.first.locator("td").nth(4)).to_contain_text("%")
    for name in rows.locator("td:first-child a").all_text_contents():
        assert "khai sinh" in name.lower(), name
    shoot("transparency-khai-sinh")
    axe(page, "transparency search")

    page.get_by_role("link", name="Theo cơ quan").click()
    expect(page.locator(".tp-count")).to_contain_text("cơ quan có số liệu")
    expect(page.locator(".tp-table")).to_contain_text("Ủy ban nhân dân phường Hạc Thành")
    shoot("transparency-agencies")
    axe(page, "transparency agencies")

    # The procedure's own page gives its line of figures, linked back to the page.
    page.goto(f"{portal}/procedures/1.001193/")
    line = page.locator(".tp-procedure-figure")
    expect(line).to_contain_text(re.compile(r"% hồ sơ đúng hạn, thường giải quyết"))
    shoot("transparency-procedure-line")
    line.get_by_role("link").click()
    expect(page.locator(".tp-table tbody tr").first).to_contain_text(re.compile("khai sinh", re.IGNORECASE))
