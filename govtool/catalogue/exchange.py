"""Exports of the filtered list (CSV, XLSX, JSON, DOCX register) and import from CSV/XLSX.

CSV and XLSX share one set of columns with stable codes (enum values, ISO dates, organisation
short names, contact emails, data items as JSON), so a file exported here can be imported again.
Import is all-or-nothing: every row is checked, and one bad row means nothing is saved.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import get_locale, gettext
from openpyxl import load_workbook

from ..config import PROJECT_ROOT
from ..core import exports
from ..core.archives import XML_ERRORS, check_archive
from ..core.document_style import Contact, DocumentMeta, Issuer, moment_of
from ..core.docx import render_docx
from ..core.errors import DomainError, ValidationError
from ..core.identifiers import normalise_identifier
from ..core.links import links
from ..core.models import utcnow
from ..core.permissions import can, ensure
from ..directory.models import Organisation, Person
from ..extensions import db
from . import services
from .models import CatalogueVersion

if TYPE_CHECKING:
    from ..auth.models import User

DOCX_TEMPLATE = PROJECT_ROOT / "agreement_templates" / "catalogue" / "register.docx"
MAX_IMPORT_ROWS = 2000

# Columns read on import, in order; the read-only columns after them are ignored on import.
IMPORT_COLUMNS = (
    "identifier",
    "provider",
    "recipients",
    *(f.name.removesuffix("_id") for f in services.CONTENT_FIELDS),
    "data_items",
)
# pending_version / pending_status: an open change of the version in force (the row shows the
# version in force, the change only by its number and status).
READ_ONLY_COLUMNS = (
    "version",
    "status",
    "pending_version",
    "pending_status",
    "issued",
    "modified",
    "next_review",
)
COLUMNS = IMPORT_COLUMNS + READ_ONLY_COLUMNS


def _cell(version: CatalogueVersion, field: services.Field, user: User | None = None) -> str:
    value = getattr(version, field.name)
    if value is None:
        return ""
    if field.kind == "agreement":
        agreement = version.agreement
        if agreement is None or (user is not None and not can(user, "agreement.view", agreement)):
            return ""
        return agreement.number
    if field.kind == "enum":
        return value.value
    if field.kind == "bool":
        return "yes" if value else "no"
    if field.kind == "date":
        return value.isoformat()
    if field.kind == "person":
        person = getattr(version, field.name.removesuffix("_id"))
        return person.email if person else ""
    return str(value)


def row(version: CatalogueVersion, user: User | None = None) -> dict[str, str]:
    """One entry as a row of the export (codes, not labels, so it can be imported again); the
    authorising agreement by its number, left empty when `user` may not see it."""
    entry = version.entry
    values = {
        "identifier": entry.identifier,
        "provider": entry.provider.short_name,
        "recipients": "; ".join(sorted(o.short_name for o in version.recipients)),
    }
    for field in services.CONTENT_FIELDS:
        values[field.name.removesuffix("_id")] = _cell(version, field, user)
    values["data_items"] = json.dumps(
        [
            {
                "name": i.name,
                "description": i.description,
                "unit": i.unit,
                "personal": i.is_personal,
            }
            for i in version.items
        ],
        ensure_ascii=False,
    )
    values["version"] = str(version.number)
    values["status"] = entry.status.value
    pending = services.pending_change(entry)
    pending = pending if pending is not version else None
    values["pending_version"] = str(pending.number) if pending else ""
    values["pending_status"] = pending.status.value if pending else ""
    values["issued"] = entry.issued_on.isoformat() if entry.issued_on else ""
    values["modified"] = entry.modified_on.isoformat() if entry.modified_on else ""
    values["next_review"] = entry.next_review_on.isoformat() if entry.next_review_on else ""
    return values


def to_csv(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    rows = (row(version, user) for version in versions)
    return exports.to_csv(COLUMNS, ([values[c] for c in COLUMNS] for values in rows))


def to_xlsx(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    rows = (row(version, user) for version in versions)
    return exports.to_xlsx(
        COLUMNS, ([values[c] for c in COLUMNS] for values in rows), sheet_title="Katalog"
    )


def to_json(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    rows = []
    for version in versions:
        values: dict[str, Any] = row(version, user)
        values["data_items"] = json.loads(values["data_items"])
        values["recipients"] = [r for r in values["recipients"].split("; ") if r]
        rows.append(values)
    document = {"generated": utcnow().isoformat(), "count": len(rows), "entries": rows}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _status_label(version: CatalogueVersion) -> str:
    """The entry's status, with the marker of an open change beside the version in force."""
    label = str(version.entry.status.label)
    pending = services.pending_change(version.entry)
    if pending is not None and pending is not version:
        label += " – " + services.pending_marker(pending.number, pending.status)
    return label


