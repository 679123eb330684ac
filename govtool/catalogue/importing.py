"""Import of catalogue entries from CSV or XLSX as drafts: forgiving reading, every problem at once.

- Reading: UTF-8 with or without BOM, Windows-1252 (a CSV saved by German Excel) and UTF-16 with
  BOM ("Unicode text"); `;`, `,` or tab, chosen by the one that makes the most known headers out
  of the first line. XLSX through the bounded archive check and openpyxl (defusedxml).
- Headers: the technical names of the technical CSV and the labels of the Excel (CSV) and XLSX
  exports, German or English, so every export imports again; columns govtool fills in (status,
  version, dates of the register) are ignored.
- Values: codes or the UI's labels (German or English), dates TT.MM.JJJJ or ISO or date cells,
  contacts as email or `Name <email>`, data items as JSON or one `Name [unit] (personal): text`
  per line.
- Every problem of every row is reported at once (`Problem`: row, column, value, message) and
  nothing is saved. Likely duplicates (same title and provider in the file or already in the
  catalogue) are saved only after the user confirms them (the file waits in staging.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext
from openpyxl.utils import get_column_letter

from ..core import exports
from ..core.errors import DomainError, ValidationError
from ..core.identifiers import normalise_identifier
from ..core.links import links
from ..core.permissions import can, ensure
from ..directory.models import Organisation, Person
from ..extensions import db
from . import services, staging
from .exchange import COLUMNS_BY_NAME, EXPORT_COLUMNS
from .import_reading import (
    MAX_IMPORT_ROWS,
    ImportFailed,
    Problem,
    enum_labels,
    enum_values,
    fail,
    header_names,
    norm,
    parse_date,
    parse_items,
    read_rows,
    shown,
    text_of,
)
from .models import CatalogueEntry, CatalogueVersion

if TYPE_CHECKING:
    from ..auth.models import User

REQUIRED = ("title",)
# the service's field names → the import column a problem is shown in
_FIELD_COLUMNS = {"recipient_ids": "recipients", "items": "data_items", "provider_id": "provider"}
_EMAIL = re.compile(r"[^\s<>(),;]+@[^\s<>(),;]+\.[^\s<>(),;]+")


@dataclass(frozen=True)
class Duplicate:
    """A row that likely repeats an entry: same title and provider as other rows of the file
    (`rows`) or as entries already in the catalogue (`identifiers`)."""

    row: int
    title: str
    provider: str
    rows: tuple[int, ...]
    identifiers: tuple[str, ...]


@dataclass
class Outcome:
    """What an import did: the entries saved, or (nothing saved) the likely duplicates waiting
    for confirmation with the kept file's token."""

    entries: list[CatalogueEntry] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    rows: int = 0
    token: str | None = None


# ---------------------------------------------------------------- checking the rows


@dataclass
class _Row:
    number: int
    data: dict[str, Any]
    problems: list[Problem]
    title: str = ""
    provider: Organisation | None = None


