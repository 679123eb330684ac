"""The audit log page for admins: read-only, filterable. No route here writes."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..auth.models import User
from ..extensions import db
from .args import arg_date, arg_int
from .audit import AuditEntry
from .formatting import BERLIN, format_datetime
from .permissions import can, require
from .views import RowsWithTotalPagination, page_args

bp = Blueprint("audit", __name__)


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
    columns and the author's e-mail address as plain rows (no ORM objects), with the total
    counted up to :cap entries as a column; parameters limit, offset and cap. Also the select of
    the filtered ids, for a count when a page has no rows. Built once per set of filters
    (selects are immutable; the arguments are all the statements depend on)."""
    conditions = []
    if object_type:
        conditions.append(AuditEntry.object_type == object_type)
    if object_id:
        conditions.append(AuditEntry.object_id == object_id)
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
    counted = sa.select(AuditEntry.id).where(*conditions)
    total = (
        sa.select(sa.func.count())
        .select_from(counted.limit(sa.bindparam("cap")).subquery())
        .scalar_subquery()
    )
    query = (
        sa.select(
            AuditEntry.id,
            AuditEntry.created_at,
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.summary,
            AuditEntry.changes,
            User.email,
            total.label("total"),
        )
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(*conditions)
        .order_by(AuditEntry.id.desc())
        .limit(sa.bindparam("limit"))
        .offset(sa.bindparam("offset"))
    )
    return query, counted


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
    changes: Markup


def _shown(value: Any) -> str:
    return "–" if value is None else str(value)


def changes_html(action: str, changes: Any) -> Markup:
    """The changed fields of one entry as lines "field: old → new" (inserts: "field: new"),
    built in Python: a log row can list dozens of fields, a template loop per field was the
    page's main cost. Changes are {"old": …, "new": …} per field; [old, new] pairs are read too."""
    if not changes or not isinstance(changes, dict):
        return Markup("")
    show_old = action != "insert"
    lines = []
    for key, change in changes.items():
        if isinstance(change, dict):
            old, new = change.get("old"), change.get("new")
        elif isinstance(change, list | tuple) and len(change) == 2:
            old, new = change
        else:
            old, new = None, change
        before = f"<del>{escape(_shown(old))}</del> → " if show_old else ""
        lines.append(
            f"<div><strong>{escape(key)}</strong>: {before}<span>{escape(_shown(new))}</span></div>"
        )
    return Markup("\n".join(lines))


# The stored action words, as the log shows and filters them ("erase": Art. 17 GDPR erasure).
ACTION_LABELS = {
    "insert": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "erase": _l("Erased (Art. 17 GDPR)"),
}


def _audit_rows(rows: list) -> list[AuditRow]:
    system = gettext("system")
    locale = str(get_locale() or "de")  # once, not per row
    labels = {action: str(label) for action, label in ACTION_LABELS.items()}
    return [
        AuditRow(
            when=format_datetime(row.created_at, locale),
            who=row.email or system,
            action=labels.get(row.action, row.action),
            object_type=row.object_type,
            object_id=row.object_id,
            summary=row.summary,
            changes=changes_html(row.action, row.changes),
        )
        for row in rows
    ]


@bp.get("/audit/")
@login_required
def audit_log():
    require(can(current_user, "audit.view"))
    filters = {
        "object_type": request.args.get("type", ""),
        "object_id": request.args.get("object", ""),
        "action": request.args.get("action", ""),
        "user_id": arg_int("user"),
        "date_from": arg_date("from"),
        "date_to": arg_date("to"),
    }
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
    return render_template(
        "audit/list.html",
        page=page,
        rows=_audit_rows(page.items),
        filters=filters,
        object_types=logged_object_types(),
        actions=[(action, str(label)) for action, label in ACTION_LABELS.items()],
    )
