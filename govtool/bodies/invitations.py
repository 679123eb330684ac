"""Invitations with agenda, updates when an invited meeting moves or changes place, and
cancellations, each with the meeting's iCalendar file (RFC 5545, iTIP RFC 5546: one UID, SEQUENCE
raised per change); the body's feed."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import icalendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, get_locale, gettext, ngettext

from ..auth.models import User
from ..core.errors import ValidationError
from ..core.formatting import format_date, format_time
from ..core.mail import Attachment, send_mail
from ..core.models import utcnow
from ..core.permissions import ensure
from ..core.urls import base_url, external_url
from ..extensions import db
from .calendar_cache import CalendarCache, digest
from .minutes_models import Participant, Response
from .models import Body, Meeting, MeetingStatus, MembershipRole
from .permissions import invitation_refusal

PRODID = "-//govtool//Gremien//DE"
TIMEZONE = "Europe/Berlin"
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
    address.params["cn"] = icalendar.vText(gettext("Office – %(body)s", body=meeting.body.name))
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
    return to_ical(calendar)


@functools.cache
def _timezone_ical() -> bytes:
    """Europe/Berlin's VTIMEZONE as iCalendar text, built and written once per process: building
    it (its transitions from 1970 to 2038) and writing its dates took longer than everything
    else of a meeting's .ics (issue 15)."""
    return icalendar.Timezone.from_tzid(TIMEZONE).to_ical()


def to_ical(calendar: icalendar.Calendar) -> bytes:
    """The calendar as bytes with Europe/Berlin's VTIMEZONE as its first component, exactly where
    and as add_missing_timezones() put it (also without events, so clients show times
    correctly). Every time in these calendars is Berlin time (Meeting.start_local), so no other
    zone is needed. The calendar is written without the zone and the zone's cached text is put
    in before its first component: after the calendar's own properties, which are single lines
    (a folded line goes on with a space, so "CRLF BEGIN:" starts a component)."""
    data = calendar.to_ical()
    at = data.find(b"\r\nBEGIN:", 1)
    if at == -1:
        at = data.rindex(b"\r\nEND:VCALENDAR")
    return data[: at + 2] + _timezone_ical() + data[at + 2 :]


def ics_method(meeting: Meeting, with_attendees: bool = True) -> str:
    """The iTIP method of the meeting's .ics (RFC 5546). REQUEST and CANCEL are messages to the
    invitees and must name them in ATTENDEE lines (§3.2.2, §3.2.5); so until invitations went
    out, and for readers who may not see the invitees, the entry is PUBLISHed (no ATTENDEE)."""
    if not with_attendees or not was_invited(meeting):
        return "PUBLISH"
    if not any(p.email for p in meeting.participants):
        return "PUBLISH"
    return "CANCEL" if meeting.is_cancelled else "REQUEST"


def was_invited(meeting: Meeting) -> bool:
    """Invitations went out (the invitees hold the meeting in their calendars)."""
    return meeting.invitation_sent_at is not None


def meeting_ics(meeting: Meeting, with_attendees: bool = True) -> bytes:
    """The meeting's .ics, always with the same UID: PUBLISH before invitations, REQUEST once
    they went out, CANCEL (STATUS:CANCELLED) once the invited meeting is cancelled.

    Readers who are not members get it published, without the invitees' addresses.
    """
    method = ics_method(meeting, with_attendees)
    return _calendar(method, [_event(meeting, with_attendees=method != "PUBLISH")])


# The .ics files this process wrote, per meeting and variant (calendar_cache): 40 invitees and 30
# agenda items written by icalendar cost more than the meeting page, and the file is fetched
# unchanged again and again. Only DTSTAMP (when this copy was made) is new on each request.
ICS_FILES = CalendarCache(size=512)
# The values of the rows meeting_ics() writes from, read as plain rows (no objects).
_ITEM_VALUES = sa.text(
    """SELECT id, parent_id, position, number, title, is_public FROM agenda_items
    WHERE meeting_id = :meeting_id ORDER BY id"""
)
_PARTICIPANT_VALUES = sa.text(
    """SELECT id, name, email, is_guest, response FROM meeting_participants
    WHERE meeting_id = :meeting_id ORDER BY id"""
)
_DTSTAMP = re.compile(rb"\r\nDTSTAMP:[0-9]{8}T[0-9]{6}Z\r\n")


