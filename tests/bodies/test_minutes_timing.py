"""Minutes belong to a meeting that has begun: notes, results, decisions, attendance and
"held" are refused (422 with a message) for a meeting whose start is in the future, and the
pages hide their forms, by the one rule in bodies.permissions.minutes_refusal."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from govtool.auth.models import Role
from govtool.bodies import minutes, services
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.minutes_models import Decision
from govtool.bodies.models import Meeting, MeetingStatus, MembershipRole
from govtool.bodies.permissions import has_begun, minutes_refusal
from govtool.core.errors import ValidationError
from govtool.core.permissions import can

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def setting(db):
    """A body's secretary, an invited meeting tomorrow and a meeting held yesterday."""
    body = make_body(name="Begleitgremium Zeit", short_name="BGZ")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    make_member_user(body, MembershipRole.MEMBER)
    future = make_meeting(body, dt.date.today() + dt.timedelta(days=1))
    future.status = MeetingStatus.INVITED  # the finding: an invited meeting took minutes
    minutes.ensure_participants(future)
    past = make_meeting(body, dt.date.today() - dt.timedelta(days=1), number=2)
    minutes.ensure_participants(past)
    db.session.commit()
    return {"secretary": secretary, "future": future, "past": past}


def _login(client, login, setting):
    login(setting["secretary"].email)


def test_minutes_of_a_meeting_that_has_not_begun_are_refused(setting, client, login, db):
    meeting = setting["future"]
    item = meeting.agenda_items[0]
    _login(client, login, setting)
    base = f"/meetings/{meeting.id}"
    notes = client.post(
        f"{base}/items/{item.id}/minutes",
        data={"minutes-notes": "Vorab geschrieben", "minutes-version": "0"},
    )
    assert notes.status_code == 422
    assert "sobald die Sitzung begonnen hat" in notes.get_data(as_text=True)
    decision = client.post(
        f"{base}/items/{item.id}/decisions", data={"decision-text": "Vorab beschlossen"}
    )
    assert decision.status_code == 422
    participant = meeting.participants[0]
    attendance = client.post(f"{base}/attendance", data={f"presence-{participant.id}": "present"})
    assert attendance.status_code == 422
    held = client.post(f"{base}/held")
    assert held.status_code == 422
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).notes == ""
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.INVITED


def test_the_pages_hide_the_minutes_forms_until_the_meeting_begins(setting, client, login):
    _login(client, login, setting)
    for key, shown in (("future", False), ("past", True)):
        meeting = setting[key]
        item = meeting.agenda_items[0]
        page = client.get(f"/meetings/{meeting.id}/items/{item.id}").get_data(as_text=True)
        assert ('name="minutes-notes"' in page) is shown, key
        assert ('name="decision-text"' in page) is shown, key
        attendance = client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
        assert ('name="presence-' in attendance) is shown, key
        overview = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert (f"/meetings/{meeting.id}/held" in overview) is shown, key
    # invitees and guests can still be added before the meeting
    attendance = client.get(f"/meetings/{setting['future'].id}/attendance").get_data(as_text=True)
    assert "guest-heading" in attendance


def test_service_rule_and_page_rule_are_the_same(setting):
    secretary = setting["secretary"]
    for meeting in (setting["future"], setting["past"]):
        may = can(secretary, "meeting.write_minutes", meeting)
        assert may is (minutes_refusal(meeting) is None) is has_begun(meeting)
        item = meeting.agenda_items[0]
        if may:
            minutes.save_item_minutes(secretary, item, "Notiz", "", item.minutes_version)
        else:
            with pytest.raises(ValidationError):
                minutes.save_item_minutes(secretary, item, "Notiz", "", item.minutes_version)


def test_minutes_open_the_moment_the_meeting_starts(setting):
    meeting = setting["future"]
    assert minutes_refusal(meeting) is not None
    assert minutes_refusal(meeting, now=meeting.start_at) is None
    assert minutes_refusal(meeting, now=meeting.start_at - dt.timedelta(seconds=1))


def test_demo_meetings_in_the_future_have_no_minutes(demo, db):
    for meeting in db.session.scalars(sa.select(Meeting)):
        if not has_begun(meeting):
            assert meeting.status in (MeetingStatus.PLANNED, MeetingStatus.INVITED)
            assert not any(item.notes or item.result for item in meeting.agenda_items)
            assert not services.body_decisions(meeting.body) or all(
                d.meeting_id != meeting.id for d in services.body_decisions(meeting.body)
            )


def test_attendance_page_of_a_future_meeting_speaks_of_attendance(setting, client, login):
    """Seen in the browser: the attendance page said when the minutes can be written."""
    _login(client, login, setting)
    page = client.get(f"/meetings/{setting['future'].id}/attendance").get_data(as_text=True)
    assert "Die Anwesenheit wird erfasst, sobald die Sitzung begonnen hat." in page
    assert "Niederschrift kann geschrieben werden" not in page
