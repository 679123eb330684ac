"""Body calendars: the webcal:// subscription links beside the https ones on the body page, and
the public feed of a body's public meetings without sign-in or token (METHOD:PUBLISH, no
internal data, cache validators)."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest

from govtool.auth.models import Role
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.minutes import ensure_participants
from govtool.bodies.models import MeetingStatus, MembershipRole
from tests.factories import make_organisation, make_user

from .factories import make_body, make_meeting, make_member_user

BASE = "https://gremien.land.example/govtool"
VIDEO = "https://video.example.org/raum/geheim-4711"
CLOSED = "Personalangelegenheit Vertraulich"


@pytest.fixture()
def public_world(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", BASE + "/")
    body = make_body(name="Begleitgremium Öffentlich", short_name="BGOE", public_calendar=True)
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    today = dt.date.today()
    held = make_meeting(body, today + dt.timedelta(days=10), video_url=VIDEO, title="Quartal")
    db.session.add_all(
        [
            AgendaItem(meeting=held, title="Bericht der Modellkommunen", position=50),
            AgendaItem(meeting=held, title=CLOSED, position=51, is_public=False),
        ]
    )
    ensure_participants(held)
    held.invitation_sent_at = dt.datetime.now(dt.UTC)
    held.status = MeetingStatus.INVITED
    announced_cancelled = make_meeting(body, today + dt.timedelta(days=40), title="Abgesagt")
    announced_cancelled.invitation_sent_at = dt.datetime.now(dt.UTC)
    announced_cancelled.status = MeetingStatus.CANCELLED
    announced_cancelled.ical_sequence = 2
    never_announced = make_meeting(body, today + dt.timedelta(days=70), title="Nie angekündigt")
    never_announced.status = MeetingStatus.CANCELLED
    outsider = make_user(roles=(Role.MUNICIPALITY,), organisation=make_organisation())
    closed_body = make_body(name="Internes Gremium", short_name="IG")
    make_meeting(closed_body, today + dt.timedelta(days=5))
    db.session.commit()
    return {
        "body": body,
        "closed_body": closed_body,
        "secretary": secretary,
        "member": member,
        "outsider": outsider,
        "held": held,
        "cancelled": announced_cancelled,
        "never": never_announced,
    }


def _feed_url(body) -> str:
    return f"/bodies/{body.id}/public.ics"


def test_the_public_feed_answers_without_sign_in_with_public_meetings_only(public_world, client):
    world = public_world
    response = client.get(_feed_url(world["body"]))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    # The meetings' own UIDs (a client holding the invitation updates the same entry).
    assert set(events) == {world["held"].ical_uid, world["cancelled"].ical_uid}
    held = events[world["held"].ical_uid]
    assert held["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert held.decoded("DTSTART") == world["held"].start_local
    assert int(held["SEQUENCE"]) == world["held"].ical_sequence and "DTSTAMP" in held
    assert str(held["STATUS"]) == "CONFIRMED"
    assert str(held["LOCATION"]) == "Magdeburg, Raum 1"
    assert "Bericht der Modellkommunen" in str(held["DESCRIPTION"])
    assert str(held["URL"]).startswith(BASE + "/meetings/")
    cancelled = events[world["cancelled"].ical_uid]
    assert str(cancelled["STATUS"]) == "CANCELLED" and int(cancelled["SEQUENCE"]) == 2


def test_the_public_feed_carries_no_internal_data(public_world, client, app):
    world = public_world
    data = client.get(_feed_url(world["body"])).data
    calendar = icalendar.Calendar.from_ical(data)
    for event in calendar.walk("VEVENT"):
        assert "ATTENDEE" not in event and "ORGANIZER" not in event
    text = data.decode().replace("\r\n ", "")  # unfold
    assert "ATTENDEE" not in text and "mailto:" not in text
    assert CLOSED not in text
    assert VIDEO not in text and "video.example.org" not in text
    assert "Nie angekündigt" not in text
    participants = world["held"].participants
    assert participants and all(p.email for p in participants)
    for participant in participants:
        assert participant.email not in text and participant.name not in text
    assert app.config["GOVTOOL_MAIL_FROM"] not in text
    without_uids = "\n".join(line for line in text.splitlines() if not line.startswith("UID:"))
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.-]+", without_uids)
    # The private members' feed (with its token) still shows the video link to members.
    private = client.get(f"/bodies/calendar/{world['body'].calendar_token}.ics").data.decode()
    assert "video.example.org" in private.replace("\r\n ", "")


def test_bodies_without_a_public_calendar_and_bad_ids_answer_404(public_world, client, login):
    assert client.get(_feed_url(public_world["closed_body"])).status_code == 404
    assert client.get("/bodies/987654/public.ics").status_code == 404
    assert client.get("/bodies/abc/public.ics").status_code == 404
    assert client.get("/bodies/99999999999999999999999/public.ics").status_code == 404
    # Signing in does not open a closed body's feed either.
    login(public_world["member"].email)
    assert client.get(_feed_url(public_world["closed_body"])).status_code == 404


def test_the_public_feed_is_cacheable_and_answers_304_when_unchanged(public_world, client, db):
    url = _feed_url(public_world["body"])
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    assert "Content-Disposition" not in first.headers
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    assert client.get(url).data == first.data  # stable bytes: DTSTAMP is the last change
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    held = public_world["held"]
    held.location = "Halle (Saale), Ratshof"
    held.updated_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"Ratshof" in changed.data


def test_the_body_page_shows_webcal_and_https_links_on_the_base_url(public_world, client, login):
    world = public_world
    body = world["body"]
    login(world["member"].email)
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    public = f"{BASE}/bodies/{body.id}/public.ics"
    private = f"{BASE}/bodies/calendar/{body.calendar_token}.ics"
    webcal_public = public.replace("https://", "webcal://", 1)
    webcal_private = private.replace("https://", "webcal://", 1)
    assert f'href="{webcal_public}"' in html and f'href="{public}"' in html
    assert f'href="{webcal_private}"' in html and f'value="{private}"' in html
    assert "Öffentlichen Kalender von BGOE abonnieren (webcal)" in html
    assert "Outlook, Thunderbird und der Kalender auf iPhone oder iPad" in html
    # Someone who is not a member sees the public links but not the private address.
    client.post("/logout")
    login(world["outsider"].email)
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert f'href="{webcal_public}"' in html
    assert body.calendar_token not in html
    # A body without a public calendar offers no public link.
    closed = client.get(f"/bodies/{world['closed_body'].id}").get_data(as_text=True)
    assert "public.ics" not in closed


def test_the_links_and_the_feed_name_in_english(public_world, client, login):
    body = public_world["body"]
    login(public_world["member"].email)
    with client.session_transaction() as session:
        session["locale"] = "en"
    html = client.get(f"/bodies/{body.id}").get_data(as_text=True)
    assert "Subscribe to the public calendar of BGOE (webcal)" in html
    assert "Subscribe to the members' calendar of BGOE (webcal)" in html.replace("&#39;", "'")
    feed = icalendar.Calendar.from_ical(client.get(_feed_url(body)).data)
    assert str(feed["X-WR-CALNAME"]) == "Begleitgremium Öffentlich – public meetings"
    with client.session_transaction() as session:
        session["locale"] = "de"
    feed = icalendar.Calendar.from_ical(client.get(_feed_url(body)).data)
    assert str(feed["X-WR-CALNAME"]) == "Begleitgremium Öffentlich – öffentliche Sitzungen"


def test_editors_switch_the_public_calendar_on_the_body_form(public_world, client, login, db):
    body = public_world["body"]
    assert client.get(_feed_url(public_world["closed_body"])).status_code == 404
    login(public_world["secretary"].email)
    form = client.get(f"/bodies/{body.id}/edit").get_data(as_text=True)
    assert 'name="public_calendar"' in form and "Öffentlicher Kalender" in form
    data = {
        "name": body.name,
        "short_name": body.short_name,
        "kind": body.kind.value,
        "cadence": body.cadence.value,
        "quorum_percent": "50",
        "quorum_more_than": "y",
        "invitation_period_days": "14",
        "papers_period_days": "7",
        "minutes_draft_days": "14",
        "comment_period_days": "14",
        "state_code": "ST",
    }
    response = client.post(f"/bodies/{body.id}/edit", data=data)
    assert response.status_code == 302
    client.post("/logout")
    assert client.get(_feed_url(body)).status_code == 404  # unticked: the feed is gone
    login(public_world["secretary"].email)
    data["public_calendar"] = "y"
    assert client.post(f"/bodies/{body.id}/edit", data=data).status_code == 302
    client.post("/logout")
    assert client.get(_feed_url(body)).status_code == 200