def meeting_ics_file(meeting: Meeting, with_attendees: bool) -> bytes:
    """meeting_ics() for a download, written again only when a value it is written from changed
    (the meeting's row, its body's name, its agenda items and invitees, the settings and locale
    in its text); `meeting` needs only its body loaded."""
    params = {"meeting_id": meeting.id}
    fingerprint = digest(
        [getattr(meeting, attr.key) for attr in sa.inspect(Meeting).column_attrs],
        meeting.body.name,
        [tuple(row) for row in db.session.execute(_ITEM_VALUES, params)],
        [tuple(row) for row in db.session.execute(_PARTICIPANT_VALUES, params)],
        str(get_locale()),
        base_url(),
        current_app.config["GOVTOOL_MAIL_FROM"],
    )
    data = ICS_FILES.get((meeting.id, with_attendees), fingerprint)
    if data is None:
        data = meeting_ics(meeting, with_attendees)
        ICS_FILES.put((meeting.id, with_attendees), fingerprint, data)
        return data
    stamp = icalendar.vDatetime(utcnow().replace(microsecond=0)).to_ical()
    return _DTSTAMP.sub(b"\r\nDTSTAMP:" + stamp + b"\r\n", data, count=1)


def body_feed(body: Body, meetings: list[Meeting] | None = None) -> bytes:
    """The body's subscription feed (METHOD:PUBLISH) for Outlook and Thunderbird; `meetings`
    loaded with their agenda items (services.calendar_feed_meetings) saves a query per meeting."""
    if meetings is None:
        meetings = list(body.meetings)
    meetings = sorted(meetings, key=lambda m: m.start_at)
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
            ngettext(
                "The invitation period of %(num)d day is not met: invitations were due on "
                "%(date)s.",
                "The invitation period of %(num)d days is not met: invitations were due on "
                "%(date)s.",
                meeting.body.invitation_period_days,
                date=format_date(meeting.invitation_due),
            )
        )
    return warnings


@dataclass(frozen=True)
class Recipient:
    """One addressee of the invitation, as the confirmation page lists them."""

    name: str
    email: str
    organisation: str
    is_guest: bool


def invitation_recipients(meeting: Meeting) -> list[Recipient]:
    """Who gets the invitation, without writing anything (the confirmation page): the invitees
    already listed and every current member not yet on the list, as send_invitations adds them."""
    from .minutes import current_memberships

    recipients = [
        Recipient(p.name, p.email, p.organisation_label, p.is_guest) for p in meeting.participants
    ]
    known = {p.person_id for p in meeting.participants if p.person_id}
    for membership in current_memberships(meeting.body, meeting.date):
        if membership.person_id in known:
            continue
        known.add(membership.person_id)
        recipients.append(
            Recipient(
                membership.person.full_name,
                membership.person.email or "",
                membership.organisation.name if membership.organisation else "",
                membership.role is MembershipRole.PERMANENT_GUEST,
            )
        )
    return recipients


def send_invitations(user: User, meeting: Meeting) -> tuple[int, list[str]]:
    """Mail every current member and guest the agenda with the .ics; returns (count, warnings)."""
    from .minutes import ensure_participants

    ensure(user, "meeting.edit", meeting)
    refusal = invitation_refusal(meeting)
    if refusal is not None:
        raise ValidationError(refusal)
    warnings = invitation_warnings(meeting)
    resend = meeting.status is MeetingStatus.INVITED
    if resend:
        meeting.ical_sequence += 1
    ensure_participants(meeting)
    meeting.status = MeetingStatus.INVITED
    meeting.invitation_sent_at = utcnow()
    db.session.flush()

    def compose(participant: Participant) -> tuple[str, str]:
        subject = gettext(
            "Invitation: %(title)s on %(date)s",
            title=meeting.display_title,
            date=format_date(meeting.start_local),
        )
        if resend:
            subject = gettext("Updated invitation: %(subject)s", subject=subject)
        return subject, _invitation_body(meeting, participant)

    sent = _mail_invitees(meeting, compose, "einladung.ics")
    return sent, warnings


def _invitation_body(meeting: Meeting, participant: Participant) -> str:
    return gettext(
        "Dear %(name)s,\n\nyou are invited to the meeting “%(title)s” on %(date)s from "
        "%(start)s to %(end)s.\nPlace: %(place)s\n\nAgenda:\n%(agenda)s\n\nPlease answer "
        "(accept, decline, excused, send a deputy): %(answer_url)s\nMeeting page: %(url)s\n",
        name=participant.name,
        title=meeting.display_title,
        date=format_date(meeting.start_local),
        start=format_time(meeting.start_local),
        end=format_time(meeting.end_local),
        place=_place(meeting.location, meeting.video_url),
        agenda=_agenda_text(meeting),
        answer_url=_answer_url(participant),
        url=meeting_url(meeting),
    )


def _place(location: str, video_url: str) -> str:
    return ", ".join(p for p in (location, video_url) if p) or "–"


def _answer_url(participant: Participant) -> str:
    return external_url("meetings.respond_token", token=participant.response_token)


# ---------------------------------------------------------------- updates and cancellations


