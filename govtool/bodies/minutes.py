"""Attendance and quorum, minutes per item with optimistic locking, decisions with votes, action
items, circulation with comments, and amendments after approval (approval itself: approval.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload

from ..auth.models import User
from ..core import numbering
from ..core.bounds import check_date
from ..core.errors import ValidationError
from ..core.locking import claim
from ..core.models import utcnow
from ..core.permissions import ensure
from ..extensions import db
from .agenda_models import AgendaItem
from .minutes_models import (
    ActionItem,
    ActionStatus,
    Decision,
    MinutesAmendment,
    MinutesComment,
    Participant,
    Presence,
    Response,
    VoteResult,
)
from .models import MINUTES_STATES, Body, Meeting, MeetingStatus, Membership, MembershipRole
from .permissions import amendment_refusal, answers_refusal, minutes_refusal

# ---------------------------------------------------------------- invitees and attendance


def current_memberships(body: Body, on: dt.date) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.body_id == body.id)
            .where(sa.or_(Membership.start_date.is_(None), Membership.start_date <= on))
            .where(sa.or_(Membership.end_date.is_(None), Membership.end_date >= on))
            .options(joinedload(Membership.person), joinedload(Membership.organisation))
            .order_by(Membership.id)
        )
    )


def ensure_participants(meeting: Meeting) -> list[Participant]:
    """Add every current member who is not yet on the list (voting right copied from the seat)."""
    known = {p.membership_id for p in meeting.participants if p.membership_id}
    known_people = {p.person_id for p in meeting.participants if p.person_id}
    for membership in current_memberships(meeting.body, meeting.date):
        if membership.id in known or membership.person_id in known_people:
            continue
        person = membership.person
        meeting.participants.append(
            Participant(
                person_id=person.id,
                membership_id=membership.id,
                name=person.full_name,
                email=person.email,
                organisation_id=membership.organisation_id,
                has_voting_right=membership.has_voting_right
                and membership.role is not MembershipRole.DEPUTY_MEMBER,
                is_guest=membership.role is MembershipRole.PERMANENT_GUEST,
            )
        )
        known_people.add(person.id)
    db.session.flush()
    return meeting.participants


def add_guest(user: User, meeting: Meeting, data: dict[str, Any]) -> Participant:
    """A guest expert, with organisation, invited to the meeting or to one item."""
    ensure(user, "meeting.add_participants", meeting)
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError(gettext("Please enter the guest's name."), field="name")
    item_id = int(data.get("agenda_item_id") or 0) or None
    if item_id and not any(i.id == item_id for i in meeting.agenda_items):
        raise ValidationError(
            gettext("Please choose an item of this meeting."), field="agenda_item_id"
        )
    guest = Participant(
        name=name[:200],
        email=(data.get("email") or "").strip()[:254],
        organisation_name=(data.get("organisation_name") or "").strip()[:200],
        is_guest=True,
        has_voting_right=False,
        agenda_item_id=item_id,
    )
    meeting.participants.append(guest)
    db.session.flush()
    return guest


def respond(
    user: User, participant: Participant, answer: str, deputy_name: str = ""
) -> Participant:
    """An invitee's answer (from the meeting page); the token link calls respond_by_token."""
    ensure(user, "meeting.respond", participant)
    return _set_response(participant, answer, deputy_name)


def _set_response(participant: Participant, answer: str, deputy_name: str) -> Participant:
    refusal = answers_refusal(participant.meeting)
    if refusal is not None:
        raise ValidationError(refusal)
    try:
        response = Response(answer)
    except ValueError as exc:
        raise ValidationError(gettext("Unknown answer."), field="response") from exc
    if response is Response.SENDS_DEPUTY and not (deputy_name or "").strip():
        raise ValidationError(gettext("Please name your deputy."), field="deputy_name")
    participant.response = response
    participant.deputy_name = (deputy_name or "").strip()[:200]
    db.session.flush()
    return participant


def respond_by_token(token: str, answer: str, deputy_name: str = "") -> Participant | None:
    participant = db.session.scalar(
        sa.select(Participant).where(Participant.response_token == token)
    )
    if participant is None:
        return None
    return _set_response(participant, answer, deputy_name)


