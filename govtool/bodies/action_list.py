"""The /actions/ list as rows: one statement per combination of filters, built once and run with
bind parameters; the bodies for the filter and the user's editor bodies in one more query.

Which items are listed is the SQL filter of the action.view rule (items of bodies in which the
user has or had a seat; admins see all); whether a row offers the status form is the filter of
action.edit (the responsible person, a current chair, deputy chair or secretary, an admin). Both
are registered beside their rules in permissions.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import True_

from ..core.permissions import filter_condition, filter_scope
from ..core.search import like_pattern
from ..core.views import COUNT_AHEAD_PAGES, CappedPagination, page_args
from ..directory.models import Organisation, Person
from ..extensions import db
from .agenda_models import AgendaItem
from .minutes_models import ActionItem, ActionStatus
from .models import Body, Meeting, Membership
from .permissions import sees_every_body

if TYPE_CHECKING:
    from ..auth.models import User

FILTERS = ("status", "body_id", "person_id", "organisation_id", "overdue", "responsible")


def _responsible_matches(pattern) -> sa.ColumnElement[bool]:
    people = sa.select(Person.id).where(
        sa.or_(
            Person.last_name.ilike(pattern, escape="\\"),
            Person.first_name.ilike(pattern, escape="\\"),
            (Person.first_name + " " + Person.last_name).ilike(pattern, escape="\\"),
        )
    )
    organisations = sa.select(Organisation.id).where(
        sa.or_(
            Organisation.name.ilike(pattern, escape="\\"),
            Organisation.short_name.ilike(pattern, escape="\\"),
        )
    )
    return sa.or_(
        ActionItem.responsible_person_id.in_(people),
        ActionItem.responsible_organisation_id.in_(organisations),
    )


@functools.lru_cache(maxsize=512)
def _filtered(scope, used: frozenset[str]) -> sa.Select:
    """Ids of the matching items, in list order; `scope` is that of the action.view filter,
    `used` names the filters given."""
    query = sa.select(ActionItem.id)
    readable = filter_condition("action.view", scope)
    if not isinstance(readable, True_):
        query = query.where(readable)
    if "status" in used:
        query = query.where(
            ActionItem.status == sa.bindparam("status", type_=ActionItem.status.type)
        )
    if "body_id" in used:
        query = query.where(ActionItem.body_id == sa.bindparam("body_id"))
    if "person_id" in used:
        query = query.where(ActionItem.responsible_person_id == sa.bindparam("person_id"))
    if "organisation_id" in used:
        query = query.where(
            ActionItem.responsible_organisation_id == sa.bindparam("organisation_id")
        )
    if "responsible" in used:
        query = query.where(_responsible_matches(sa.bindparam("responsible")))
    if "overdue" in used:
        query = query.where(
            ActionItem.status == ActionStatus.OPEN,
            ActionItem.due_date < sa.bindparam("today", type_=sa.Date),
        )
    return query


@functools.lru_cache(maxsize=512)
def _statements(scope, edit_scope, used: frozenset[str]) -> tuple[sa.Select, sa.Select]:
    """(page of rows, capped count) for one combination of filters; built once per scope of the
    two rules' filters (a person, or all for admins) and filters."""
    filtered = _filtered(scope, used)
    order = (ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
    page_ids = (
        filtered.order_by(*order)
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
        .subquery()
    )
    responsible = aliased(Person)
    organisation = aliased(Organisation)
    rows = (
        sa.select(
            ActionItem.id,
            ActionItem.task,
            ActionItem.due_date,
            ActionItem.status,
            ActionItem.body_id,
            ActionItem.meeting_id,
            ActionItem.responsible_person_id,
            responsible.title.label("person_title"),
            responsible.first_name.label("person_first_name"),
            responsible.last_name.label("person_last_name"),
            organisation.short_name.label("organisation_short_name"),
            Body.short_name.label("body_short_name"),
            Meeting.number.label("meeting_number"),
            Meeting.title.label("meeting_title"),
            AgendaItem.number.label("agenda_number"),
            sa.case((filter_condition("action.edit", edit_scope), True), else_=False).label(
                "can_edit"
            ),
        )
        .join(page_ids, page_ids.c.id == ActionItem.id)
        .join(Body, Body.id == ActionItem.body_id)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(responsible, responsible.id == ActionItem.responsible_person_id)
        .outerjoin(organisation, organisation.id == ActionItem.responsible_organisation_id)
        .outerjoin(AgendaItem, AgendaItem.id == ActionItem.agenda_item_id)
        .order_by(*order)
    )
    capped = filtered.limit(sa.bindparam("cap", type_=sa.Integer)).subquery()
    count = sa.select(sa.func.count()).select_from(capped)
    return rows, count


class _RowPagination(CappedPagination):
    """A page of rows from prebuilt statements (limit, offset and the count's cap are bind
    parameters), counted as CappedPagination counts."""

    def _query_items(self) -> list:
        args = self._query_args
        params = {**args["params"], "limit": self.per_page, "offset": self._query_offset}
        return list(db.session.execute(args["rows"], params))

    def _query_count(self) -> int:
        cap = self._query_offset + self.per_page * COUNT_AHEAD_PAGES
        params = {**self._query_args["params"], "cap": cap + 1}
        counted = db.session.execute(self._query_args["count_statement"], params).scalar_one()
        self.total_is_capped = counted > cap
        return min(counted, cap)


def action_page(user: User, filters: dict) -> CappedPagination:
    """One page of the list for `user` with the filters of the list's form applied."""
    params: dict = {"today": dt.date.today()}
    used = set()
    status = filters.get("status")
    if status:
        try:
            params["status"] = ActionStatus(status)
            used.add("status")
        except ValueError:
            pass
    for name in ("body_id", "person_id", "organisation_id"):
        if filters.get(name):
            params[name] = filters[name]
            used.add(name)
    if (filters.get("responsible") or "").strip():
        params["responsible"] = like_pattern(filters["responsible"])
        used.add("responsible")
    if filters.get("overdue"):
        used.add("overdue")
    rows, count = _statements(
        filter_scope("action.view", user), filter_scope("action.edit", user), frozenset(used)
    )
    page, per_page = page_args()
    return _RowPagination(
        page=page,
        per_page=per_page,
        error_out=False,
        rows=rows,
        count_statement=count,
        params=params,
    )


@functools.cache
def _bodies_statement(every: bool) -> sa.Select:
    if every:
        return sa.select(Body.id, Body.name).order_by(Body.name)
    return (
        sa.select(Body.id, Body.name)
        .join(Membership, Membership.body_id == Body.id)
        .where(Membership.person_id == sa.bindparam("person_id"))
        .group_by(Body.id, Body.name)
        .order_by(Body.name)
    )


def readable_bodies(user: User) -> list[tuple[int, str]]:
    """The bodies whose items `user` may read (for the list's body filter); one query."""
    rows = db.session.execute(
        _bodies_statement(sees_every_body(user)), {"person_id": user.person_id}
    ).all()
    return [(row.id, row.name) for row in rows]
