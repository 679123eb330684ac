"""Planning a year, deadlines, moving and cancelling one meeting, the quorum rule."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from govtool.auth.models import Role
from govtool.bodies import services
from govtool.bodies.agenda_models import ItemKind
from govtool.bodies.models import Cadence, MeetingStatus, MembershipRole
from govtool.core.errors import PermissionDenied, ValidationError
from tests.factories import make_user

from .factories import make_body, make_member_user

WEDNESDAY, THURSDAY = 2, 3


def _secretary(body):
    user, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    return user


def test_planning_2026_quarterly_gives_one_meeting_per_quarter_none_on_a_holiday(db):
    body = make_body(state_code="ST")
    user = _secretary(body)
    meetings = services.plan_year(user, body, 2026, WEDNESDAY, 6)
    assert len(meetings) == 4
    quarters = sorted((m.date.month - 1) // 3 for m in meetings)
    assert quarters == [0, 1, 2, 3]
    days_off = holidays.country_holidays("DE", subdiv="ST", years=2026)
    assert all(m.date not in days_off for m in meetings)
    assert all(m.date.weekday() == WEDNESDAY for m in meetings)
    assert all(m.status is MeetingStatus.PLANNED for m in meetings)
    assert [m.number for m in meetings] == [1, 2, 3, 4]
    # Wednesday of the 6th week of Q1 2026: Jan 7 is the first Wednesday, so Feb 11.
    assert meetings[0].date == dt.date(2026, 2, 11)
    assert meetings[0].start_local.hour == 10


def test_a_holiday_moves_the_meeting_by_a_week(db):
    body = make_body(state_code="ST")
    user = _secretary(body)
    # The 7th Thursday of Q2 2026 is Ascension Day (14 May): moved to 21 May.
    meetings = services.plan_year(user, body, 2026, THURSDAY, 7)
    q2 = [m for m in meetings if m.date.month in (4, 5, 6)]
    assert q2[0].date == dt.date(2026, 5, 21)


def test_planning_twice_adds_nothing_and_other_cadences(db):
    body = make_body()
    user = _secretary(body)
    assert len(services.plan_year(user, body, 2026, WEDNESDAY, 2)) == 4
    assert services.plan_year(user, body, 2026, WEDNESDAY, 2) == []
    monthly = make_body(cadence=Cadence.MONTHLY)
    user2 = _secretary(monthly)
    assert len(services.plan_year(user2, monthly, 2026, 0, 2)) == 12
    none = make_body(cadence=Cadence.NONE)
    user3 = _secretary(none)
    with pytest.raises(ValidationError):
        services.plan_year(user3, none, 2026, 0, 2)


def test_new_meetings_start_with_the_standing_items(db):
    body = make_body()
    meeting = services.plan_year(_secretary(body), body, 2026, WEDNESDAY, 2)[0]
    kinds = [i.kind for i in sorted(meeting.agenda_items, key=lambda i: i.position)]
    assert kinds == [
        ItemKind.OPENING,
        ItemKind.AGENDA_APPROVAL,
        ItemKind.PREVIOUS_MINUTES,
        ItemKind.OPEN_ACTIONS,
        ItemKind.AOB,
    ]
    assert [i.number for i in meeting.agenda_items] == ["1", "2", "3", "4", "5"]


def test_moving_or_cancelling_one_meeting_leaves_the_others(db):
    body = make_body()
    user = _secretary(body)
    year = dt.date.today().year + 1  # moving into the past asks first (test_meeting_updates)
    meetings = services.plan_year(user, body, year, WEDNESDAY, 6)
    before = [(m.id, m.start_at) for m in meetings]
    services.update_meeting(user, meetings[1], {"date": dt.date(year, 5, 20)})
    services.cancel_meeting(user, meetings[2], "Terminkollision")
    assert meetings[1].date == dt.date(year, 5, 20)
    assert meetings[1].ical_sequence == 1
    assert meetings[2].status is MeetingStatus.CANCELLED
    assert meetings[0].start_at == before[0][1] and meetings[3].start_at == before[3][1]
    assert meetings[0].status is MeetingStatus.PLANNED and meetings[0].ical_sequence == 0
    with pytest.raises(ValidationError):
        services.cancel_meeting(user, meetings[3], "  ")
    future = services.plan_year(user, body, year + 1, WEDNESDAY, 6)[0]
    with pytest.raises(ValidationError):  # not marked as held before it takes place
        services.mark_held(user, future)


def test_deadlines_derive_from_the_date_and_the_body(db):
    body = make_body(invitation_period_days=21, papers_period_days=10, comment_period_days=7)
    meeting = services.plan_year(_secretary(body), body, 2026, WEDNESDAY, 6)[0]
    day = meeting.date
    assert meeting.invitation_due == day - dt.timedelta(days=21)
    assert meeting.papers_due == day - dt.timedelta(days=10)
    assert meeting.minutes_draft_due == day + dt.timedelta(days=14)
    assert meeting.comment_period_ends == day + dt.timedelta(days=21)


@pytest.mark.parametrize(
    ("percent", "more_than", "present", "total", "met"),
    [
        (50, True, 5, 10, False),  # "more than half": half is not enough
        (50, True, 6, 10, True),
        (50, False, 5, 10, True),  # "at least half"
        (67, False, 6, 9, False),
        (67, False, 7, 9, True),
        (50, True, 0, 0, False),
    ],
)
def test_quorum_rule(db, percent, more_than, present, total, met):
    body = make_body(quorum_percent=percent, quorum_more_than=more_than)
    assert body.quorum_met(present, total) is met


def test_only_secretary_chair_or_admin_plan(db):
    body = make_body()
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    with pytest.raises(PermissionDenied):
        services.plan_year(member, body, 2026, WEDNESDAY, 2)
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    assert len(services.plan_year(chair, body, 2026, WEDNESDAY, 2)) == 4
    other = make_body()
    admin = make_user(roles=(Role.ADMIN,))
    assert len(services.plan_year(admin, other, 2027, WEDNESDAY, 2)) == 4
    # A secretary of another body may not.
    outsider = _secretary(make_body())
    with pytest.raises(PermissionDenied):
        services.plan_year(outsider, body, 2027, WEDNESDAY, 2)


def test_create_body_makes_the_creator_its_secretary(db):
    from tests.factories import make_organisation, make_person

    org = make_organisation()
    user = make_user(
        roles=(Role.SECRETARY,), organisation=org, person=make_person(organisation_id=org.id)
    )
    body = services.create_body(
        user,
        {"name": "AG Daten", "short_name": "agd", "kind": "working_group", "cadence": "monthly"},
    )
    assert body.short_name == "AGD"
    assert body.memberships[0].role is MembershipRole.SECRETARY
    with pytest.raises(ValidationError) as error:
        services.create_body(user, {"name": "x", "short_name": "AGD", "kind": "other"})
    assert error.value.field == "short_name"
