"""The .ics files and the body's feed announce Europe/Berlin with a VTIMEZONE built once per
process (issue 15: building it took longer than the rest of a meeting's .ics), unchanged."""

from __future__ import annotations

import datetime as dt

import icalendar
from flask_babel import force_locale

from govtool.bodies import invitations
from govtool.bodies.public_calendar import public_feed

from .factories import make_body, make_meeting


def _timezones(data: bytes) -> list[icalendar.Timezone]:
    return icalendar.Calendar.from_ical(data).walk("VTIMEZONE")


def test_the_timezone_is_the_one_icalendar_builds_first_and_once(app, db):
    body = make_body(public_calendar=True)
    meeting = make_meeting(body, dt.date(2026, 3, 2))
    db.session.commit()
    fresh = icalendar.Timezone.from_tzid("Europe/Berlin").to_ical()
    with app.test_request_context(), force_locale("de"):
        meeting_ics = invitations.meeting_ics(meeting)
        feed = public_feed(body).data
    for data in (meeting_ics, feed):
        calendar = icalendar.Calendar.from_ical(data)
        assert [c.name for c in calendar.subcomponents][:2] == ["VTIMEZONE", "VEVENT"]
        assert len(_timezones(data)) == 1
        assert _timezones(data)[0].to_ical() == fresh
        assert calendar.get_missing_tzids() == set()


def test_a_calendar_without_events_still_names_the_zone(app, db):
    with app.test_request_context():
        data = invitations._calendar("PUBLISH", [], "leer")
    assert [tz.tz_name for tz in _timezones(data)] == ["Europe/Berlin"]


def test_the_timezone_is_built_once_per_process(app, db):
    with app.test_request_context():
        invitations._calendar("PUBLISH", [])
        built = invitations._berlin_timezone.cache_info().misses
        for _ in range(3):
            invitations._calendar("PUBLISH", [])
    assert invitations._berlin_timezone.cache_info().misses == built == 1
