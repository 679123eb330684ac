"""Factories for catalogue tests: a complete entry ready to submit, and the people around it."""

from __future__ import annotations

from govtool.auth.models import Role
from govtool.catalogue import services
from govtool.directory.models import OrganisationKind
from tests.factories import make_organisation, make_user


def entry_data(provider, recipients, **overrides) -> dict:
    """Everything a reviewer needs: purpose, legal basis, items, retention, small-number rule."""
    data = {
        "provider_id": provider.id,
        "recipient_ids": [r.id for r in recipients],
        "title": "Schulstatistik nach Gemeinden",
        "description": "Schülerzahlen je Schule, zusammengefasst je Gemeinde.",
        "controller_relationship": "separate",
        "data_subjects": "Schülerinnen und Schüler (nur in Summen)",
        "personal_data_level": "aggregated",
        "small_number_threshold": 3,
        "purpose": "Kommunale Bildungsplanung",
        "legal_basis": "statistics_law",
        "legal_norm": "§ 6 StatG LSA",
        "spatial_coverage": "Stadt Halle (Saale)",
        "spatial_level": "municipality",
        "period_start": "2024-08-01",
        "period_end": "2025-07-31",
        "frequency": "yearly",
        "data_format": "CSV",
        "transfer_channel": "ITN-LSA",
        "retention_provider": "nach StatG",
        "retention_recipient": "fünf Jahre",
        "security_measures": "Zellsperrung",
        "keywords": "Schulstatistik, Gemeinde",
        "items": [
            {"name": "Gemeindeschlüssel", "unit": "AGS"},
            {"name": "Schülerzahl", "description": "am Stichtag", "unit": "Anzahl"},
        ],
    }
    data.update(overrides)
    return data


def make_entry(user, provider, recipients, **overrides):
    return services.create_entry(user, entry_data(provider, recipients, **overrides))


def make_world():
    """Two municipalities, the ministry's department, and a user for each (incl. a reviewer)."""
    ministry = make_organisation(
        name="Referat 34", short_name="MB-REF34", kind=OrganisationKind.MINISTRY
    )
    halle = make_organisation(name="Stadt Halle (Saale)", short_name="HAL")
    blk = make_organisation(
        name="Burgenlandkreis", short_name="BLK", kind=OrganisationKind.DISTRICT
    )
    users = {
        "halle": make_user("halle@example.org", (Role.MUNICIPALITY,), organisation=halle),
        "blk": make_user("blk@example.org", (Role.MUNICIPALITY,), organisation=blk),
        "ministry": make_user("ministerium@example.org", (Role.MINISTRY,), organisation=ministry),
        "ministry2": make_user("pruefer2@example.org", (Role.MINISTRY,), organisation=ministry),
        "member": make_user("member@example.org", (Role.MEMBER,), organisation=halle),
        "admin": make_user("admin@example.org", (Role.ADMIN,)),
    }
    return {"ministry": ministry, "halle": halle, "blk": blk, "users": users}
