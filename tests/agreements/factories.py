"""Factories for agreement tests: the shipped templates and small agreements between demo orgs."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.demo import load_templates
from govtool.agreements.models import AgreementTemplate
from govtool.auth.models import User
from govtool.directory.models import Organisation, Person
from govtool.extensions import db

DEMO_PASSWORD = "demo-passwort"


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def org(short: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.short_name == short))


def template(code: str = "kooperationsvereinbarung") -> AgreementTemplate:
    load_templates()
    return db.session.scalar(
        sa.select(AgreementTemplate)
        .where(AgreementTemplate.code == code)
        .order_by(AgreementTemplate.version.desc())
    )


# The person of the demo login that signs for each organisation: named as the party's authorised
# signatory, so that login signs without a capacity mark (i. V. / i. A.).
SIGNATORY_PEOPLE = {
    "HAL": "a.richter@halle.example.org",
    "BLK": "s.krause@blk.example.org",
    "MB-REF34": "k.wagner@mb.example.org",
}


def person_id(email: str | None) -> int | None:
    if email is None:
        return None
    return db.session.scalar(sa.select(Person.id).where(Person.email == email))


def agreement_data(shorts=("HAL", "BLK"), duties=None, **overrides) -> dict:
    parties = []
    for short in shorts:
        parties.append(
            {
                "organisation_id": org(short).id,
                "role": "municipality",
                "signatory_person_id": person_id(SIGNATORY_PEOPLE.get(short)),
                "signatory_name": f"Unterzeichner {short}",
                "signatory_function": "Beigeordnete",
                "duties": (duties or {}).get(
                    short, [f"{short} liefert Daten", f"{short} berichtet"]
                ),
            }
        )
    return {
        "template_id": template().id,
        "title": "Kooperation Halle & Burgenlandkreis",
        "subject": "Gemeinsames Bildungsmonitoring",
        "objectives": "Transparenz",
        "start_date": dt.date(2022, 9, 1),
        "end_date": dt.date(2030, 8, 31),
        "notice_period_months": 3,
        "renewal": "none",
        "place": "Halle (Saale)",
        "parties": parties,
        **overrides,
    }


def draft(by: str = "halle@example.org", **kwargs):
    agreement = services.create_agreement(user(by), agreement_data(**kwargs))
    db.session.commit()
    return agreement


def awaiting(by: str = "halle@example.org", **kwargs):
    agreement = draft(by, **kwargs)
    services.request_signatures(user(by), agreement.latest_version)
    db.session.commit()
    return agreement


def fully_signed(**kwargs):
    """HAL + BLK agreement signed by halle@ and burgenlandkreis@ (term started 2022)."""
    agreement = awaiting(**kwargs)
    version = agreement.latest_version
    for party in version.parties:
        signer = (
            "halle@example.org"
            if party.organisation.short_name == "HAL"
            else ("burgenlandkreis@example.org")
        )
        services.sign(user(signer), party, DEMO_PASSWORD)
    db.session.commit()
    return agreement
