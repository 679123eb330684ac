"""Bench seeder for agreements: 500 per scale step, three versions each, parties with duties,
signatures on signed versions. Every fifth agreement belongs to the bench municipality."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask import current_app

from govtool.core.models import utcnow

from .seed import SeedContext, bulk_insert, next_id, per_network

# Agreement status -> status of its third (latest) version.
STATUS_MIX = [
    ("in_force", "signed"),
    ("in_force", "signed"),
    ("in_force", "signed"),
    ("in_force", "signed"),
    ("in_force", "signed"),
    ("draft", "draft"),
    ("in_review", "in_review"),
    ("awaiting_signatures", "awaiting_signatures"),
    ("expired", "signed"),
    ("terminated", "signed"),
]
KINDS = ["cooperation", "target", "data_sharing", "cooperation", "other"]
DUTIES = [
    "stellt die Daten der Schuleingangsuntersuchung jährlich bereit",
    "benennt eine Ansprechperson für das Netzwerk",
    "beteiligt sich an der Finanzierung der Koordinierungsstelle",
    "wertet die Kennzahlen aus und berichtet dem Lenkungsgremium",
]


def seed_agreements(ctx: SeedContext) -> dict[str, int]:
    from govtool.agreements.models import (
        Agreement,
        AgreementParty,
        AgreementSignature,
        AgreementTemplate,
        AgreementVersion,
        PartyDuty,
    )
    from govtool.agreements.template_checks import check_template

    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    org_ids = ctx.ids["organisations"]
    users = ctx.extra["users_by_role"]
    municipality_org, land_org = org_ids[3], org_ids[2]
    filename = "kooperationsvereinbarung.docx"
    data = (current_app.config["AGREEMENT_TEMPLATE_DIR"] / filename).read_bytes()
    template_id = next_id(AgreementTemplate.__table__)
    bulk_insert(
        AgreementTemplate.__table__,
        [
            {
                "id": template_id,
                "code": "kooperationsvereinbarung",
                "name": "Kooperationsvereinbarung",
                "kind": "cooperation",
                "version": 1,
                "description": "Standardvorlage",
                "filename": filename,
                "content": data,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "variables": check_template(data, filename).variables,
                "is_active": True,
                "uploaded_by_id": users["admin"],
                **stamp,
            }
        ],
    )

    total = per_network(ctx, 500)
    agreement_id = next_id(Agreement.__table__)
    version_id = next_id(AgreementVersion.__table__)
    party_id = next_id(AgreementParty.__table__)
    agreements: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    parties: list[dict[str, Any]] = []
    duties: list[dict[str, Any]] = []
    signatures: list[dict[str, Any]] = []
    this_year = dt.date.today().year
    for i in range(total):
        status, latest_status = STATUS_MIX[i % len(STATUS_MIX)]
        owner = municipality_org if i % 5 == 0 else org_ids[(i * 7 + 11) % len(org_ids)]
        year = this_year - 4 + i % 5
        agreements.append(
            {
                "id": agreement_id,
                "number": f"KV-{year}-{i + 1:05d}",
                "title": f"Kooperationsvereinbarung Bildungsnetzwerk {i % ctx.networks + 1:03d}"
                f" ({i + 1})",
                "kind": KINDS[i % len(KINDS)],
                "status": status,
                "owner_organisation_id": owner,
                "created_by_id": users["municipality"] if owner == municipality_org else None,
                "terminated_on": dt.date(year + 1, 6, 30) if status == "terminated" else None,
                "termination_reason": "Ziel erreicht" if status == "terminated" else "",
                **stamp,
            }
        )
        for number in (1, 2, 3):
            v_status = latest_status if number == 3 else "superseded"
            signed = v_status in ("signed", "superseded")
            sha = hashlib.sha256(f"{i}-{number}".encode()).hexdigest()
            versions.append(
                {
                    "id": version_id,
                    "agreement_id": agreement_id,
                    "number": number,
                    "status": v_status,
                    "template_id": template_id,
                    "title": agreements[-1]["title"],
                    "subject": "Zusammenarbeit im kommunalen Bildungsmanagement",
                    "objectives": "Übergänge gestalten; Daten gemeinsam nutzen.",
                    "start_date": dt.date(year, 1, 1),
                    "end_date": dt.date(year + 3, 12, 31),
                    "notice_period_months": 3,
                    "renewal": "yearly",
                    "place": "Dresden",
                    "change_note": "" if number == 1 else f"Änderung {number - 1}",
                    "signatures_requested_at": now
                    if signed or v_status == "awaiting_signatures"
                    else None,
                    "frozen_at": now if signed or v_status == "awaiting_signatures" else None,
                    "document_sha256": sha if signed or v_status == "awaiting_signatures" else None,
                    **stamp,
                }
            )
            for position, (org, role) in enumerate(
                [
                    (owner, "municipality"),
                    (land_org, "land"),
                    (org_ids[(i * 13 + 5) % len(org_ids)], "member"),
                ]
            ):
                parties.append(
                    {
                        "id": party_id,
                        "version_id": version_id,
                        "position": position,
                        "organisation_id": org,
                        "role": role,
                        "contact_person_id": None,
                        "signatory_name": f"Unterzeichner {position + 1}",
                        "signatory_function": "Bürgermeisterin" if position == 0 else "Leitung",
                    }
                )
                for d in range(2):
                    duties.append(
                        {
                            "party_id": party_id,
                            "position": d,
                            "text": DUTIES[(position + d) % len(DUTIES)],
                        }
                    )
                if signed:
                    signatures.append(
                        {
                            "version_id": version_id,
                            "party_id": party_id,
                            "user_id": users["ministry"]
                            if role == "land"
                            else users["municipality"],
                            "organisation_id": org,
                            "signed_at": now,
                            "document_sha256": sha,
                            "withdrawn_at": None,
                            "withdrawn_by_id": None,
                            "withdrawal_reason": "",
                        }
                    )
                party_id += 1
            version_id += 1
        agreement_id += 1
    bulk_insert(Agreement.__table__, agreements)
    bulk_insert(AgreementVersion.__table__, versions)
    bulk_insert(AgreementParty.__table__, parties)
    bulk_insert(PartyDuty.__table__, duties)
    bulk_insert(AgreementSignature.__table__, signatures)
    return {
        "agreements": len(agreements),
        "agreement_versions": len(versions),
        "agreement_signatures": len(signatures),
    }