def record_attendance(user: User, meeting: Meeting, entries: dict[int, dict[str, str]]) -> None:
    """At the meeting: present, excused, absent or represented (by whom) for each invitee."""
    ensure(user, "meeting.edit", meeting)
    _check_minutes_open(meeting)  # attendance as held is part of the minutes
    by_id = {p.id: p for p in meeting.participants}
    for participant_id, entry in entries.items():
        participant = by_id.get(participant_id)
        if participant is None:
            continue
        try:
            presence = Presence(entry.get("presence") or "unknown")
        except ValueError as exc:
            raise ValidationError(gettext("Unknown attendance value.")) from exc
        represented_by = (entry.get("represented_by") or "").strip()
        if presence is Presence.REPRESENTED and not represented_by:
            represented_by = participant.deputy_name
        if presence is Presence.REPRESENTED and not represented_by:
            raise ValidationError(
                gettext("Please name who represents %(name)s.", name=participant.name)
            )
        participant.presence = presence
        participant.represented_by = (
            represented_by[:200] if presence is Presence.REPRESENTED else ""
        )
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        meeting.status = MeetingStatus.HELD
    db.session.flush()


@dataclass(frozen=True)
class Quorum:
    voting_total: int
    present_voting: int
    is_met: bool
    rule: str


def quorum(meeting: Meeting) -> Quorum:
    """Voting members present (or represented by a deputy) against the body's quorum rule."""
    return quorum_of(meeting.body, meeting.participants)


def quorum_of(body: Body, participants) -> Quorum:
    """The quorum from participants, or from participant rows whose presence is the stored
    value (has_voting_right, is_guest, presence)."""
    voters = [p for p in participants if p.has_voting_right and not p.is_guest]
    present = sum(1 for p in voters if p.presence in _COUNTS_FOR_QUORUM)
    return Quorum(len(voters), present, body.quorum_met(present, len(voters)), body.quorum_label)


# Presence members and their stored values (a str enum member would compare equal to its value,
# Presence does not): rows from a text query carry the value.
_COUNTS_FOR_QUORUM = frozenset(
    (Presence.PRESENT, Presence.REPRESENTED, Presence.PRESENT.value, Presence.REPRESENTED.value)
)


# ---------------------------------------------------------------- minutes text


def _check_minutes_open(meeting: Meeting) -> None:
    """The rule of the pages (permissions.minutes_refusal), enforced: 422 with its reason."""
    refusal = minutes_refusal(meeting)
    if refusal:
        raise ValidationError(refusal)


def save_item_minutes(
    user: User, item: AgendaItem, notes: str, result: str, expected_version: int
) -> AgendaItem:
    """Save an item's notes and result if nobody saved in between; else Conflict (nothing lost:
    the caller shows both texts)."""
    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    _check_minutes_open(meeting)
    # The item's minutes have their own counter: writing them does not conflict with an edit
    # of the item's title, which claims lock_version (core.locking).
    claim(
        item,
        expected_version,
        column="minutes_version",
        message=gettext("Someone else saved the minutes of this item in the meantime."),
    )
    # The text goes through the ORM so the audit log records old and new values.
    item.notes, item.result = notes, result
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD):
        meeting.status = MeetingStatus.MINUTES_DRAFT
    db.session.flush()
    return item


def circulate_minutes(user: User, meeting: Meeting, days: int | None = None) -> Meeting:
    """Send the draft to the members with a comment period; they comment per item."""
    from ..core.mail import send_mail
    from .invitations import meeting_url

    ensure(user, "meeting.edit", meeting)
    if meeting.status is not MeetingStatus.MINUTES_DRAFT:
        raise ValidationError(gettext("Only draft minutes can be circulated."))
    days = meeting.body.comment_period_days if days is None else days
    meeting.status = MeetingStatus.MINUTES_CIRCULATED
    meeting.minutes_circulated_at = utcnow()
    meeting.comment_period_end = dt.date.today() + dt.timedelta(days=days)
    recipients = sorted(
        {
            m.person.email
            for m in current_memberships(meeting.body, dt.date.today())
            if m.person.email
        }
    )
    if recipients:
        send_mail(
            recipients,
            gettext("Draft minutes: %(title)s", title=meeting.display_title),
            gettext(
                "The draft minutes of %(title)s are ready for your comments until "
                "%(end)s:\n%(url)s",
                title=meeting.display_title,
                end=meeting.comment_period_end.strftime("%d.%m.%Y"),
                url=meeting_url(meeting),
            ),
        )
    db.session.flush()
    return meeting


def add_comment(user: User, item: AgendaItem, text: str) -> MinutesComment:
    meeting = item.meeting
    ensure(user, "meeting.comment", meeting)
    text = (text or "").strip()
    if not text:
        raise ValidationError(gettext("Please enter a comment."), field="text")
    if meeting.comment_period_end and dt.date.today() > meeting.comment_period_end:
        raise ValidationError(gettext("The comment period has ended."))
    comment = MinutesComment(meeting_id=meeting.id, agenda_item=item, author_id=user.id, text=text)
    db.session.add(comment)
    db.session.flush()
    return comment


