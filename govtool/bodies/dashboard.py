"""Dashboard panel: next meetings, open action items, minutes awaiting my comment or approval.

Two queries: the meetings of all three lists in one (a union of the three id lists, tagged), and
the open action items. Both statements are built once and run with bind parameters."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from ..core.models import utcnow
from ..extensions import db
from .minutes_models import ActionItem, ActionStatus
from .models import Meeting, MeetingStatus, Membership
from .permissions import CHAIR_ROLES, sees_every_body

UPCOMING, TO_COMMENT, TO_APPROVE = "upcoming", "comment", "approve"


def _my_body_ids(roles=None) -> sa.Select:
    """The bodies the user (bind parameter person_id) currently sits in, on the day `today`."""
    today = sa.bindparam("today", type_=sa.Date)
    query = sa.select(Membership.body_id).where(
        Membership.person_id == sa.bindparam("person_id"),
        sa.or_(Membership.end_date.is_(None), Membership.end_date >= today),
    )
    if roles:
        query = query.where(Membership.role.in_(roles))
    return query


@functools.cache
def _meetings_statement(is_admin: bool) -> sa.Select:
    now = sa.bindparam("now", type_=Meeting.start_at.type)
    upcoming = sa.select(Meeting.id).where(
        Meeting.start_at >= now, Meeting.status != MeetingStatus.CANCELLED
    )
    if not is_admin:
        upcoming = upcoming.where(Meeting.body_id.in_(_my_body_ids()))
    to_comment = sa.select(Meeting.id).where(
        Meeting.status == MeetingStatus.MINUTES_CIRCULATED, Meeting.body_id.in_(_my_body_ids())
    )
    to_approve = sa.select(Meeting.id).where(
        Meeting.status.in_([MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_CIRCULATED])
    )
    if not is_admin:
        # those who approve: the chair and the deputy chair (permissions: meeting.approve)
        to_approve = to_approve.where(Meeting.body_id.in_(_my_body_ids(CHAIR_ROLES)))
    parts = [
        (UPCOMING, upcoming.order_by(Meeting.start_at).limit(5)),
        (TO_COMMENT, to_comment),
        (TO_APPROVE, to_approve.order_by(Meeting.start_at).limit(10)),
    ]
    tagged = sa.union_all(
        *[
            sa.select(sa.literal(tag).label("tag"), ids.c.id)
            for tag, ids in ((tag, query.subquery()) for tag, query in parts)
        ]
    ).subquery()
    return (
        sa.select(tagged.c.tag, Meeting)
        .join(Meeting, Meeting.id == tagged.c.id)
        .options(joinedload(Meeting.body))
        .order_by(Meeting.start_at, Meeting.id)
    )


@functools.cache
def _actions_statement() -> sa.Select:
    return (
        sa.select(ActionItem.task, ActionItem.due_date)
        .where(
            ActionItem.responsible_person_id == sa.bindparam("person_id"),
            ActionItem.status == ActionStatus.OPEN,
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        .limit(10)
    )


def bodies_panel(user) -> dict | None:
    is_admin = sees_every_body(user)
    if not user.person_id and not is_admin:
        return None
    today = dt.date.today()
    params = {"person_id": user.person_id, "today": today, "now": utcnow()}
    lists: dict[str, list[Meeting]] = {UPCOMING: [], TO_COMMENT: [], TO_APPROVE: []}
    for tag, meeting in db.session.execute(_meetings_statement(is_admin), params):
        lists[tag].append(meeting)
    actions = []
    if user.person_id:
        actions = [
            (row.task, row.due_date, row.due_date is not None and row.due_date < today)
            for row in db.session.execute(_actions_statement(), params)
        ]
    return {
        "template": "bodies/_dashboard_panel.html",
        "title": gettext("Bodies and meetings"),
        "meetings": lists[UPCOMING],
        "actions": actions,
        "to_comment": lists[TO_COMMENT],
        "to_approve": lists[TO_APPROVE],
    }
