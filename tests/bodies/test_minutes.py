"""Attendance and quorum, votes, minutes workflow, optimistic locking, action items carried over."""

from __future__ import annotations

import datetime as dt

import pytest

from govtool.auth.models import Role
from govtool.bodies import agenda, approval, minutes
from govtool.bodies.agenda_models import ItemKind
from govtool.bodies.minutes_models import ActionStatus, Presence, VoteResult
from govtool.bodies.models import MeetingStatus, MembershipRole
from govtool.core.errors import Conflict, PermissionDenied, ValidationError

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def setting(db):
    """A body with secretary, chair, three voting members and a permanent guest; a past meeting."""
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    members = [make_member_user(body, MembershipRole.MEMBER)[0] for _ in range(3)]
    make_member_user(body, MembershipRole.PERMANENT_GUEST)
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=2))
    minutes.ensure_participants(meeting)
    return body, secretary, chair, members, meeting


def _attend(meeting, secretary, present_names):
    entries = {
        p.id: {"presence": "present" if p.name in present_names else "excused"}
        for p in meeting.participants
    }
    minutes.record_attendance(secretary, meeting, entries)


def _topic(meeting, secretary):
    meeting.status = MeetingStatus.PLANNED
    item = agenda.add_item(secretary, meeting, {"title": "Bildungsbericht", "is_public": True})
    return item


def test_quorum_counts_voting_members_present_or_represented(setting):
    body, secretary, chair, members, meeting = setting
    names = {p.name for p in meeting.participants}
    voters = [p for p in meeting.participants if p.has_voting_right]
    assert len(voters) == 4  # chair and three members; secretary and guest do not vote
    assert len(names) == 6
    _attend(meeting, secretary, {voters[0].name, voters[1].name})
    result = minutes.quorum(meeting)
    assert (result.present_voting, result.voting_total, result.is_met) == (2, 4, False)
    entries = {voters[2].id: {"presence": "represented", "represented_by": "Herr Vertreter"}}
    minutes.record_attendance(secretary, meeting, entries)
    result = minutes.quorum(meeting)
    assert (result.present_voting, result.is_met) == (3, True)
    assert meeting.status is MeetingStatus.HELD
    with pytest.raises(ValidationError):
        minutes.record_attendance(secretary, meeting, {voters[3].id: {"presence": "represented"}})


def test_a_vote_with_more_votes_than_voting_members_present_is_refused(setting):
    body, secretary, chair, members, meeting = setting
    item = _topic(meeting, secretary)
    voters = [p for p in meeting.participants if p.has_voting_right]
    _attend(meeting, secretary, {v.name for v in voters[:3]})
    with pytest.raises(ValidationError) as error:
        minutes.add_decision(
            secretary,
            item,
            {"text": "Beschluss", "votes_yes": 3, "votes_no": 1, "result": "adopted"},
        )
    assert "3" in error.value.message and "4" in error.value.message
    decision = minutes.add_decision(
        secretary,
        item,
        {
            "text": "Der Bericht wird zustimmend zur Kenntnis genommen.",
            "votes_yes": 2,
            "votes_no": 0,
            "votes_abstain": 1,
            "result": "adopted",
        },
    )
    assert decision.reference == f"{body.short_name}-{meeting.date.year}/01"
    second = minutes.add_decision(secretary, item, {"text": "Zweiter", "result": "noted"})
    assert second.reference.endswith("/02") and second.result is VoteResult.NOTED
    assert meeting.status is MeetingStatus.MINUTES_DRAFT


