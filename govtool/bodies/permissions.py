"""Who may see and run bodies and meetings.

Everyone signed in sees bodies, their members and the public agenda items of meetings. Members of
the body (current or former) read the rest: non-public items, papers, files, minutes. Only the
body's chair, deputy chair, secretary or an admin change meetings; members comment on circulated
minutes; a member's organisation submits papers until the papers deadline.
"""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa

from ..auth.models import Role, User
from ..core.formatting import format_datetime
from ..core.permissions import Filter, rule
from ..extensions import db
from .minutes_models import ActionItem
from .models import EDITOR_ROLES, Body, Meeting, MeetingStatus, Membership, MembershipRole


def _body_of(obj) -> Body | None:
    if obj is None:
        return None
    if isinstance(obj, Body):
        return obj
    if isinstance(obj, Meeting):
        return obj.body
    body = getattr(obj, "body", None)
    if body is not None:
        return body
    meeting = getattr(obj, "meeting", None)
    return meeting.body if meeting is not None else None


@functools.cache
def _memberships_statement():
    # Built once: asked on every bodies page, only the two ids change.
    return sa.select(Membership).where(
        Membership.body_id == sa.bindparam("body_id"),
        Membership.person_id == sa.bindparam("person_id"),
    )


def user_memberships(user: User, body_id: int) -> list[Membership]:
    """The user's memberships in a body (via the person linked to the login), cached per request."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return []
    cache = None
    try:
        from flask import g, has_app_context

        if has_app_context():
            cache = g.setdefault("_body_memberships", {})
    except RuntimeError:
        cache = None
    key = (person_id, body_id)
    if cache is not None and key in cache:
        return cache[key]
    rows = list(
        db.session.scalars(_memberships_statement(), {"body_id": body_id, "person_id": person_id})
    )
    if cache is not None:
        cache[key] = rows
    return rows


def _current(user: User, body: Body) -> list[Membership]:
    today = dt.date.today()
    return [m for m in user_memberships(user, body.id) if m.is_current(today)]


def is_member(user: User, body: Body | None, current_only: bool = False) -> bool:
    if body is None:
        return False
    rows = _current(user, body) if current_only else user_memberships(user, body.id)
    return bool(rows)


def sees_every_body(user: User) -> bool:
    """Admins read and run every body, member or not."""
    return user.has_role(Role.ADMIN)


def is_body_editor(user: User, body: Body | None) -> bool:
    if sees_every_body(user):
        return True
    if body is None:
        return False
    return any(m.role in EDITOR_ROLES for m in _current(user, body))


def is_chair(user: User, body: Body | None) -> bool:
    if sees_every_body(user):
        return True
    return body is not None and any(
        m.role in (MembershipRole.CHAIR, MembershipRole.DEPUTY_CHAIR) for m in _current(user, body)
    )


@rule("body.view")
def view_body(user: User, body) -> bool:
    return True


@rule("body.create")
def create_body(user: User, _obj) -> bool:
    return user.has_role(Role.ADMIN, Role.SECRETARY)


@rule("body.edit")
def edit_body(user: User, body) -> bool:
    if body is None:
        return user.has_role(Role.ADMIN, Role.SECRETARY)
    return is_body_editor(user, body)


@rule("body.calendar")
def body_calendar(user: User, body) -> bool:
    """The private iCal feed URL is shown to members and editors."""
    return is_body_editor(user, body) or is_member(user, body, current_only=True)


# The public calendar (no sign-in, no token, so no @rule: can() refuses anonymous users).
# A body publishes a feed only when its editors marked it so (Body.public_calendar, off by
# default). The feed lists a meeting when its date is public information: every meeting of such
# a body, except one cancelled before any invitation went out (it was never announced); a
# cancelled announced meeting stays in, as STATUS:CANCELLED, so subscribers see the cancellation.
# An entry carries only the title, time, place, status, public agenda items and the page link:
# never invitees, video-conference links, non-public agenda items, contact data or addresses.
def has_public_calendar(body: Body | None) -> bool:
    return body is not None and bool(body.public_calendar)


def in_public_calendar(meeting) -> bool:
    if not has_public_calendar(meeting.body):
        return False
    return not (meeting.status is MeetingStatus.CANCELLED and meeting.invitation_sent_at is None)


@rule("meeting.view")
def view_meeting(user: User, meeting) -> bool:
    return True  # the public part; internal parts ask meeting.read_internal


@rule("meeting.read_internal")
def read_internal(user: User, obj) -> bool:
    body = _body_of(obj)
    return sees_every_body(user) or is_member(user, body)


@rule("meeting.edit")
def edit_meeting(user: User, obj) -> bool:
    return is_body_editor(user, _body_of(obj))


AGENDA_STATES = (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.HELD)


def agenda_refusal(meeting: Meeting) -> str | None:
    """Why the agenda of `meeting` cannot be changed now, or None when it can: until the
    minutes are drafted (the pages hide the forms, the services refuse with this rule)."""
    from flask_babel import gettext

    if meeting.status not in AGENDA_STATES:
        return gettext("The agenda of this meeting can no longer be changed.")
    return None


@rule("meeting.edit_agenda")
def edit_agenda(user: User, meeting) -> bool:
    """Editors change the agenda (items, order, files) while agenda_refusal allows it."""
    return edit_meeting(user, meeting) and agenda_refusal(meeting) is None


@rule("meeting.read_minutes")
def read_minutes(user: User, meeting) -> bool:
    """Members read the minutes once the meeting is held; editors once it has begun (they
    write them from then on)."""
    if not read_internal(user, meeting):
        return False
    before = (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.CANCELLED)
    if meeting.status not in before:
        return True
    return edit_meeting(user, meeting) and has_begun(meeting)


@rule("agenda_item.view")
def view_item(user: User, item) -> bool:
    """Public items are seen by everyone signed in, the others by the body's members."""
    return item.is_public or read_internal(user, item.meeting)


