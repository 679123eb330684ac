"""Issue 12: an invited meeting that moves, changes place or is cancelled tells every invitee
(same UID, SEQUENCE + 1, REQUEST or CANCEL with the .ics, read back from a real SMTP server);
the .ics is PUBLISH without ATTENDEE before invitations; confirmations before inviting,
cancelling and moving into the past; held only once begun; no empty ZIP; one naming pattern;
a regular meeting by default."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from email import message_from_bytes
from email.policy import default as default_policy

import icalendar
import pytest
import sqlalchemy as sa

from govtool.auth.models import Role, User
from govtool.bodies import agenda, invitations, naming, services
from govtool.bodies.models import Body, Meeting, MeetingKind, MeetingStatus, MembershipRole
from govtool.bodies.permissions import held_refusal
from govtool.core.errors import ValidationError
from govtool.core.formatting import BERLIN
from govtool.core.mail import OutboxMessage
from govtool.core.permissions import can
from govtool.demo import DEMO_PASSWORD
from govtool.extensions import db as _db

from .factories import make_body, make_meeting, make_member_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture()
def world(db):
    body = make_body(name="AG Datenmonitoring", short_name="AGDM")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    meeting = make_meeting(
        body, dt.date.today() + dt.timedelta(days=40), location="Magdeburg, Raum 214"
    )
    db.session.commit()
    return {
        "body": body,
        "meeting": meeting,
        "secretary": secretary,
        "chair": chair,
        "member": member,
    }


@pytest.fixture()
def smtp(app, smtp_server):
    """The app's mail goes to a real SMTP server on loopback; yields its inbox."""
    controller, inbox = smtp_server
    app.config.update(GOVTOOL_SMTP_HOST="127.0.0.1", GOVTOOL_SMTP_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(GOVTOOL_SMTP_HOST="", GOVTOOL_SMTP_PORT=25)


def _received(inbox) -> list[tuple[list[str], object, icalendar.Calendar]]:
    """(recipients, message, the attached calendar parsed) of every mail received."""
    found = []
    for envelope in inbox.messages:
        message = message_from_bytes(envelope.content, policy=default_policy)
        parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1, "one .ics per mail"
        found.append(
            (envelope.rcpt_tos, message, icalendar.Calendar.from_ical(parts[0].get_content()))
        )
    return found


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    return calendar.walk("VEVENT")[0]


def _invited(world) -> tuple[Meeting, str, int]:
    meeting = world["meeting"]
    invitations.send_invitations(world["secretary"], meeting)
    _db.session.commit()
    event = _event(icalendar.Calendar.from_ical(invitations.meeting_ics(meeting)))
    return meeting, str(event["UID"]), int(event["SEQUENCE"])


def _invitee_addresses(meeting: Meeting) -> set[str]:
    return {p.email for p in meeting.participants if p.email}


# ---------------------------------------------------------------- .ics before and after invitations


def test_ics_before_invitations_is_published_without_attendees(world):
    calendar = icalendar.Calendar.from_ical(invitations.meeting_ics(world["meeting"]))
    assert str(calendar["METHOD"]) == "PUBLISH"
    event = _event(calendar)
    assert "ATTENDEE" not in event and "mailto:" in str(event["ORGANIZER"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_ics_after_invitations_is_a_request_naming_every_invitee(world):
    meeting, _, _ = _invited(world)
    calendar = icalendar.Calendar.from_ical(invitations.meeting_ics(meeting))
    assert str(calendar["METHOD"]) == "REQUEST"
    attendees = {str(a).removeprefix("mailto:") for a in _event(calendar).get("ATTENDEE")}
    assert attendees == _invitee_addresses(meeting) and len(attendees) == 3
    # a reader who may not see the invitees gets the entry published, without them
    public = icalendar.Calendar.from_ical(invitations.meeting_ics(meeting, with_attendees=False))
    assert str(public["METHOD"]) == "PUBLISH" and "ATTENDEE" not in _event(public)


def test_cancelled_meeting_never_invited_is_published_as_cancelled(world):
    meeting = world["meeting"]
    services.cancel_meeting(world["secretary"], meeting, "Terminkollision")
    calendar = icalendar.Calendar.from_ical(invitations.meeting_ics(meeting))
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(_event(calendar)["STATUS"]) == "CANCELLED" and "ATTENDEE" not in _event(calendar)
    assert _db.session.query(OutboxMessage).count() == 0


# ---------------------------------------------------------------- updates and cancellations


def test_rescheduling_an_invited_meeting_mails_every_invitee_the_update(world, smtp):
    meeting, uid, sequence = _invited(world)
    smtp.messages.clear()
    old_day = meeting.date
    new_day = old_day + dt.timedelta(days=7)
    services.update_meeting(
        world["secretary"],
        meeting,
        {"date": new_day, "start_time": dt.time(14, 0), "end_time": dt.time(16, 0)},
    )
    _db.session.commit()
    received = _received(smtp)
    assert {r for rcpts, _, _ in received for r in rcpts} == _invitee_addresses(meeting)
    assert len(received) == 3
    for _, message, calendar in received:
        assert str(calendar["METHOD"]) == "REQUEST"
        event = _event(calendar)
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1
        assert event["DTSTART"].dt == dt.datetime.combine(new_day, dt.time(14, 0), BERLIN)
        assert len(event.get("ATTENDEE")) == 3
        assert message["Subject"].startswith("Geändert: ")
        text = message.get_body(("plain",)).get_content()
        old, new = old_day.strftime("%d.%m.%Y"), new_day.strftime("%d.%m.%Y")
        assert f"Termin: {old}, 10:00–12:00 Uhr → {new}, 14:00–16:00 Uhr" in text
    # the outbox holds the same record: one per invitee, with the .ics named
    updates = _db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject.like("Geändert:%"))
    ).all()
    assert {m.recipient for m in updates} == _invitee_addresses(meeting)
    assert all(m.attachment_names == "aenderung.ics" for m in updates)


def test_update_mail_says_what_changed_old_and_new(world, smtp):
    meeting, _, sequence = _invited(world)
    smtp.messages.clear()
    old_day = meeting.date
    new_day = old_day + dt.timedelta(days=1)
    services.update_meeting(
        world["secretary"],
        meeting,
        {
            "date": new_day,
            "start_time": dt.time(9, 0),
            "end_time": dt.time(11, 30),
            "location": "Halle (Saale), Ratshof",
            "video_url": "https://video.example.org/bg",
        },
    )
    _db.session.commit()
    _, message, calendar = _received(smtp)[0]
    text = message.get_body(("plain",)).get_content()
    old, new = old_day.strftime("%d.%m.%Y"), new_day.strftime("%d.%m.%Y")
    assert f"Termin: {old}, 10:00–12:00 Uhr → {new}, 09:00–11:30 Uhr" in text
    assert "Ort: Magdeburg, Raum 214 → Halle (Saale), Ratshof" in text
    assert "Videokonferenz: – → https://video.example.org/bg" in text
    assert "Titel" not in text.split("Termin jetzt")[0]  # the title did not change
    assert int(_event(calendar)["SEQUENCE"]) == sequence + 1
    assert "Halle (Saale), Ratshof" in str(_event(calendar)["LOCATION"])


def test_relocating_alone_sends_an_update_and_nothing_changed_sends_nothing(world, smtp):
    meeting, _, sequence = _invited(world)
    smtp.messages.clear()
    services.update_meeting(world["secretary"], meeting, {"location": "Dessau, Saal 3"})
    _db.session.commit()
    assert len(smtp.messages) == 3
    assert int(_event(_received(smtp)[0][2])["SEQUENCE"]) == sequence + 1
    smtp.messages.clear()
    services.update_meeting(world["secretary"], meeting, {"location": "Dessau, Saal 3"})
    assert smtp.messages == [] and meeting.ical_sequence == sequence + 1


def test_moving_a_meeting_before_invitations_mails_nobody(world):
    meeting = world["meeting"]
    services.update_meeting(
        world["secretary"], meeting, {"date": meeting.date + dt.timedelta(days=3)}
    )
    assert _db.session.query(OutboxMessage).count() == 0
    assert meeting.ical_sequence == 1


def test_invitee_who_chose_english_gets_the_update_in_english(world):
    meeting, _, _ = _invited(world)
    world["member"].locale = "en"
    _db.session.commit()
    services.update_meeting(world["secretary"], meeting, {"location": "Dessau, Saal 3"})
    mails = {
        m.recipient: m
        for m in _db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.attachment_names == "aenderung.ics")
        )
    }
    english = mails.pop(world["member"].person.email)
    assert english.subject.startswith("Changed: ")
    assert "Location: Magdeburg, Raum 214 → Dessau, Saal 3" in english.body
    assert all(m.subject.startswith("Geändert: ") for m in mails.values()) and len(mails) == 2


