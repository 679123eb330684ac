"""Factories for bodies, memberships and meetings."""

from __future__ import annotations

import datetime as dt
import itertools

from govtool.auth.models import Role
from govtool.bodies.agenda import add_standing_items
from govtool.bodies.models import (
    Body,
    BodyKind,
    Meeting,
    Membership,
    MembershipRole,
    local_datetime,
)
from govtool.extensions import db
from tests.factories import make_organisation, make_person, make_user

_counter = itertools.count(1)


def make_body(**overrides) -> Body:
    n = next(_counter)
    values = {
        "name": f"Begleitgremium {n}",
        "short_name": f"BG{n}",
        "kind": BodyKind.STEERING_COMMITTEE,
    }
    values.update(overrides)
    body = Body(**values)
    db.session.add(body)
    db.session.flush()
    return body


def make_membership(body: Body, person=None, role=MembershipRole.MEMBER, **overrides) -> Membership:
    person = person or make_person()
    values = {
        "body": body,
        "person": person,
        "organisation_id": person.organisation_id,
        "role": role,
        "has_voting_right": role
        in (MembershipRole.CHAIR, MembershipRole.DEPUTY_CHAIR, MembershipRole.MEMBER),
        "start_date": dt.date(2020, 1, 1),
    }
    values.update(overrides)
    membership = Membership(**values)
    db.session.add(membership)
    db.session.flush()
    return membership


def make_member_user(body: Body, role=MembershipRole.MEMBER, roles=(Role.MEMBER,), **kw):
    """A login linked to a person holding a seat in the body."""
    organisation = kw.pop("organisation", None) or make_organisation()
    person = make_person(organisation_id=organisation.id)
    membership = make_membership(body, person, role, **kw)
    user = make_user(roles=roles, organisation=organisation, person=person)
    return user, membership


def make_meeting(body: Body, day: dt.date | None = None, standing=True, **overrides) -> Meeting:
    day = day or (dt.date.today() + dt.timedelta(days=30))
    number = overrides.pop("number", None) or (len(body.meetings) + 1)
    values = {
        "body": body,
        "number": number,
        "title": f"{number}. Sitzung",
        "start_at": local_datetime(day, dt.time(10, 0)),
        "end_at": local_datetime(day, dt.time(12, 0)),
        "location": "Magdeburg, Raum 1",
    }
    values.update(overrides)
    meeting = Meeting(**values)
    db.session.add(meeting)
    db.session.flush()
    if standing:
        add_standing_items(meeting)
    return meeting