@rule("meeting_file.view")
def view_file(user: User, stored) -> bool:
    """A file of a public item is public; papers and the other files are for members."""
    public = stored.agenda_item is not None and stored.agenda_item.is_public
    if public and stored.paper_id is None:
        return True
    return read_internal(user, db.session.get(Meeting, stored.meeting_id))


def has_begun(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """The meeting's start has passed: only then is there anything to record."""
    return meeting.start_at <= (now or dt.datetime.now(dt.UTC))


PRE_MEETING_STATES = (MeetingStatus.PLANNED, MeetingStatus.INVITED)


def invitation_refusal(meeting: Meeting) -> str | None:
    """Why invitations cannot be sent now, or None: only before the meeting took place (the page
    offers the button, the confirmation page and the service ask this one rule)."""
    from flask_babel import gettext

    if meeting.status not in PRE_MEETING_STATES:
        return gettext("Invitations can only be sent before the meeting.")
    return None


def held_refusal(meeting: Meeting, now: dt.datetime | None = None) -> str | None:
    """Why the meeting cannot be marked as held now, or None: it is planned or invited and has
    begun (a meeting that has not begun cannot have been held)."""
    from flask_babel import gettext

    if meeting.status not in PRE_MEETING_STATES:
        return gettext("This meeting cannot be marked as held now.")
    if not has_begun(meeting, now):
        return gettext(
            "A meeting can be marked as held once it has begun (%(start)s).",
            start=format_datetime(meeting.start_at),
        )
    return None


@rule("meeting.mark_held")
def mark_held(user: User, meeting) -> bool:
    """Editors mark a meeting as held once held_refusal allows it."""
    return edit_meeting(user, meeting) and held_refusal(meeting) is None


def minutes_refusal(meeting: Meeting, now: dt.datetime | None = None) -> str | None:
    """Why the minutes of `meeting` (notes, results, decisions, attendance as held) cannot be
    written now, or None when they can. The pages hide the forms and the services refuse with
    this one rule: a meeting that has not begun has no minutes."""
    from flask_babel import gettext

    if meeting.minutes_locked:
        return gettext("The minutes are approved and locked; record an amendment instead.")
    if meeting.is_cancelled:
        return gettext("A cancelled meeting has no minutes.")
    if not has_begun(meeting, now):
        return gettext("Minutes can be written once the meeting has begun.")
    return None


def attendance_refusal(meeting: Meeting, now: dt.datetime | None = None) -> str | None:
    """minutes_refusal worded for the attendance page (same rule; there, "minutes can be
    written" answered a question nobody asked)."""
    from flask_babel import gettext

    refusal = minutes_refusal(meeting, now)
    if refusal is not None and not meeting.minutes_locked and not meeting.is_cancelled:
        return gettext("Attendance is recorded once the meeting has begun.")
    return refusal


@rule("meeting.write_minutes")
def write_minutes(user: User, meeting) -> bool:
    """Editors write the minutes of a meeting that has begun, until they are approved."""
    return edit_meeting(user, meeting) and minutes_refusal(meeting) is None


# ---------------------------------------------------------------- approval of the minutes
#
# The chair signs the minutes with the Schriftführung; the chair or the deputy chair approves them
# (Genehmigung der Niederschrift), or the body approves them by a decision of a later meeting,
# which the secretary records. The secretary alone never approves.

CHAIR_ROLES = (MembershipRole.CHAIR, MembershipRole.DEPUTY_CHAIR)
APPROVABLE_STATES = (MeetingStatus.MINUTES_DRAFT, MeetingStatus.MINUTES_CIRCULATED)


def chair_seat(user: User, body: Body | None) -> MembershipRole | None:
    """The capacity in which the user may approve minutes of `body` today: chair or deputy chair
    by a current membership (an admin account is neither), else None."""
    if body is None:
        return None
    roles = {m.role for m in _current(user, body)}
    return next((role for role in CHAIR_ROLES if role in roles), None)


def approval_refusal(meeting: Meeting) -> str | None:
    """Why the minutes of `meeting` cannot be approved now, or None: drafted or circulated
    minutes can be approved, once."""
    from flask_babel import gettext

    if meeting.status not in APPROVABLE_STATES:
        return gettext("These minutes cannot be approved now.")
    return None


def comments_still_open(meeting: Meeting, today: dt.date | None = None) -> bool:
    """The members may still comment (or never could): the minutes were not circulated, or the
    comment period has not ended (comments are taken up to and including its last day). An
    approval by the chair now needs a recorded reason."""
    if meeting.status is not MeetingStatus.MINUTES_CIRCULATED or meeting.comment_period_end is None:
        return True
    return (today or dt.date.today()) <= meeting.comment_period_end


@rule("meeting.approve")
def approve_minutes(user: User, meeting) -> bool:
    """The chair or the deputy chair approves drafted or circulated minutes (not the secretary,
    not an admin account)."""
    if meeting is None or approval_refusal(meeting) is not None:
        return False
    return chair_seat(user, meeting.body) is not None


@rule("meeting.record_approval")
def record_approval(user: User, meeting) -> bool:
    """Editors (chair, deputy chair, secretary, admins) record that a later meeting approved the
    minutes by a decision."""
    if meeting is None or approval_refusal(meeting) is not None:
        return False
    return is_body_editor(user, meeting.body)


@rule("meeting.comment")
def comment_minutes(user: User, meeting) -> bool:
    if meeting is None or meeting.status is not MeetingStatus.MINUTES_CIRCULATED:
        return False
    return is_member(user, meeting.body, current_only=True) or is_body_editor(user, meeting.body)


@rule("meeting.respond")
def respond(user: User, participant) -> bool:
    """An invitee answers for themselves; editors record answers for anyone."""
    if participant is None:
        return False
    if participant.person_id and participant.person_id == user.person_id:
        return True
    return is_body_editor(user, participant.meeting.body)


def answers_refusal(meeting: Meeting) -> str | None:
    """Why invitees can no longer answer (attend, excused, deputy), or None: answers are taken
    while the meeting is planned or invited (the page hides the form, the service refuses)."""
    from flask_babel import gettext

    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        return gettext("Answers are closed for this meeting.")
    return None


@rule("meeting.add_participants")
def add_participants(user: User, meeting) -> bool:
    """Editors add guests and refresh the invitees until the minutes are approved, and not for a
    cancelled meeting."""
    return edit_meeting(user, meeting) and not meeting.minutes_locked and not meeting.is_cancelled


def amendment_refusal(meeting: Meeting) -> str | None:
    """Why no amendment can be recorded, or None: amendments correct approved minutes only."""
    from flask_babel import gettext

    if not meeting.minutes_locked:
        return gettext("Minutes that are not approved are edited directly.")
    return None


@rule("meeting.amend_minutes")
def amend_minutes(user: User, meeting) -> bool:
    """Editors record amendments to approved (locked) minutes."""
    return edit_meeting(user, meeting) and amendment_refusal(meeting) is None


@rule("paper.submit")
def submit_paper(user: User, meeting) -> bool:
    if meeting is None:
        return False
    if is_body_editor(user, meeting.body):
        return True
    if meeting.is_cancelled or dt.date.today() > meeting.papers_due:
        return False
    return any(m.organisation_id for m in _current(user, meeting.body))


@rule("action.list")
def list_actions(user: User, _obj) -> bool:
    return True  # the list shows only the items action.view allows


def _person_scope(user: User) -> str | int:
    """What the action filters depend on: "all" (admins), "none" (no person linked to the
    login: no memberships, nothing assigned), else the person's id."""
    if sees_every_body(user):
        return "all"
    return user.person_id or "none"


def _readable_actions(scope: str | int) -> sa.ColumnElement[bool]:
    """action.view as SQL: items of the bodies the person has or had a seat in."""
    if scope == "all":
        return sa.true()
    if scope == "none":
        return sa.false()
    seats = sa.select(Membership.body_id).where(Membership.person_id == scope)
    return ActionItem.body_id.in_(seats)


@rule("action.view", where=Filter(_person_scope, _readable_actions))
def view_action(user: User, action) -> bool:
    """An action item is read where its meeting's internal parts are: by the body's members."""
    return action is not None and read_internal(user, action.body)


def _edit_scope(user: User) -> tuple | str:
    scope = _person_scope(user)
    return scope if isinstance(scope, str) else (scope, dt.date.today())


def _editable_actions(scope: tuple | str) -> sa.ColumnElement[bool]:
    """action.edit as SQL: assigned to the person, or a body where the person holds a current
    editor role (chair, deputy chair, secretary) on the scope's day."""
    if scope == "all":
        return sa.true()
    if scope == "none":
        return sa.false()
    assert isinstance(scope, tuple), scope
    person_id, today = scope
    editing = sa.select(Membership.body_id).where(
        Membership.person_id == person_id,
        Membership.role.in_(EDITOR_ROLES),
        sa.or_(Membership.start_date.is_(None), Membership.start_date <= today),
        sa.or_(Membership.end_date.is_(None), Membership.end_date >= today),
    )
    return sa.or_(ActionItem.responsible_person_id == person_id, ActionItem.body_id.in_(editing))


@rule("action.edit", where=Filter(_edit_scope, _editable_actions))
def edit_action(user: User, action) -> bool:
    if action is None:
        return False
    if action.responsible_person_id and action.responsible_person_id == user.person_id:
        return True
    return is_body_editor(user, action.body)
