"""Small factories: make_x(**overrides) creates one row with sensible defaults."""

from __future__ import annotations

import itertools

from govtool.auth.models import Role, User
from govtool.directory.models import Organisation, OrganisationKind, Person, Region
from govtool.extensions import db

DEFAULT_PASSWORD = "richtig-langes-passwort"
_counter = itertools.count(1)


def make_region(**overrides) -> Region:
    n = next(_counter)
    region = Region(**{"name": f"Region {n}", "state_code": "ST", **overrides})
    db.session.add(region)
    db.session.flush()
    return region


def make_organisation(**overrides) -> Organisation:
    n = next(_counter)
    values = {
        "name": f"Organisation {n}",
        "short_name": f"ORG{n}",
        "kind": OrganisationKind.MUNICIPALITY,
        **overrides,
    }
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_person(**overrides) -> Person:
    n = next(_counter)
    values = {"first_name": "Erika", "last_name": f"Muster{n}", "email": f"person{n}@example.org"}
    values.update(overrides)
    person = Person(**values)
    db.session.add(person)
    db.session.flush()
    return person


def make_user(
    email: str | None = None,
    roles: tuple[Role, ...] = (Role.MEMBER,),
    organisation: Organisation | None = None,
    password: str = DEFAULT_PASSWORD,
    **overrides,
) -> User:
    n = next(_counter)
    user = User(email=email or f"user{n}@example.org", organisation=organisation, **overrides)
    user.set_password(password)
    user.set_roles(set(roles))
    db.session.add(user)
    db.session.flush()
    return user
