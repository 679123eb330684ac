"""The meeting pages and the services ask the same state rules of bodies/permissions.py: in every
meeting status, before and after the start, an editor is offered the agenda and minutes forms
exactly when the services accept the change, and a member reads the minutes as the rule says."""

from __future__ import annotations

import datetime as dt

import pytest

from govtool.auth.models import Role
from govtool.bodies import agenda, minutes
from govtool.bodies.models import MeetingStatus, MembershipRole
from govtool.core.errors import ValidationError
from govtool.core.permissions import can
from govtool.extensions import db

from .factories import make_body, make_meeting, make_member_user

CASES = [
    (status, days)
    for status in MeetingStatus
    for days in (-3, 3)  # begun three days ago, or begins in three days
    if not (days > 0 and status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED))
]


def _accepts(call) -> bool:
    savepoint = db.session.begin_nested()
    try:
        call()
    except ValidationError:
        return False
    finally:
        savepoint.rollback()
    return True


@pytest.mark.parametrize(("status", "days"), CASES)
def test_pages_offer_what_the_services_accept(db, client, login, status, days):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=days))
    item = next(i for i in meeting.agenda_items)
    meeting.status = status
    db.session.commit()

    may_edit_agenda = can(secretary, "meeting.edit_agenda", meeting)
    assert may_edit_agenda == _accepts(
        lambda: agenda.add_item(secretary, meeting, {"title": "Neu", "is_public": True})
    )
    may_write = can(secretary, "meeting.write_minutes", meeting)
    assert may_write == _accepts(
        lambda: minutes.save_item_minutes(secretary, item, "Notiz", "", item.minutes_version)
    )
    assert not may_write or can(secretary, "meeting.read_minutes", meeting)
    held = status not in (MeetingStatus.PLANNED, MeetingStatus.INVITED, MeetingStatus.CANCELLED)
    assert can(member, "meeting.read_minutes", meeting) == held
    url = f"/meetings/{meeting.id}/items/{item.id}"
    db.session.rollback()  # end the transaction before the request (SQLite locks the file)

    login(secretary.email)
    page = client.get(url).get_data(as_text=True)
    assert ('name="minutes-notes"' in page) == may_write, (status, days)
    assert ('name="upload-file"' in page) == may_edit_agenda, (status, days)


def _accepts_any_refusal(call) -> bool:
    from govtool.core.errors import DomainError

    savepoint = db.session.begin_nested()
    try:
        call()
    except DomainError:
        return False
    finally:
        savepoint.rollback()
    return True


@pytest.mark.parametrize("status", list(MeetingStatus))
def test_guest_amendment_and_answer_forms_follow_the_service_rules(db, status):
    """Guests, amendments and invitees' answers: the rule the pages ask (meeting.add_participants,
    meeting.amend_minutes, answers_refusal) is the one the services enforce."""
    from govtool.bodies.permissions import answers_refusal

    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=3))
    minutes.ensure_participants(meeting)
    meeting.status = status  # MINUTES_APPROVED is the locked state
    db.session.commit()

    assert can(secretary, "meeting.add_participants", meeting) == _accepts_any_refusal(
        lambda: minutes.add_guest(secretary, meeting, {"name": "Gast"})
    )
    assert can(secretary, "meeting.amend_minutes", meeting) == _accepts_any_refusal(
        lambda: minutes.add_amendment(secretary, meeting, "Korrektur", "Tippfehler")
    )
    invitee = next(p for p in meeting.participants if p.membership_id)
    assert (answers_refusal(meeting) is None) == _accepts_any_refusal(
        lambda: minutes.respond(secretary, invitee, "accepted")
    )