def add_amendment(user: User, meeting: Meeting, text: str, reason: str, item_id: int | None = None):
    """A correction of approved minutes, recorded beside them."""
    ensure(user, "meeting.edit", meeting)
    refusal = amendment_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)
    text = (text or "").strip()
    if not text:
        raise ValidationError(gettext("Please describe the correction."), field="text")
    item_id = item_id or None  # the form's "none" choice is 0
    if item_id and not any(i.id == item_id for i in meeting.agenda_items):
        item_id = None
    amendment = MinutesAmendment(
        meeting_id=meeting.id,
        agenda_item_id=item_id,
        text=text,
        reason=(reason or "").strip()[:500],
        author_id=user.id,
    )
    db.session.add(amendment)
    db.session.flush()
    return amendment


# ---------------------------------------------------------------- decisions


def _vote(value) -> int | None:
    if value in (None, ""):
        return None
    value = int(value)
    if value < 0:
        raise ValidationError(gettext("Votes cannot be negative."), field="votes_yes")
    return value


def add_decision(user: User, item: AgendaItem, data: dict[str, Any]) -> Decision:
    """Record a Beschluss; the votes cast may not exceed the voting members present."""
    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    _check_minutes_open(meeting)
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError(gettext("Please enter the text of the decision."), field="text")
    try:
        result = VoteResult(data.get("result") or "adopted")
    except ValueError as exc:
        raise ValidationError(gettext("Unknown result."), field="result") from exc
    yes, no, abstain = (_vote(data.get(k)) for k in ("votes_yes", "votes_no", "votes_abstain"))
    if any(v is not None for v in (yes, no, abstain)):
        yes, no, abstain = yes or 0, no or 0, abstain or 0
        present = quorum(meeting).present_voting
        if yes + no + abstain > present:
            raise ValidationError(
                gettext(
                    "%(cast)d votes were cast, but only %(present)d voting members are present.",
                    cast=yes + no + abstain,
                    present=present,
                ),
                field="votes_yes",
            )
    year = meeting.date.year
    body = meeting.body
    # core.numbering: parallel decisions of one body and year take turns, no two alike.
    sequence = numbering.draw(
        f"decision:{body.id}:{year}",
        lambda: db.session.scalar(
            sa.select(sa.func.max(Decision.sequence)).where(
                Decision.body_id == body.id, Decision.year == year
            )
        ),
    )
    decision = Decision(
        body_id=body.id,
        meeting_id=meeting.id,
        agenda_item=item,
        year=year,
        sequence=sequence,
        reference=f"{body.short_name}-{year}/{sequence:02d}",
        text=text,
        votes_yes=yes,
        votes_no=no,
        votes_abstain=abstain,
        result=result,
    )
    db.session.add(decision)
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD):
        meeting.status = MeetingStatus.MINUTES_DRAFT
    db.session.flush()
    return decision


def meeting_decisions(meeting: Meeting) -> list[Decision]:
    return list(
        db.session.scalars(
            sa.select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.sequence)
        )
    )


# ---------------------------------------------------------------- action items


def add_action_item(user: User, item: AgendaItem, data: dict[str, Any]) -> ActionItem:
    meeting = item.meeting
    ensure(user, "meeting.edit", meeting)
    _check_minutes_open(meeting)
    task = (data.get("task") or "").strip()
    if not task:
        raise ValidationError(gettext("Please describe the task."), field="task")
    person_id = int(data.get("responsible_person_id") or 0) or None
    organisation_id = int(data.get("responsible_organisation_id") or 0) or None
    if not person_id and not organisation_id:
        raise ValidationError(
            gettext("Please name a responsible person or organisation."),
            field="responsible_person_id",
        )
    action = ActionItem(
        body_id=meeting.body_id,
        meeting_id=meeting.id,
        agenda_item=item,
        task=task,
        responsible_person_id=person_id,
        responsible_organisation_id=organisation_id,
        due_date=check_date(data.get("due_date"), "due_date"),
    )
    db.session.add(action)
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD):
        meeting.status = MeetingStatus.MINUTES_DRAFT
    db.session.flush()
    return action


def set_action_status(user: User, action: ActionItem, status: str) -> ActionItem:
    ensure(user, "action.edit", action)
    try:
        action.status = ActionStatus(status)
    except ValueError as exc:
        raise ValidationError(gettext("Unknown status."), field="status") from exc
    action.closed_at = None if action.status is ActionStatus.OPEN else utcnow()
    db.session.flush()
    return action


