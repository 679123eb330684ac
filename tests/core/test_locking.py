"""Optimistic locking (core.locking): two sessions open the same document's form and both save;
the first save stays, the second gets 409 with the saved text beside its own and keeps its
input in the form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.agreements.models import Agreement
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.models import Meeting, MeetingStatus
from govtool.catalogue.models import CatalogueEntry
from govtool.demo import DEMO_PASSWORD
from tests.html_helpers import form_with


def edit_form(client, url: str) -> dict[str, list[str]]:
    """The edit form of `url` (the POST form carrying lock_version) as a browser sends it."""
    response = client.get(url)
    assert response.status_code == 200, url
    return form_with(response.get_data(as_text=True), "lock_version")


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _two_saves(app, url, email, field, first_text, second_text):
    """Two sessions load `url`; both change `field` and save. Returns both responses."""
    first, second = signed_in(app, email), signed_in(app, email)
    first_form, second_form = edit_form(first, url), edit_form(second, url)
    first_form[field] = [first_text]
    second_form[field] = [second_text]
    return first.post(url, data=first_form), second.post(url, data=second_form), second


def _assert_conflict(response, saved_text, own_text):
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "conflict-saved" in html and saved_text in html
    # the sender's text is shown beside the saved one and kept in the form below
    assert html.count(own_text) >= 2


@pytest.fixture()
def demo_app(app, demo):
    return app


def _resubmit(client, response, url, field, text):
    form = form_with(response.get_data(as_text=True), "lock_version")
    form[field] = [text]
    return client.post(url, data=form)


def test_agreement_draft_second_save_gets_409_and_first_save_stays(demo_app, db):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.number == "KV-2022-001"))
    url = f"/agreements/{agreement.id}/versions/1/edit"
    one, two, second = _two_saves(
        demo_app, url, "sekretariat@example.org", "subject", "Text von A", "Text von B"
    )
    assert one.status_code == 302
    _assert_conflict(two, "Text von A", "Text von B")
    db.session.expire_all()
    assert agreement.latest_version.subject == "Text von A"
    merged = _resubmit(second, two, url, "subject", "Text von A und B")
    assert merged.status_code == 302
    db.session.expire_all()
    assert agreement.latest_version.subject == "Text von A und B"


def test_catalogue_entry_second_save_gets_409_and_first_save_stays(demo_app, db):
    entry = db.session.scalar(
        sa.select(CatalogueEntry).where(CatalogueEntry.identifier == "DX-2025-006")
    )
    url = f"/catalogue/{entry.id}/edit"
    one, two, second = _two_saves(
        demo_app, url, "halle@example.org", "purpose", "Zweck von A", "Zweck von B"
    )
    assert one.status_code == 302
    _assert_conflict(two, "Zweck von A", "Zweck von B")
    db.session.expire_all()
    assert entry.latest_version.purpose == "Zweck von A"
    assert _resubmit(second, two, url, "purpose", "Zweck A+B").status_code == 302
    db.session.expire_all()
    assert entry.latest_version.purpose == "Zweck A+B"


def _planned_meeting(db) -> Meeting:
    return db.session.scalar(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.PLANNED).order_by(Meeting.id)
    )


def test_meeting_second_save_gets_409_and_first_save_stays(demo_app, db):
    meeting = _planned_meeting(db)
    url = f"/meetings/{meeting.id}/edit"
    one, two, second = _two_saves(
        demo_app, url, "sekretariat@example.org", "location", "Raum A 101", "Raum B 202"
    )
    assert one.status_code == 302
    _assert_conflict(two, "Raum A 101", "Raum B 202")
    db.session.expire_all()
    assert meeting.location == "Raum A 101"
    assert _resubmit(second, two, url, "location", "Raum A 101/B 202").status_code == 302
    db.session.expire_all()
    assert meeting.location == "Raum A 101/B 202"


def test_agenda_item_second_save_gets_409_and_first_save_stays(demo_app, db):
    meeting = _planned_meeting(db)
    item = meeting.agenda_items[-1]
    url = f"/meetings/{meeting.id}/items/{item.id}/edit"
    one, two, second = _two_saves(
        demo_app, url, "sekretariat@example.org", "description", "Beschreibung A", "Beschreibung B"
    )
    assert one.status_code == 302
    _assert_conflict(two, "Beschreibung A", "Beschreibung B")
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).description == "Beschreibung A"
    assert _resubmit(second, two, url, "description", "A und B").status_code == 302
    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).description == "A und B"


def test_one_session_saving_twice_in_a_row_is_no_conflict(demo_app, db):
    meeting = _planned_meeting(db)
    url = f"/meetings/{meeting.id}/edit"
    client = signed_in(demo_app, "sekretariat@example.org")
    for place in ("Raum 1", "Raum 2"):
        form = edit_form(client, url)
        form["location"] = [place]
        assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert meeting.location == "Raum 2" and meeting.lock_version == 2


def test_garbled_version_is_a_conflict_not_a_500(demo_app, db):
    meeting = _planned_meeting(db)
    url = f"/meetings/{meeting.id}/edit"
    client = signed_in(demo_app, "sekretariat@example.org")
    form = edit_form(client, url)
    form["lock_version"] = ["x" * 30]
    form["location"] = ["Irgendwo"]
    response = client.post(url, data=form)
    assert response.status_code == 409
    assert "Irgendwo" in response.get_data(as_text=True)


def test_claim_sees_a_save_committed_after_the_form_was_checked(demo_app, db):
    """The race between check and write: another session commits a save after this one loaded
    the row; the in-memory version still matches the form, the conditional UPDATE does not."""
    from govtool.core.errors import Conflict
    from govtool.core.locking import claim

    meeting = _planned_meeting(db)
    loaded = meeting.lock_version
    with db.engine.begin() as other:
        other.execute(
            sa.update(Meeting).where(Meeting.id == meeting.id).values(lock_version=loaded + 1)
        )
    assert meeting.lock_version == loaded  # what this session believes
    with pytest.raises(Conflict):
        claim(meeting, loaded)
    db.session.rollback()


def test_unrelated_writes_do_not_turn_into_conflicts(demo_app, db):
    """Only the saves of the document's own form claim its version: renumbering the agenda (an
    item added before this one) does not make the open edit form of this item stale."""
    meeting = _planned_meeting(db)
    item = meeting.agenda_items[-1]
    url = f"/meetings/{meeting.id}/items/{item.id}/edit"
    editor = signed_in(demo_app, "sekretariat@example.org")
    form = edit_form(editor, url)
    other = signed_in(demo_app, "sekretariat@example.org")
    added = other.post(f"/meetings/{meeting.id}/items", data={"title": "Neuer Punkt"})
    assert added.status_code == 302
    form["presenter"] = ["Frau Beispiel"]
    assert editor.post(url, data=form).status_code == 302


def test_a_rule_conflict_is_a_message_not_a_comparison(demo_app, db):
    """An entry in review refuses changes with a plain Conflict (409 and its message); only a
    lost race (EditConflict) gets the comparison of both texts."""
    entry = db.session.scalar(
        sa.select(CatalogueEntry).where(CatalogueEntry.identifier == "DX-2025-009")
    )
    url = f"/catalogue/{entry.id}/edit"
    client = signed_in(demo_app, "admin@example.org")
    form = edit_form(client, url)
    form["purpose"] = ["Geändert"]
    response = client.post(url, data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "conflict-saved" not in html and "Prüfung" in html
