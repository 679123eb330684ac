"""Exports of the filtered list (Excel CSV, technical CSV, XLSX, JSON, DOCX register).

The spreadsheet exports share one set of columns (`EXPORT_COLUMNS`): each has a technical name
(the header of "CSV (UTF-8, technische Feldnamen)", with codes as values: enum values, ISO dates,
organisation short names, contact emails, data items as JSON) and the label the UI shows (the
header of "Excel (CSV)" and XLSX, with values as the UI shows them: labels, TT.MM.JJJJ or typed
dates, contacts as "Name <email>", data items one per line). Every flavour imports again
(importing.py reads both headers and both kinds of values). All of it is written by core.exports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l

from ..config import PROJECT_ROOT
from ..core import exports
from ..core.document_style import Contact, DocumentMeta, Issuer, moment_of
from ..core.docx import render_docx
from ..core.errors import DomainError, PermissionDenied
from ..core.models import utcnow
from ..core.permissions import can
from ..core.prepared import Built
from . import services
from .models import CatalogueVersion

if TYPE_CHECKING:
    from ..auth.models import User

DOCX_TEMPLATE = PROJECT_ROOT / "agreement_templates" / "catalogue" / "register.docx"


@dataclass(frozen=True)
class Column:
    """One column of the spreadsheet exports: technical name, UI label, kind of value, and
    whether an import reads it (the others are filled in by govtool and ignored on import)."""

    name: str
    label: Any
    kind: str = "str"
    importable: bool = True
    width: int | None = None


_FIELD_WIDTHS = {"text": 50, "date": 12, "int": 10, "bool": 10, "enum": 24, "person": 32}
EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("identifier", _l("Identifier"), width=14),
    Column("provider", _l("Providing organisation"), width=18),
    Column("recipients", _l("Receiving organisations"), width=24),
    *(
        Column(
            f.name.removesuffix("_id"),
            f.label,
            f.kind,
            width=_FIELD_WIDTHS.get(f.kind, 50 if f.name == "title" else 24),
        )
        for f in services.CONTENT_FIELDS
    ),
    Column("data_items", _l("Data items"), "items", width=60),
    # the version in force, and an open change of it (only by its number and status)
    Column("version", _l("Version"), "int", importable=False, width=9),
    Column("status", _l("Status"), importable=False, width=16),
    Column("pending_version", _l("Open change: version"), "int", importable=False, width=12),
    Column("pending_status", _l("Open change: status"), importable=False, width=18),
    Column("issued", _l("Issued"), "date", importable=False),
    Column("modified", _l("Modified"), "date", importable=False),
    Column("next_review", _l("Next review"), "date", importable=False),
)
COLUMNS_BY_NAME = {c.name: c for c in EXPORT_COLUMNS}
# Technical names (the header of the technical CSV), for machines and older callers.
IMPORT_COLUMNS = tuple(c.name for c in EXPORT_COLUMNS if c.importable)
READ_ONLY_COLUMNS = tuple(c.name for c in EXPORT_COLUMNS if not c.importable)
COLUMNS = IMPORT_COLUMNS + READ_ONLY_COLUMNS


def labels() -> list[str]:
    """The headers of the Excel (CSV) and XLSX exports (and the import templates), in the
    language of the request."""
    return [str(c.label) for c in EXPORT_COLUMNS]


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


def item_line(name: str, unit: str, personal: bool, description: str) -> str:
    """One data item as the Excel flavours write it: `Name [unit] (personal): description`
    (importing.parse_item_line reads it back)."""
    line = name + (f" [{unit}]" if unit else "")
    line += f" ({gettext('personal')})" if personal else ""
    return line + (f": {' '.join(description.split())}" if description else "")


def _display(version: CatalogueVersion, field: services.Field, user: User | None) -> Any:
    value = getattr(version, field.name)
    if value is None or value == "":
        return None
    if field.kind == "person":
        person = getattr(version, field.name.removesuffix("_id"))
        if person is None:
            return None
        return f"{person.full_name} <{person.email}>" if person.email else person.full_name
    if field.kind in ("date", "int", "bool"):
        return value  # typed: the writer formats it (TT.MM.JJJJ, ja/nein) or keeps the type
    return services.display_value(version, field, user)


def display_row(version: CatalogueVersion, user: User | None = None) -> dict[str, Any]:
    """One entry as the UI shows it (labels, dates as dates, contacts as `Name <email>`), for
    the Excel (CSV) and XLSX exports; links the `user` may not see are left empty."""
    entry = version.entry
    values: dict[str, Any] = {
        "identifier": entry.identifier,
        "provider": entry.provider.short_name,
        "recipients": ", ".join(sorted(o.short_name for o in version.recipients)),
    }
    for field in services.CONTENT_FIELDS:
        values[field.name.removesuffix("_id")] = _display(version, field, user)
    values["data_items"] = "\n".join(
        item_line(i.name, i.unit, i.is_personal, i.description) for i in version.items
    )
    values["version"] = version.number
    values["status"] = entry.status.label
    pending = services.pending_change(entry)
    pending = pending if pending is not version else None
    values["pending_version"] = pending.number if pending else None
    values["pending_status"] = pending.status.label if pending else None
    values["issued"] = entry.issued_on
    values["modified"] = entry.modified_on
    values["next_review"] = entry.next_review_on
    return values


def _display_rows(versions: list[CatalogueVersion], user: User | None):
    for version in versions:
        values = display_row(version, user)
        yield [values[c.name] for c in EXPORT_COLUMNS]


def to_csv(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    """ "CSV (UTF-8, technische Feldnamen)": codes and ISO dates, for machines."""
    rows = (row(version, user) for version in versions)
    return exports.to_csv(COLUMNS, ([values[c] for c in COLUMNS] for values in rows))


def to_excel_csv(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    """ "Excel (CSV)": the UI's labels as headers and values, semicolons, TT.MM.JJJJ."""
    return exports.to_excel_csv(labels(), _display_rows(versions, user))