def _action_options():
    return (
        joinedload(ActionItem.responsible_person),
        joinedload(ActionItem.responsible_organisation),
        joinedload(ActionItem.meeting),
        joinedload(ActionItem.agenda_item),
        joinedload(ActionItem.body),
    )


def meeting_action_items(meeting: Meeting) -> list[ActionItem]:
    return list(
        db.session.scalars(
            sa.select(ActionItem)
            .where(ActionItem.meeting_id == meeting.id)
            .options(*_action_options())
            .order_by(ActionItem.id)
        )
    )


def carried_over_action_items(meeting: Meeting) -> list[ActionItem]:
    """Open action items of the body from earlier meetings, listed in that standing item."""
    return list(
        db.session.scalars(
            sa.select(ActionItem)
            .join(Meeting, ActionItem.meeting_id == Meeting.id)
            .where(
                ActionItem.body_id == meeting.body_id,
                ActionItem.status == ActionStatus.OPEN,
                Meeting.start_at < meeting.start_at,
            )
            .options(*_action_options())
            .order_by(ActionItem.due_date, ActionItem.id)
        )
    )


def meeting_action_lists(meeting: Meeting) -> tuple[list[ActionItem], list[ActionItem]]:
    """Both lists of the meeting page in one query: the meeting's own action items and the
    body's open ones carried over from earlier meetings."""
    rows = db.session.scalars(
        sa.select(ActionItem)
        .join(Meeting, ActionItem.meeting_id == Meeting.id)
        .where(
            sa.or_(
                ActionItem.meeting_id == meeting.id,
                sa.and_(
                    ActionItem.body_id == meeting.body_id,
                    ActionItem.status == ActionStatus.OPEN,
                    Meeting.start_at < meeting.start_at,
                ),
            )
        )
        .options(*_action_options())
        .order_by(ActionItem.id)
    ).all()
    own = [a for a in rows if a.meeting_id == meeting.id]
    carried = sorted(
        (a for a in rows if a.meeting_id != meeting.id),
        key=lambda a: (a.due_date is not None, a.due_date or dt.date.min, a.id),
    )
    return own, carried


def minutes_comments(meeting: Meeting) -> dict[int, list[MinutesComment]]:
    rows = db.session.scalars(
        sa.select(MinutesComment)
        .where(MinutesComment.meeting_id == meeting.id)
        .options(joinedload(MinutesComment.author).joinedload(User.person))
        .order_by(MinutesComment.created_at)
    )
    grouped: dict[int, list[MinutesComment]] = {}
    for row in rows:
        grouped.setdefault(row.agenda_item_id, []).append(row)
    return grouped


def minutes_amendments(meeting: Meeting) -> list[MinutesAmendment]:
    return list(
        db.session.scalars(
            sa.select(MinutesAmendment)
            .where(MinutesAmendment.meeting_id == meeting.id)
            .options(
                joinedload(MinutesAmendment.author).joinedload(User.person),
                joinedload(MinutesAmendment.agenda_item),
            )
            .order_by(MinutesAmendment.created_at)
        )
    )


def item_minutes_records(item: AgendaItem, with_comments: bool = True):
    """An item's decisions, action items and comments (the agenda item page), three queries."""
    decisions = list(
        db.session.scalars(
            sa.select(Decision)
            .where(Decision.agenda_item_id == item.id)
            .order_by(Decision.sequence)
        )
    )
    actions = list(
        db.session.scalars(
            sa.select(ActionItem)
            .where(ActionItem.agenda_item_id == item.id)
            .options(
                joinedload(ActionItem.responsible_person),
                joinedload(ActionItem.responsible_organisation),
            )
            .order_by(ActionItem.id)
        )
    )
    if not with_comments:
        return decisions, actions, []
    comments = list(
        db.session.scalars(
            sa.select(MinutesComment)
            .where(MinutesComment.agenda_item_id == item.id)
            .options(joinedload(MinutesComment.author).joinedload(User.person))
            .order_by(MinutesComment.created_at)
        )
    )
    return decisions, actions, comments


AMENDMENT_COUNT = sa.text("SELECT count(*) FROM minutes_amendments WHERE meeting_id = :meeting_id")


def amendment_count(meeting: Meeting) -> int:
    return db.session.scalar(AMENDMENT_COUNT, {"meeting_id": meeting.id})


def has_minutes(meeting: Meeting) -> bool:
    return meeting.status in MINUTES_STATES
