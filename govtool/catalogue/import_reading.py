"""Reading import files: text encodings, the delimiter, XLSX, headers and cell values.

The catalogue import (importing.py) checks rows; this module turns an upload into rows of cells
and knows the spellings a cell may have (codes or labels in German or English, German or ISO
dates, data items as JSON or lines). Problems are `Problem`s, a refused file an `ImportFailed`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from ..core import exports
from ..core.archives import XML_ERRORS, check_archive
from ..core.errors import ValidationError
from .exchange import EXPORT_COLUMNS
from .models import LABELS

MAX_IMPORT_ROWS = 2000
MAX_SHOWN_VALUE = 120
DELIMITERS = (";", ",", "\t")
PERSONAL = _l("personal")  # the marker of a personal data item (exchange.item_line)


@dataclass(frozen=True)
class Problem:
    """One problem of an import: the spreadsheet row (1 = the header; None = the whole file),
    the column as the file names it, the value found there and what is wrong."""

    row: int | None
    column: str
    value: str
    message: str
    position: int = 0  # the column's index in the file, for the order of the list

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return gettext(
            "Row %(row)d, column %(column)s: %(message)s",
            row=self.row,
            column=self.column or "–",
            message=self.message,
        )


class ImportFailed(ValidationError):
    """The file was not imported; `problems` name row, column, value and message of each. A file
    that could not be read at all (or whose header is wrong) is a 400, rows with problems a 422."""

    def __init__(self, problems: list[Problem] | list[str], rows_read: int = 0):
        self.problems = [
            p if isinstance(p, Problem) else Problem(None, "", "", str(p)) for p in problems
        ]
        self.errors = [str(p) for p in self.problems]
        super().__init__("; ".join(self.errors))
        self.rows_read = rows_read
        self.status_code = 422 if rows_read else 400


def fail(message: str) -> ImportFailed:
    return ImportFailed([Problem(None, "", "", message)])


# ---------------------------------------------------------------- reading the file


def decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(gettext("The file is not readable text.")) from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = content.decode("cp1252")
            except UnicodeDecodeError:
                raise fail(
                    gettext(
                        "The file is neither UTF-8 nor Windows-1252 text. Please save it as "
                        "“CSV UTF-8” or as an Excel workbook (XLSX)."
                    )
                ) from None
    if "\x00" in text:
        raise fail(gettext("The file is not a CSV text file."))
    return text.lstrip("\ufeff")


def _first_record(text: str, delimiter: str) -> list[str]:
    """The first record with any text (the header; empty lines above it do not count)."""
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                return record
    except csv.Error:
        pass
    return []


def sniff_delimiter(text: str) -> str:
    """`;`, `,` or tab: the one whose header line has the most known column names (then the most
    columns); a file of one column reads with any."""
    names = header_names()
    best: tuple[tuple[int, int], str] | None = None
    for delimiter in DELIMITERS:
        first = _first_record(text, delimiter)
        known = sum(1 for cell in first if norm(cell) in names)
        score = (known, len(first))
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1] if best else ","


def read_csv(content: bytes) -> list[list[Any]]:
    """The rows of a CSV file (cells the export neutralised, '=…, come back as entered)."""
    text = decode(content)
    delimiter = sniff_delimiter(text)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = []
        for record in reader:
            rows.append([exports.restore(c) for c in record])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise fail(gettext("The CSV file cannot be read: %(e)s", e=str(exc))) from None


def read_xlsx(content: bytes) -> list[list[Any]]:
    """The first sheet's rows, cells typed (dates stay dates); the package is checked by the
    bounded reader before openpyxl opens it, and openpyxl parses with defusedxml, whose refusals
    become a 422."""
    if not content.startswith(b"PK"):
        raise fail(gettext("The file is not a readable XLSX workbook."))
    check_archive(content)  # ArchiveRefused (422): a zip bomb or a DTD
    rows: list[list[Any]] = []
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else v for v in values])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
    except (zipfile.BadZipFile, IndexError, KeyError, ValueError, TypeError, OSError) as exc:
        # openpyxl wraps the parser's refusal (defusedxml: DTD, entities) in a ValueError.
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, XML_ERRORS):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise ValidationError(
                gettext(
                    "The workbook's XML cannot be read safely (%(e)s); refused.",
                    e=type(cause).__name__,
                ),
                field="file",
            ) from None
        raise fail(gettext("The file is not a readable XLSX workbook.")) from None
    finally:
        if workbook is not None:
            workbook.close()
    return rows


