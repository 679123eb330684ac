"""Dashboard panel: next meetings, open action items, minutes awaiting my comment or approval."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from ..auth.models import Role
from ..core.main_views import dashboard_panel
from ..core.models import utcnow
from ..extensions import db
from .minutes_models import ActionItem, ActionStatus
from .models import EDITOR_ROLES, Meeting, MeetingStatus, Membership


def _my_body_ids(user, roles=None) -> sa.Select:
    today = dt.date.today()
    query = sa.select(Membership.body_id).where(
        Membership.person_id == user.person_id,
        sa.or_(Membership.end_date.is_(None), Membership.end_date >= today),
    )
    if roles:
        query = query.where(Membership.role.in_(roles))
    return query


@dashboard_panel
def bodies_panel(user) -> dict | None:
    if not user.person_id and not user.has_role(Role.ADMIN):
        return None
    is_admin = user.has_role(Role.ADMIN)
    mine = _my_body_ids(user)
    upcoming = sa.select(Meeting).where(
        Meeting.start_at >= utcnow(), Meeting.status != MeetingStatus.CANCELLED
    )
    if not is_admin:
        upcoming = upcoming.where(Meeting.body_id.in_(mine))
    meetings = db.session.scalars(
        upcoming.options(joinedload(Meeting.body)).order_by(Meeting.start_at).limit(5)
    ).all()
    actions = (
        db.session.scalars(
            sa.select(ActionItem)
            .where(
                ActionItem.responsible_person_id == user.person_id,
                ActionItem.status == ActionStatus.OPEN,
            )
            .options(joinedload(ActionItem.meeting))
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date)
            .limit(10)
        ).all()
        if user.person_id
        else []
    )
    to_comment = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.status == MeetingStatus.MINUTES_CIRCULATED, Meeting.body_id.in_(mine))
        .options(joinedload(Meeting.body))
        .order_by(Meeting.start_at)
    ).all()
    approve_query = sa.select(Meeting).where(
        Meeting.status.in_([MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_CIRCULATED])
    )
    if not is_admin:
        approve_query = approve_query.where(Meeting.body_id.in_(_my_body_ids(user, EDITOR_ROLES)))
    to_approve = db.session.scalars(
        approve_query.options(joinedload(Meeting.body)).order_by(Meeting.start_at).limit(10)
    ).all()
    return {
        "template": "bodies/_dashboard_panel.html",
        "title": gettext("Bodies and meetings"),
        "meetings": meetings,
        "actions": actions,
        "to_comment": to_comment,
        "to_approve": to_approve,
        "today": dt.date.today(),
    }
