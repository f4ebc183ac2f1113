"""The leaders' dashboard in headless Chromium (docs/dashboard.md), on the demo province with 400 seeded dossiers.

(a) The province leader signs in, reads the rates, drills into the late dossiers of one agency — the list shows no
    personal data — and downloads it as XLSX, read back with openpyxl.
(b) The leader of one commune (demo `leader_xa`, 000.00.31.H56) sees nothing of another commune: its agency in the
    query string is a 404 and no page names it or its dossiers; a dossier page, a file and a form are 404 too.

Every page passes axe-core (WCAG 2.1 A/AA) and is saved at 1280 and 375 px (var/screenshots/dashboard-*), where
nothing may scroll sideways (the wide tables scroll inside their own box). The clock is frozen on Friday 20/03/2026
10:00 and ticks from there.
"""

import io
import re

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from agencies.models import Agency
from dossiers.models import Applicant, ApplicantIdentity, Dossier, DossierFile
from stats.services import figures_refresh
from tests.dossiers.conftest import at
from tests.e2e.conftest import DESKTOP, SHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNE = "000.00.31.H56"
OTHER_COMMUNES = ("000.00.32.H56", "000.00.33.H56")
NOW = "2026-03-20 10:00"


@pytest.fixture
def province(seeded):
    """The demo agencies, users and catalogue, 400 demo dossiers in every status before today, rolled up."""
    with time_machine.travel(at(NOW), tick=True):
        call_command("seed_demo", dossiers=400, seed=1, force=True, verbosity=0)
        figures_refresh()
        yield


def personal_data() -> list[str]:
    """Every applicant's name, phone, address and identity number in the database."""
    values = []
    for name, phone, address in Applicant.objects.values_list("name", "phone", "address"):
        values += [value for value in (name, phone, address) if value and len(value) > 5]
    values += [n for n in ApplicantIdentity.objects.values_list("number", flat=True) if n]
    return values


def assert_no_personal_data(page: Page) -> None:
    html = page.content()
    shown = [value for value in personal_data() if value in html]
    assert shown == [], f"personal data on {page.url}: {shown[:5]}"
    assert not re.search(r'href="/dossiers/', html), "a link to a dossier page, file or form"


def test_a_province_leader_reads_the_rates_drills_into_late_dossiers_and_downloads_them(
    page: Page, live_server, province, sign_in, shoot, axe
):
    with time_machine.travel(at(NOW), tick=True):
        sign_in("leader")
        page.get_by_role("link", name="Số liệu").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Số liệu giải quyết thủ tục hành chính")
        expect(page.locator(".dash-head__scope")).to_contain_text("01/03/2026")
        expect(page.locator(".dash-head__scope")).to_contain_text("20/03/2026")
        rate = page.locator(".kpi__value--rate").first
        expect(rate).to_contain_text(re.compile(r"\d+,\d %"))
        axe(page, "dashboard")
        shoot("dashboard-province")

        page.get_by_role("link", name="Năm nay").click()
        expect(page).to_have_url(re.compile(r"from=2026-01-01&to=2026-03-20"))
        table = page.locator("section", has=page.get_by_role("heading", name="Theo cơ quan, đơn vị"))
        late_links = table.locator("tbody td:nth-child(6) a")
        counts = [int(text.replace(".", "")) for text in late_links.all_inner_texts()]
        assert any(counts), "no agency has late dossiers this year"
        row = next(n for n, count in enumerate(counts) if count)
        agency_name = table.locator("tbody th").nth(row).inner_text().strip()
        late_links.nth(row).click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ giải quyết quá hạn")
        expect(page.locator(".dash-head__scope")).to_contain_text(agency_name.split(" (")[0])
        expect(page.locator(".drill-bar__count strong")).to_have_text(str(counts[row]))
        listed = page.locator(".drill-table tbody tr")
        assert listed.count() == min(counts[row], 50)
        assert_no_personal_data(page)
        axe(page, "drill-down")
        shoot("dashboard-drill-late")

        with page.expect_download() as info:
            page.locator(".drill-bar").get_by_role("link", name="Excel (XLSX)").click()
        download = info.value
        assert download.suggested_filename.endswith(".xlsx")
        assert "quá hạn" in download.suggested_filename
        with open(download.path(), "rb") as saved:
            book = load_workbook(io.BytesIO(saved.read()))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert rows[0][:3] == ("Mã hồ sơ", "Mã thủ tục", "Tên thủ tục")
        assert len(rows) - 1 == counts[row]
        codes = {r[0] for r in rows[1:]}
        assert Dossier.objects.filter(code__in=codes).count() == counts[row]
        flat = " ".join(str(value) for r in rows for value in r)
        assert not [value for value in personal_data() if value in flat]

        # Printable on A4 (the printable width at 96 px per inch, 190 mm): the print stylesheet hides the site's
        # header, the tabs and the filter, and the tables and charts fit the width.
        page.goto(f"{live_server.url}/dashboard/?preset=year")
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 718, "height": 1015})
        try:
            assert page.locator(".site-top").is_hidden()
            assert page.locator(".dash-filter").is_hidden()
            assert page.evaluate("document.documentElement.scrollWidth") <= 718
            page.screenshot(path=SHOTS / "dashboard-print-a4.png", full_page=True)
        finally:
            page.emulate_media(media="screen")
            page.set_viewport_size(DESKTOP)


def test_a_commune_leader_sees_nothing_of_another_commune(page: Page, live_server, province, sign_in, shoot, axe):
    others = Agency.objects.filter(e_identifier__in=OTHER_COMMUNES)
    other_codes = list(
        Dossier.objects.filter(receiving_agency__in=others, code__isnull=False).values_list("code", flat=True)[:200]
    )
    assert other_codes
    with time_machine.travel(at(NOW), tick=True):
        sign_in("leader_xa")
        page.goto(f"{live_server.url}/dashboard/?preset=year")
        expect(page.locator(".dash-head__scope")).to_contain_text("Ủy ban nhân dân phường Hạc Thành")
        axe(page, "commune dashboard")
        shoot("dashboard-commune")
        pages = [page.content()]
        for measure in ("received", "in_progress", "late"):
            page.goto(f"{live_server.url}/dashboard/ho-so/?preset=year&measure={measure}")
            assert_no_personal_data(page)
            pages.append(page.content())
        shoot("dashboard-commune-drill")
        for html in pages:
            for other in others:
                assert other.name not in html
            assert not [code for code in other_codes if code in html]

        for other in others:
            response = page.goto(f"{live_server.url}/dashboard/?agency={other.pk}")
            assert response.status == 404
            response = page.goto(f"{live_server.url}/dashboard/ho-so/?measure=received&agency={other.pk}")
            assert response.status == 404
            export = "/dashboard/xuat/?table=drill&measure=received&format=csv"
            response = page.goto(f"{live_server.url}{export}&agency={other.pk}")
            assert response.status == 404

        # Their own commune's dossier, its file and its form: 404, as if none existed (§2, §11).
        own = Dossier.objects.filter(receiving_agency__e_identifier=COMMUNE, code__isnull=False).first()
        file = DossierFile.objects.filter(dossier=own).first()
        urls = [
            f"/dossiers/{own.code}/",
            f"/dossiers/{own.code}/forms/receipt.pdf",
            f"/dossiers/{own.code}/files/{file.pk if file else 1}/",
        ]
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 404, url
            assert own.code not in page.content()
