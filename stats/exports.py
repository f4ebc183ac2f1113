"""Exports of the dashboard's tables and drill-down lists to XLSX and CSV (docs/dashboard.md "Exports").

Formula-safe (OWASP "CSV injection"): a text cell starting with = + - @, a tab or a carriage return is written as
text — in CSV prefixed with an apostrophe, in XLSX stored as a string cell, never a formula. CSV is UTF-8 with a
byte-order mark so Excel reads the Vietnamese letters. The file name is Vietnamese, sent with an ASCII fallback
(RFC 6266 `filename*`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def is_dangerous(value: object) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS)


def csv_safe(value: object) -> object:
    """A text a spreadsheet would run as a formula gets a leading apostrophe; numbers and dates are kept."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return f"'{value}" if is_dangerous(value) else value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    out = io.StringIO()
    out.write("\ufeff")  # Excel recognises UTF-8 by its byte-order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(str(name)) for name in header])
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type=CSV)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def _cell(sheet, value: object, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)  # written as the local wall time (the caller localises)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl would store "=…" as a formula: a string cell shows it as typed, never evaluates it.
        cell.data_type = "s"
    if isinstance(value, dt.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(
    *,
    filename: str,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    about: Sequence[tuple[str, str]] = (),
) -> HttpResponse:
    """One sheet of data (header on the first row, so it reads back as a table) and one describing the export."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append([_cell(sheet, str(name), bold=True) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    if about:
        info = book.create_sheet(title="Thông tin")
        for name, value in about:
            info.append([_cell(info, str(name), bold=True), _cell(info, str(value))])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response