class _Reader:
    """Turns the cells of a file into create_entry's data, collecting every problem."""

    def __init__(self, user: User, header: list[Any], header_row: int = 1):
        self.user = user
        self.orgs: dict[str, Organisation | None] = {}
        self.people: dict[str, Person | None] = {}
        self.enums: dict[type, dict[str, Any]] = {}
        self.columns: dict[str, int] = {}  # column name → index in the row
        self.where: dict[str, str] = {}  # column name → "C (Titel)" as the problem shows it
        self.header_problems: list[Problem] = []
        names = header_names()
        for index, cell in enumerate(header):
            text = text_of(cell)
            if not text:
                continue
            letter = get_column_letter(index + 1)
            name = names.get(norm(text))
            if name is None:
                self.header_problems.append(
                    Problem(header_row, letter, text, gettext("This column is unknown."))
                )
            elif name in self.columns:
                self.header_problems.append(
                    Problem(header_row, letter, text, gettext("This column appears twice."))
                )
            else:
                self.columns[name] = index
                self.where[name] = f"{letter} ({text})"
        for name in REQUIRED:
            if name not in self.columns:
                self.header_problems.append(
                    Problem(
                        header_row,
                        "",
                        "",
                        gettext(
                            "The column %(column)s is missing.",
                            column=str(COLUMNS_BY_NAME[name].label),
                        ),
                    )
                )

    # -- look-ups, cached per file

    def organisation(self, text: str) -> Organisation | None:
        key = norm(text)
        if key not in self.orgs:
            found = db.session.scalars(
                sa.select(Organisation).where(
                    sa.or_(
                        sa.func.lower(Organisation.short_name) == text.strip().lower(),
                        sa.func.lower(Organisation.name) == text.strip().lower(),
                    )
                )
            ).all()
            by_short = [o for o in found if norm(o.short_name) == key]
            self.orgs[key] = (by_short or found)[0] if len(by_short or found) == 1 else None
        return self.orgs[key]

    def person(self, text: str) -> Person | None:
        key = norm(text)
        if key not in self.people:
            email = _EMAIL.search(text)
            if email:
                found = db.session.scalars(
                    sa.select(Person).where(sa.func.lower(Person.email) == email.group().lower())
                ).all()
            else:  # a name alone: found when exactly one person has it
                last = text.split()[-1] if text.split() else ""
                found = [
                    p
                    for p in db.session.scalars(
                        sa.select(Person).where(sa.func.lower(Person.last_name) == last.lower())
                    )
                    if norm(p.full_name) == key
                ]
            self.people[key] = found[0] if len(found) == 1 else None
        return self.people[key]

    def enum_value(self, enum_cls, value: Any) -> str | None:
        if enum_cls not in self.enums:
            self.enums[enum_cls] = enum_values(enum_cls)
        return self.enums[enum_cls].get(norm(value))

    # -- one row

    def cell(self, cells: list[Any], name: str) -> Any:
        index = self.columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def read(self, number: int, cells: list[Any]) -> _Row:
        row = _Row(number, {}, [])

        def problem(name: str, value: Any, message: str) -> None:
            row.problems.append(
                Problem(
                    number,
                    self.where.get(name, ""),
                    shown(value),
                    message,
                    self.columns.get(name, -1),
                )
            )

        data = row.data
        if "identifier" in self.columns:
            data["identifier"] = text_of(self.cell(cells, "identifier"))
        raw_provider = text_of(self.cell(cells, "provider"))
        if raw_provider:
            provider = self.organisation(raw_provider)
            if provider is None:
                problem("provider", raw_provider, gettext("This organisation is unknown."))
            elif not can(self.user, "catalogue.create", provider):
                problem(
                    "provider",
                    raw_provider,
                    gettext("You cannot propose entries for this organisation."),
                )
            else:
                data["provider_id"] = provider.id
                row.provider = provider
        else:
            row.provider = self.user.organisation
        if "recipients" in self.columns:
            raw = text_of(self.cell(cells, "recipients"))
            ids, unknown = [], []
            for part in _split_names(raw):
                organisation = self.organisation(part)
                if organisation is None:
                    unknown.append(part)
                else:
                    ids.append(organisation.id)
            if unknown:
                problem(
                    "recipients",
                    raw,
                    gettext("Unknown organisations: %(names)s.", names=", ".join(unknown)),
                )
            elif row.provider is not None and row.provider.id in ids:
                problem("recipients", raw, gettext("The provider cannot also be a recipient."))
            data["recipient_ids"] = ids
        for spec in services.CONTENT_FIELDS:
            name = spec.name.removesuffix("_id")
            if name not in self.columns:
                continue
            raw = self.cell(cells, name)
            if spec.kind == "enum" and not text_of(raw):
                continue  # the default (as a new entry's form has it)
            try:
                value = self._value(spec, raw)
                checked = services.clean_content({spec.name: value})
                if spec.kind == "agreement" and checked.get(spec.name):
                    links.check_entry_agreement(self.user, checked[spec.name])
            except DomainError as error:
                problem(name, raw, error.message)
                continue
            data[spec.name] = value
        if "title" in data:
            row.title = str(data["title"]).strip()
        if "data_items" in self.columns:
            raw = self.cell(cells, "data_items")
            try:
                data["items"] = parse_items(raw)
                services.clean_items(data["items"])
            except ValueError:
                problem(
                    "data_items",
                    raw,
                    gettext(
                        "Data items: one per line as “Name [unit] (personal): description”, "
                        'or a JSON list like [{"name": "…", "unit": "…"}].'
                    ),
                )
            except DomainError as error:
                problem("data_items", raw, error.message)
        if not row.problems:
            try:  # what only the fields together can say (a period that ends before it starts)
                services.clean_content(data)
            except DomainError as error:
                column = _FIELD_COLUMNS.get(
                    error.field or "", (error.field or "").removesuffix("_id")
                )
                problem(column, self.cell(cells, column), error.message)
        return row

    def _value(self, spec: services.Field, raw: Any) -> Any:
        """A cell as clean_content takes it; ValidationError(field) where it cannot be read."""
        text = text_of(raw)
        if spec.kind == "enum":
            value = self.enum_value(spec.enum, text)
            if value is None:
                allowed = ", ".join(enum_labels(spec.enum))
                raise ValidationError(
                    gettext("Unknown value; allowed: %(allowed)s.", allowed=allowed),
                    field=spec.name,
                )
            return value
        if spec.kind == "date":
            try:
                return parse_date(raw)
            except ValueError:
                raise ValidationError(
                    gettext("Please enter a date as DD.MM.YYYY."), field=spec.name
                ) from None
        if spec.kind == "bool":
            return raw if isinstance(raw, bool) else text
        if spec.kind == "int":
            return raw if isinstance(raw, int) and not isinstance(raw, bool) else text
        if spec.kind == "person":
            if not text:
                return None
            person = self.person(text)
            if person is None:
                raise ValidationError(
                    gettext("No person with this email address or name."), field=spec.name
                )
            return person.id
        if spec.kind == "agreement":
            number = re.split(r"\s[–-]\s", text, maxsplit=1)[0].strip()
            if not number:
                return None
            agreement = links.agreement_by_number(self.user, number)
            if agreement is None:
                raise ValidationError(
                    gettext("Unknown agreement number %(number)s.", number=number),
                    field=spec.name,
                )
            return agreement.id
        return text


