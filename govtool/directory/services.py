"""Use cases for organisations and people: list, create, update, deactivate; the GDPR rights
(access export, erasure) live in gdpr.py and are offered here too."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import joinedload, selectinload

from ..core.errors import Conflict, ValidationError
from ..core.identifiers import clean_identifier
from ..core.permissions import ensure
from ..core.search import like_pattern
from ..extensions import db
from .gdpr import erase_person as erase_person
from .gdpr import export_person_data as export_person_data
from .gdpr import linked_users as linked_users
from .models import Organisation, OrganisationKind, Person, Region, list_label

if TYPE_CHECKING:
    from ..auth.models import User

ORGANISATION_FIELDS = (
    "name",
    "short_name",
    "kind",
    "parent_id",
    "region_id",
    "street",
    "postal_code",
    "city",
    "email",
    "phone",
    "website",
    "contact_person_id",
)
PERSON_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "function",
    "email",
    "phone",
    "organisation_id",
)


def organisation_query(
    search: str = "", kind: str = "", region_id: int | None = None, include_inactive: bool = False
) -> sa.Select:
    """Organisations matching the list filters, with region and parent loaded for the list."""
    query = sa.select(Organisation).options(
        joinedload(Organisation.region), joinedload(Organisation.parent)
    )
    if search:
        pattern = like_pattern(search.strip())
        query = query.where(
            sa.or_(
                Organisation.name.ilike(pattern, escape="\\"),
                Organisation.short_name.ilike(pattern, escape="\\"),
                Organisation.city.ilike(pattern, escape="\\"),
            )
        )
    if kind:
        try:
            query = query.where(Organisation.kind == OrganisationKind(kind))
        except ValueError:
            pass  # an unknown kind from the URL filters nothing
    if region_id:
        query = query.where(Organisation.region_id == region_id)
    if not include_inactive:
        query = query.where(Organisation.is_active.is_(True))
    return query.order_by(Organisation.name)


def _request_cached(key: tuple, load):
    """Choice lists are read by several forms of one page: load each once per request."""
    from flask import g, has_request_context

    if not has_request_context():
        return load()
    cache = g.setdefault("_directory_choices", {})
    if key not in cache:
        cache[key] = load()
    return list(cache[key])


def organisation_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    def load() -> list[tuple[int, str]]:
        rows = db.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.is_active.is_(True))
            .order_by(Organisation.name)
        ).all()
        return [(row.id, row.name) for row in rows]

    return [row for row in _request_cached(("organisations",), load) if row[0] != exclude_id]


def region_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Region.id, Region.name).order_by(Region.name)).all()
    return [(row.id, row.name) for row in rows]


def person_choices(organisation_id: int) -> list[tuple[int, str]]:
    """The active people of one organisation, as choices."""

    def load() -> list[tuple[int, str]]:
        query = sa.select(Person.id, Person.last_name, Person.first_name).where(
            Person.is_active.is_(True), Person.organisation_id == organisation_id
        )
        rows = db.session.execute(query.order_by(Person.last_name, Person.first_name)).all()
        return [(row.id, list_label(row.last_name, row.first_name)) for row in rows]

    return _request_cached(("people", organisation_id), load)


SEARCH_LIMIT = 50


def person_search(search: str, limit: int = SEARCH_LIMIT) -> list[tuple[int, str, int | None]]:
    """(id, label, organisation id) of active people whose name matches `search`, at most
    `limit`: a select of every person does not scale to a state's directory."""
    term = (search or "").strip()
    if not term:
        return []
    pattern = like_pattern(term)
    full_name = Person.first_name + " " + Person.last_name
    query = (
        sa.select(
            Person.id,
            Person.last_name,
            Person.first_name,
            Person.organisation_id,
            Organisation.short_name,
        )
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(
            Person.is_active.is_(True),
            sa.or_(
                Person.last_name.ilike(pattern, escape="\\"),
                Person.first_name.ilike(pattern, escape="\\"),
                full_name.ilike(pattern, escape="\\"),
            ),
        )
        .order_by(Person.last_name, Person.first_name, Person.id)
        .limit(limit)
    )
    return [(*_person_label(row), row.organisation_id) for row in db.session.execute(query)]


def people_of_organisations(organisation_ids, also_ids=()) -> list[tuple[int, str]]:
    """Choices: the active people of the given organisations, plus the given people (already
    chosen ones), labelled "Last, First (SHORT)": a form offers these, not the whole directory."""
    organisations = {i for i in organisation_ids if i and i > 0}
    people = {i for i in also_ids if i and i > 0}
    if not organisations and not people:
        return []
    query = (
        sa.select(Person.id, Person.last_name, Person.first_name, Organisation.short_name)
        .outerjoin(Organisation, Organisation.id == Person.organisation_id)
        .where(
            Person.is_active.is_(True),
            sa.or_(Person.organisation_id.in_(organisations), Person.id.in_(people)),
        )
        .order_by(Organisation.short_name, Person.last_name, Person.first_name, Person.id)
    )
    return [_person_label(row) for row in db.session.execute(query)]


def _person_label(row) -> tuple[int, str]:
    label = list_label(row.last_name, row.first_name)
    return (row.id, f"{label} ({row.short_name})" if row.short_name else label)


