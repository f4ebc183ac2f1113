"""Exports of the dashboard's tables and drill-down lists: XLSX read back with openpyxl, CSV with its byte-order mark,
formula safety, Vietnamese file names, and no personal data (docs/dashboard.md "Exports")."""

import csv
import io
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from procedures.models import ProcedureVersion
from stats.exports import csv_safe
from tests.dossiers.conftest import COMMUNE, at
from tests.stats.dashboard_world import APPLICANT, NOW

pytestmark = pytest.mark.django_db

EXPORT = reverse("dashboard:export")
MARCH = {"from": "2026-03-01", "to": "2026-03-20"}
EVIL_AGENCY = '=HYPERLINK("http://evil.example","UBND")'
EVIL_PROCEDURE = "+cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def evil(world):
    """Names an attacker could have slipped into the catalogue or the agency list."""
    Agency.objects.filter(e_identifier=COMMUNE).update(name=EVIL_AGENCY)
    ProcedureVersion.objects.filter(pk=world.version.pk).update(name=EVIL_PROCEDURE)
    return world


def download(client, user, **params):
    client.force_login(user)
    response = client.get(EXPORT, MARCH | params)
    assert response.status_code == 200, response.content[:500]
    return response


def sheet_rows(response) -> list[tuple]:
    book = load_workbook(io.BytesIO(response.content))
    return list(book.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("table", ["agency", "field", "procedure", "channel"])
def test_each_table_exports_to_xlsx_and_csv_with_the_pages_figures(client, world, table):
    leader = world.people["leader"]
    xlsx = download(client, leader, table=table, format="xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(xlsx)
    header = rows[0]
    received = header.index("Tiếp nhận")
    assert sum(row[received] for row in rows[1:]) == 6
    assert "Đang quá hạn" in header
    response = download(client, leader, table=table, format="csv")
    assert response.content.startswith("\ufeff".encode())  # Excel reads UTF-8 by its byte-order mark
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == list(header)
    assert sum(int(line[received]) for line in lines[1:]) == 6


def test_the_file_name_is_vietnamese_with_an_ascii_fallback(client, world):
    response = download(client, world.people["leader"], table="agency", format="xlsx")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == (
        "Số liệu theo cơ quan, đơn vị 01.03.2026-20.03.2026.xlsx"
    )


def test_a_rate_with_nothing_to_divide_is_a_dash(client, world):
    february = {"from": "2026-02-01", "to": "2026-02-28"}
    rows = sheet_rows(download(client, world.people["leader"], table="channel", format="xlsx", **february))
    header = rows[0]
    counter = next(row for row in rows if row[0] == "Trực tiếp")
    assert counter[header.index("Tiếp nhận")] == 1
    assert counter[header.index("Tỷ lệ đúng hạn (%)")] == "–"  # received 02/02, resolved only in March


def test_names_starting_with_a_formula_sign_stay_text(client, evil):
    leader = evil.people["leader"]
    book = load_workbook(io.BytesIO(download(client, leader, table="agency", format="xlsx").content))
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
    evil_cells = [cell for cell in cells if cell.value == EVIL_AGENCY]
    assert evil_cells
    assert all(cell.data_type == "s" for cell in evil_cells)
    assert not any(cell.data_type == "f" for cell in cells)

    book = load_workbook(io.BytesIO(download(client, leader, table="procedure", format="xlsx").content))
    cells = [cell for row in book.worksheets[0].iter_rows() for cell in row]
    assert any(cell.value == EVIL_PROCEDURE and cell.data_type == "s" for cell in cells)
    assert not any(cell.data_type == "f" for cell in cells)

    text = download(client, leader, table="procedure", format="csv").content.decode("utf-8-sig")
    assert f"'{EVIL_PROCEDURE}" in text
    assert not any(line.startswith(("=", "+", "-", "@")) or ",=" in line or ",+" in line for line in text.splitlines())
    drill = download(client, leader, table="drill", measure="received", format="csv").content.decode("utf-8-sig")
    assert f"'{EVIL_PROCEDURE}" in drill
    assert f"'{EVIL_AGENCY}".replace('"', '""') in drill


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_would_run_get_an_apostrophe(value):
    assert csv_safe(value) == f"'{value}"
    assert csv_safe("Hộ tịch") == "Hộ tịch"
    assert csv_safe(-1) == -1  # a number stays a number


def test_the_drill_down_export_lists_the_dossiers_without_personal_data(client, world):
    leader = world.people["leader"]
    response = download(client, leader, table="drill", measure="received", format="xlsx")
    rows = sheet_rows(response)
    assert rows[0][0] == "Mã hồ sơ"
    codes = {row[0] for row in rows[1:]}
    assert len(codes) == 6
    assert world.commune[0].code in codes
    flat = " ".join(str(value) for row in rows for value in row)
    for secret in APPLICANT.values():
        assert secret not in flat
    csv_text = download(client, leader, table="drill", measure="received", format="csv").content.decode("utf-8-sig")
    for secret in APPLICANT.values():
        assert secret not in csv_text
    assert "02/03/2026" in csv_text  # dates dd/mm/yyyy, local
