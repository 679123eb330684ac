"""Who may read and change organisations and people."""

from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import Role, User
from ..core.permissions import Filter, rule

DIRECTORY_EDITORS = (Role.ADMIN, Role.SECRETARY, Role.MINISTRY)
# How many levels an organisation and its departments span, at most: the bound of every walk up
# or down the tree (departments are shallow; the bound guards against a cycle).
DEPARTMENT_DEPTH = 10


def _own_organisation(user: User, organisation) -> bool:
    """A municipality user speaks for its organisation and that organisation's departments."""
    if organisation is None or user.organisation_id is None:
        return False
    node = organisation
    for _ in range(DEPARTMENT_DEPTH):
        if node is None:
            return False
        if node.id == user.organisation_id:
            return True
        node = node.parent
    return False


@rule("organisation.view")
def view_organisation(user: User, organisation) -> bool:
    return True


@rule("organisation.create")
def create_organisation(user: User, _obj) -> bool:
    return user.has_role(*DIRECTORY_EDITORS)


@rule("organisation.edit")
def edit_organisation(user: User, organisation) -> bool:
    if user.has_role(*DIRECTORY_EDITORS):
        return True
    return user.has_role(Role.MUNICIPALITY) and _own_organisation(user, organisation)


@rule("organisation.deactivate")
def deactivate_organisation(user: User, organisation) -> bool:
    return user.has_role(Role.ADMIN, Role.SECRETARY)


def _signed_in_scope(user: User) -> str:
    return "signed-in"


def _all_people(_scope: str) -> sa.ColumnElement[bool]:
    return sa.true()


# Every signed-in user sees every person (the directory is the shared address book); the lists
# (the JSON API's people) ask where() so that narrowing this rule narrows them too.
@rule("person.view", where=Filter(_signed_in_scope, _all_people))
def view_person(user: User, person) -> bool:
    return True


@rule("person.create")
def create_person(user: User, organisation) -> bool:
    if user.has_role(*DIRECTORY_EDITORS):
        return True
    # A municipality adds people to its own organisation only.
    return user.has_role(Role.MUNICIPALITY) and (
        organisation is None or _own_organisation(user, organisation)
    )


@rule("person.edit")
def edit_person(user: User, person) -> bool:
    if user.has_role(*DIRECTORY_EDITORS):
        return True
    return user.has_role(Role.MUNICIPALITY) and _own_organisation(user, person.organisation)


@rule("person.deactivate")
def deactivate_person(user: User, person) -> bool:
    return edit_person(user, person)


@rule("person.export")
def export_person(user: User, person) -> bool:
    """Art. 15 GDPR access exports hold everything about a person: administrators only."""
    return user.has_role(Role.ADMIN)


@rule("person.erase")
def erase_person(user: User, person) -> bool:
    """Art. 17 GDPR erasure cannot be undone: administrators only."""
    return user.has_role(Role.ADMIN)