def organisation_choices_for(ids) -> list[tuple[int, str]]:
    """Choices for the given active organisations only (the relevant ones of a form)."""
    wanted = {i for i in ids if i and i > 0}
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(wanted), Organisation.is_active.is_(True))
        .order_by(Organisation.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def get_organisation_detail(organisation_id: int) -> Organisation | None:
    """One organisation with its people, departments and contact loaded for the detail page."""
    return db.session.scalars(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(
            selectinload(Organisation.people),
            selectinload(Organisation.children),
            joinedload(Organisation.parent),
            joinedload(Organisation.region),
            joinedload(Organisation.contact_person),
        )
    ).first()


def _clean(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    cleaned = {}
    for key in fields:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, str):
            value = value.strip()
        if key.endswith("_id"):
            value = int(value) if value else None
        cleaned[key] = value
    return cleaned


def _check_organisation(data: dict[str, Any], organisation: Organisation | None) -> None:
    if not data.get("name"):
        raise ValidationError(gettext("Please enter a name."), field="name")
    if not (data.get("short_name") or "").strip():
        raise ValidationError(gettext("Please enter a short name."), field="short_name")
    # imports find organisations by short name: a look-alike must not sit beside the real one
    short_name = data["short_name"] = clean_identifier(
        data["short_name"], "short_name", 40, "MB-REF34"
    )
    clash = db.session.scalar(
        sa.select(Organisation.id).where(
            sa.func.lower(Organisation.short_name) == short_name.lower()
        )
    )
    if clash and (organisation is None or clash != organisation.id):
        raise ValidationError(
            gettext("The short name %(name)s is already taken.", name=short_name),
            field="short_name",
        )
    parent_id = data.get("parent_id")
    if organisation is not None and parent_id:
        node = db.session.get(Organisation, parent_id)
        while node is not None:
            if node.id == organisation.id:
                raise ValidationError(
                    gettext("An organisation cannot be placed below itself."), field="parent_id"
                )
            node = node.parent
    if isinstance(data.get("kind"), str):
        data["kind"] = OrganisationKind(data["kind"])


def create_organisation(user: User, data: dict[str, Any]) -> Organisation:
    """Create an organisation after checking the acting user's right and the short name."""
    ensure(user, "organisation.create")
    values = _clean(data, ORGANISATION_FIELDS)
    _check_organisation(values, None)
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def update_organisation(
    user: User, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    ensure(user, "organisation.edit", organisation)
    values = _clean(data, ORGANISATION_FIELDS)
    _check_organisation(values, organisation)
    for key, value in values.items():
        setattr(organisation, key, value)
    db.session.flush()
    return organisation


def set_organisation_active(user: User, organisation: Organisation, active: bool) -> Organisation:
    """Deactivate (or reactivate) instead of deleting: agreements and minutes keep their links."""
    ensure(user, "organisation.deactivate", organisation)
    organisation.is_active = active
    db.session.flush()
    return organisation


def person_query(
    search: str = "", organisation_id: int | None = None, include_inactive: bool = False
) -> sa.Select:
    query = sa.select(Person).options(joinedload(Person.organisation))
    if search:
        pattern = like_pattern(search.strip())
        query = query.where(
            sa.or_(
                Person.first_name.ilike(pattern, escape="\\"),
                Person.last_name.ilike(pattern, escape="\\"),
                Person.email.ilike(pattern, escape="\\"),
                Person.function.ilike(pattern, escape="\\"),
            )
        )
    if organisation_id:
        query = query.where(Person.organisation_id == organisation_id)
    if not include_inactive:
        query = query.where(Person.is_active.is_(True))
    return query.order_by(Person.last_name, Person.first_name)


def _check_person(values: dict[str, Any]) -> None:
    if not values.get("first_name"):
        raise ValidationError(gettext("Please enter a first name."), field="first_name")
    if not values.get("last_name"):
        raise ValidationError(gettext("Please enter a last name."), field="last_name")


def create_person(user: User, data: dict[str, Any]) -> Person:
    values = _clean(data, PERSON_FIELDS)
    organisation = (
        db.session.get(Organisation, values["organisation_id"])
        if values.get("organisation_id")
        else None
    )
    ensure(user, "person.create", organisation)
    _check_person(values)
    person = Person(**values)
    db.session.add(person)
    db.session.flush()
    return person


def _refuse_erased(person: Person) -> None:
    if person.is_erased:
        raise Conflict(gettext("The data of this person has been erased; it cannot be changed."))


def update_person(user: User, person: Person, data: dict[str, Any]) -> Person:
    ensure(user, "person.edit", person)
    _refuse_erased(person)
    values = _clean(data, PERSON_FIELDS)
    _check_person(values)
    if values.get("organisation_id") != person.organisation_id and values.get("organisation_id"):
        # Moving someone into an organisation needs the right to add people there.
        ensure(user, "person.create", db.session.get(Organisation, values["organisation_id"]))
    for key, value in values.items():
        setattr(person, key, value)
    db.session.flush()
    return person


def set_person_active(user: User, person: Person, active: bool) -> Person:
    ensure(user, "person.deactivate", person)
    _refuse_erased(person)
    person.is_active = active
    db.session.flush()
    return person
