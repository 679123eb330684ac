"""Writes through the API: attendance by the body's editors, an action item's status by its
assignee; each through the page's service and rule, audited as the token's user."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from govtool.auth.models import Role, User
from govtool.bodies.minutes_models import ActionItem, ActionStatus, Participant, Presence
from govtool.bodies.models import Meeting
from govtool.core.audit import AuditEntry
from govtool.core.models import utcnow
from govtool.core.permissions import can
from govtool.extensions import db
from tests.api.conftest import bearer
from tests.factories import make_user


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _running_meeting() -> Meeting:
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.status == "planned"))
    meeting.start_at = utcnow() - dt.timedelta(hours=1)
    meeting.end_at = utcnow() + dt.timedelta(hours=1)
    db.session.commit()
    return meeting


def test_the_bodys_secretary_records_attendance(client, demo, token_for):
    meeting = _running_meeting()
    secretary = _user("sekretariat@example.org")
    headers = bearer(token_for(secretary))
    body = {"entries": []}
    response = client.put(f"/api/v1/meetings/{meeting.id}/attendance", headers=headers, json=body)
    assert response.status_code == 200, response.json
    participants = response.json
    assert participants  # the members were put on the list
    first = participants[0]["id"]
    body = {"entries": [{"participant_id": first, "presence": "present"}]}
    response = client.put(f"/api/v1/meetings/{meeting.id}/attendance", headers=headers, json=body)
    assert response.status_code == 200
    assert db.session.get(Participant, first).presence is Presence.PRESENT
    audited = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.object_type == "Participant", AuditEntry.object_id == str(first)
        )
    ).all()
    assert audited and {a.user_id for a in audited} == {secretary.id}
    # bad input: 422, never 500
    body = {"entries": [{"participant_id": first, "presence": "asleep"}]}
    response = client.put(f"/api/v1/meetings/{meeting.id}/attendance", headers=headers, json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_who_is_no_editor_cannot_record_attendance(client, demo, token_for):
    meeting = _running_meeting()
    halle = _user("halle@example.org")
    headers = bearer(token_for(halle))
    body = {"entries": []}
    response = client.put(f"/api/v1/meetings/{meeting.id}/attendance", headers=headers, json=body)
    expected = 403 if can(halle, "meeting.read_internal", meeting) else 404
    assert not can(halle, "meeting.edit", meeting)
    assert response.status_code == expected
    assert response.mimetype == "application/problem+json"


def test_the_assignee_sets_an_action_items_status(client, demo, token_for):
    action = db.session.scalar(sa.select(ActionItem).where(ActionItem.status == "open"))
    assignee = make_user(roles=(Role.MEMBER,), person_id=action.responsible_person_id)
    stranger = _user("halle@example.org")
    db.session.commit()
    assert can(assignee, "action.edit", action) and not can(stranger, "action.edit", action)
    response = client.put(
        f"/api/v1/action-items/{action.id}/status",
        headers=bearer(token_for(stranger)),
        json={"status": "done"},
    )
    assert response.status_code == (403 if can(stranger, "action.view", action) else 404)
    assert db.session.get(ActionItem, action.id).status is ActionStatus.OPEN
    response = client.put(
        f"/api/v1/action-items/{action.id}/status",
        headers=bearer(token_for(assignee)),
        json={"status": "done"},
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "done"
    db.session.expire_all()
    assert db.session.get(ActionItem, action.id).status is ActionStatus.DONE
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "ActionItem", AuditEntry.object_id == str(action.id))
        .order_by(AuditEntry.id.desc())
    )
    assert entry.user_id == assignee.id
