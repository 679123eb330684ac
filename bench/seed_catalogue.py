"""Bench seeder for the data-sharing catalogue: 5,000 entries per scale step, most approved
(two versions, some with a pending third), the rest in every other status; data items and
recipients on each version. Every tenth entry is provided by the bench municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any

from govtool.core.models import utcnow

from .seed import SeedContext, bulk_insert, next_id, per_network

# entry status -> statuses of its versions (oldest first)
LIFECYCLES = {
    "approved": ("superseded", "approved"),
    "approved_pending": ("superseded", "approved", "submitted"),
    "draft": ("draft",),
    "submitted": ("submitted",),
    "in_review": ("in_review",),
    "changes_requested": ("changes_requested",),
    "rejected": ("rejected",),
    "suspended": ("approved",),
    "retired": ("approved",),
}
MIX = ["approved"] * 14 + ["approved_pending"] * 2 + list(LIFECYCLES)[2:]
SUBJECTS = [
    ("Schuleingangsuntersuchung", "Ergebnisse der Schuleingangsuntersuchung je Schulbezirk"),
    ("Schülerzahlen", "Schülerinnen und Schüler je Schule und Klassenstufe"),
    ("Übergangsquoten", "Übergänge von der Grundschule an weiterführende Schulen"),
    ("Schulsozialarbeit", "Beratungskontakte der Schulsozialarbeit, aggregiert"),
    ("Kita-Plätze", "Betreute Kinder je Einrichtung und Altersgruppe"),
    ("Abschlüsse", "Schulabschlüsse nach Abschlussart"),
]
LEVELS = ["none", "aggregated", "aggregated", "pseudonymised", "personal"]
FREQUENCIES = ["yearly", "yearly", "half_yearly", "quarterly", "on_request"]


def seed_catalogue(ctx: SeedContext) -> dict[str, int]:
    from govtool.catalogue.models import (
        CatalogueDataItem,
        CatalogueEntry,
        CatalogueVersion,
        version_recipients,
    )

    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    org_ids, person_ids = ctx.ids["organisations"], ctx.ids["people"]
    users = ctx.extra["users_by_role"]
    today = dt.date.today()
    entries: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    recipients: list[dict[str, Any]] = []
    entry_id = next_id(CatalogueEntry.__table__)
    version_id = next_id(CatalogueVersion.__table__)
    for i in range(per_network(ctx, 5_000)):
        lifecycle = MIX[i % len(MIX)]
        statuses = LIFECYCLES[lifecycle]
        status = "approved" if lifecycle == "approved_pending" else lifecycle
        provider = org_ids[3] if i % 10 == 0 else org_ids[(i * 7 + 1) % len(org_ids)]
        approved = [n for n, s in enumerate(statuses, 1) if s == "approved"]
        title, description = SUBJECTS[i % len(SUBJECTS)]
        entries.append(
            {
                "id": entry_id,
                "identifier": f"DK-{i + 1:06d}",
                "provider_id": provider,
                "status": status,
                "latest_number": len(statuses),
                "approved_number": approved[-1] if approved else None,
                "created_by_id": users["municipality"] if provider == org_ids[3] else None,
                "issued_on": today - dt.timedelta(days=400 + i % 900) if approved else None,
                "modified_on": today - dt.timedelta(days=i % 400) if approved else None,
                "next_review_on": today + dt.timedelta(days=i % 365 - 30) if approved else None,
                "status_reason": "",
                **stamp,
            }
        )
        for number, v_status in enumerate(statuses, start=1):
            decided = v_status in ("approved", "superseded", "rejected", "changes_requested")
            versions.append(
                {
                    "id": version_id,
                    "entry_id": entry_id,
                    "number": number,
                    "status": v_status,
                    "created_by_id": None,
                    "title": f"{title} {i % ctx.networks + 1:03d}",
                    "description": f"{description} im Bildungsnetzwerk {i % ctx.networks + 1}.",
                    "provider_contact_id": person_ids[(i * 3) % len(person_ids)],
                    "recipient_contact_id": None,
                    "data_subjects": "Schülerinnen und Schüler",
                    "personal_data_level": LEVELS[i % len(LEVELS)],
                    "purpose": "Bildungsmonitoring und Steuerung im Netzwerk",
                    "legal_basis": "gdpr_6_1_e",
                    "legal_norm": "§ 4 SächsSchulG",
                    "spatial_coverage": f"Ort {i % 300}",
                    "spatial_level": "municipality",
                    "period_start": dt.date(today.year - 3, 1, 1),
                    "period_end": None,
                    "frequency": FREQUENCIES[i % len(FREQUENCIES)],
                    "data_format": "CSV",
                    "keywords": "Bildung, Monitoring, Schule",
                    "theme": "EDUC",
                    "submitted_at": now if v_status != "draft" else None,
                    "submitted_by_id": users["municipality"] if v_status != "draft" else None,
                    "decided_at": now if decided else None,
                    "decided_by_id": users["ministry"] if decided else None,
                    "reviewer_id": users["ministry"] if v_status != "draft" else None,
                    "checklist": {},
                    **stamp,
                }
            )
            for position, (name, unit) in enumerate(
                [("Anzahl", "Personen"), ("Anteil", "Prozent"), ("Schuljahr", "")]
            ):
                items.append(
                    {
                        "version_id": version_id,
                        "position": position,
                        "name": name,
                        "description": f"{name} je Einheit",
                        "unit": unit,
                        "is_personal": False,
                    }
                )
            for k in (1, 2):
                recipient = org_ids[(i * 5 + k * 17) % len(org_ids)]
                if recipient != provider:
                    recipients.append({"version_id": version_id, "organisation_id": recipient})
            version_id += 1
        entry_id += 1
    bulk_insert(CatalogueEntry.__table__, entries)
    bulk_insert(CatalogueVersion.__table__, versions)
    bulk_insert(CatalogueDataItem.__table__, items)
    bulk_insert(version_recipients, recipients)
    return {"catalogue_entries": len(entries), "catalogue_versions": len(versions)}