def test_cancelling_an_invited_meeting_sends_cancel_to_every_invitee(world, smtp):
    meeting, uid, sequence = _invited(world)
    smtp.messages.clear()
    services.cancel_meeting(world["secretary"], meeting, "Erkrankung der Vorsitzenden")
    _db.session.commit()
    received = _received(smtp)
    assert {r for rcpts, _, _ in received for r in rcpts} == _invitee_addresses(meeting)
    for _, message, calendar in received:
        assert str(calendar["METHOD"]) == "CANCEL"
        event = _event(calendar)
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1
        assert str(event["STATUS"]) == "CANCELLED"
        assert message["Subject"].startswith("Abgesagt: ")
        assert "Erkrankung der Vorsitzenden" in message.get_body(("plain",)).get_content()


# ---------------------------------------------------------------- confirmations


def test_moving_into_the_past_asks_first(world):
    meeting = world["meeting"]
    yesterday = dt.datetime.now(BERLIN).date() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(world["secretary"], meeting, {"date": yesterday})
    assert refused.value.field == "confirm_past"
    assert "liegt in der Vergangenheit" in refused.value.message
    _db.session.rollback()
    assert meeting.date > dt.date.today()
    services.update_meeting(world["secretary"], meeting, {"date": yesterday, "confirm_past": True})
    assert meeting.date == yesterday
    # a meeting in the past edited without moving it (a new room) is not asked about
    services.update_meeting(world["secretary"], meeting, {"location": "Raum 3"})
    # moving it to the future is not asked about either
    services.update_meeting(
        world["secretary"], meeting, {"date": dt.date.today() + dt.timedelta(days=9)}
    )
    assert meeting.location == "Raum 3" and meeting.date > dt.date.today()