def _split_names(text: str) -> list[str]:
    """Organisation short names or names, separated by `;`, a line break or `,`."""
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    split = []
    for part in parts:
        split += [p.strip() for p in part.split(",") if p.strip()]
    return split


def _key(title: str, provider: Organisation | None) -> tuple[int, str] | None:
    if not title or provider is None:
        return None
    return provider.id, " ".join(title.split()).casefold()


def _existing(keys: set[tuple[int, str]]) -> dict[tuple[int, str], list[str]]:
    """Entries already in the catalogue by (provider, title) of their latest or approved version."""
    if not keys:
        return {}
    providers = {provider for provider, _ in keys}
    found: dict[tuple[int, str], list[str]] = {}
    for provider_id, title, identifier in db.session.execute(
        sa.select(CatalogueEntry.provider_id, CatalogueVersion.title, CatalogueEntry.identifier)
        .join(CatalogueVersion, CatalogueVersion.entry_id == CatalogueEntry.id)
        .where(
            CatalogueEntry.provider_id.in_(providers),
            sa.or_(
                CatalogueVersion.number == CatalogueEntry.latest_number,
                CatalogueVersion.number == CatalogueEntry.approved_number,
            ),
        )
        .order_by(CatalogueEntry.identifier)
    ):
        key = (provider_id, " ".join((title or "").split()).casefold())
        if key in keys and identifier not in found.setdefault(key, []):
            found[key].append(identifier)
    return found


