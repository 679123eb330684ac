"""The body's activity report (Tätigkeitsbericht / Abschlussbericht) for a period, as DOCX.

The secretary downloads it and edits it further in Word; the context is built in a fixed number
of queries (body, members, working groups, meetings with attendance, decisions, action items),
whatever the number of rows.

A meeting, its decisions and its action items belong to the period by the meeting's date (Berlin):
an action item is given in a meeting, and its row's created_at is only when the minutes were typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import sqlalchemy as sa
from babel.numbers import format_decimal
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from ..core.document_style import Contact, DocumentMeta, Issuer, moment_of
from ..core.docx import render_docx
from ..core.formatting import format_date
from ..extensions import db
from .documents import template_path
from .minutes import current_memberships
from .minutes_models import ActionItem, ActionStatus, Decision, Participant, Presence
from .models import (
    MINUTES_STATES,
    Body,
    Meeting,
    MeetingStatus,
    Membership,
    MembershipRole,
    local_datetime,
)

HELD_STATES = (MeetingStatus.HELD, *MINUTES_STATES)
PRESENT_STATES = (Presence.PRESENT, Presence.REPRESENTED)


def default_period(body: Body, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The body's term, else the last 12 months; an open end of the term ends today."""
    today = today or dt.date.today()
    until = body.end_date or today
    start = body.start_date or until.replace(year=until.year - 1) + dt.timedelta(days=1)
    if start > until:  # a term that starts in the future: report on its first year
        until = start.replace(year=start.year + 1) - dt.timedelta(days=1)
    return start, until


def report_filename(body: Body, start: dt.date, end: dt.date) -> str:
    """Bericht_<short_name>_<from>_<until>.docx, with only characters every file system takes."""
    short = re.sub(r"[^A-Za-z0-9_-]+", "-", body.short_name).strip("-") or str(body.id)
    return f"Bericht_{short}_{start.isoformat()}_{end.isoformat()}.docx"


def _votes(decision: Decision) -> str:
    if not decision.has_votes:
        return "ohne Abstimmung"
    votes = (
        f"Ja {decision.votes_yes}, Nein {decision.votes_no or 0}, "
        f"Enthaltung {decision.votes_abstain or 0}"
    )
    return votes + " (einstimmig)" if decision.is_unanimous else votes


def _in_period(start: dt.date, end: dt.date):
    return sa.and_(
        Meeting.start_at >= local_datetime(start, dt.time(0, 0)),
        Meeting.start_at < local_datetime(end + dt.timedelta(days=1), dt.time(0, 0)),
    )


def report_context(body: Body, start: dt.date, end: dt.date) -> dict:
    """Everything the report template shows, for the body's meetings between start and end."""
    with force_locale("de"):
        return _report_context(body, start, end)