def test_edit_page_asks_before_moving_into_the_past(world, client, login, db):
    meeting = world["meeting"]
    login(world["secretary"].email)
    data = {
        "title": meeting.title,
        "kind": "regular",
        "date": (dt.date.today() - dt.timedelta(days=30)).isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "location": meeting.location,
        "lock_version": "0",
    }
    asked = client.post(f"/meetings/{meeting.id}/edit", data=data)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert 'name="confirm_past"' in html and "liegt in der Vergangenheit" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).date > dt.date.today()
    saved = client.post(f"/meetings/{meeting.id}/edit", data={**data, "confirm_past": "y"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).date < dt.date.today()


def test_invitations_go_out_only_from_the_confirmation_page(world, client, login, db):
    meeting = world["meeting"]
    login(world["secretary"].email)
    overview = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/invite"' in overview
    page = client.get(f"/meetings/{meeting.id}/invite")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Einladungen versenden?" in html
    for user in (world["secretary"], world["chair"], world["member"]):
        assert user.person.email in html
    assert "3 Einladungen jetzt versenden" in html
    # a post without the confirmation shows the page again and sends nothing
    unconfirmed = client.post(f"/meetings/{meeting.id}/invite")
    assert unconfirmed.status_code == 422 and "Einladungen versenden?" in unconfirmed.text
    assert db.session.query(OutboxMessage).count() == 0
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.PLANNED
    sent = client.post(f"/meetings/{meeting.id}/invite", data={"confirm": "yes"})
    assert sent.status_code == 302
    assert db.session.query(OutboxMessage).count() == 3


def test_cancelling_needs_the_confirmation_box(world, client, login, db):
    meeting, _, _ = _invited(world)
    login(world["secretary"].email)
    overview = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="confirm"[^>]*required', overview)
    before = db.session.query(OutboxMessage).count()
    refused = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Krankheit"})
    assert refused.status_code == 422 and "Bitte bestätigen Sie die Absage." in refused.text
    assert 'value="Krankheit"' in refused.text  # the reason typed is kept
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.INVITED
    assert db.session.query(OutboxMessage).count() == before
    done = client.post(
        f"/meetings/{meeting.id}/cancel", data={"reason": "Krankheit", "confirm": "y"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.CANCELLED
    assert db.session.query(OutboxMessage).count() == before + 3


# ---------------------------------------------------------------- held only once begun


def test_meeting_cannot_be_marked_held_before_it_began(world, client, login, db):
    meeting, secretary = world["meeting"], world["secretary"]
    assert "erst ab ihrem Beginn" in held_refusal(meeting)
    assert not can(secretary, "meeting.mark_held", meeting)
    with pytest.raises(ValidationError):
        services.mark_held(secretary, meeting)
    login(secretary.email)
    assert f"/meetings/{meeting.id}/held" not in client.get(f"/meetings/{meeting.id}").text
    assert client.post(f"/meetings/{meeting.id}/held").status_code == 422
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status is MeetingStatus.PLANNED
    # once it has begun: allowed, offered, done
    meeting.start_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    db.session.commit()
    assert held_refusal(meeting) is None and can(secretary, "meeting.mark_held", meeting)
    assert f"/meetings/{meeting.id}/held" in client.get(f"/meetings/{meeting.id}").text
    assert client.post(f"/meetings/{meeting.id}/held").status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.HELD


# ---------------------------------------------------------------- small defects


def test_no_empty_attachments_zip(world, client, login, db):
    meeting = world["meeting"]
    login(world["secretary"].email)
    url = f"/meetings/{meeting.id}/attachments.zip"
    assert url not in client.get(f"/meetings/{meeting.id}").text
    missing = client.get(url)
    assert missing.status_code == 404
    assert missing.mimetype == "text/html" and "keine Anlagen" in missing.text
    item = agenda.add_item(world["secretary"], meeting, {"title": "Bericht", "is_public": True})
    agenda.attach_file(world["secretary"], item, "Bericht.pdf", PDF)
    db.session.commit()
    assert url in client.get(f"/meetings/{meeting.id}").text
    archive = client.get(url)
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(archive.data)).namelist() == [
        f"TOP {item.number}/Bericht.pdf"
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (MeetingKind.REGULAR, "5. Sitzung – AG Übergänge Kita–Schule–Beruf"),
        (MeetingKind.CONSTITUENT, "Konstituierende Sitzung – AG Übergänge Kita–Schule–Beruf"),
        (
            MeetingKind.EXTRAORDINARY,
            "5. Sitzung (außerordentlich) – AG Übergänge Kita–Schule–Beruf",
        ),
    ],
)
def test_meeting_title_pattern(db, kind, expected):
    assert naming.meeting_title("AG Übergänge Kita–Schule–Beruf", 5, kind) == expected
    long_name = "Gremium " + "x" * 300
    assert len(naming.meeting_title(long_name, 5, kind)) == naming.TITLE_LENGTH


def test_planner_form_and_demo_name_meetings_alike(demo, client, login):
    body = demo.session.scalar(sa.select(Body).where(Body.short_name == "BG"))
    for meeting in body.meetings:  # the demo
        assert meeting.title == naming.meeting_title(body.name, meeting.number, meeting.kind)
    assert body.meetings[0].title.startswith("Konstituierende Sitzung – Begleitgremium")
    assert body.meetings[1].title == f"2. Sitzung – {body.name}"
    secretary = demo.session.scalar(sa.select(User).where(User.email == "sekretariat@example.org"))
    planned = services.plan_year(secretary, body, dt.date.today().year + 3, 2, 6)
    assert [m.title for m in planned] == [f"{m.number}. Sitzung – {body.name}" for m in planned]
    demo.session.commit()
    # the new-meeting form: its placeholder is the title the next meeting gets, and left empty
    # the saved meeting has exactly that title
    client.post("/login", data={"email": "sekretariat@example.org", "password": DEMO_PASSWORD})
    form = client.get(f"/bodies/{body.id}/meetings/new").text
    next_title = f"{planned[-1].number + 1}. Sitzung – {body.name}"
    assert f'placeholder="{next_title}"' in form
    created = client.post(
        f"/bodies/{body.id}/meetings/new",
        data={
            "title": "",
            "kind": "regular",
            "date": (dt.date.today() + dt.timedelta(days=400)).isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert created.status_code == 302
    newest = demo.session.scalar(
        sa.select(Meeting).where(Meeting.body_id == body.id).order_by(Meeting.number.desc())
    )
    assert newest.title == next_title


def test_new_meeting_form_defaults_to_a_regular_meeting(world, client, login):
    login(world["secretary"].email)
    html = client.get(f"/bodies/{world['body'].id}/meetings/new").text
    selected = re.findall(
        r'<option[^>]*selected[^>]*value="([a-z]+)"|<option[^>]*value="([a-z]+)"[^>]*selected', html
    )
    assert [a or b for a, b in selected] == ["regular"]


def test_only_editors_reach_the_invitation_page(world, client, login, db):
    meeting = world["meeting"]
    login(world["member"].email)
    assert client.get(f"/meetings/{meeting.id}/invite").status_code == 403
    assert client.post(f"/meetings/{meeting.id}/invite", data={"confirm": "yes"}).status_code == 403
    assert db.session.query(OutboxMessage).count() == 0
    # once held, the page is not offered: back to the meeting with the reason
    client.post("/logout")
    login(world["secretary"].email)
    db.session.get(Meeting, meeting.id).status = MeetingStatus.HELD
    db.session.commit()
    answer = client.get(f"/meetings/{meeting.id}/invite", follow_redirects=True)
    assert "Einladungen können nur vor der Sitzung versandt werden." in answer.text
    assert client.post(f"/meetings/{meeting.id}/invite", data={"confirm": "yes"}).status_code == 302
    assert db.session.query(OutboxMessage).count() == 0


def test_confirmations_in_english(world, client, login, db):
    meeting = world["meeting"]
    login(world["secretary"].email)
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/meetings/{meeting.id}/invite").text
    assert "Send invitations?" in page and "Send 3 invitations now" in page
    overview = client.get(f"/meetings/{meeting.id}").text
    assert "Yes, cancel this meeting" in overview
    asked = client.post(
        f"/meetings/{meeting.id}/edit",
        data={
            "title": meeting.title,
            "kind": "regular",
            "date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
            "start_time": "10:00",
            "end_time": "12:00",
            "lock_version": "0",
        },
    )
    assert asked.status_code == 422
    assert "lies in the past" in asked.text
    assert "Yes, move the meeting to this date in the past" in asked.text
    missing = client.get(f"/meetings/{meeting.id}/attachments.zip")
    assert missing.status_code == 404 and "no attachments yet" in missing.text