def _duplicates(rows: list[_Row]) -> list[Duplicate]:
    by_key: dict[tuple[int, str], list[_Row]] = {}
    for row in rows:
        key = _key(row.title, row.provider)
        if key is not None:
            by_key.setdefault(key, []).append(row)
    existing = _existing(set(by_key))
    duplicates = []
    for key, group in by_key.items():
        in_catalogue = tuple(existing.get(key, ()))
        if len(group) < 2 and not in_catalogue:
            continue
        for row in group:
            assert row.provider is not None
            duplicates.append(
                Duplicate(
                    row=row.number,
                    title=row.title,
                    provider=row.provider.short_name,
                    rows=tuple(r.number for r in group if r is not row),
                    identifiers=in_catalogue,
                )
            )
    return sorted(duplicates, key=lambda d: d.row)


def _body(rows: list[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    for number, cells in enumerate(rows[1:], start=2):
        if any(text_of(c) for c in cells):
            yield number, cells


def run(
    user: User, filename: str, content: bytes, *, confirmed: bool = False, dry_run: bool = False
) -> Outcome:
    """Check every row, then save all of them as drafts, or none: rows with problems raise
    ImportFailed (every problem of every row); likely duplicates save nothing unless
    `confirmed` (the Outcome lists them); a `dry_run` saves nothing in any case."""
    ensure(user, "catalogue.import")
    rows = read_rows(filename, content)
    header_index = next((i for i, r in enumerate(rows) if any(text_of(c) for c in r)), None)
    if header_index is None:
        raise fail(gettext("The file is empty."))
    rows = rows[header_index:]
    reader = _Reader(user, rows[0], header_index + 1)
    if reader.header_problems:
        raise ImportFailed(reader.header_problems)
    body = list(_body(rows))
    if len(body) > MAX_IMPORT_ROWS:
        raise fail(gettext("At most %(n)d rows per file.", n=MAX_IMPORT_ROWS))
    if not body:
        raise fail(gettext("The file has no rows below the header."))
    checked = [reader.read(number + header_index, cells) for number, cells in body]
    seen: dict[str, int] = {}
    for row in checked:
        identifier = normalise_identifier(row.data.get("identifier", "")).lower()
        if not identifier:
            continue
        if identifier in seen:
            row.problems.append(
                Problem(
                    row.number,
                    reader.where.get("identifier", ""),
                    row.data["identifier"],
                    gettext("The identifier is also in row %(row)d.", row=seen[identifier]),
                    reader.columns.get("identifier", -1),
                )
            )
            continue
        seen[identifier] = row.number
        try:
            services.check_identifier(row.data["identifier"])
        except DomainError as error:
            row.problems.append(
                Problem(
                    row.number,
                    reader.where.get("identifier", ""),
                    row.data["identifier"],
                    error.message,
                    reader.columns.get("identifier", -1),
                )
            )
    duplicates = _duplicates(checked)
    savepoint = db.session.begin_nested()
    entries, problems = [], []
    for row in checked:
        problems += row.problems
        if row.problems:
            continue
        try:
            with db.session.begin_nested():
                entries.append(services.create_entry(user, row.data))
        except DomainError as error:
            column = _FIELD_COLUMNS.get(error.field or "", (error.field or "").removesuffix("_id"))
            if error.status_code == 403:
                column = "provider"
            problems.append(
                Problem(
                    row.number,
                    reader.where.get(column, ""),
                    "",
                    error.message,
                    reader.columns.get(column, -1),
                )
            )
    if problems:
        savepoint.rollback()
        problems.sort(key=lambda p: (p.row or 0, p.position))
        raise ImportFailed(problems, rows_read=len(body))
    if dry_run or (duplicates and not confirmed):
        savepoint.rollback()
        return Outcome(duplicates=duplicates, rows=len(body))
    savepoint.commit()
    return Outcome(entries=entries, duplicates=duplicates, rows=len(body))


def import_file(user: User, filename: str, content: bytes) -> list[CatalogueEntry]:
    """Import a file without the pages' confirmation step (scripts, the CLI): all rows or none;
    likely duplicates are imported. Raises ImportFailed with every problem."""
    return run(user, filename, content, confirmed=True).entries


def import_upload(user: User, filename: str, content: bytes) -> Outcome:
    """Import an uploaded file; with likely duplicates nothing is saved and the file is kept
    for the confirmation step (Outcome.token)."""
    outcome = run(user, filename, content)
    if outcome.duplicates and not outcome.entries:
        outcome.token = staging.keep(user.id, filename, content).token
    return outcome


def check_staged(user: User, staged: staging.StagedImport) -> Outcome:
    """The confirmation page of a kept file: its likely duplicates, checked again (no save)."""
    ensure(user, "catalogue.import_staged", staged)
    staging.check_fresh(staged)
    outcome = run(user, staged.filename, staged.content, dry_run=True)
    outcome.token = staged.token
    return outcome


def import_staged(user: User, staged: staging.StagedImport) -> Outcome:
    """Import a kept file after the user confirmed its likely duplicates; the file is deleted."""
    ensure(user, "catalogue.import_staged", staged)
    staging.check_fresh(staged)
    outcome = run(user, staged.filename, staged.content, confirmed=True)
    staging.discard(staged)
    return outcome


def template(fmt: str) -> tuple[bytes, str]:
    """The import template: the Excel (CSV) export's headers and no rows; the XLSX one has a
    second sheet that says what each column takes. Returns (file, Content-Type)."""
    from .exchange import labels

    if fmt == "csv":
        return exports.to_excel_csv(labels(), []), exports.CSV_MIMETYPE
    notes = []
    for column in EXPORT_COLUMNS:
        notes.append([str(column.label), column.name, _column_note(column)])
    choices = {
        index: enum_labels(spec.enum)
        for index, column in enumerate(EXPORT_COLUMNS)
        if (spec := services.FIELDS_BY_NAME.get(column.name)) and spec.kind == "enum"
    }
    yes_no = [gettext("yes"), gettext("no")]
    choices |= {
        index: yes_no
        for index, column in enumerate(EXPORT_COLUMNS)
        if (spec := services.FIELDS_BY_NAME.get(column.name)) and spec.kind == "bool"
    }
    content = exports.to_xlsx(
        labels(),
        [],
        choices=choices,
        choice_rows=MAX_IMPORT_ROWS,
        sheet_title=gettext("Catalogue"),
        widths=[c.width for c in EXPORT_COLUMNS],
        extra_sheets=[
            (
                gettext("Column notes"),
                [gettext("Column"), gettext("Technical name"), gettext("What to enter")],
                notes,
            )
        ],
    )
    return content, exports.XLSX_MIMETYPE


def _column_note(column) -> str:
    if not column.importable:
        return gettext("Filled in by govtool; ignored on import.")
    spec = services.FIELDS_BY_NAME.get(column.name) or services.FIELDS_BY_NAME.get(
        column.name + "_id"
    )
    required = gettext("Required.") + " " if column.name in REQUIRED else ""
    if column.name == "identifier":
        return gettext("Empty: govtool assigns the next identifier (e.g. DX-2026-014).")
    if column.name == "provider":
        return gettext("Short name or name of the organisation; empty: your own organisation.")
    if column.name == "recipients":
        return gettext("Short names or names, separated by semicolons or commas.")
    if column.name == "data_items":
        return gettext("One per line: Name [unit] (personal): description.")
    if spec is None:
        return required
    if spec.kind == "enum":
        return required + gettext(
            "One of: %(values)s.",
            values="; ".join(enum_labels(spec.enum)),
        )
    note = {
        "date": gettext("A date, DD.MM.YYYY."),
        "bool": gettext("yes or no."),
        "int": gettext("A whole number."),
        "person": gettext("Email address of a person in the directory."),
        "agreement": gettext("Number of an agreement, e.g. KV-2025-001."),
    }.get(spec.kind, gettext("Text."))
    return required + note


__all__ = [
    "Duplicate",
    "ImportFailed",
    "MAX_IMPORT_ROWS",
    "Outcome",
    "Problem",
    "check_staged",
    "import_staged",
    "import_file",
    "import_upload",
    "parse_items",
    "run",
    "template",
]