def test_approved_minutes_are_locked_and_corrections_are_amendments(setting):
    body, secretary, chair, members, meeting = setting
    item = _topic(meeting, secretary)
    meeting.status = MeetingStatus.HELD
    minutes.save_item_minutes(secretary, item, "Notizen", "Ergebnis", 0)
    minutes.circulate_minutes(secretary, meeting)
    assert meeting.status is MeetingStatus.MINUTES_CIRCULATED
    comment = minutes.add_comment(members[0], item, "Bitte Zahl korrigieren.")
    assert comment.id
    approval.approve_by_chair(chair, meeting, "Eilbedürftig")
    assert meeting.minutes_locked and chair.display_name in meeting.approval_note
    with pytest.raises(ValidationError):
        minutes.save_item_minutes(secretary, item, "Neu", "", item.minutes_version)
    with pytest.raises(ValidationError):
        minutes.add_decision(secretary, item, {"text": "Spät", "result": "noted"})
    with pytest.raises(ValidationError):
        minutes.add_action_item(secretary, item, {"task": "x", "responsible_organisation_id": 1})
    with pytest.raises(PermissionDenied):
        minutes.add_comment(members[0], item, "Zu spät")
    amendment = minutes.add_amendment(
        secretary, meeting, "Zahl lautet 12, nicht 21.", "Tippfehler", item.id
    )
    assert amendment.id and item.notes == "Notizen"


def test_members_comment_but_do_not_edit(setting):
    body, secretary, chair, members, meeting = setting
    item = _topic(meeting, secretary)
    with pytest.raises(PermissionDenied):
        minutes.save_item_minutes(members[0], item, "x", "", 0)
    with pytest.raises(PermissionDenied):
        approval.approve_by_chair(members[0], meeting, "Weil")
    meeting.status = MeetingStatus.HELD
    minutes.save_item_minutes(secretary, item, "Notizen", "", 0)
    with pytest.raises(PermissionDenied):  # not circulated yet
        minutes.add_comment(members[0], item, "Früh")
    minutes.circulate_minutes(secretary, meeting)
    assert minutes.add_comment(members[0], item, "Passt.").text == "Passt."


def test_second_writer_of_the_same_version_gets_a_conflict(setting):
    body, secretary, chair, members, meeting = setting
    item = _topic(meeting, secretary)
    meeting.status = MeetingStatus.HELD
    minutes.save_item_minutes(secretary, item, "Erster Text", "", 0)
    with pytest.raises(Conflict):
        minutes.save_item_minutes(chair, item, "Zweiter Text", "", 0)
    assert item.notes == "Erster Text" and item.minutes_version == 1


def test_open_action_items_carry_over_to_the_next_agenda(setting):
    body, secretary, chair, members, meeting = setting
    item = _topic(meeting, secretary)
    meeting.status = MeetingStatus.HELD
    person = members[0].person
    open_item = minutes.add_action_item(
        secretary,
        item,
        {
            "task": "Datenliste abstimmen",
            "responsible_person_id": person.id,
            "due_date": dt.date.today() + dt.timedelta(days=20),
        },
    )
    done_item = minutes.add_action_item(
        secretary, item, {"task": "Erledigt", "responsible_person_id": person.id}
    )
    minutes.set_action_status(members[0], done_item, "done")
    assert done_item.status is ActionStatus.DONE and done_item.closed_at
    nxt = make_meeting(body, dt.date.today() + dt.timedelta(days=60))
    carried = minutes.carried_over_action_items(nxt)
    assert [a.id for a in carried] == [open_item.id]
    assert any(i.kind is ItemKind.OPEN_ACTIONS for i in nxt.agenda_items)
    assert minutes.carried_over_action_items(meeting) == []
    with pytest.raises(PermissionDenied):
        minutes.set_action_status(members[1], open_item, "done")


def test_invitee_answers_and_attendance_values(setting):
    body, secretary, chair, members, meeting = setting
    meeting.status = MeetingStatus.INVITED
    mine = next(p for p in meeting.participants if p.person_id == members[0].person_id)
    minutes.respond(members[0], mine, "sends_deputy", "Frau Vertretung")
    assert mine.deputy_name == "Frau Vertretung"
    other = next(p for p in meeting.participants if p.person_id == members[1].person_id)
    with pytest.raises(PermissionDenied):
        minutes.respond(members[0], other, "declined")
    assert minutes.respond_by_token(other.response_token, "declined").response.value == "declined"
    minutes.record_attendance(secretary, meeting, {mine.id: {"presence": "represented"}})
    assert mine.presence is Presence.REPRESENTED and mine.represented_by == "Frau Vertretung"
