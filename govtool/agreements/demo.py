"""Demo data: the four standard templates and one demo agreement per template (idempotent)."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from flask import current_app

from ..auth.models import User
from ..directory.models import Organisation, Person
from ..extensions import db
from .models import (
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    AgreementTemplate,
    AgreementVersion,
    PartyDuty,
    PartyRole,
    Renewal,
)
from .shipped_texts import fill_shipped_texts

STANDARD_TEMPLATES = [
    # code, file, name, kind, description
    (
        "kooperationsvereinbarung",
        "kooperationsvereinbarung.docx",
        "Kooperationsvereinbarung (Land und Modellkommunen)",
        AgreementKind.COOPERATION,
        "Standardvorlage für die Zusammenarbeit von Land und Modellkommunen.",
    ),
    (
        "zielvereinbarung",
        "zielvereinbarung.docx",
        "Zielvereinbarung (Kommune und Begleitagentur)",
        AgreementKind.TARGET,
        "Ziele und Leistungen der Prozessbegleitung einer Kommune.",
    ),
    (
        "datenaustausch",
        "datenaustausch.docx",
        "Vereinbarung über den Datenaustausch",
        AgreementKind.DATA_SHARING,
        "Art, Umfang und Zweck der Datenbereitstellung; listet die Katalogeinträge.",
    ),
    (
        "geschaeftsordnung-begleitgremium",
        "geschaeftsordnung_begleitgremium.docx",
        "Geschäftsordnung des Begleitgremiums",
        AgreementKind.RULES_OF_PROCEDURE,
        "Quartalssitzungen, Beschlussfähigkeit, Niederschrift.",
    ),
]

START, END = dt.date(2022, 9, 1), dt.date(2025, 8, 31)
# The authorised signatory of a party (a person's email) where it is not the contact person.
SIGNATORIES = {"HAL": "a.vogt@halle.example.org"}
MUNICIPAL_DUTIES = [
    "benennt eine feste Ansprechperson für das kommunale Bildungsmanagement",
    "stellt die vereinbarten Daten für das Bildungsmonitoring bereit",
    "wirkt im Begleitgremium mit und berichtet halbjährlich über den Stand",
]
DEMO_AGREEMENTS = [
    # number, template code, title, owner, parties [(short, role, duties)], subject
    (
        "KV-2022-001",
        "kooperationsvereinbarung",
        "Kooperation im kommunalen Bildungsmanagement",
        "MB-REF34",
        [
            (
                "MB-REF34",
                PartyRole.LAND,
                [
                    "koordiniert das Modellvorhaben und richtet die Geschäftsstelle ein",
                    "legt schrittweise Art, Umfang und Zweck der Datenbereitstellung fest",
                ],
            ),
            ("HAL", PartyRole.MUNICIPALITY, MUNICIPAL_DUTIES),
            ("BLK", PartyRole.MUNICIPALITY, MUNICIPAL_DUTIES),
            ("BK", PartyRole.MUNICIPALITY, MUNICIPAL_DUTIES),
        ],
        "Gegenstand ist die Zusammenarbeit im Modellvorhaben „Kooperation im kommunalen "
        "Bildungsmanagement“ vom 01.09.2022 bis 31.08.2025.",
    ),
    (
        "ZV-2022-001",
        "zielvereinbarung",
        "Zielvereinbarung Stadt Halle (Saale) und TransMit",
        "HAL",
        [
            ("HAL", PartyRole.MUNICIPALITY, MUNICIPAL_DUTIES[:2]),
            (
                "TRANSMIT",
                PartyRole.AGENCY,
                [
                    "begleitet den Aufbau des datenbasierten kommunalen Bildungsmanagements",
                    "moderiert zwei Workshops pro Jahr",
                ],
            ),
        ],
        "Prozessbegleitung der Stadt Halle (Saale) durch die Transferagentur.",
    ),
    (
        "DV-2022-001",
        "datenaustausch",
        "Datenaustausch im Bildungsmonitoring",
        "MB-REF34",
        [
            ("MB-REF34", PartyRole.LAND, ["stellt Schulstatistik aggregiert bereit"]),
            ("HAL", PartyRole.MUNICIPALITY, ["liefert Daten zur Kindertagesbetreuung"]),
        ],
        "Regelt den Austausch von Daten für das kommunale Bildungsmonitoring.",
    ),
    (
        "GO-2022-001",
        "geschaeftsordnung-begleitgremium",
        "Geschäftsordnung des Begleitgremiums",
        "MB-REF34",
        [
            ("MB-REF34", PartyRole.LAND, ["führt die Geschäftsstelle"]),
            ("HAL", PartyRole.MEMBER, ["entsendet ein Mitglied"]),
            ("BLK", PartyRole.MEMBER, ["entsendet ein Mitglied"]),
            ("BK", PartyRole.MEMBER, ["entsendet ein Mitglied"]),
            ("LJA", PartyRole.MEMBER, ["entsendet ein Mitglied"]),
            ("LSCHA", PartyRole.MEMBER, ["entsendet ein Mitglied"]),
            ("TRANSMIT", PartyRole.AGENCY, ["berät das Gremium"]),
        ],
        "Das Begleitgremium steuert das Modellvorhaben und leitet den Abschlussbericht.",
    ),
]


def load_templates() -> int:
    """Register the shipped standard templates (version 1 each) unless already there."""
    added = 0
    folder = current_app.config["AGREEMENT_TEMPLATE_DIR"]
    for code, filename, name, kind, description in STANDARD_TEMPLATES:
        if db.session.scalar(sa.select(AgreementTemplate.id).where(AgreementTemplate.code == code)):
            continue
        data = (folder / filename).read_bytes()
        from .template_checks import check_template

        db.session.add(
            AgreementTemplate(
                code=code,
                name=name,
                kind=kind,
                version=1,
                description=description,
                filename=filename,
                content=data,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                variables=check_template(data, filename).variables,
            )
        )
        added += 1
    db.session.flush()
    fill_shipped_texts()
    return added


def _demo_agreement(number, code, title, owner, parties, subject, start, end, orgs) -> Agreement:
    """A draft agreement, version 1 from the newest version of the template `code`."""
    template = db.session.scalar(
        sa.select(AgreementTemplate)
        .where(AgreementTemplate.code == code)
        .order_by(AgreementTemplate.version.desc())
    )
    assert template is not None, f"demo template {code} is loaded first"
    creator = db.session.scalar(sa.select(User).where(User.organisation_id == orgs[owner].id))
    agreement = Agreement(
        number=number,
        title=title,
        kind=template.kind,
        status=AgreementStatus.DRAFT,
        owner_organisation=orgs[owner],
        created_by=creator,
    )
    version = AgreementVersion(
        number=1,
        template=template,
        title=title,
        subject=subject,
        objectives="Kooperation, Transparenz und Beteiligung; Datenfluss und "
        "Berichterstattung; Gremienmitwirkung.",
        start_date=start,
        end_date=end,
        notice_period_months=3,
        renewal=Renewal.BY_AGREEMENT,
        place="Magdeburg",
    )
    for position, (short, role, duties) in enumerate(parties):
        organisation = orgs[short]
        contact = organisation.contact_person
        named = SIGNATORIES.get(short)
        signatory = (
            (db.session.scalar(sa.select(Person).where(Person.email == named)) if named else None)
            or contact
            or db.session.scalar(sa.select(Person).where(Person.organisation_id == organisation.id))
        )
        version.parties.append(
            AgreementParty(
                organisation=organisation,
                position=position,
                role=role,
                contact_person=contact,
                signatory_name=signatory.full_name if signatory else "N. N.",
                signatory_function=signatory.function if signatory else "",
                signatory_person=signatory,
                duties=[PartyDuty(position=i, text=t) for i, t in enumerate(duties)],
            )
        )
    agreement.versions.append(version)
    db.session.add(agreement)
    return agreement


def _exists(number: str) -> bool:
    return db.session.scalar(sa.select(Agreement.id).where(Agreement.number == number)) is not None


def load_demo_agreements() -> dict[str, int]:
    """The templates plus one draft agreement per template."""
    added = {"agreement_templates": load_templates(), "agreements": 0}
    orgs = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    for number, code, title, owner, parties, subject in DEMO_AGREEMENTS:
        if _exists(number):
            continue
        _demo_agreement(number, code, title, owner, parties, subject, START, END, orgs)
        added["agreements"] += 1
    db.session.flush()
    return added


IN_FORCE = (
    "DV-2025-001",
    "datenaustausch",
    "Datenaustausch im Bildungsmonitoring – Fortschreibung 2025–2028",
    "MB-REF34",
    [
        (
            "MB-REF34",
            PartyRole.LAND,
            [
                "stellt die Schulstatistik je Schule und Schuljahr aggregiert bereit",
                "prüft jede neue Datenbereitstellung vorab im Datenkatalog",
            ],
        ),
        (
            "HAL",
            PartyRole.MUNICIPALITY,
            [
                "liefert Daten zur Kindertagesbetreuung jährlich zum 31. März",
                "nutzt die Daten nur für das kommunale Bildungsmonitoring",
            ],
        ),
    ],
    "Schreibt die Vereinbarung DV-2022-001 nach dem Ende des Modellvorhabens fort und regelt "
    "den Datenaustausch für das kommunale Bildungsmonitoring.",
)
IN_FORCE_TERM = (dt.date(2025, 9, 1), dt.date(2028, 8, 31))
# Who signs for which party, and when (the demo shows a realistic signature record).
IN_FORCE_SIGNATURES = [
    ("ministerium@example.org", "MB-REF34", dt.datetime(2025, 8, 18, 10, 30, tzinfo=dt.UTC)),
    ("halle@example.org", "HAL", dt.datetime(2025, 8, 25, 14, 5, tzinfo=dt.UTC)),
]
# halle@ (Anja Richter) signs by order of the Oberbürgermeister the agreement names.
IN_FORCE_CAPACITY = {"HAL": "ia"}


def load_demo_agreement_in_force() -> dict[str, int]:
    """One agreement in force: asked for signatures and signed by both parties through the
    services (password re-entry, frozen DOCX, SHA-256 record), as two demo logins would."""
    from ..demo import DEMO_PASSWORD
    from . import services

    number, code, title, owner, parties, subject = IN_FORCE
    if _exists(number):
        return {"agreements": 0}
    orgs = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    found = {
        short: (db.session.scalar(sa.select(User).where(User.email == email)), signed_at)
        for email, short, signed_at in IN_FORCE_SIGNATURES
    }
    signers = {short: (user, at) for short, (user, at) in found.items() if user is not None}
    if len(signers) < len(found):
        return {"agreements": 0}  # the demo logins were removed: leave it out
    agreement = _demo_agreement(number, code, title, owner, parties, subject, *IN_FORCE_TERM, orgs)
    db.session.flush()
    version = agreement.latest_version
    first_signer = signers[owner][0]
    services.request_signatures(first_signer, version, now=IN_FORCE_SIGNATURES[0][2])
    for party in version.parties:
        user, signed_at = signers[party.organisation.short_name]
        capacity = IN_FORCE_CAPACITY.get(party.organisation.short_name)
        services.sign(user, party, DEMO_PASSWORD, now=signed_at, capacity=capacity, confirmed=True)
    return {"agreements": 1}
