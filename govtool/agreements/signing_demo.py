"""Demo data for signatures: the municipalities' target agreements with the support agency
TransMit (login transmit@example.org), one of them sent for signature and signed by the district
so far, so that TransMit's dashboard shows it as waiting for its signature (idempotent)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..directory.models import Organisation
from ..extensions import db
from .demo import END, MUNICIPAL_DUTIES, START, _demo_agreement, _exists
from .models import PartyRole

AGENCY_DUTIES = [
    "begleitet den Aufbau des datenbasierten kommunalen Bildungsmanagements",
    "moderiert zwei Workshops pro Jahr und dokumentiert deren Ergebnisse",
]
TARGET_AGREEMENTS = [
    # number, title, municipality, term, signatures requested and signed by the municipality?
    ("ZV-2022-002", "Zielvereinbarung Burgenlandkreis und TransMit", "BLK", (START, END), False),
    ("ZV-2022-003", "Zielvereinbarung Landkreis Börde und TransMit", "BK", (START, END), False),
    (
        "ZV-2026-001",
        "Zielvereinbarung Burgenlandkreis und TransMit – Fortschreibung 2026–2028",
        "BLK",
        (dt.date(2026, 9, 1), dt.date(2028, 8, 31)),
        True,
    ),
]
REQUESTED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
SIGNED_AT = dt.datetime(2026, 11, 23, 15, 40, tzinfo=dt.UTC)


def load_demo_target_agreements() -> dict[str, int]:
    """Target agreements between each district and TransMit; ZV-2026-001 awaits TransMit."""
    from ..demo import DEMO_PASSWORD
    from . import services

    orgs = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    if "TRANSMIT" not in orgs:
        return {"agreements": 0}
    added = 0
    for number, title, municipality, (start, end), requested in TARGET_AGREEMENTS:
        if _exists(number) or municipality not in orgs:
            continue
        parties = [
            (municipality, PartyRole.MUNICIPALITY, MUNICIPAL_DUTIES[:2]),
            ("TRANSMIT", PartyRole.AGENCY, AGENCY_DUTIES),
        ]
        subject = f"Prozessbegleitung des {orgs[municipality].name} durch die Transferagentur."
        agreement = _demo_agreement(
            number, "zielvereinbarung", title, municipality, parties, subject, start, end, orgs
        )
        added += 1
        db.session.flush()
        signer = agreement.created_by
        if not requested or signer is None:
            continue
        version = agreement.latest_version
        services.request_signatures(signer, version, now=REQUESTED_AT)
        own = next(p for p in version.parties if p.organisation.short_name == municipality)
        services.sign(signer, own, DEMO_PASSWORD, now=SIGNED_AT, confirmed=True)
    return {"agreements": added}
