"""Every rule with an SQL filter registered beside it (core.permissions.Filter) gives the same
answer as that filter, for every user and every object of its kind: the demo data plus a
generated set with nested organisations (a department of a department), several municipalities,
drafts and approved items, former, future and current seats. The lists built on the filters
(agreements, catalogue, action items) show exactly what the rules allow. Two copies of a rule
cannot drift apart unnoticed: changing either side alone fails here."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from govtool.agreements import services as agreement_services
from govtool.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    PartyRole,
    VersionStatus,
)
from govtool.auth.models import Role, User
from govtool.bodies import action_list
from govtool.bodies.minutes_models import ActionItem, ActionStatus
from govtool.bodies.models import MembershipRole
from govtool.catalogue import services as catalogue_services
from govtool.catalogue.models import CatalogueEntry, CatalogueVersion, EntryStatus
from govtool.core.permissions import can, filter_scope, filtered_actions, where
from govtool.directory.models import OrganisationKind, Person
from govtool.extensions import db
from tests.bodies.factories import make_body, make_meeting, make_membership
from tests.catalogue.factories import make_entry
from tests.factories import make_organisation, make_person, make_user

# Each filtered action and the model whose rows it decides on.
MODELS = {
    "agreement.view": Agreement,
    "agreement.involved": Agreement,
    "catalogue.view": CatalogueEntry,
    "catalogue.view_drafts": CatalogueEntry,
    "action.view": ActionItem,
    "action.edit": ActionItem,
    "person.view": Person,
}


def _generate() -> None:
    """Organisations nested three deep, users of every role in each, agreements, catalogue
    entries, bodies with seats and action items among them."""
    today = dt.date.today()
    ministry = make_organisation(name="Gen Ministerium", kind=OrganisationKind.MINISTRY)
    department = make_organisation(
        name="Gen Referat", kind=OrganisationKind.MINISTRY, parent_id=ministry.id
    )
    town = make_organisation(name="Gen Stadt A")
    office = make_organisation(name="Gen Amt A1", parent_id=town.id)
    unit = make_organisation(name="Gen Sachgebiet A1a", parent_id=office.id)
    town_b = make_organisation(name="Gen Stadt B")
    office_b = make_organisation(name="Gen Amt B1", parent_id=town_b.id)
    district = make_organisation(name="Gen Kreis C", kind=OrganisationKind.DISTRICT)
    organisations = [ministry, department, town, office, unit, town_b, office_b, district]

    people = {}
    for organisation in organisations:
        roles = (Role.MINISTRY,) if organisation in (ministry, department) else (Role.MUNICIPALITY,)
        for role_set in (roles, (Role.MEMBER,)):
            person = make_person(organisation_id=organisation.id)
            make_user(roles=role_set, organisation=organisation, person=person)
            people[(organisation.id, role_set)] = person
    make_user(roles=(Role.ADMIN,))
    make_user(roles=(Role.SECRETARY,))
    make_user(roles=(Role.MUNICIPALITY,))  # no organisation
    make_user(roles=(Role.AGENCY,), organisation=district)  # a support agency's login
    make_user(roles=(Role.MEMBER, Role.MUNICIPALITY), organisation=office)
    make_user(roles=(Role.MUNICIPALITY,), organisation=town, is_active_flag=False)

    # agreements: owned by each organisation (and by none), parties across the tree, a draft
    # and one in force for each owner
    template = db.session.scalar(sa.select(AgreementTemplate).limit(1))
    for n, owner in enumerate([*organisations, None]):
        for status in (AgreementStatus.DRAFT, AgreementStatus.IN_FORCE):
            agreement = Agreement(
                number=f"GEN-{n}-{status.value}",
                title=f"Generiert {n}",
                kind=AgreementKind.COOPERATION,
                status=status,
                owner_organisation_id=owner.id if owner else None,
            )
            version = AgreementVersion(
                template_id=template.id,
                title=agreement.title,
                status=VersionStatus.DRAFT
                if status is AgreementStatus.DRAFT
                else VersionStatus.SIGNED,
            )
            agreement.versions.append(version)
            partner = organisations[(n + 3) % len(organisations)]
            for position, party in enumerate({partner.id, unit.id} - {getattr(owner, "id", 0)}):
                version.parties.append(
                    AgreementParty(organisation_id=party, position=position, role=PartyRole.OTHER)
                )
            db.session.add(agreement)
    db.session.flush()

    # catalogue entries: drafts, approved and retired ones of every provider
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    for provider in organisations:
        for state in ("draft", "approved", "retired"):
            recipient = town_b if provider is district else district
            entry = make_entry(admin, provider, [recipient], title=f"Gen {provider.name} {state}")
            if state != "draft":
                entry.approved_number = entry.latest_number
                entry.status = EntryStatus.APPROVED if state == "approved" else EntryStatus.RETIRED
    db.session.flush()

    # bodies: current, former and future seats, editors and members; action items for people
    # with and without a seat
    for name in ("Gen Gremium 1", "Gen Gremium 2"):
        body = make_body(name=name)
        seats = [
            (people[(town.id, (Role.MUNICIPALITY,))], MembershipRole.CHAIR, {}),
            (people[(office.id, (Role.MEMBER,))], MembershipRole.MEMBER, {}),
            (
                people[(unit.id, (Role.MUNICIPALITY,))],
                MembershipRole.SECRETARY,
                {"end_date": today - dt.timedelta(days=30)},
            ),
            (
                people[(town_b.id, (Role.MUNICIPALITY,))],
                MembershipRole.DEPUTY_CHAIR,
                {"start_date": today + dt.timedelta(days=30)},
            ),
            (people[(ministry.id, (Role.MINISTRY,))], MembershipRole.SECRETARY, {}),
        ]
        if name.endswith("2"):
            seats = seats[1:]  # the chair of body 1 has no seat in body 2
        for person, role, dates in seats:
            make_membership(body, person, role, **dates)
        meeting = make_meeting(body, today - dt.timedelta(days=10))
        responsible = [None, *[p for p, _, _ in seats], people[(district.id, (Role.MEMBER,))]]
        for n, person in enumerate(responsible):
            db.session.add(
                ActionItem(
                    body_id=body.id,
                    meeting_id=meeting.id,
                    task=f"Aufgabe {n}",
                    responsible_person_id=person.id if person else None,
                    status=ActionStatus.OPEN,
                )
            )
    db.session.flush()


@pytest.fixture()
def world(demo):
    _generate()
    db.session.commit()
    return demo


def _users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.id)))


def _signed_in() -> list[User]:
    """The users a list page is shown to (a deactivated account cannot sign in)."""
    return [user for user in _users() if user.is_active]


def test_every_filter_is_checked_here(app):
    """A filter registered later without a case here fails: it would go unchecked."""
    assert sorted(MODELS) == filtered_actions()


@pytest.mark.parametrize("action", sorted(MODELS))
def test_rule_and_its_filter_agree_for_every_user_and_object(world, action):
    model = MODELS[action]
    objects = list(db.session.scalars(sa.select(model).order_by(model.id)))
    users = _users()
    assert len(objects) > 10 and len(users) > 20
    differences = []
    allowed_somewhere = denied_somewhere = False
    for user in users:
        by_filter = set(db.session.scalars(sa.select(model.id).where(where(user, action))))
        for obj in objects:
            by_rule = can(user, action, obj)
            allowed_somewhere |= by_rule
            denied_somewhere |= not by_rule
            if by_rule != (obj.id in by_filter):
                differences.append((user.email, obj.id, f"rule {by_rule}"))
    assert differences == []
    assert allowed_somewhere and denied_somewhere  # the data tells the two answers apart


def test_agreement_list_shows_what_agreement_view_allows(world):
    agreements = list(db.session.scalars(sa.select(Agreement)))
    for user in _signed_in():
        _page, ids = agreement_services.agreement_query(user)
        listed = set(db.session.scalars(ids))
        assert listed == {a.id for a in agreements if can(user, "agreement.view", a)}, user.email


def test_catalogue_list_shows_what_the_catalogue_rules_allow(world):
    entries = list(db.session.scalars(sa.select(CatalogueEntry)))
    versions = {v.id: v for v in db.session.scalars(sa.select(CatalogueVersion))}
    for user in _signed_in():
        _rows, ids = catalogue_services.list_page_query(user, catalogue_services.ListFilters())
        listed = [versions[i] for i in db.session.scalars(ids)]
        shown = {v.entry_id: v.number for v in listed}
        assert len(shown) == len(listed)  # one row per entry
        # the version in force; an entry never approved shows its draft where drafts are seen
        expected = {
            e.id: (e.approved_number or e.latest_number)
            if can(user, "catalogue.view_drafts", e)
            else e.approved_number
            for e in entries
            if can(user, "catalogue.view", e)
        }
        assert shown == expected, user.email


def test_action_list_shows_and_offers_editing_as_the_action_rules_say(world):
    actions = list(db.session.scalars(sa.select(ActionItem)))
    today = dt.date.today()
    for user in _signed_in():
        rows, _count = action_list._statements(
            filter_scope("action.view", user), filter_scope("action.edit", user), frozenset()
        )
        listed = {
            row.id: row.can_edit
            for row in db.session.execute(rows, {"limit": 10_000, "offset": 0, "today": today})
        }
        expected = {
            a.id: can(user, "action.edit", a) for a in actions if can(user, "action.view", a)
        }
        assert listed == expected, user.email
