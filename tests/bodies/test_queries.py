"""Pages stay fast: the number of queries does not grow with the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from govtool.auth.models import Role
from govtool.bodies import agenda, minutes
from govtool.bodies.models import MeetingStatus, MembershipRole
from govtool.extensions import db as _db

from .factories import make_body, make_meeting, make_member_user


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


def _count(client, url: str) -> int:
    counter = QueryCounter()
    event.listen(_db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", counter)
    return counter.count


def _grow(body, meeting, secretary, n: int) -> None:
    for i in range(n):
        meeting.status = MeetingStatus.HELD  # a decision moves it to draft minutes
        make_member_user(body, MembershipRole.MEMBER)
        item = agenda.add_item(secretary, meeting, {"title": f"Punkt {i}", "is_public": True})
        minutes.add_decision(secretary, item, {"text": f"Beschluss {i}", "result": "noted"})
        minutes.add_action_item(
            secretary, item, {"task": f"Aufgabe {i}", "responsible_person_id": secretary.person_id}
        )
    minutes.ensure_participants(meeting)


@pytest.mark.parametrize("path", ["meeting", "item", "attendance", "minutes", "body", "actions"])
def test_query_count_does_not_grow_with_rows(db, client, login, path):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=1))
    _grow(body, meeting, secretary, 3)
    db.session.commit()
    first_topic = next(i for i in meeting.agenda_items if i.title == "Punkt 0")
    url = {
        "meeting": f"/meetings/{meeting.id}",
        "item": f"/meetings/{meeting.id}/items/{first_topic.id}",
        "attendance": f"/meetings/{meeting.id}/attendance",
        "minutes": f"/meetings/{meeting.id}/minutes",
        "body": f"/bodies/{body.id}",
        "actions": "/actions/",
    }[path]
    login(secretary.email)
    small = _count(client, url)
    _grow(body, meeting, secretary, 12)
    db.session.commit()
    large = _count(client, url)
    assert large == small, f"{path}: {small} queries with 3 rows, {large} with 15"
    assert large <= 15, f"{path}: {large} queries"
    print(f"{path}: {large} queries")  # noqa: T201 - figure for the report