def read_rows(filename: str, content: bytes) -> list[list[Any]]:
    """The rows of an uploaded .csv or .xlsx file."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".csv":
        return read_csv(content)
    if suffix == ".xlsx":
        return read_xlsx(content)
    raise fail(gettext("Please upload a .csv or .xlsx file."))


# ---------------------------------------------------------------- headers and values


def norm(text: Any) -> str:
    return " ".join(str(text or "").replace("\ufeff", "").split()).casefold()


def _in_both_languages(text) -> list[str]:
    """A lazy label in German and in English."""
    shown = []
    for locale in ("de", "en"):
        with force_locale(locale):
            shown.append(str(text))
    return shown


def header_names() -> dict[str, str]:
    """Header text (normalised) → column name: technical names and the labels in both languages."""
    names: dict[str, str] = {}
    for column in EXPORT_COLUMNS:
        names[norm(column.name)] = column.name
        for label in _in_both_languages(column.label):
            names.setdefault(norm(label), column.name)
    return names


def enum_values(enum_cls) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for member in enum_cls:
        values[norm(member.value)] = member.value
        for label in _in_both_languages(enum_label(member)):
            values.setdefault(norm(label), member.value)
    return values


def enum_label(member) -> Any:
    """The lazy label of an enum member (models.LABELS)."""
    return LABELS[member]


def enum_labels(enum_cls) -> list[str]:
    """The labels of an enum's members, in the request's language (for messages and notes)."""
    return [str(LABELS[member]) for member in enum_cls or ()]


def shown(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return exports.excel_text(value)
    text = str(value if value is not None else "")
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return exports.excel_text(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date cell, TT.MM.JJJJ (also T.M.JJJJ and TT.MM.JJ) or ISO; ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    try:  # an ISO timestamp ("2025-01-31 00:00:00", as some programs write date cells)
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(text) from None


_ITEM = re.compile(
    r"^(?:\d+\.\s+)?(?P<name>.*?)(?:\s\[(?P<unit>[^\]]*)\])?(?:\s\((?P<personal>[^)]*)\))?"
    r"(?::\s(?P<description>.*))?$"
)


def parse_items(value: Any) -> list[dict[str, Any]]:
    """Data items from JSON (`[{"name": …}]`) or one `Name [unit] (personal): text` per line."""
    text = str(value or "").strip()
    if not text:
        return []
    if text.startswith("["):
        items = json.loads(text)  # ValueError: reported by the caller
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError(text)
        return [
            {
                "name": str(i.get("name") or ""),
                "description": str(i.get("description") or ""),
                "unit": str(i.get("unit") or ""),
                "is_personal": i.get("personal", i.get("is_personal", False)),
            }
            for i in items
        ]
    personal_words = {norm(w) for w in _in_both_languages(PERSONAL)}
    items = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        match = _ITEM.match(line)
        assert match is not None  # every part is optional
        marker = match.group("personal")
        name = match.group("name")
        if marker is not None and norm(marker) not in personal_words:
            name += f" ({marker})"  # a bracket of the name itself, not the marker
        items.append(
            {
                "name": name.strip(),
                "unit": (match.group("unit") or "").strip(),
                "is_personal": marker is not None and norm(marker) in personal_words,
                "description": (match.group("description") or "").strip(),
            }
        )
    return items
