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
    object_types = db.session.scalars(
        sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    return render_template(
        "audit/list.html",
        page=page,
        filters=filters,
        object_types=object_types,
        actions=("insert", "update", "delete"),
    )