def to_xlsx(versions: list[CatalogueVersion], user: User | None = None) -> bytes:
    """XLSX with the UI's labels, typed dates, a frozen and filtered header row."""
    return exports.to_xlsx(
        labels(),
        _display_rows(versions, user),
        sheet_title=gettext("Catalogue"),
        widths=[c.width for c in EXPORT_COLUMNS],
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
                    # the data items have their own table below
                    if key not in ("title", "recipients", "items") and text
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
        "count_text": ngettext("%(num)d entry", "%(num)d entries", len(entries)),
        "entries": entries,
        "labels": {
            "generated": gettext("As of"),
            "count": gettext("Entries"),
            "no_entries": gettext("No entries match the selection."),
            "no_data_items": gettext("No data items recorded."),
            "provider": gettext("Providing organisation"),
            "recipients": gettext("Receiving organisations"),
            "status": gettext("Status"),
            "version": gettext("Version"),
            "data_items": gettext("Data items"),
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


# format → (writer, Content-Type, file extension); download() adds the charset of text types.
FORMATS = {
    "csv": (to_excel_csv, exports.CSV_MIMETYPE, "csv"),
    "csv-technical": (to_csv, exports.CSV_MIMETYPE, "csv"),
    "xlsx": (to_xlsx, exports.XLSX_MIMETYPE, "xlsx"),
    "json": (to_json, "application/json", "json"),
    "docx": (
        to_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
}


def export(
    versions: list[CatalogueVersion], fmt: str, user: User | None = None
) -> tuple[bytes, str]:
    """The file of `fmt` (a key of FORMATS) and its Content-Type."""
    make, mimetype, _extension = FORMATS[fmt]
    return make(versions, user), mimetype


# Formats a large export of which is prepared by a job (JSON is for machines: always at once).
PREPARED_FORMATS = ("csv", "csv-technical", "xlsx", "docx")
PREPARED_KIND = "catalogue.export"


def filename(fmt: str) -> str:
    """The export's file name."""
    name = "datenaustauschkatalog-technisch" if fmt == "csv-technical" else "datenaustauschkatalog"
    return f"{name}.{FORMATS[fmt][2]}"


def format_label(fmt: str) -> str:
    """The name of the format as the export buttons show it."""
    flavours = {
        "csv": exports.EXCEL_CSV,
        "csv-technical": exports.TECHNICAL_CSV,
        "xlsx": exports.XLSX,
    }
    if fmt in flavours:
        return str(exports.FLAVOUR_LABELS[flavours[fmt]])
    return gettext("Word (DOCX)") if fmt == "docx" else fmt.upper()


def prepared_parameters(fmt: str, filters: services.ListFilters) -> dict[str, Any]:
    """What a prepared export remembers: the format and the list's filters (as URL arguments)."""
    return {"fmt": fmt, "filters": {k: str(v) for k, v in filters.as_args().items()}}


def build_prepared_export(owner: User, parameters: dict[str, Any]) -> Built:
    """The job's half of a prepared export: the file as `owner` may see the list when it runs."""
    if not can(owner, "catalogue.export"):
        raise PermissionDenied(gettext("You are no longer allowed to export the catalogue."))
    fmt = parameters.get("fmt", "")
    if fmt not in PREPARED_FORMATS:
        raise DomainError(gettext("This file can no longer be prepared."))
    filters = services.ListFilters.from_args(parameters.get("filters") or {})
    content, mimetype = export(services.list_versions(owner, filters), fmt, owner)
    return Built(content, filename(fmt), mimetype)
