"""Demo data: the Sachsen-Anhalt model project "Kooperation im kommunalen Bildungsmanagement".

Idempotent: organisations are matched by short name, people by email, users by login email, so
loading twice changes nothing. Areas add their own demo data with add_demo_loader.
"""

from __future__ import annotations

import sqlalchemy as sa

from .auth.models import Role, User
from .core.audit import acting_as
from .directory.models import Organisation, OrganisationKind, Person, Region
from .extensions import db

DEMO_PASSWORD = "demo-passwort"

# Functions () -> dict[str, int] that load an area's demo data idempotently, added by the areas'
# init_app (add_demo_loader) in the order create_app lists the areas.
DEMO_LOADERS: list = []


def add_demo_loader(loader) -> None:
    """Register an area's demo loader once (every create_app runs the areas' init_app again)."""
    if loader not in DEMO_LOADERS:
        DEMO_LOADERS.append(loader)


REGIONS = [
    ("Süd", "SN"),
    ("Mitte", "SN"),
    ("Mitte Nord", "SN"),
    ("Nord", "SN"),
    ("Ost", "SN"),
    ("West", "SN"),
    ("Sachsen-Anhalt", "ST"),
]

ORGANISATIONS = [
    # short name, name, kind, parent, region, street, postal code, city, email, phone, website
    (
        "MB-ST",
        "Ministerium für Bildung des Landes Sachsen-Anhalt",
        OrganisationKind.MINISTRY,
        None,
        "Sachsen-Anhalt",
        "Turmschanzenstraße 32",
        "39114",
        "Magdeburg",
        "poststelle@mb.sachsen-anhalt.de",
        "0391 567-01",
        "https://mb.sachsen-anhalt.de",
    ),
    (
        "MB-REF34",
        "Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement",
        OrganisationKind.MINISTRY,
        "MB-ST",
        "Sachsen-Anhalt",
        "Turmschanzenstraße 32",
        "39114",
        "Magdeburg",
        "referat34@mb.sachsen-anhalt.de",
        "0391 567-3400",
        "",
    ),
    (
        "HAL",
        "Stadt Halle (Saale)",
        OrganisationKind.MUNICIPALITY,
        None,
        "Sachsen-Anhalt",
        "Marktplatz 1",
        "06108",
        "Halle (Saale)",
        "bildung@halle.de",
        "0345 221-0",
        "https://www.halle.de",
    ),
    (
        "BLK",
        "Burgenlandkreis",
        OrganisationKind.DISTRICT,
        None,
        "Sachsen-Anhalt",
        "Schönburger Straße 41",
        "06618",
        "Naumburg (Saale)",
        "bildung@blk.de",
        "03445 73-0",
        "https://www.burgenlandkreis.de",
    ),
    (
        "BK",
        "Landkreis Börde",
        OrganisationKind.DISTRICT,
        None,
        "Sachsen-Anhalt",
        "Gerikestraße 104",
        "39340",
        "Haldensleben",
        "bildung@landkreis-boerde.de",
        "03904 7240-0",
        "https://www.landkreis-boerde.de",
    ),
    (
        "TRANSMIT",
        "TransMit – Transferagentur Mitteldeutschland",
        OrganisationKind.AGENCY,
        None,
        "Sachsen-Anhalt",
        "Franckeplatz 1",
        "06110",
        "Halle (Saale)",
        "kontakt@transmit.example.org",
        "0345 000-100",
        "",
    ),
    (
        "LJA",
        "Landesjugendamt Sachsen-Anhalt",
        OrganisationKind.STATE_OFFICE,
        None,
        "Sachsen-Anhalt",
        "Neustädter Passage 15",
        "06122",
        "Halle (Saale)",
        "landesjugendamt@example.org",
        "0345 514-0",
        "",
    ),
    (
        "LSCHA",
        "Landesschulamt Sachsen-Anhalt",
        OrganisationKind.STATE_OFFICE,
        None,
        "Sachsen-Anhalt",
        "Ernst-Kamieth-Straße 2",
        "06112",
        "Halle (Saale)",
        "poststelle@lsa.example.org",
        "0345 514-0",
        "",
    ),
]

