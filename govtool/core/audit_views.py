"""The audit log page for admins: read-only, filterable. No route here writes."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from .audit import AuditEntry
from .formatting import BERLIN
from .permissions import can, require
from .views import paginate

bp = Blueprint("audit", __name__)


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_query(
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    user_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> sa.Select:
    """Audit entries, newest first, narrowed by the page's filters."""
    query = sa.select(AuditEntry)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if date_from:
        start = dt.datetime.combine(date_from, dt.time.min, BERLIN)
        query = query.where(AuditEntry.created_at >= start)
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, BERLIN)
        query = query.where(AuditEntry.created_at < end)
    return query.order_by(AuditEntry.id.desc())


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


@bp.get("/audit/")
@login_required
def audit_log():
    require(can(current_user, "audit.view"))
    filters = {
        "object_type": request.args.get("type", ""),
        "object_id": request.args.get("object", ""),
        "action": request.args.get("action", ""),
        "user_id": request.args.get("user", type=int),
        "date_from": _parse_date(request.args.get("from")),
        "date_to": _parse_date(request.args.get("to")),
    }
    page = paginate(audit_query(**filters))
    return render_template(
        "audit/list.html",
        page=page,
        filters=filters,
        object_types=logged_object_types(),
        actions=("insert", "update", "delete"),
    )
