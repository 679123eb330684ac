"""The public calendar of a body: its meetings as a feed anyone may subscribe to, without a
token (METHOD:PUBLISH, RFC 5545). Which bodies and meetings appear is decided in permissions.py
(has_public_calendar, in_public_calendar); an entry carries only public information.

Each VEVENT keeps the meeting's UID and SEQUENCE, so a client that also holds the invitation
updates one entry. DTSTAMP and LAST-MODIFIED are the time the entry last changed (not the time of
the request), so the same data gives the same bytes, and the feed's ETag changes only with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import icalendar
import sqlalchemy as sa
from flask_babel import gettext

from ..core.models import utcnow
from ..extensions import db
from .agenda_models import AgendaItem
from .invitations import PRODID, add_timezone, meeting_url
from .models import Body, Meeting
from .permissions import has_public_calendar, in_public_calendar


@dataclass(frozen=True)
class PublicFeed:
    data: bytes
    etag: str
    last_modified: dt.datetime


def public_calendar_body(body_id: int) -> Body | None:
    """The body when it publishes a calendar, else None (the view answers 404 either way)."""
    body = db.session.get(Body, body_id)
    return body if has_public_calendar(body) else None


def _is_public(item: AgendaItem | None) -> bool:
    """An item is public when it and every item above it are (a sub-item of a closed item is
    closed too)."""
    while item is not None:
        if not item.is_public:
            return False
        item = item.parent
    return True


def _changed_at(meeting: Meeting) -> dt.datetime:
    stamps = [meeting.updated_at, *(item.updated_at for item in meeting.agenda_items)]
    return max(stamp for stamp in stamps if stamp is not None)


def _public_event(meeting: Meeting) -> icalendar.Event:
    changed = _changed_at(meeting)
    event = icalendar.Event()
    event.add("uid", meeting.ical_uid)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", meeting.ical_sequence)
    event.add("summary", f"{meeting.body.short_name}: {meeting.display_title}")
    event.add("dtstart", meeting.start_local)
    event.add("dtend", meeting.end_local)
    if meeting.location:  # the room only: the video-conference link is for the invitees
        event.add("location", meeting.location)
    event.add("url", meeting_url(meeting))
    lines = [f"{item.label} {item.title}" for item in meeting.agenda_items if _is_public(item)]
    if lines:
        event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.is_cancelled else "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def public_meetings(body: Body) -> list[Meeting]:
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.start_at, Meeting.id)
    )
    return [meeting for meeting in meetings if in_public_calendar(meeting)]


def public_feed(body: Body) -> PublicFeed:
    """The body's public feed with its validators (ETag over the bytes, Last-Modified)."""
    meetings = public_meetings(body)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("%(body)s – public meetings", body=body.name))
    calendar.add("x-wr-timezone", "Europe/Berlin")
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        calendar.add_component(_public_event(meeting))
    add_timezone(calendar)
    data = calendar.to_ical()
    stamps = [body.updated_at, *(_changed_at(m) for m in meetings)]
    last_modified = max((s for s in stamps if s is not None), default=utcnow())
    return PublicFeed(data, hashlib.sha256(data).hexdigest()[:32], last_modified)
