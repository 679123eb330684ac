"""The .ics files and the body feeds announce Europe/Berlin with a VTIMEZONE built and written once
per process (issue 15: it took longer than the rest of a meeting's .ics), with the same bytes as
icalendar's add_missing_timezones() gave; the public feed is built again only when it changed."""

from __future__ import annotations

import datetime as dt
import re
import time
import zoneinfo

import icalendar
import pytest
from flask_babel import force_locale

from govtool.bodies import invitations, public_calendar
from govtool.extensions import db as _db

from .factories import make_body, make_meeting

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _as_before(calendar: icalendar.Calendar) -> bytes:
    """What the calendars were written as before issue 15: the zone built per calendar."""
    if not calendar.walk("VEVENT"):
        calendar.add_component(icalendar.Timezone.from_tzid("Europe/Berlin"))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _calendar(events: int) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", invitations.PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Ein sehr langer Kalendername " * 5)  # folded over lines
    for n in range(events):
        event = icalendar.Event()
        event.add("uid", f"{n}@example.org")
        event.add("dtstart", dt.datetime(2026, 3, 1 + n, 10, tzinfo=BERLIN))
        event.add("description", "TOP 1 Begrüßung\nTOP 2 BEGIN:VEVENT")
        calendar.add_component(event)
    return calendar


@pytest.mark.parametrize("events", [0, 1, 3])
def test_calendars_are_written_as_before(events):
    assert invitations.to_ical(_calendar(events)) == _as_before(_calendar(events))


def test_meeting_ics_and_public_feed_name_the_zone_once_and_first(app, db):
    body = make_body(public_calendar=True)
    meeting = make_meeting(body, dt.date(2026, 3, 2))
    db.session.commit()
    fresh = icalendar.Timezone.from_tzid("Europe/Berlin").to_ical()
    with app.test_request_context(), force_locale("de"):
        meeting_ics = invitations.meeting_ics(meeting)
        feed = public_calendar.public_feed(body).data
    for data in (meeting_ics, feed):
        calendar = icalendar.Calendar.from_ical(data)
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT"]
        assert calendar.subcomponents[0].to_ical() == fresh
        assert calendar.get_missing_tzids() == set()


def test_the_timezone_is_built_once_per_process(app, db):
    with app.test_request_context():
        invitations._calendar("PUBLISH", [])
        for _ in range(3):
            invitations._calendar("PUBLISH", [])
    assert invitations._timezone_ical.cache_info().misses == 1


def test_the_public_feed_is_built_again_after_every_kind_of_change(app, db, client):
    body = make_body(public_calendar=True)
    meeting = make_meeting(body, dt.date(2026, 3, 2))
    db.session.commit()
    path = f"/bodies/{body.id}/public.ics"

    def feed() -> bytes:
        response = client.get(path)
        assert response.status_code == 200
        return response.data

    first = feed()
    assert feed() == first  # unchanged: the same feed, from the cache
    item = meeting.agenda_items[0]
    item.title = "Neuer Titel des ersten Punkts"
    db.session.commit()
    renamed = feed()
    assert "Neuer Titel des ersten Punkts" in _text(renamed)
    _db.session.delete(meeting.agenda_items[-1])
    db.session.commit()
    shorter = feed()
    assert shorter != renamed
    second = make_meeting(body, dt.date(2026, 4, 6))
    db.session.commit()
    assert second.ical_uid in _text(feed())
    body.name = "Umbenanntes Gremium"
    db.session.commit()
    assert "Umbenanntes Gremium" in _text(feed())


def _text(data: bytes) -> str:
    """The feed's names, UIDs and descriptions, unfolded."""
    calendar = icalendar.Calendar.from_ical(data)
    values = [str(calendar["x-wr-calname"])]
    for event in calendar.walk("VEVENT"):
        values += [str(event["uid"]), str(event.get("description", ""))]
    return "\n".join(values)


def _without_dtstamp(data: bytes) -> bytes:
    return re.sub(rb"\r\nDTSTAMP:[0-9T]+Z\r\n", b"\r\n", data)


def test_the_meeting_ics_is_written_again_after_every_kind_of_change(app, db, client, login):
    from govtool.auth.models import Role

    from .factories import make_member_user

    body = make_body()
    meeting = make_meeting(body, dt.date(2026, 3, 2))
    user, membership = make_member_user(body, roles=(Role.MEMBER,))
    user.email = "mitglied@example.org"
    db.session.commit()
    login("mitglied@example.org")
    path = f"/meetings/{meeting.id}.ics"

    def ics() -> bytes:
        response = client.get(path)
        assert response.status_code == 200
        return response.data

    first = ics()
    with app.test_request_context(), force_locale("de"):
        fresh = invitations.meeting_ics(_db.session.get(type(meeting), meeting.id), True)
    assert _without_dtstamp(first) == _without_dtstamp(fresh)
    time.sleep(1.1)
    again = ics()
    assert _without_dtstamp(again) == _without_dtstamp(first)
    assert again != first  # the same file, stamped now
    meeting.agenda_items[0].title = "Geänderter Punkt"
    db.session.commit()
    assert "Geänderter Punkt" in str(_event(ics())["description"])
    meeting.location = "Halle, Saal 2"
    db.session.commit()
    assert str(_event(ics())["location"]) == "Halle, Saal 2"
    body.name = "Neuer Gremienname"
    db.session.commit()
    assert "Neuer Gremienname" in _event(ics())["organizer"].params["cn"]


def _event(data: bytes) -> icalendar.Event:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
