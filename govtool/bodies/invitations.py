"""Invitations with agenda and iCalendar (RFC 5545) files, cancellations, the body's feed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar
from flask import current_app
from flask_babel import gettext

from ..core.errors import ValidationError
from ..core.formatting import format_date, format_time
from ..core.mail import Attachment, send_mail
from ..core.models import utcnow
from ..core.permissions import ensure
from ..core.urls import external_url
from ..extensions import db
from .minutes_models import Participant, Response
from .models import Body, Meeting, MeetingStatus

if TYPE_CHECKING:
    from ..auth.models import User

PRODID = "-//govtool//Gremien//DE"
PARTSTAT = {
    Response.NONE: "NEEDS-ACTION",
    Response.ACCEPTED: "ACCEPTED",
    Response.DECLINED: "DECLINED",
    Response.EXCUSED: "DECLINED",
    Response.SENDS_DEPUTY: "DELEGATED",
}


def meeting_url(meeting: Meeting) -> str:
    return external_url("meetings.detail", meeting_id=meeting.id)


def _organizer(meeting: Meeting) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{current_app.config['GOVTOOL_MAIL_FROM']}")
    address.params["cn"] = icalendar.vText(
        gettext("Office of the %(body)s", body=meeting.body.name)
    )
    return address


def _event(meeting: Meeting, with_attendees: bool) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting.ical_uid)
    event.add("dtstamp", utcnow())
    event.add("sequence", meeting.ical_sequence)
    event.add("summary", meeting.display_title)
    event.add("dtstart", meeting.start_local)
    event.add("dtend", meeting.end_local)
    location = ", ".join(p for p in (meeting.location, meeting.video_url) if p)
    if location:
        event.add("location", location)
    event.add("url", meeting_url(meeting))
    lines = [f"{item.label} {item.title}" for item in meeting.agenda_items if item.is_public]
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("organizer", _organizer(meeting))
    if with_attendees:
        for participant in meeting.participants:
            if not participant.email:
                continue
            attendee = icalendar.vCalAddress(f"mailto:{participant.email}")
            attendee.params["cn"] = icalendar.vText(participant.name)
            attendee.params["role"] = icalendar.vText(
                "OPT-PARTICIPANT" if participant.is_guest else "REQ-PARTICIPANT"
            )
            attendee.params["partstat"] = icalendar.vText(PARTSTAT[participant.response])
            attendee.params["rsvp"] = icalendar.vText("TRUE")
            event.add("attendee", attendee, encode=False)
    return event


def _calendar(method: str, events: list[icalendar.Event], name: str | None = None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Berlin")
    for event in events:
        calendar.add_component(event)
    if not events:  # still announce the zone, so clients show times correctly
        calendar.add_component(icalendar.Timezone.from_tzid("Europe/Berlin"))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_ics(meeting: Meeting, with_attendees: bool = True) -> bytes:
    """The meeting's .ics: REQUEST while it stands, CANCEL once cancelled (same UID).

    Readers who are not members get it without the ATTENDEE lines (no invitees' addresses).
    """
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    return _calendar(method, [_event(meeting, with_attendees=with_attendees)])


def body_feed(body: Body) -> bytes:
    """The body's subscription feed (METHOD:PUBLISH) for Outlook and Thunderbird."""
    meetings = sorted(body.meetings, key=lambda m: m.start_at)
    return _calendar("PUBLISH", [_event(m, with_attendees=False) for m in meetings], body.name)


def _agenda_text(meeting: Meeting) -> str:
    lines = []
    for item in sorted(meeting.agenda_items, key=lambda i: i.position):
        indent = "    " if item.parent_id else ""
        presenter = f" ({item.presenter})" if item.presenter else ""
        lines.append(f"{indent}{item.label} {item.title}{presenter}")
    return "\n".join(lines)


def invitation_warnings(meeting: Meeting, today: dt.date | None = None) -> list[str]:
    """Warn when the body's invitation period can no longer be met."""
    today = today or dt.date.today()
    warnings = []
    if today > meeting.invitation_due:
        warnings.append(
            gettext(
                "The invitation period of %(days)d days is not met: invitations were due on "
                "%(date)s.",
                days=meeting.body.invitation_period_days,
                date=format_date(meeting.invitation_due),
            )
        )
    return warnings


def send_invitations(user: User, meeting: Meeting) -> tuple[int, list[str]]:
    """Mail every current member and guest the agenda with the .ics; returns (count, warnings)."""
    from .minutes import ensure_participants

    ensure(user, "meeting.edit", meeting)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED):
        raise ValidationError(gettext("Invitations can only be sent before the meeting."))
    warnings = invitation_warnings(meeting)
    resend = meeting.status is MeetingStatus.INVITED
    if resend:
        meeting.ical_sequence += 1
    ensure_participants(meeting)
    meeting.status = MeetingStatus.INVITED
    meeting.invitation_sent_at = utcnow()
    db.session.flush()
    ics = meeting_ics(meeting)
    subject = gettext(
        "Invitation: %(title)s on %(date)s",
        title=meeting.display_title,
        date=format_date(meeting.start_local),
    )
    if resend:
        subject = gettext("Updated invitation: %(subject)s", subject=subject)
    sent = 0
    for participant in meeting.participants:
        if not participant.email:
            continue
        send_mail(
            participant.email,
            subject,
            _invitation_body(meeting, participant),
            attachments=[Attachment("einladung.ics", ics, "text/calendar; method=REQUEST")],
        )
        sent += 1
    return sent, warnings


def _invitation_body(meeting: Meeting, participant: Participant) -> str:
    answer_url = external_url("meetings.respond_token", token=participant.response_token)
    place = ", ".join(p for p in (meeting.location, meeting.video_url) if p) or "–"
    return gettext(
        "Dear %(name)s,\n\nyou are invited to the %(title)s on %(date)s from %(start)s to "
        "%(end)s.\nPlace: %(place)s\n\nAgenda:\n%(agenda)s\n\nPlease answer (accept, decline, "
        "excused, send a deputy): %(answer_url)s\nMeeting page: %(url)s\n",
        name=participant.name,
        title=meeting.display_title,
        date=format_date(meeting.start_local),
        start=format_time(meeting.start_local),
        end=format_time(meeting.end_local),
        place=place,
        agenda=_agenda_text(meeting),
        answer_url=answer_url,
        url=meeting_url(meeting),
    )


def send_cancellation(meeting: Meeting) -> int:
    """Tell every invitee with METHOD:CANCEL (same UID, higher SEQUENCE)."""
    ics = meeting_ics(meeting)
    sent = 0
    for participant in meeting.participants:
        if not participant.email:
            continue
        send_mail(
            participant.email,
            gettext("Cancelled: %(title)s", title=meeting.display_title),
            gettext(
                "The %(title)s on %(date)s is cancelled.\nReason: %(reason)s\n",
                title=meeting.display_title,
                date=format_date(meeting.start_local),
                reason=meeting.cancel_reason,
            ),
            attachments=[Attachment("absage.ics", ics, "text/calendar; method=CANCEL")],
        )
        sent += 1
    return sent