def to_docx(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    """The printable register for the committee's files (docxtpl template)."""
    entries = []
    for version in versions:
        shown = services.snapshot(version, user)
        entries.append(
            {
                "identifier": version.entry.identifier,
                "status": _status_label(version),
                "version": version.number,
                "provider": version.entry.provider.name,
                "recipients": shown["recipients"][1],
                "fields": [
                    {"label": label, "value": text}
                    for key, (label, text) in shown.items()
                    if key not in ("title", "recipients") and text
                ],
                "title": version.title,
                "data_items": [
                    {
                        "name": i.name,
                        "unit": i.unit,
                        "personal": gettext("yes") if i.is_personal else gettext("no"),
                        "description": i.description,
                    }
                    for i in version.items
                ],
            }
        )
    context = {
        "title": gettext("Register of data exchanges"),
        "generated": utcnow(),
        "count": len(entries),
        "entries": entries,
        "labels": {
            "generated": gettext("As of"),
            "count": gettext("Entries"),
            "provider": gettext("Providing organisation"),
            "recipients": gettext("Receiving organisations"),
            "status": gettext("Status"),
            "version": gettext("Version"),
            "items": gettext("Data items"),
            "name": gettext("Name"),
            "unit": gettext("Unit or code list"),
            "personal": gettext("Personal"),
            "description": gettext("Description"),
        },
    }
    return render_docx(Path(DOCX_TEMPLATE), context, meta=register_meta(context, user))


def register_meta(context: dict[str, Any], user: User | None) -> DocumentMeta:
    """The register is issued by the exporting user's organisation (its contact: the user), in
    the language of the page it was exported from, dated when it was made."""
    organisation = user.organisation if user is not None else None
    person = user.person if user is not None else None
    language = "de-DE" if str(get_locale() or "de").startswith("de") else "en-GB"
    return DocumentMeta(
        title=str(context["title"]),
        subject=gettext("Data-sharing catalogue"),
        issuer=Issuer.of(organisation),
        contact=Contact.of(person, organisation),
        moment=moment_of(context["generated"]),
        language=language,
    )


FORMATS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (to_json, "application/json"),
    "docx": (
        to_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}


def export(
    versions: list[CatalogueVersion], fmt: str, user: User | None = None
) -> tuple[bytes, str]:
    make, mimetype = FORMATS[fmt]
    return make(versions, user), mimetype


# ---------------------------------------------------------------- import


class ImportFailed(ValidationError):
    """The file was not imported; `errors` name the row and field of each problem. A file that
    could not be read at all is a 400, rows with problems a 422."""

    def __init__(self, errors: list[str], rows_read: int = 0):
        super().__init__("; ".join(errors))
        self.errors = errors
        self.rows_read = rows_read
        self.status_code = 422 if rows_read else 400


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed([gettext("The file is not UTF-8 encoded text.")]) from None
    if "\x00" in text:
        raise ImportFailed([gettext("The file is not a CSV text file.")])
    try:
        sample = text[:4096]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    try:
        # Cells the export neutralised ('=…) come back as they were entered.
        return [[exports.restore(c) for c in r] for r in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise ImportFailed([gettext("The CSV file cannot be read: %(e)s", e=str(exc))]) from None


def _read_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet's rows; the package is checked by the bounded reader before openpyxl
    opens it, and openpyxl parses with defusedxml, whose refusals become a 422."""
    if not content.startswith(b"PK"):
        raise ImportFailed([gettext("The file is not a readable XLSX workbook.")])
    check_archive(content)  # ArchiveRefused (422): a zip bomb or a DTD
    rows = []
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v) for v in values])
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
        raise ImportFailed([gettext("The file is not a readable XLSX workbook.")]) from None
    finally:
        if workbook is not None:
            workbook.close()
    return rows


def _lookup_org(short_name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.short_name == short_name))


def _row_data(values: dict[str, str], user: User | None = None) -> dict[str, Any]:
    """Turn one row's cells into the data create_entry takes; raises ValidationError(field=col)."""
    data: dict[str, Any] = {"identifier": values.get("identifier", "")}
    provider = _lookup_org(values.get("provider", "").strip())
    if provider is None:
        raise ValidationError(
            gettext("Unknown organisation %(name)s.", name=values.get("provider", "")),
            field="provider",
        )
    data["provider_id"] = provider.id
    recipient_ids = []
    for short in (s.strip() for s in values.get("recipients", "").replace(",", ";").split(";")):
        if not short:
            continue
        organisation = _lookup_org(short)
        if organisation is None:
            raise ValidationError(
                gettext("Unknown organisation %(name)s.", name=short), field="recipients"
            )
        recipient_ids.append(organisation.id)
    data["recipient_ids"] = recipient_ids
    for field in services.CONTENT_FIELDS:
        column = field.name.removesuffix("_id")
        raw = values.get(column, "")
        if field.kind == "person":
            email = raw.strip().lower()
            person = (
                db.session.scalar(sa.select(Person).where(sa.func.lower(Person.email) == email))
                if email
                else None
            )
            if email and person is None:
                raise ValidationError(
                    gettext("No person with the email %(email)s.", email=raw), field=column
                )
            data[field.name] = person.id if person else None
        elif field.kind == "agreement":
            number = raw.strip()
            agreement = links.agreement_by_number(user, number) if number and user else None
            if number and agreement is None:
                raise ValidationError(
                    gettext("Unknown agreement number %(number)s.", number=number), field=column
                )
            data[field.name] = agreement.id if agreement else None
        elif field.kind == "enum" and not raw.strip():
            continue  # keep the default
        else:
            data[field.name] = raw
    raw_items = values.get("data_items", "").strip()
    try:
        items = json.loads(raw_items) if raw_items else []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError
    except ValueError:
        raise ValidationError(
            gettext('Data items must be a JSON list like [{"name": "…", "unit": "…"}].'),
            field="data_items",
        ) from None
    data["items"] = [
        {
            "name": str(i.get("name") or ""),
            "description": str(i.get("description") or ""),
            "unit": str(i.get("unit") or ""),
            "is_personal": i.get("personal", False),
        }
        for i in items
    ]
    return data


def import_file(user: User, filename: str, content: bytes) -> list:
    """Import entries as drafts from a CSV or XLSX file; all rows or none."""
    ensure(user, "catalogue.import")
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".csv":
        rows = _read_csv(content)
    elif suffix == ".xlsx":
        rows = _read_xlsx(content)
    else:
        raise ImportFailed([gettext("Please upload a .csv or .xlsx file.")])
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ImportFailed([gettext("The file is empty.")])
    header = [c.strip().lstrip("\ufeff") for c in rows[0]]
    missing = [c for c in ("identifier", "provider", "title") if c not in header]
    if missing:
        raise ImportFailed([gettext("Missing columns: %(columns)s.", columns=", ".join(missing))])
    unknown = [c for c in header if c and c not in COLUMNS]
    if unknown:
        raise ImportFailed([gettext("Unknown columns: %(columns)s.", columns=", ".join(unknown))])
    body = rows[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ImportFailed([gettext("At most %(n)d rows per file.", n=MAX_IMPORT_ROWS)])
    errors, entries, seen = [], [], set()
    savepoint = db.session.begin_nested()
    for line, cells in enumerate(body, start=2):
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        # compared as stored (core.identifiers): look-alikes count as the same identifier
        identifier = normalise_identifier(values.get("identifier", "")).lower()
        try:
            if identifier and identifier in seen:
                raise ValidationError(gettext("Identifier appears twice."), field="identifier")
            seen.add(identifier)
            with db.session.begin_nested():
                entries.append(services.create_entry(user, _row_data(values, user)))
        except DomainError as error:
            if error.status_code == 403:
                column = "provider"
            else:
                column = {"recipient_ids": "recipients", "items": "data_items"}.get(
                    error.field or "", (error.field or "").removesuffix("_id")
                )
            errors.append(
                gettext(
                    "Row %(line)d, field %(field)s: %(message)s",
                    line=line,
                    field=column or "-",
                    message=error.message,
                )
            )
    if errors:
        savepoint.rollback()
        raise ImportFailed(errors, rows_read=len(body))
    savepoint.commit()
    return entries
