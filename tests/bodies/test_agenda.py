"""Agenda: numbering with sub-items, moving, deferring, copying, sanitised Markdown."""

from __future__ import annotations

import datetime as dt

import pytest

from govtool.auth.models import Role
from govtool.bodies import agenda, minutes
from govtool.bodies.models import MembershipRole
from govtool.core.errors import ValidationError

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def setting(db):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=20))
    return body, secretary, meeting


def _numbers(meeting):
    return [(i.number, i.title) for i in sorted(meeting.agenda_items, key=lambda i: i.position)]


def test_items_are_numbered_with_sub_items_and_move(setting):
    body, secretary, meeting = setting
    report = agenda.add_item(secretary, meeting, {"title": "Bericht"})
    agenda.add_item(secretary, meeting, {"title": "Haushalt"})
    agenda.add_item(secretary, meeting, {"title": "Teil A", "parent_id": report.id})
    agenda.add_item(secretary, meeting, {"title": "Teil B", "parent_id": report.id})
    numbers = _numbers(meeting)
    assert numbers[4:8] == [
        ("5", "Bericht"),
        ("5.1", "Teil A"),
        ("5.2", "Teil B"),
        ("6", "Haushalt"),
    ]  # noqa: E501
    assert numbers[-1][0] == "7"
    agenda.move_item(secretary, report, "down")  # sub-items move with their parent
    assert _numbers(meeting)[4:8] == [
        ("5", "Haushalt"),
        ("6", "Bericht"),
        ("6.1", "Teil A"),
        ("6.2", "Teil B"),
    ]
    with pytest.raises(ValidationError):
        agenda.delete_item(secretary, meeting.agenda_items[0])  # a standing item


def test_defer_moves_the_item_with_sub_items_to_the_next_meeting(setting):
    body, secretary, meeting = setting
    item = agenda.add_item(secretary, meeting, {"title": "Vertagt"})
    agenda.add_item(secretary, meeting, {"title": "Unterpunkt", "parent_id": item.id})
    with pytest.raises(ValidationError):  # no next meeting yet
        agenda.defer_item(secretary, item)
    later = make_meeting(body, dt.date.today() + dt.timedelta(days=100))
    target = agenda.defer_item(secretary, item)
    assert target.id == later.id
    assert ("5", "Vertagt") in _numbers(later) and ("5.1", "Unterpunkt") in _numbers(later)
    assert all(title != "Vertagt" for _, title in _numbers(meeting))


def test_copy_topics_from_a_template_agenda(setting):
    body, secretary, meeting = setting
    agenda.add_item(secretary, meeting, {"title": "Jahresplanung", "presenter": "Vorsitz"})
    other = make_meeting(body, dt.date.today() + dt.timedelta(days=120))
    assert agenda.copy_agenda(secretary, other, meeting) == 1
    assert ("5", "Jahresplanung") in _numbers(other)


def test_markdown_is_sanitised():
    html = str(
        agenda.render_markdown("**fett** <script>alert(1)</script> [x](javascript:alert(1))")
    )
    assert "<strong>fett</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_a_guest_is_invited_for_one_item(setting):
    body, secretary, meeting = setting
    item = agenda.add_item(secretary, meeting, {"title": "Fachgespräch"})
    guest = minutes.add_guest(
        secretary,
        meeting,
        {"name": "Prof. Gast", "organisation_name": "Uni", "agenda_item_id": item.id},
    )
    assert guest.is_guest and not guest.has_voting_right and guest.agenda_item_id == item.id