@dataclass(frozen=True)
class CalendarFacts:
    """What an invitee's calendar shows of a meeting. A change of any of these after the
    invitations went out is sent to every invitee as an update (same UID, SEQUENCE + 1)."""

    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    location: str
    video_url: str

    @classmethod
    def of(cls, meeting: Meeting) -> CalendarFacts:
        return cls(
            meeting.display_title,
            meeting.start_at,
            meeting.end_at,
            meeting.location or "",
            meeting.video_url or "",
        )

    def changed(self, other: CalendarFacts) -> list[str]:
        """Which of "when", "location", "video_url", "title" differ, in the order mails name
        them."""
        changes = []
        if (self.start_at, self.end_at) != (other.start_at, other.end_at):
            changes.append("when")
        for name in ("location", "video_url", "title"):
            if getattr(self, name) != getattr(other, name):
                changes.append(name)
        return changes


def _when(facts: CalendarFacts) -> str:
    return gettext(
        "%(date)s, %(start)s to %(end)s",
        date=format_date(facts.start_at),
        start=format_time(facts.start_at),
        end=format_time(facts.end_at),
    )


def change_lines(before: CalendarFacts, after: CalendarFacts) -> list[str]:
    """One line per change, "what: old → new", in the current language."""
    labels = {
        "when": gettext("Date and time"),
        "location": gettext("Location"),
        "video_url": gettext("Video conference"),
        "title": gettext("Title"),
    }
    lines = []
    for name in before.changed(after):
        if name == "when":
            old, new = _when(before), _when(after)
        else:
            old, new = getattr(before, name) or "–", getattr(after, name) or "–"
        lines.append(f"{labels[name]}: {old} → {new}")
    return lines


def send_update(meeting: Meeting, before: CalendarFacts) -> int:
    """Tell every invitee of an invited meeting what changed (date, time, place, link, title),
    with the .ics as METHOD:REQUEST (same UID, the SEQUENCE the change raised)."""
    after = CalendarFacts.of(meeting)

    def compose(participant: Participant) -> tuple[str, str]:
        subject = gettext(
            "Changed: %(title)s on %(date)s",
            title=meeting.display_title,
            date=format_date(meeting.start_local),
        )
        body = gettext(
            "Dear %(name)s,\n\nthe meeting “%(title)s” has been changed:\n\n%(changes)s\n\n"
            "Date and time now: %(when)s"
            "\nPlace: %(place)s\n\nThe calendar entry attached replaces the earlier one. If "
            "your answer changes, please tell us: %(answer_url)s\nMeeting page: %(url)s\n",
            name=participant.name,
            title=meeting.display_title,
            changes="\n".join(change_lines(before, after)),
            when=_when(after),
            place=_place(meeting.location, meeting.video_url),
            answer_url=_answer_url(participant),
            url=meeting_url(meeting),
        )
        return subject, body

    return _mail_invitees(meeting, compose, "aenderung.ics")


def send_cancellation(meeting: Meeting) -> int:
    """Tell every invitee with METHOD:CANCEL (same UID, higher SEQUENCE, STATUS:CANCELLED)."""

    def compose(participant: Participant) -> tuple[str, str]:
        subject = gettext("Cancelled: %(title)s", title=meeting.display_title)
        body = gettext(
            "The meeting “%(title)s” on %(date)s is cancelled.\nReason: %(reason)s\n",
            title=meeting.display_title,
            date=format_date(meeting.start_local),
            reason=meeting.cancel_reason,
        )
        return subject, body

    return _mail_invitees(meeting, compose, "absage.ics")


def _mail_invitees(meeting: Meeting, compose, filename: str) -> int:
    """Send each invitee with an address `compose(participant)` -> (subject, body) with the
    meeting's .ics attached, each in the invitee's language (their login's choice, else the
    app's default); returns how many mails went out."""
    method = ics_method(meeting)
    languages = _languages(meeting)
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "de")
    calendars: dict[str, bytes] = {}
    sent = 0
    for participant in meeting.participants:
        if not participant.email:
            continue
        language = languages.get(participant.person_id or 0) or default
        with force_locale(language):
            if language not in calendars:
                calendars[language] = meeting_ics(meeting)
            subject, body = compose(participant)
        send_mail(
            participant.email,
            subject,
            body,
            attachments=[
                Attachment(filename, calendars[language], f"text/calendar; method={method}")
            ],
        )
        sent += 1
    return sent


def _languages(meeting: Meeting) -> dict[int, str]:
    """The language each invitee with a login chose (person id -> "en"), in one query."""
    people = {p.person_id for p in meeting.participants if p.person_id}
    if not people:
        return {}
    rows = db.session.execute(
        sa.select(User.person_id, User.locale).where(User.person_id.in_(people), User.locale != "")
    )
    return {person_id: locale for person_id, locale in rows if person_id}