PEOPLE = [
    # email, title, first, last, function, organisation, contact person of that organisation?
    (
        "k.wagner@mb.example.org",
        "Dr.",
        "Katrin",
        "Wagner",
        "Referatsleiterin Referat 34",
        "MB-REF34",
        True,
    ),
    (
        "t.schulz@mb.example.org",
        "",
        "Thomas",
        "Schulz",
        "Referent Bildungsmonitoring",
        "MB-REF34",
        False,
    ),
    ("a.richter@halle.example.org", "", "Anja", "Richter", "Bildungsmanagerin", "HAL", True),
    # the authorised signatory of the city's agreements (has no login: others sign i. V./i. A.)
    ("a.vogt@halle.example.org", "Dr.", "Alexander", "Vogt", "Oberbürgermeister", "HAL", False),
    ("m.hoffmann@halle.example.org", "", "Markus", "Hoffmann", "Bildungsmonitorer", "HAL", False),
    (
        "s.krause@blk.example.org",
        "",
        "Sabine",
        "Krause",
        "Koordinatorin Bildungsmanagement",
        "BLK",
        True,
    ),
    (
        "j.neumann@blk.example.org",
        "",
        "Jens",
        "Neumann",
        "Sachgebietsleiter Schulverwaltung",
        "BLK",
        False,
    ),
    ("c.lehmann@boerde.example.org", "", "Claudia", "Lehmann", "Bildungskoordinatorin", "BK", True),
    (
        "p.becker@transmit.example.org",
        "Dr.",
        "Peter",
        "Becker",
        "Prozessbegleitung",
        "TRANSMIT",
        True,
    ),
    (
        "u.fischer@lja.example.org",
        "",
        "Ute",
        "Fischer",
        "Referentin Jugendhilfeplanung",
        "LJA",
        True,
    ),
    ("r.weber@lsa.example.org", "", "Ralf", "Weber", "Schulaufsicht", "LSCHA", True),
    (
        "sekretariat@example.org",
        "",
        "Maria",
        "Schmidt",
        "Geschäftsstelle Begleitgremium",
        "MB-REF34",
        False,
    ),
]

USERS = [
    ("admin@example.org", [Role.ADMIN], None, None),
    ("sekretariat@example.org", [Role.SECRETARY], "MB-REF34", "sekretariat@example.org"),
    ("halle@example.org", [Role.MUNICIPALITY], "HAL", "a.richter@halle.example.org"),
    ("burgenlandkreis@example.org", [Role.MUNICIPALITY], "BLK", "s.krause@blk.example.org"),
    ("ministerium@example.org", [Role.MINISTRY], "MB-REF34", "k.wagner@mb.example.org"),
    ("transmit@example.org", [Role.AGENCY], "TRANSMIT", "p.becker@transmit.example.org"),
]


def _by(model, **criteria):
    return db.session.scalar(sa.select(model).filter_by(**criteria))


def load_demo() -> dict[str, int]:
    """Create what is missing of the demo data; returns how many rows of each kind were added."""
    added = {"regions": 0, "organisations": 0, "people": 0, "users": 0}
    with acting_as(None):
        regions = {}
        for name, state in REGIONS:
            region = _by(Region, name=name)
            if region is None:
                region = Region(name=name, state_code=state)
                db.session.add(region)
                added["regions"] += 1
            regions[name] = region
        db.session.flush()

        organisations: dict[str, Organisation] = {}
        for (
            short,
            name,
            kind,
            parent,
            region,
            street,
            plz,
            city,
            email,
            phone,
            web,
        ) in ORGANISATIONS:
            organisation = _by(Organisation, short_name=short)
            if organisation is None:
                organisation = Organisation(
                    short_name=short,
                    name=name,
                    kind=kind,
                    parent=organisations.get(parent) if parent else None,
                    region=regions[region],
                    street=street,
                    postal_code=plz,
                    city=city,
                    email=email,
                    phone=phone,
                    website=web,
                )
                db.session.add(organisation)
                added["organisations"] += 1
            organisations[short] = organisation
        db.session.flush()

        people = {}
        for email, title, first, last, function, org, is_contact in PEOPLE:
            person = _by(Person, email=email)
            if person is None:
                person = Person(
                    email=email,
                    title=title,
                    first_name=first,
                    last_name=last,
                    function=function,
                    organisation=organisations[org],
                    phone="",
                )
                db.session.add(person)
                added["people"] += 1
                db.session.flush()
                if is_contact and organisations[org].contact_person_id is None:
                    organisations[org].contact_person = person
            people[email] = person
        db.session.flush()

        for email, roles, user_org, person_email in USERS:
            if _by(User, email=email) is not None:
                continue
            user = User(
                email=email,
                organisation=organisations.get(user_org) if user_org else None,
                person=people.get(person_email) if person_email else None,
            )
            user.set_password(DEMO_PASSWORD)
            user.set_roles(set(roles))
            db.session.add(user)
            added["users"] += 1
        db.session.flush()

        for loader in DEMO_LOADERS:
            for key, count in loader().items():
                added[key] = added.get(key, 0) + count
                db.session.flush()
    return added
