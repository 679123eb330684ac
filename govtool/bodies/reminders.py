"""Reminders for `govtool reminders send`: invitations due, action items due in 7 days or overdue,
minutes not drafted 14 days after a meeting, minutes awaiting approval."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from sqlalchemy.orm import joinedload

from ..core.cli_hooks import skip_bad_row
from ..core.formatting import format_date, to_berlin
from ..core.mail import remind
from ..extensions import db
from .invitations import meeting_url
from .minutes_models import ActionItem, ActionStatus
from .models import EDITOR_ROLES, Body, Meeting, MeetingStatus, Membership, MembershipRole


def _office_emails(body: Body, today: dt.date, roles=EDITOR_ROLES) -> list[str]:
    return sorted(
        {
            m.person.email
            for m in body.memberships
            if m.role in roles and m.is_current(today) and m.person.email
        }
    )


def bodies_reminders(now: dt.datetime, dry_run: bool = False) -> list[str]:
    """Collect (and unless dry_run, mail) the reminders due on `now`'s date in Berlin."""
    today = to_berlin(now).date()
    lines: list[str] = []
    outgoing: list[tuple[str, list[str], str, str]] = []  # key, recipients, subject, text
    with force_locale("de"):
        meetings = (
            db.session.scalars(
                sa.select(Meeting)
                .where(Meeting.status != MeetingStatus.CANCELLED)
                .where(Meeting.status != MeetingStatus.MINUTES_APPROVED)
                .options(
                    joinedload(Meeting.body)
                    .selectinload(Body.memberships)
                    .joinedload(Membership.person)
                )
            )
            .unique()
            .all()
        )
        for meeting in meetings:
            with skip_bad_row(f"meeting {meeting.id}"):
                url = meeting_url(meeting)
                office = _office_emails(meeting.body, today)
                if (
                    meeting.status is MeetingStatus.PLANNED
                    and meeting.date >= today >= meeting.invitation_due
                ):
                    subject = gettext("Invitations due: %(title)s", title=meeting.display_title)
                    text = gettext(
                        "The invitations to the meeting “%(title)s” on %(date)s were due on "
                        "%(due)s.\n%(url)s",
                        title=meeting.display_title,
                        date=format_date(meeting.date, "de"),
                        due=format_date(meeting.invitation_due, "de"),
                        url=url,
                    )
                    outgoing.append((f"meeting:{meeting.id}:invitations", office, subject, text))
                elif (
                    meeting.status in (MeetingStatus.INVITED, MeetingStatus.HELD)
                    and today > meeting.minutes_draft_due
                ):
                    subject = gettext("Minutes not drafted: %(title)s", title=meeting.display_title)
                    text = gettext(
                        "The draft minutes of the meeting “%(title)s” were due on %(due)s."
                        "\n%(url)s",
                        title=meeting.display_title,
                        due=format_date(meeting.minutes_draft_due, "de"),
                        url=url,
                    )
                    outgoing.append((f"meeting:{meeting.id}:minutes-draft", office, subject, text))
                elif meeting.status in (
                    MeetingStatus.MINUTES_DRAFT,
                    MeetingStatus.MINUTES_CIRCULATED,
                ) and (
                    meeting.status is MeetingStatus.MINUTES_DRAFT
                    or today >= meeting.comment_period_ends
                ):
                    roles = (MembershipRole.CHAIR, *EDITOR_ROLES)
                    chairs = _office_emails(meeting.body, today, roles)
                    subject = gettext(
                        "Minutes awaiting approval: %(title)s", title=meeting.display_title
                    )
                    text = gettext(
                        "The minutes of the meeting “%(title)s” await approval.\n%(url)s",
                        title=meeting.display_title,
                        url=url,
                    )
                    outgoing.append((f"meeting:{meeting.id}:approval", chairs, subject, text))
        actions = db.session.scalars(
            sa.select(ActionItem)
            .where(
                ActionItem.status == ActionStatus.OPEN,
                ActionItem.due_date.is_not(None),
                ActionItem.due_date <= today + dt.timedelta(days=7),
            )
            .options(joinedload(ActionItem.responsible_person), joinedload(ActionItem.meeting))
        ).all()
        for action in actions:
            with skip_bad_row(f"action item {action.id}"):
                person = action.responsible_person
                if person is None or not person.email:
                    continue
                assert action.due_date is not None  # selected by due_date
                overdue = action.due_date < today
                subject = (
                    gettext("Action item overdue: %(task)s", task=action.task[:80])
                    if overdue
                    else gettext(
                        "Action item due on %(date)s: %(task)s",
                        date=format_date(action.due_date, "de"),
                        task=action.task[:80],
                    )
                )
                text = gettext(
                    "%(task)s\nDue: %(date)s\nFrom: %(meeting)s\n%(url)s",
                    task=action.task,
                    date=format_date(action.due_date, "de"),
                    meeting=action.meeting.display_title,
                    url=meeting_url(action.meeting),
                )
                # Due soon and overdue are two reminders; a new due date starts afresh.
                key = f"action:{action.id}:{'overdue' if overdue else 'due'}:{action.due_date}"
                outgoing.append((key, [person.email], subject, text))
        for key, recipients, subject, text in outgoing:
            sent_to = remind(key, recipients, subject, text, today, dry_run)
            if sent_to:
                lines.append(f"{subject} -> {', '.join(sent_to)}")
    return lines
