"""The audit log page for admins: read-only, filterable by who acted, object type, object and
period, and exportable (CSV for Excel, XLSX) with the same filters. No route here changes the log;
an export larger than GOVTOOL_EXPORT_INLINE_ROWS is handed to the job queue (core.prepared)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required

from ..auth.models import User
from ..directory.models import Person
from ..extensions import db
from .args import arg_date, arg_int
from .audit import AuditEntry
from .audit_display import (
    ACTION_LABELS,
    FieldChange,
    actor_name,
    field_changes,
    load_names,
    object_name,
    object_type_label,
    person_name,
    referenced_ids,
)
from .audit_export import EXPORT_FORMATS, audit_export_file
from .downloads import download
from .errors import DomainError, PermissionDenied
from .exports import EXCEL_CSV, FLAVOUR_LABELS, XLSX
from .formatting import BERLIN, format_datetime
from .permissions import can, require
from .prepared import Built, prepare_if_large
from .prepared_views import redirect_to_prepared
from .views import RowsWithTotalPagination, page_args

bp = Blueprint("audit", __name__)


def _conditions(
    object_type: str,
    object_id: str,
    action: str,
    user_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> list:
    conditions = []
    if object_type:
        conditions.append(AuditEntry.object_type == object_type)
    if object_id:
        # An id ("12", "5,admin") or words of the entry's label ("Stadt Halle").
        if re.fullmatch(r"\d+(,[\w-]+)*", object_id):
            conditions.append(AuditEntry.object_id == object_id)
        else:
            conditions.append(AuditEntry.summary.ilike(f"%{_like(object_id)}%", escape="\\"))
    if action:
        conditions.append(AuditEntry.action == action)
    if user_id:
        conditions.append(AuditEntry.user_id == user_id)
    if date_from:
        start = dt.datetime.combine(date_from, dt.time.min, BERLIN)
        conditions.append(AuditEntry.created_at >= start)
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, BERLIN)
        conditions.append(AuditEntry.created_at < end)
    return conditions


def _like(text: str) -> str:
    return text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_ROW_COLUMNS = (
    AuditEntry.id,
    AuditEntry.created_at,
    AuditEntry.user_id,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.summary,
    AuditEntry.changes,
)


@functools.lru_cache(maxsize=128)
def audit_query(
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    user_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> tuple[sa.Select, sa.Select]:
    """Audit entries, newest first, narrowed by the page's filters: one page of the shown
    columns as plain rows (no ORM objects), with the total counted up to :cap entries as a
    column; parameters limit, offset and cap. Also the select of the filtered ids, for a count
    when a page has no rows. Built once per set of filters (selects are immutable; the arguments
    are all the statements depend on)."""
    conditions = _conditions(object_type, object_id, action, user_id, date_from, date_to)
    counted = sa.select(AuditEntry.id).where(*conditions)
    total = (
        sa.select(sa.func.count())
        .select_from(counted.limit(sa.bindparam("cap")).subquery())
        .scalar_subquery()
    )
    query = (
        sa.select(*_ROW_COLUMNS, total.label("total"))
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )
    return query, counted


def export_query(filters: dict[str, Any], limit: int) -> sa.Select:
    """The filtered entries for an export, newest first, at most `limit`."""
    return (
        sa.select(*_ROW_COLUMNS)
        .where(*_conditions(**filters))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )


# A loose index scan: each step jumps to the next object type in ix_audit_entries_object, so
# the cost grows with the number of types, not with the size of the log (SELECT DISTINCT reads
# every entry). Works on SQLite and PostgreSQL.
_OBJECT_TYPES = sa.text(
    """
    WITH RECURSIVE types(name) AS (
        SELECT MIN(object_type) FROM audit_entries
        UNION ALL
        SELECT (SELECT MIN(object_type) FROM audit_entries WHERE object_type > types.name)
        FROM types WHERE types.name IS NOT NULL
    )
    SELECT name FROM types WHERE name IS NOT NULL ORDER BY name
    """
)


def logged_object_types() -> list[str]:
    """The object types that occur in the log, for the filter."""
    return list(db.session.scalars(_OBJECT_TYPES))


@dataclass(frozen=True, slots=True)
class AuditRow:
    when: str
    who: str
    action: str
    object_type: str
    object_id: str
    summary: str
    changes: list[FieldChange]
    show_old: bool


def audit_rows(rows: list) -> list[AuditRow]:
    """Entries in the reader's language: labels for types, fields, actions and codes; names for
    users, people and organisations (one query for the whole page)."""
    locale = str(get_locale() or "de")  # once, not per row
    labels = {action: str(label) for action, label in ACTION_LABELS.items()}
    names = load_names(referenced_ids(rows))
    return [
        AuditRow(
            when=format_datetime(row.created_at, locale),
            who=actor_name(row, names),
            action=labels.get(row.action, row.action),
            object_type=object_type_label(row.object_type),
            object_id=row.object_id,
            summary=object_name(row, names),
            changes=field_changes(row.object_type, row.action, row.changes, names, locale),
            show_old=row.action != "insert",
        )
        for row in rows
    ]


def _filters() -> dict[str, Any]:
    return {
        "object_type": request.args.get("type", "")[:60],
        "object_id": request.args.get("object", "").strip()[:100],
        "action": request.args.get("action", "")[:10],
        "user_id": arg_int("user"),
        "date_from": arg_date("from"),
        "date_to": arg_date("to"),
    }


def _actors() -> list[tuple[int, str]]:
    """Every user account, by name, for the "who acted" filter."""
    rows = db.session.execute(
        sa.select(
            User.id,
            User.email,
            Person.title,
            Person.first_name,
            Person.last_name,
            Person.erased_at,
            Person.id.label("pid"),
        ).outerjoin(Person, Person.id == User.person_id)
    ).all()
    choices = [
        (
            row.id,
            person_name(row.title, row.first_name, row.last_name, row.erased_at, row.pid)
            if row.pid is not None
            else row.email,
        )
        for row in rows
    ]
    return sorted(choices, key=lambda choice: choice[1].casefold())


@bp.get("/audit/")
@login_required
def audit_log():
    require(can(current_user, "audit.view"))
    filters = _filters()
    number, per_page = page_args()
    rows, counted = audit_query(**filters)
    page = RowsWithTotalPagination(
        select=rows,
        count_select=counted,
        session=db.session,
        page=number,
        per_page=per_page,
        error_out=False,
    )
    object_types = sorted(
        ((name, object_type_label(name)) for name in logged_object_types()),
        key=lambda item: item[1].casefold(),
    )
    return render_template(
        "audit/list.html",
        page=page,
        rows=audit_rows(page.items),
        filters=filters,
        object_types=object_types,
        actors=_actors(),
        actions=[(action, str(label)) for action, label in ACTION_LABELS.items()],
        export_args={k: v for k, v in request.args.items() if k not in ("page", "per_page")},
    )


@bp.get("/audit/export.<fmt>")
@login_required
def audit_export(fmt: str):
    """The filtered log as CSV (Excel, German) or XLSX, through the one safe export writer."""
    require(can(current_user, "audit.view"))
    if fmt not in EXPORT_FORMATS:
        abort(404)
    limit = current_app.config["GOVTOOL_AUDIT_EXPORT_LIMIT"]
    filters = _filters()
    counted = export_query(filters, limit).with_only_columns(AuditEntry.id).subquery()
    flavour = FLAVOUR_LABELS[XLSX if fmt == "xlsx" else EXCEL_CSV]
    if prepare_if_large(
        current_user,
        db.session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0,
        PREPARED_KIND,
        gettext("Audit log: %(format)s", format=str(flavour)),
        {"fmt": fmt, "filters": _plain(filters)},
    ):
        db.session.commit()
        return redirect_to_prepared()
    rows = list(db.session.execute(export_query(filters, limit)).all())
    data, mimetype = audit_export_file(fmt, rows)
    return download(data, _export_filename(fmt), mimetype)


PREPARED_KIND = "audit.export"


def _export_filename(fmt: str) -> str:
    return f"protokoll-{dt.date.today():%Y-%m-%d}.{fmt}"


def _plain(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters as JSON values (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in filters.items()}


def build_prepared_audit_export(owner: User, parameters: dict[str, Any]) -> Built:
    """The job's half of a prepared audit export, as `owner` may see the log when it runs."""
    if not can(owner, "audit.view"):
        raise PermissionDenied(gettext("You are no longer allowed to view the audit log."))
    fmt = parameters.get("fmt", "")
    if fmt not in EXPORT_FORMATS:
        raise DomainError(gettext("This file can no longer be prepared."))
    filters = dict(parameters.get("filters") or {})
    for key in ("date_from", "date_to"):
        filters[key] = dt.date.fromisoformat(filters[key]) if filters.get(key) else None
    limit = current_app.config["GOVTOOL_AUDIT_EXPORT_LIMIT"]
    rows = list(db.session.execute(export_query(filters, limit)).all())
    data, mimetype = audit_export_file(fmt, rows)
    return Built(data, _export_filename(fmt), mimetype)
