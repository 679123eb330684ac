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
from flask_babel import get_locale, gettext
from sqlalchemy.orm import selectinload

from ..core.models import utcnow
from ..core.urls import base_url
from ..extensions import db
from .agenda_models import AgendaItem
from .calendar_cache import CalendarCache, digest
from .invitations import PRODID, meeting_url, to_ical
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


def _is_public(item: AgendaItem | None, siblings: dict[int, AgendaItem] | None = None) -> bool:
    """An item is public when it and every item above it are (a sub-item of a closed item is
    closed too). `siblings` (the meeting's items by id) finds the parents without asking the
    session for each."""
    while item is not None:
        if not item.is_public:
            return False
        if siblings is not None and item.parent_id in siblings:
            item = siblings[item.parent_id]
        else:
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
    siblings = {item.id: item for item in meeting.agenda_items}
    lines = [
        f"{item.label} {item.title}" for item in meeting.agenda_items if _is_public(item, siblings)
    ]
    if lines:
        event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if meeting.is_cancelled else "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def public_meetings(body: Body) -> list[Meeting]:
    """The meetings of the public feed, with their agenda items (one query for all meetings)."""
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.body_id == body.id)
        .options(selectinload(Meeting.agenda_items))
        .order_by(Meeting.start_at, Meeting.id)
    )
    return [meeting for meeting in meetings if in_public_calendar(meeting)]


# The feeds this process built (calendar_cache): a feed of ten years of meetings is many times
# the work of a meeting page, while calendar clients fetch it unchanged again and again.
FEEDS = CalendarCache()

# Every row the feed is written from, with its updated_at (maintained by SQLAlchemy on every
# change): a change, an addition or a deletion of a meeting or an agenda item changes this list.
_FEED_ROWS = sa.text(
    """SELECT 'm', m.id, m.updated_at FROM meetings m WHERE m.body_id = :body_id
    UNION ALL
    SELECT 'a', a.id, a.updated_at FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
    WHERE m.body_id = :body_id
    ORDER BY 1, 2"""
)


def public_feed(body: Body) -> PublicFeed:
    """The body's public feed with its validators (ETag over the bytes, Last-Modified); built
    again only when one of its rows changed since this process last built it."""
    rows = [tuple(row) for row in db.session.execute(_FEED_ROWS, {"body_id": body.id})]
    fingerprint = digest(
        body.updated_at, body.name, body.short_name, rows, str(get_locale()), base_url()
    )
    feed = FEEDS.get(body.id, fingerprint)
    if feed is None:
        feed = _build_feed(body)
        FEEDS.put(body.id, fingerprint, feed)
    return feed


def _build_feed(body: Body) -> PublicFeed:
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
    data = to_ical(calendar)
    stamps = [body.updated_at, *(_changed_at(m) for m in meetings)]
    last_modified = max((s for s in stamps if s is not None), default=utcnow())
    return PublicFeed(data, hashlib.sha256(data).hexdigest()[:32], last_modified)
