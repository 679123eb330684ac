"""Demo data: wire the demo agreements, bodies and catalogue entries together (idempotent).

Runs after the area loaders (links is the last area create_app lists). The Begleitgremium (BG) gets
its Geschäftsordnung (GO-2022-001) as rules of procedure; the Kooperationsvereinbarung
(KV-2022-001) sets up the Begleitgremium; the data-sharing agreement (DV-2022-001) covers the
approved demo entries and those entries name it as their authorising agreement. Only empty links
are filled, so loading twice changes nothing and a link changed by hand stays.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..agreements.models import Agreement
from ..bodies.models import Body
from ..catalogue.models import CatalogueEntry, EntryStatus
from ..extensions import db

RULES = ("BG", "GO-2022-001")
SETS_UP = ("KV-2022-001", "BG")
DATA_SHARING = "DV-2022-001"


def _agreement(number: str) -> Agreement | None:
    return db.session.scalar(sa.select(Agreement).where(Agreement.number == number))


def load_links_demo() -> dict[str, int]:
    """Fill the demo links that are still empty; returns how many links were added."""
    added = 0
    body = db.session.scalar(sa.select(Body).where(Body.short_name == RULES[0]))
    rules = _agreement(RULES[1])
    if body is not None and rules is not None and body.rules_agreement_id is None:
        body.rules_agreement_id = rules.id
        added += 1
    cooperation = _agreement(SETS_UP[0])
    if body is not None and cooperation is not None:
        for version in cooperation.versions:
            if version.body_id is None:
                version.body_id = body.id
                added += 1
    data_sharing = _agreement(DATA_SHARING)
    if data_sharing is not None:
        approved = list(
            db.session.scalars(
                sa.select(CatalogueEntry)
                .where(CatalogueEntry.status == EntryStatus.APPROVED)
                .order_by(CatalogueEntry.identifier)
            )
        )
        for version in data_sharing.versions:
            if not version.catalogue_entries and approved:
                version.catalogue_entries = approved[:4]
                added += len(version.catalogue_entries)
        for entry in approved[:4]:
            for entry_version in entry.versions:
                if entry_version.agreement_id is None:
                    entry_version.agreement_id = data_sharing.id
                    added += 1
    db.session.flush()
    return {"links": added}
