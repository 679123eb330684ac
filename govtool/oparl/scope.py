"""The published objects of one OParl body (a top-level Gremium and the bodies below it) as
SQL selects ordered by id; permissions.py says which rows are public."""

from __future__ import annotations

import sqlalchemy as sa

from ..bodies.agenda_models import AgendaItem, Paper, StoredFile
from ..bodies.models import Body, Meeting, Membership
from ..directory.models import Organisation, Person
from ..extensions import db
from .permissions import PUBLIC_FILE, PUBLIC_ITEM, PUBLIC_PAPER


def roots() -> list[Body]:
    return list(
        db.session.scalars(sa.select(Body).where(Body.parent_id.is_(None)).order_by(Body.id))
    )


def root_of(body: Body) -> Body:
    seen = set()
    while body.parent is not None and body.id not in seen:
        seen.add(body.id)
        body = body.parent
    return body


def tree_ids(root: Body) -> list[int]:
    """The ids of root and every body below it."""
    ids, todo = [], [root]
    while todo:
        body = todo.pop()
        if body.id in ids:
            continue
        ids.append(body.id)
        todo.extend(body.children)
    return sorted(ids)


def _meeting_ids(ids: list[int]):
    return sa.select(Meeting.id).where(Meeting.body_id.in_(ids))


def _public_item_ids(ids: list[int]):
    return sa.select(AgendaItem.id).where(PUBLIC_ITEM, AgendaItem.meeting_id.in_(_meeting_ids(ids)))


def selects(kind: str, root: Body) -> list[sa.Select]:
    """The selects whose rows, in this order, make up the list `kind` of the body `root`."""
    ids = tree_ids(root)
    if kind == "organization":
        return [sa.select(Body).where(Body.id.in_(ids)), institutions(ids)]
    if kind == "person":
        members = sa.select(Membership.person_id).where(Membership.body_id.in_(ids))
        return [sa.select(Person).where(Person.id.in_(members))]
    if kind == "membership":
        return [sa.select(Membership).where(Membership.body_id.in_(ids))]
    if kind == "meeting":
        return [sa.select(Meeting).where(Meeting.body_id.in_(ids))]
    if kind == "location":
        return [sa.select(Meeting).where(Meeting.body_id.in_(ids), Meeting.location != "")]
    if kind == "agenda_item":
        return [sa.select(AgendaItem).where(AgendaItem.id.in_(_public_item_ids(ids)))]
    if kind == "paper":
        return [
            sa.select(Paper).where(PUBLIC_PAPER, Paper.agenda_item_id.in_(_public_item_ids(ids)))
        ]
    if kind == "file":
        return [
            sa.select(StoredFile).where(PUBLIC_FILE, StoredFile.meeting_id.in_(_meeting_ids(ids)))
        ]
    if kind == "legislative_term":
        return [sa.select(Body).where(Body.id == root.id)]
    raise KeyError(kind)


def institutions(ids: list[int]) -> sa.Select:
    """Member organisations (onBehalfOf) and the organisations of public papers."""
    sitting = sa.select(Membership.organisation_id).where(Membership.body_id.in_(ids))
    submitting = sa.select(Paper.organisation_id).where(
        PUBLIC_PAPER, Paper.agenda_item_id.in_(_public_item_ids(ids))
    )
    return sa.select(Organisation).where(
        sa.or_(Organisation.id.in_(sitting), Organisation.id.in_(submitting))
    )


def published_institution(organisation_id: int) -> Body | None:
    """The first OParl body that publishes this organisation, or None."""
    for root in roots():
        query = institutions(tree_ids(root)).where(Organisation.id == organisation_id)
        if db.session.scalar(query) is not None:
            return root
    return None


def published_person(person_id: int) -> Body | None:
    for root in roots():
        query = selects("person", root)[0].where(Person.id == person_id)
        if db.session.scalar(query) is not None:
            return root
    return None