def _report_context(body: Body, start: dt.date, end: dt.date) -> dict:
    date = lambda value: format_date(value, "de") if value else ""  # noqa: E731
    in_period = _in_period(start, end)

    memberships = db.session.scalars(
        sa.select(Membership)
        .options(joinedload(Membership.person), joinedload(Membership.organisation))
        .where(
            Membership.body_id == body.id,
            sa.or_(Membership.start_date.is_(None), Membership.start_date <= end),
            sa.or_(Membership.end_date.is_(None), Membership.end_date >= start),
        )
    ).all()
    order = {role: index for index, role in enumerate(MembershipRole)}
    groups: dict[MembershipRole, list[dict]] = {}
    for m in sorted(memberships, key=lambda m: (order[m.role], m.person.last_name, m.id)):
        groups.setdefault(m.role, []).append(
            {
                "name": m.person.full_name,
                "organisation": m.organisation.name if m.organisation else "",
                "role": m.role.label,
                "voting": "ja" if m.has_voting_right else "nein",
                "start": date(m.start_date),
                "end": date(m.end_date),
            }
        )

    children = db.session.scalars(
        sa.select(Body).where(Body.parent_id == body.id).order_by(Body.name)
    ).all()

    present = (
        sa.select(sa.func.count(Participant.id))
        .where(Participant.meeting_id == Meeting.id, Participant.presence.in_(PRESENT_STATES))
        .scalar_subquery()
    )
    meetings = db.session.execute(
        sa.select(Meeting, present.label("present"))
        .where(Meeting.body_id == body.id, in_period)
        .where(Meeting.status.in_((*HELD_STATES, MeetingStatus.CANCELLED)))
        .order_by(Meeting.start_at)
    ).all()
    held = [(m, n) for m, n in meetings if m.status in HELD_STATES]
    cancelled = [m for m, _n in meetings if m.status is MeetingStatus.CANCELLED]

    decisions = db.session.scalars(
        sa.select(Decision)
        .join(Meeting, Decision.meeting_id == Meeting.id)
        .where(Decision.body_id == body.id, in_period)
        .options(sa.orm.contains_eager(Decision.meeting))
        .order_by(Meeting.start_at, Decision.year, Decision.sequence)
    ).all()

    actions = db.session.scalars(
        sa.select(ActionItem)
        .join(Meeting, ActionItem.meeting_id == Meeting.id)
        .where(ActionItem.body_id == body.id, in_period)
        .options(
            sa.orm.contains_eager(ActionItem.meeting),
            joinedload(ActionItem.responsible_person),
            joinedload(ActionItem.responsible_organisation),
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    ).all()
    counts = Counter(a.status for a in actions)
    still_open = [a for a in actions if a.status is ActionStatus.OPEN]
    attendance = sum(n for _m, n in held)
    average = attendance / len(held) if held else 0

    return {
        "body": {
            "name": body.name,
            "short_name": body.short_name,
            "kind": body.kind.label,
            "purpose": body.purpose or "–",
            "office": body.organisation.name if body.organisation else "–",
        },
        "period": {"start": date(start), "end": date(end)},
        "member_groups": [
            {"role": ROLE_HEADINGS[role], "members": rows} for role, rows in groups.items()
        ],
        "groups": [{"name": g.name, "purpose": g.purpose or ""} for g in children],
        "meetings": [
            {
                "number": m.number,
                "date": date(m.date),
                "title": m.display_title,
                "location": m.location or "–",
                "present": n,
            }
            for m, n in held
        ],
        "cancelled": [
            {
                "number": m.number,
                "date": date(m.date),
                "title": m.display_title,
                "reason": m.cancel_reason or "–",
            }
            for m in cancelled
        ],
        "decisions": [
            {
                "reference": d.reference,
                "date": date(d.meeting.date),
                "text": d.text,
                "votes": _votes(d),
                "result": d.result.label,
            }
            for d in decisions
        ],
        "action_counts": [
            {"status": status.label, "count": counts[status]} for status in ActionStatus
        ],
        "open_actions": [
            {
                "task": a.task,
                "person": a.responsible_person.full_name if a.responsible_person else "",
                "organisation": a.responsible_organisation.name
                if a.responsible_organisation
                else "",
                "due": date(a.due_date) or "–",
                "meeting": f"{a.meeting.number}. Sitzung",
            }
            for a in still_open
        ],
        "figures": {
            "meetings_held": len(held),
            "meetings_cancelled": len(cancelled),
            "decisions": len(decisions),
            "actions": len(actions),
            "actions_done": counts[ActionStatus.DONE],
            "actions_open": counts[ActionStatus.OPEN],
            "average_attendance": format_decimal(average, "#,##0.0", locale="de"),
        },
    }


ROLE_HEADINGS = {
    MembershipRole.CHAIR: "Vorsitz",
    MembershipRole.DEPUTY_CHAIR: "Stellvertretender Vorsitz",
    MembershipRole.SECRETARY: "Geschäftsstelle",
    MembershipRole.MEMBER: "Ordentliche Mitglieder",
    MembershipRole.DEPUTY_MEMBER: "Stellvertretende Mitglieder",
    MembershipRole.PERMANENT_GUEST: "Ständige Gäste",
}


def report_docx(body: Body, start: dt.date, end: dt.date) -> bytes:
    """The report as DOCX from agreement_templates/meetings/report.docx."""
    return render_docx(
        template_path("report.docx"),
        report_context(body, start, end),
        meta=document_meta(body, start, end),
    )


def document_meta(body: Body, start: dt.date, end: dt.date) -> DocumentMeta:
    """The body's office issues the report, dated the last day of the period, under the file
    reference BG-TB-2025 (BG-TB-2024-2025 for a period over two years); the contact is the
    body's secretary then, else the office's contact person."""
    office = body.organisation
    years = str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    seat = next(
        (m for m in current_memberships(body, end) if m.role is MembershipRole.SECRETARY), None
    )
    person = seat.person if seat is not None else getattr(office, "contact_person", None)
    period = f"{format_date(start, 'de')} bis {format_date(end, 'de')}"
    return DocumentMeta(
        title=f"Tätigkeitsbericht {body.name}, {period}",
        subject=body.name,
        issuer=Issuer.of(office),
        reference=f"{body.short_name}-TB-{years}",
        contact=Contact.of(person, office),
        moment=moment_of(end),
    )
