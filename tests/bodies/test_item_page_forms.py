"""The agenda item page loses nothing typed (issue 12): its notes, decision, action item and
comment fields are one form; each button saves the notes with its record and keeps what was
typed into the other parts."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from govtool.auth.models import Role
from govtool.bodies import minutes
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.minutes_models import ActionItem, Decision, MinutesComment
from govtool.bodies.models import MeetingStatus, MembershipRole

from .factories import make_body, make_meeting, make_member_user

NOTES = "Frau Richter berichtet über den Stand der Datenlieferung."


@pytest.fixture()
def item_page(db):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=1))
    meeting.status = MeetingStatus.HELD
    item = meeting.agenda_items[0]
    db.session.commit()
    base = f"/meetings/{meeting.id}/items/{item.id}"
    return {
        "secretary": secretary,
        "member": member,
        "meeting": meeting,
        "item": item,
        "base": base,
    }


def _fresh(db, item_id) -> AgendaItem:
    db.session.expire_all()
    return db.session.get(AgendaItem, item_id)


def test_recording_a_decision_saves_the_notes_typed_beside_it(item_page, client, login, db):
    login(item_page["secretary"].email)
    response = client.post(
        f"{item_page['base']}/decisions",
        data={
            "minutes-notes": NOTES,
            "minutes-result": "",
            "minutes-version": "0",
            "decision-text": "Der Bericht wird zur Kenntnis genommen.",
            "decision-result": "noted",
            "action-task": "",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#decisions")
    item = _fresh(db, item_page["item"].id)
    assert item.notes == NOTES and item.minutes_version == 1
    assert db.session.scalar(sa.select(Decision.text)) == "Der Bericht wird zur Kenntnis genommen."
    page = client.get(item_page["base"]).get_data(as_text=True)
    assert "Niederschrift zu TOP 1 gespeichert." in page and NOTES in page


def test_unchanged_notes_are_not_saved_again(item_page, client, login, db):
    item = item_page["item"]
    minutes.save_item_minutes(item_page["secretary"], item, "Zeile 1\nZeile 2", "", 0)
    db.session.commit()
    login(item_page["secretary"].email)
    response = client.post(
        f"{item_page['base']}/actions",
        data={
            "minutes-notes": "Zeile 1\r\nZeile 2",  # as a browser sends the textarea back
            "minutes-version": "1",
            "action-task": "Zahlen nachreichen",
            "action-responsible_person_id": str(item_page["secretary"].person_id),
        },
    )
    assert response.status_code == 302
    assert _fresh(db, item.id).minutes_version == 1
    assert db.session.scalar(sa.select(ActionItem.task)) == "Zahlen nachreichen"


def test_a_refused_decision_keeps_the_notes_and_saves_nothing(item_page, client, login, db):
    login(item_page["secretary"].email)
    response = client.post(
        f"{item_page['base']}/decisions",
        data={
            "minutes-notes": NOTES,
            "minutes-version": "0",
            "decision-text": "",
            "decision-result": "adopted",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert NOTES in html and "data-unsaved" in html  # kept, and marked as not saved
    assert _fresh(db, item_page["item"].id).notes == ""
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0


def test_saving_the_notes_keeps_a_decision_typed_but_not_recorded(item_page, client, login, db):
    login(item_page["secretary"].email)
    response = client.post(
        f"{item_page['base']}/minutes",
        data={
            "minutes-notes": NOTES,
            "minutes-version": "0",
            "decision-text": "Entwurf eines Beschlusses",
            "action-task": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Niederschrift zu TOP 1 gespeichert." in html
    assert "Entwurf eines Beschlusses</textarea>" in html and "data-unsaved" in html
    assert 'name="minutes-version" type="hidden" value="1"' in html
    assert _fresh(db, item_page["item"].id).notes == NOTES
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0


def test_a_conflict_on_the_notes_records_nothing_and_keeps_everything(item_page, client, login, db):
    item = item_page["item"]
    minutes.save_item_minutes(item_page["secretary"], item, "Vorher gespeichert", "", 0)
    db.session.commit()
    login(item_page["secretary"].email)
    response = client.post(
        f"{item_page['base']}/decisions",
        data={
            "minutes-notes": NOTES,
            "minutes-version": "0",  # typed on the page before the other save
            "decision-text": "Beschluss mit veralteten Notizen",
            "decision-result": "adopted",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Vorher gespeichert" in html and NOTES in html
    assert "Beschluss mit veralteten Notizen</textarea>" in html
    assert html.count('class="conflict-saved"') == 1
    assert _fresh(db, item.id).notes == "Vorher gespeichert"
    assert db.session.scalar(sa.select(sa.func.count(Decision.id))) == 0


def test_a_member_comments_but_cannot_smuggle_notes(item_page, client, login, db):
    meeting = item_page["meeting"]
    minutes.save_item_minutes(item_page["secretary"], item_page["item"], "Notizen", "", 0)
    minutes.circulate_minutes(item_page["secretary"], meeting)
    db.session.commit()
    login(item_page["member"].email)
    page = client.get(item_page["base"]).get_data(as_text=True)
    assert 'name="comment-text"' in page and 'name="minutes-notes"' not in page
    url = f"{item_page['base']}/comments"
    crafted = {"comment-text": "Passt", "minutes-notes": "Umgeschrieben", "minutes-version": "1"}
    assert client.post(url, data=crafted).status_code == 403
    assert client.post(url, data={"comment-text": "Passt"}).status_code == 302
    assert _fresh(db, item_page["item"].id).notes == "Notizen"
    assert db.session.scalar(sa.select(MinutesComment.text)) == "Passt"
