"""Issue 12 in a real browser: the secretary invites the demo's planned meeting (after the
confirmation page), moves it and changes its place, then cancels it (after ticking the
confirmation). Every invitee's mail is read back from a real SMTP server the live app sends to,
its .ics parsed with icalendar: same UID, SEQUENCE + 1 per change, REQUEST then CANCEL; the
.ics before invitations is PUBLISH without ATTENDEE."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import icalendar
import pytest
import sqlalchemy as sa

from govtool.bodies.minutes_models import Participant
from govtool.bodies.models import Body, Meeting, MeetingStatus
from govtool.core.formatting import BERLIN
from govtool.core.mail import OutboxMessage
from govtool.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("demo")


@pytest.fixture()
def inbox(live_app, smtp_server):
    """The live server's mail goes to a real SMTP server on loopback; yields its inbox."""
    controller, received = smtp_server
    live_app.config.update(GOVTOOL_SMTP_HOST="127.0.0.1", GOVTOOL_SMTP_PORT=controller.port)
    try:
        yield received
    finally:
        live_app.config.update(GOVTOOL_SMTP_HOST="", GOVTOOL_SMTP_PORT=25)


def _download_ics(page) -> icalendar.Calendar:
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Kalendereintrag (.ics)").click()
    return icalendar.Calendar.from_ical(Path(download_info.value.path()).read_bytes())


def _mails(inbox) -> dict[str, tuple[object, icalendar.Calendar]]:
    """recipient -> (message, its attached calendar), for every mail received."""
    found = {}
    for envelope in inbox.messages:
        message = message_from_bytes(envelope.content, policy=default_policy)
        (ics,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
        for recipient in envelope.rcpt_tos:
            assert recipient not in found, f"{recipient} got two mails"
            found[recipient] = (message, icalendar.Calendar.from_ical(ics.get_content()))
    return found


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    return calendar.walk("VEVENT")[0]


def test_invited_meeting_moved_and_cancelled_tells_every_invitee(
    page, browser_login, axe_check, db, inbox
):
    body = db.session.scalar(sa.select(Body).where(Body.short_name == "BG"))
    meeting = db.session.scalar(
        sa.select(Meeting).where(
            Meeting.body_id == body.id, Meeting.status == MeetingStatus.PLANNED
        )
    )
    meeting_id, old_day = meeting.id, meeting.date
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    page.goto(f"/meetings/{meeting_id}")
    page.get_by_role(
        "heading", name=re.compile(r"^5\. Sitzung – Begleitgremium"), level=1
    ).wait_for()

    # Before invitations: published, nobody named.
    published = _download_ics(page)
    assert str(published["METHOD"]) == "PUBLISH"
    assert "ATTENDEE" not in _event(published) and "ORGANIZER" in _event(published)
    uid = str(_event(published)["UID"])

    # Invitations go out from the confirmation page.
    page.get_by_role("link", name="Einladungen versenden").click()
    page.get_by_role("heading", name="Einladungen versenden?", level=1).wait_for()
    assert page.get_by_role("cell", name="k.wagner@mb.example.org").is_visible()
    axe_check("invitation confirmation")
    assert inbox.messages == []  # the page itself sends nothing
    page.get_by_role("button", name=re.compile(r"Einladungen jetzt versenden")).click()
    page.get_by_text(re.compile(r"\d+ Einladungen versandt\.")).wait_for()
    db.session.rollback()
    invitees = set(
        db.session.scalars(
            sa.select(Participant.email).where(
                Participant.meeting_id == meeting_id, Participant.email != ""
            )
        )
    )
    assert len(invitees) >= 10 and set(_mails(inbox)) == invitees
    requested = _download_ics(page)
    assert str(requested["METHOD"]) == "REQUEST"
    event = _event(requested)
    assert str(event["UID"]) == uid
    assert {str(a).removeprefix("mailto:") for a in event.get("ATTENDEE")} == invitees
    sequence = int(event["SEQUENCE"])

    # Rescheduled by a week and moved to another place.
    inbox.messages.clear()
    new_day = old_day + dt.timedelta(days=7)
    page.get_by_role("link", name="Bearbeiten oder verlegen").click()
    page.get_by_text("Die Einladungen sind versandt").wait_for()
    axe_check("edit an invited meeting")
    page.get_by_label("Datum").fill(new_day.isoformat())
    page.get_by_label("Ort", exact=True).fill("Halle (Saale), Ratshof, Raum 1.12")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Alle Eingeladenen haben die Änderung").wait_for()
    mails = _mails(inbox)
    assert set(mails) == invitees
    old, new = old_day.strftime("%d.%m.%Y"), new_day.strftime("%d.%m.%Y")
    for message, calendar in mails.values():
        assert str(calendar["METHOD"]) == "REQUEST"
        event = _event(calendar)
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1
        assert event["DTSTART"].dt == dt.datetime.combine(new_day, dt.time(10, 0), BERLIN)
        assert "Halle (Saale), Ratshof" in str(event["LOCATION"])
        assert message["Subject"].startswith("Geändert: 5. Sitzung – Begleitgremium")
        text = message.get_body(("plain",)).get_content()
        assert f"Termin: {old}, 10:00–13:00 Uhr → {new}, 10:00–13:00 Uhr" in text
        assert "→ Halle (Saale), Ratshof, Raum 1.12" in text
    db.session.rollback()
    updates = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.subject.like("Geändert:%"))
    ).all()
    assert {m.recipient for m in updates} == invitees
    assert {m.attachment_names for m in updates} == {"aenderung.ics"}
    assert {m.status for m in updates} == {"sent"}

    # Cancelling needs the box ticked: the browser refuses the form without it.
    inbox.messages.clear()
    page.get_by_label("Grund der Absage").fill("Erkrankung der Vorsitzenden")
    page.get_by_role("button", name="Sitzung absagen").click()
    assert page.locator("#confirm").evaluate("box => box.validity.valueMissing")
    assert inbox.messages == []
    page.get_by_label("Ja, diese Sitzung absagen").check()
    page.get_by_role("button", name="Sitzung absagen").click()
    page.get_by_text("Sitzung abgesagt.").wait_for()
    mails = _mails(inbox)
    assert set(mails) == invitees
    for message, calendar in mails.values():
        assert str(calendar["METHOD"]) == "CANCEL"
        event = _event(calendar)
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 2
        assert str(event["STATUS"]) == "CANCELLED"
        assert "Erkrankung der Vorsitzenden" in message.get_body(("plain",)).get_content()
    assert str(_download_ics(page)["METHOD"]) == "CANCEL"
