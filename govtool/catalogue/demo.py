"""Demo entries of the data-sharing catalogue for the Sachsen-Anhalt model project.

Idempotent: entries are matched by identifier. Entries go through the real workflow (submit by the
provider side, approval by the ministry), so the demo shows versions, comments and the outbox.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from ..auth.models import User
from ..core.audit import acting_as
from ..directory.models import Organisation, Person
from ..extensions import db
from . import services, workflow
from .models import CatalogueEntry

ALL_CHECKS = [key for key, _label in workflow.CHECKLIST]

STATS_LAW = "§ 6 Statistikgesetz Sachsen-Anhalt (StatG LSA); § 84a Schulgesetz LSA"

ENTRIES: list[dict[str, Any]] = [
    {
        "identifier": "DX-2025-001",
        "provider": "LSCHA",
        "recipients": ["HAL", "BLK", "BK"],
        "proposer": "admin@example.org",
        "final": "approved",
        "title": "Schulstatistik nach Gemeinden",
        "description": "Schülerzahlen, Klassen und Lehrkräfte je allgemeinbildender Schule, "
        "zusammengefasst je Gemeinde und Schulform, aus der amtlichen Schulstatistik.",
        "data_subjects": "Schülerinnen und Schüler, Lehrkräfte (nur in Summen)",
        "personal_data_level": "aggregated",
        "small_number_threshold": 3,
        "purpose": "Kommunale Bildungsplanung und Bildungsmonitoring der Modellkommunen.",
        "legal_basis": "statistics_law",
        "legal_norm": STATS_LAW,
        "spatial_coverage": "Stadt Halle (Saale), Burgenlandkreis, Landkreis Börde",
        "spatial_level": "municipality",
        "period_start": "2022-08-01",
        "period_end": "2025-07-31",
        "frequency": "yearly",
        "data_format": "CSV",
        "data_schema": "Schulstatistik LSA, Merkmalskatalog 2024",
        "transfer_channel": "Landesdatennetz (ITN-LSA), verschlüsselte Dateiablage",
        "retention_provider": "Nach Landesstatistikgesetz",
        "retention_recipient": "Löschung fünf Jahre nach Ende des Schuljahres",
        "security_measures": "Geheimhaltung durch Zellsperrung unter 3 Fällen; Zugriff nur "
        "für das Bildungsmonitoring",
        "keywords": "Schulstatistik, Schülerzahlen, Gemeinde",
        "items": [
            ("Gemeindeschlüssel", "Amtlicher Gemeindeschlüssel (AGS)", "AGS, 8-stellig"),
            ("Schulform", "Schulform nach Schulgesetz", "Schlüsselliste Schulformen LSA"),
            ("Schülerzahl", "Schülerinnen und Schüler am Stichtag", "Anzahl"),
            ("Klassenzahl", "Klassen am Stichtag", "Anzahl"),
        ],
        "provider_contact": "r.weber@lsa.example.org",
    },
    {
        "identifier": "DX-2025-002",
        "provider": "BLK",
        "recipients": ["MB-REF34"],
        "proposer": "burgenlandkreis@example.org",
        "final": "approved",
        "title": "Plätze für Schulbegleitung und Inklusionsassistenz",
        "description": "Bewilligte Plätze für Schulbegleitung nach § 35a SGB VIII und "
        "§ 112 SGB IX je Schulform und Gemeinde.",
        "data_subjects": "Schülerinnen und Schüler mit Anspruch auf Eingliederungshilfe "
        "(nur in Summen)",
        "personal_data_level": "aggregated",
        "small_number_threshold": 5,
        "purpose": "Steuerung der inklusiven Beschulung und Bericht an den Landtag.",
        "legal_basis": "gdpr_6_1_e",
        "legal_norm": "Art. 6 Abs. 1 lit. e DSGVO i. V. m. § 1 Schulgesetz LSA",
        "spatial_coverage": "Burgenlandkreis",
        "spatial_level": "district",
        "period_start": "2023-08-01",
        "frequency": "yearly",
        "data_format": "XLSX",
        "transfer_channel": "E-Mail mit verschlüsseltem Anhang",
        "retention_provider": "Zehn Jahre nach Bewilligungsende (Aktenordnung)",
        "retention_recipient": "Löschung nach Veröffentlichung des Bildungsberichts",
        "security_measures": "Zellsperrung unter 5 Fällen, Transportverschlüsselung",
        "keywords": "Inklusion, Schulbegleitung, Eingliederungshilfe",
        "items": [
            ("Gemeindeschlüssel", "", "AGS"),
            ("Schulform", "", "Schlüsselliste Schulformen LSA"),
            ("Plätze bewilligt", "Bewilligte Plätze am 1. Oktober", "Anzahl"),
        ],
        "provider_contact": "j.neumann@blk.example.org",
        "recipient_contact": "t.schulz@mb.example.org",
    },
    {
        "identifier": "DX-2025-003",
        "provider": "HAL",
        "recipients": ["MB-REF34", "TRANSMIT"],
        "proposer": "halle@example.org",
        "final": "approved",
        "title": "Ganztagsangebote an Grundschulen",
        "description": "Ganztagsangebote je Grundschule: Träger, Öffnungszeiten, Plätze.",
        "data_subjects": "keine",
        "personal_data_level": "none",
        "purpose": "Vorbereitung des Rechtsanspruchs auf Ganztagsbetreuung ab 2026.",
        "legal_basis": "gdpr_6_1_e",
        "legal_norm": "§ 24 Abs. 4 SGB VIII (ab 2026); Kooperationsvereinbarung Modellprojekt",
        "spatial_coverage": "Stadt Halle (Saale)",
        "spatial_level": "school",
        "period_start": "2024-08-01",
        "frequency": "half_yearly",
        "data_format": "CSV",
        "transfer_channel": "Upload in den Projektordner der TransMit",
        "retention_provider": "Fortlaufend aktualisiert",
        "retention_recipient": "Löschung zum Projektende",
        "security_measures": "Keine personenbezogenen Daten",
        "keywords": "Ganztag, Grundschule, Hort",
        "items": [
            ("Schulnummer", "", "Schulnummer LSA"),
            ("Träger", "Träger des Ganztagsangebots", ""),
            ("Plätze", "", "Anzahl"),
            ("Öffnungszeit", "Betreuungszeit werktags", "hh:mm–hh:mm"),
        ],
        "provider_contact": "a.richter@halle.example.org",
    },
    {
        "identifier": "DX-2025-004",
        "provider": "LJA",
        "recipients": ["HAL", "BLK", "BK"],
        "proposer": "admin@example.org",
        "final": "amended",
        "title": "Hilfen zur Erziehung – Fallzahlen aggregiert",
        "description": "Begonnene und laufende Hilfen zur Erziehung nach Hilfeart und "
        "Altersgruppe je Jugendamtsbezirk.",
        "data_subjects": "Kinder, Jugendliche und ihre Familien (nur in Summen)",
        "personal_data_level": "aggregated",
        "small_number_threshold": 5,
        "purpose": "Abstimmung von Jugendhilfe- und Schulentwicklungsplanung.",
        "legal_basis": "statistics_law",
        "legal_norm": "§§ 98 ff. SGB VIII (Kinder- und Jugendhilfestatistik)",
        "spatial_coverage": "Sachsen-Anhalt, je Jugendamtsbezirk",
        "spatial_level": "district",
        "period_start": "2022-01-01",
        "frequency": "yearly",
        "data_format": "XLSX",
        "transfer_channel": "Landesdatennetz (ITN-LSA)",
        "retention_provider": "Nach § 103 SGB VIII",
        "retention_recipient": "Löschung nach drei Jahren",
        "security_measures": "Zellsperrung unter 5 Fällen; Zugriff nur Jugendhilfeplanung",
        "keywords": "Jugendhilfe, Hilfen zur Erziehung, Fallzahlen",
        "items": [
            ("Jugendamtsbezirk", "", "Kreisschlüssel"),
            ("Hilfeart", "", "§§ 27–35 SGB VIII"),
            ("Altersgruppe", "", "0–5, 6–9, 10–13, 14–17"),
            ("Fälle", "Begonnene Hilfen im Jahr", "Anzahl"),
        ],
        "provider_contact": "u.fischer@lja.example.org",
        # a change waiting for review while version 1 stays in force
        "amendment": {"retention_recipient": "Löschung nach fünf Jahren"},
        "amendment_comment": "Längere Aufbewahrung für die Zeitreihen des Bildungsberichts.",
    },
    {
        "identifier": "DX-2025-005",
        "provider": "BK",
        "recipients": ["MB-REF34"],
        "proposer": "admin@example.org",
        "final": "approved",
        "title": "Schülerbeförderung – Schulwegdaten",
        "description": "Schulwege der beförderten Schülerinnen und Schüler: Wohnort "
        "(Rasterzelle), Schule, Weglänge und Fahrzeit, pseudonymisiert.",
        "data_subjects": "Beförderte Schülerinnen und Schüler",
        "personal_data_level": "pseudonymised",
        "purpose": "Analyse der Schulwege für die Schulnetzplanung im ländlichen Raum.",
        "legal_basis": "school_law",
        "legal_norm": "§ 71 Schulgesetz LSA (Schülerbeförderung); § 84a Schulgesetz LSA",
        "dpia_required": True,
        "dpia_completed_on": "2024-03-12",
        "dpia_outcome": "DSFA vom 12.03.2024: Restrisiko gering bei Rasterzellen von 1 km²",
        "spatial_coverage": "Landkreis Börde",
        "spatial_level": "district",
        "period_start": "2023-08-01",
        "frequency": "yearly",
        "data_format": "GeoJSON",  # as typed before the form offered the EU file types
        "data_schema": "INSPIRE-Raster 1 km",
        "transfer_channel": "Verschlüsselter Datenträger, persönliche Übergabe",
        "retention_provider": "Ein Jahr nach Schuljahresende",
        "retention_recipient": "Löschung nach Abschluss der Analyse, spätestens nach 2 Jahren",
        "security_measures": "Pseudonymisierung beim Landkreis; Schlüssel verbleibt beim Landkreis",
        "onward_recipients": "keine",
        "keywords": "Schülerbeförderung, Schulweg, ländlicher Raum",
        "items": [
            ("Pseudonym", "Zufällige Kennung je Schüler", "", True),
            ("Wohnort-Rasterzelle", "", "INSPIRE 1 km", True),
            ("Schulnummer", "", "Schulnummer LSA"),
            ("Weglänge", "", "km"),
            ("Fahrzeit", "", "Minuten"),
        ],
        "provider_contact": "c.lehmann@boerde.example.org",
    },
    {
        "identifier": "DX-2025-006",
        "provider": "HAL",
        "recipients": ["LSCHA"],
        "proposer": "halle@example.org",
        "final": "draft",
        "title": "Übergänge Kita – Grundschule",
        "description": "Anzahl der Einschulungen je Kita und Grundschule.",
        "personal_data_level": "aggregated",
        "small_number_threshold": 3,
        "purpose": "Gestaltung des Übergangs von der Kita in die Grundschule.",
        "legal_basis": "gdpr_6_1_e",
        "spatial_coverage": "Stadt Halle (Saale)",
        "spatial_level": "school",
        "frequency": "yearly",
        "keywords": "Übergang, Kita, Einschulung",
        "items": [("Kita", "", ""), ("Grundschule", "", "Schulnummer LSA"), ("Anzahl", "", "")],
    },
    {
        "identifier": "DX-2025-007",
        "provider": "LSCHA",
        "recipients": ["MB-REF34", "TRANSMIT"],
        "proposer": "admin@example.org",
        "final": "amended",
        "title": "Schulabgänger ohne Abschluss nach Gemeinde",
        "description": "Abgängerinnen und Abgänger ohne Hauptschulabschluss je Gemeinde.",
        "data_subjects": "Schulabgängerinnen und -abgänger (nur in Summen)",
        "personal_data_level": "aggregated",
        "small_number_threshold": 3,
        "purpose": "Indikator für den Bildungsbericht an den Landtag.",
        "legal_basis": "statistics_law",
        "legal_norm": STATS_LAW,
        "spatial_coverage": "Sachsen-Anhalt",
        "spatial_level": "municipality",
        "period_start": "2021-08-01",
        "frequency": "yearly",
        "data_format": "CSV",
        "transfer_channel": "Landesdatennetz (ITN-LSA)",
        "retention_provider": "Nach Landesstatistikgesetz",
        "retention_recipient": "Fünf Jahre",
        "security_measures": "Zellsperrung unter 3 Fällen",
        "keywords": "Schulabschluss, Bildungsbericht",
        "items": [("Gemeindeschlüssel", "", "AGS"), ("Abgänger ohne Abschluss", "", "Anzahl")],
        "amendment": {"frequency": "half_yearly", "small_number_threshold": 5},
        "amendment_comment": "Umstellung auf halbjährliche Lieferung.",
        # the ministry returned the change: version 1 ("Jährlich") stays in force
        "amendment_returned": "Halbjährliche Lieferung ist im Statistikgesetz nicht vorgesehen; "
        "bitte Rechtsgrundlage für den zweiten Stichtag ergänzen.",
    },
    {
        "identifier": "DX-2025-008",
        "provider": "BLK",
        "recipients": ["MB-REF34"],
        "proposer": "burgenlandkreis@example.org",
        "final": "changes_requested",
        "title": "Indikatoren des kommunalen Bildungsmonitorings",
        "description": "Ausgewählte Indikatoren des Bildungsmonitorings für den Landesbericht.",
        "personal_data_level": "aggregated",
        "small_number_threshold": 3,
        "purpose": "Beitrag zum Bildungsbericht des Landes.",
        "legal_basis": "gdpr_6_1_e",
        "legal_norm": "Art. 6 Abs. 1 lit. e DSGVO; Zielvereinbarung Modellprojekt",
        "spatial_coverage": "Burgenlandkreis",
        "spatial_level": "municipality",
        "frequency": "quarterly",
        "data_format": "XLSX",
        "keywords": "Bildungsmonitoring, Indikatoren",
        "items": [("Indikator", "", "Indikatorenkatalog"), ("Wert", "", "")],
    },
    {
        "identifier": "DX-2025-009",
        "provider": "LSCHA",
        "recipients": ["HAL"],
        "proposer": "admin@example.org",
        "final": "submitted",
        "title": "Sprachstandsfeststellung vor der Einschulung",
        "description": "Ergebnisse der Sprachstandsfeststellung je Kind für die Förderplanung.",
        "data_subjects": "Kinder im Jahr vor der Einschulung",
        "personal_data_level": "personal",
        "purpose": "Gezielte Sprachförderung vor der Einschulung.",
        "legal_basis": "school_law",
        "legal_norm": "§ 37 Abs. 3 Schulgesetz LSA",
        # personal data of children, DPIA needed and in progress: waits for review, and the
        # ministry cannot approve it before the DPIA is completed (permissions.approval_refusal)
        "dpia_required": True,
        "dpia_outcome": "DSFA in Arbeit",
        "spatial_coverage": "Stadt Halle (Saale)",
        "spatial_level": "school",
        "frequency": "yearly",
        "data_format": "CSV",
        "transfer_channel": "Landesdatennetz (ITN-LSA)",
        "retention_provider": "Bis zum Ende der Grundschulzeit",
        "retention_recipient": "Löschung nach Abschluss der Förderung",
        "security_measures": "Ende-zu-Ende-Verschlüsselung, Zugriff nur Förderplanung",
        "keywords": "Sprachförderung, Einschulung",
        "items": [
            ("Name des Kindes", "", "", True),
            ("Geburtsdatum", "", "TT.MM.JJJJ", True),
            ("Förderbedarf", "", "ja/nein", True),
        ],
    },
    {
        # personal data, no DPIA because the threshold analysis found no high risk: approved
        # with the reviewer's recorded justification (permissions.approval_needs_justification)
        "identifier": "DX-2025-010",
        "provider": "LSCHA",
        "recipients": ["MB-REF34"],
        "proposer": "admin@example.org",
        "final": "approved",
        "title": "Fortbildungsteilnahme der Lehrkräfte",
        "description": "Teilnahmen an Fortbildungen je Lehrkraft und Themenfeld, pseudonymisiert.",
        "data_subjects": "Lehrkräfte an allgemeinbildenden Schulen",
        "personal_data_level": "pseudonymised",
        "purpose": "Planung des Fortbildungsangebots nach Themenfeldern und Regionen.",
        "legal_basis": "gdpr_6_1_e",
        "legal_norm": "Art. 6 Abs. 1 lit. e DSGVO i. V. m. § 30 Schulgesetz LSA",
        "dpia_required": False,
        "dpia_outcome": "Schwellwertanalyse vom 04.02.2025: kein hohes Risiko, keine DSFA nötig",
        "spatial_coverage": "Sachsen-Anhalt",
        "spatial_level": "state",
        "period_start": "2024-08-01",
        "frequency": "yearly",
        "data_format": "CSV",
        "transfer_channel": "Landesdatennetz (ITN-LSA)",
        "retention_provider": "Drei Jahre",
        "retention_recipient": "Löschung nach Auswertung, spätestens nach zwei Jahren",
        "security_measures": "Pseudonymisierung im Landesschulamt; Schlüssel bleibt dort",
        "keywords": "Fortbildung, Lehrkräfte",
        "items": [
            ("Pseudonym", "Zufällige Kennung je Lehrkraft", "", True),
            ("Themenfeld", "", "Themenkatalog LISA"),
            ("Stunden", "", "Anzahl"),
        ],
        "justification": "Schwellwertanalyse des Landesschulamts vom 04.02.2025 geprüft: "
        "kein Fall der DSK-Muss-Liste, keine Daten nach Art. 9 DSGVO, Pseudonymisierung vor "
        "der Übermittlung, Schlüssel verbleibt beim Landesschulamt. Kein hohes Risiko; eine "
        "DSFA ist nicht erforderlich.",
    },
]


def _by(model, **criteria):
    return db.session.scalar(sa.select(model).filter_by(**criteria))


def _data(spec: dict, organisations: dict[str, Organisation]) -> dict:
    data = {
        k: v
        for k, v in spec.items()
        if k
        not in (
            "provider",
            "recipients",
            "proposer",
            "final",
            "items",
            "amendment",
            "amendment_comment",
            "amendment_returned",
            "justification",
            "provider_contact",
            "recipient_contact",
        )
    }
    data["provider_id"] = organisations[spec["provider"]].id
    data["recipient_ids"] = [organisations[s].id for s in spec["recipients"]]
    data["items"] = [
        {
            "name": item[0],
            "description": item[1],
            "unit": item[2],
            "is_personal": item[3] if len(item) > 3 else False,
        }
        for item in spec["items"]
    ]
    for key in ("provider_contact", "recipient_contact"):
        if spec.get(key):
            person = _by(Person, email=spec[key])
            data[f"{key}_id"] = person.id if person else None
    return data


def load_catalogue_demo() -> dict[str, int]:
    """Create the demo entries that are missing; returns {"catalogue entries": added}."""
    ministry = _by(User, email="ministerium@example.org")
    if ministry is None:
        return {"catalogue entries": 0}
    organisations = {o.short_name: o for o in db.session.scalars(sa.select(Organisation))}
    added = 0
    for spec in ENTRIES:
        if _by(CatalogueEntry, identifier=spec["identifier"]) is not None:
            continue
        if any(s not in organisations for s in [spec["provider"], *spec["recipients"]]):
            continue
        proposer = _by(User, email=spec["proposer"])
        with acting_as(proposer):
            entry = services.create_entry(proposer, _data(spec, organisations))
        added += 1
        if spec["final"] == "draft":
            continue
        with acting_as(proposer):
            workflow.submit(proposer, entry, "Bitte um Prüfung.")
        if spec["final"] == "submitted":
            continue
        with acting_as(ministry):
            workflow.start_review(ministry, entry)
            if spec["final"] == "changes_requested":
                workflow.request_changes(
                    ministry,
                    entry,
                    "Bitte Aufbewahrungs- und Löschfristen für beide Seiten ergänzen.",
                    ["purpose", "legal_basis", "minimised", "small_numbers"],
                )
                continue
            workflow.approve(
                ministry,
                entry,
                "Geprüft und freigegeben.",
                ALL_CHECKS,
                next_review_on=dt.date.today() + dt.timedelta(days=365),
                confirmed="justification" in spec,
                justification=spec.get("justification", ""),
            )
        if spec["final"] == "amended":
            with acting_as(proposer):
                services.update_entry(proposer, entry, spec["amendment"])
                workflow.submit(proposer, entry, spec["amendment_comment"])
            if spec.get("amendment_returned"):
                with acting_as(ministry):
                    workflow.start_review(ministry, entry)
                    workflow.request_changes(
                        ministry, entry, spec["amendment_returned"], ["purpose", "minimised"]
                    )
    return {"catalogue entries": added}
