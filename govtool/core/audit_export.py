"""The audit log as a file: one row per changed field, in the reader's language (labels, names,
German dates), through the one formula-neutralising export writer (core.exports).
"Excel (CSV)" and XLSX, as every other export.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext

from . import exports
from .audit_display import (
    ACTION_LABELS,
    actor_name,
    field_changes,
    load_names,
    object_name,
    object_type_label,
    referenced_ids,
)
from .formatting import to_berlin

EXPORT_FORMATS = {"csv": exports.CSV_MIMETYPE, "xlsx": exports.XLSX_MIMETYPE}


def _header() -> list[str]:
    return [
        gettext("When"),
        gettext("Who"),
        gettext("Action"),
        gettext("Object type"),
        gettext("Object"),
        gettext("Object id"),
        gettext("Field"),
        gettext("Before"),
        gettext("After"),
    ]


def audit_table(rows: list) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per changed field; an entry without fields gets one row)."""
    locale = str(get_locale() or "de")
    names = load_names(referenced_ids(rows))
    actions = {action: str(label) for action, label in ACTION_LABELS.items()}
    table = []
    for row in rows:
        # Berlin time without zone: spreadsheets know no time zones (openpyxl refuses them).
        when = to_berlin(row.created_at).replace(tzinfo=None)
        start = [
            when,
            actor_name(row, names),
            actions.get(row.action, row.action),
            object_type_label(row.object_type),
            object_name(row, names),
            row.object_id,
        ]
        changes = field_changes(row.object_type, row.action, row.changes, names, locale)
        if not changes:
            table.append([*start, "", "", ""])
        for change in changes:
            old = "" if row.action == "insert" else change.old
            table.append([*start, change.label, old, change.new])
    return _header(), table


def audit_export_file(fmt: str, rows: list) -> tuple[bytes, str]:
    header, table = audit_table(rows)
    if fmt == "xlsx":
        data = exports.to_xlsx(header, table, sheet_title=gettext("Audit log"))
    else:
        data = exports.to_excel_csv(header, table)
    return data, EXPORT_FORMATS[fmt]
