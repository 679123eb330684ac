"""The document of an agreement version: the template context, DOCX rendering and PDF conversion."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import german
from ..core.document_style import Contact, DocumentMeta, Issuer, moment_of
from ..core.docx import render_docx
from ..core.links import links
from .models import AgreementVersion, Renewal

if TYPE_CHECKING:
    from ..auth.models import User

DRAFT_NOTICE = "ENTWURF – nicht von allen Vertragsparteien unterzeichnet"

# Paragraph (2) of the term clause, after "Diese Vereinbarung / Geschäftsordnung tritt … in
# Kraft": "Sie" refers to either (both feminine), so the text fits every standard template.
RENEWAL_TEXT = {
    Renewal.NONE: "Sie endet mit Ablauf der Laufzeit, ohne dass es einer Kündigung bedarf.",
    Renewal.YEARLY: "Sie verlängert sich jeweils um ein Jahr, wenn sie nicht fristgerecht "
    "gekündigt wird.",
    Renewal.BY_AGREEMENT: "Eine Verlängerung kann durch eine Fortschreibung vereinbart werden.",
}


def notice_period(months: int) -> str:
    """The notice period as the term clause says it: "mit einer Frist von einem Monat zum
    Monatsende", "… von 3 Monaten …", and without a period "jederzeit zum Monatsende"."""
    if not months:
        return "jederzeit zum Monatsende"
    period = german.count_words(months, "Monat", "Monaten", one="einem")
    return f"mit einer Frist von {period} zum Monatsende"


# Documents are German whatever the UI language, so their labels are fixed here.
KIND_TEXT = {
    "cooperation": "Kooperationsvereinbarung",
    "target": "Zielvereinbarung",
    "data_sharing": "Vereinbarung über den Datenaustausch",
    "rules_of_procedure": "Geschäftsordnung",
    "other": "Vereinbarung",
}

PARTY_ROLE_TEXT = {
    "land": "Land",
    "municipality": "Modellkommune",
    "agency": "Begleitagentur",
    "member": "Mitglied",
    "other": "Vertragspartei",
}

# What an agreement provides to templates: top-level names and the attributes beneath them.
PROVIDED: dict[str, set[str] | None] = {
    "agreement": {
        "number",
        "title",
        "kind",
        "version",
        "preamble",
        "subject",
        "objectives",
        "start_date",
        "end_date",
        "notice_period_months",
        "notice_period",
        "renewal",
        "extra_clauses",
        "body",
        "place",
    },
    "parties": None,
    "data_exchanges": None,
    "draft_notice": set(),
    "draft": set(),
}
PARTY_FIELDS = "name, short_name, role, address, contact, signatory, signatory_function, duties"


LEGAL_BASIS_TEXT = {
    "gdpr_6_1_c": "Art. 6 Abs. 1 lit. c DSGVO (rechtliche Verpflichtung)",
    "gdpr_6_1_e": "Art. 6 Abs. 1 lit. e DSGVO (Wahrnehmung einer öffentlichen Aufgabe)",
    "school_law": "Schulgesetz des Landes",
    "statistics_law": "Statistikgesetz des Landes",
    "consent": "Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)",
    "other": "sonstige Rechtsgrundlage",
}


def data_exchanges(version: AgreementVersion, user: User | None = None) -> list[dict[str, str]]:
    """The linked catalogue entries the reader may see, through links (the catalogue's rule):
    for `user` as on the agreement page, for None (the signed document) approved ones only."""
    rows = []
    for entry, shown in links.document_entries(user, version.catalogue_entries):
        basis = LEGAL_BASIS_TEXT.get(shown.legal_basis.value, "")
        if shown.legal_norm:
            basis = f"{basis}; {shown.legal_norm}" if basis else shown.legal_norm
        rows.append(
            {
                "identifier": entry.identifier,
                "title": shown.title,
                "purpose": shown.purpose,
                "legal_basis": basis,
            }
        )
    return rows


def version_context(
    version: AgreementVersion, *, draft: bool, user: User | None = None
) -> dict[str, Any]:
    """Plain data for the template (no ORM objects reach the sandbox); catalogue entries as
    `user` may see them (None: the signed document, approved entries only)."""
    agreement = version.agreement
    parties = []
    for party in version.parties:
        organisation = party.organisation
        contact = party.contact_person
        parties.append(
            {
                "name": organisation.name,
                "short_name": organisation.short_name,
                "role": PARTY_ROLE_TEXT.get(party.role.value, "Vertragspartei"),
                "address": organisation.address,
                "contact": contact.full_name if contact else "",
                "signatory": party.signatory_name,
                "signatory_function": party.signatory_function,
                "duties": [duty.text for duty in party.duties],
            }
        )
    return {
        "agreement": {
            "number": agreement.number,
            "title": version.title,
            "kind": KIND_TEXT[agreement.kind.value],
            "version": version.number,
            "preamble": version.preamble,
            "subject": version.subject,
            "objectives": version.objectives,
            "start_date": version.start_date,
            "end_date": version.end_date,
            "notice_period_months": version.notice_period_months,
            "notice_period": notice_period(version.notice_period_months),
            "renewal": RENEWAL_TEXT[version.renewal],
            "extra_clauses": version.extra_clauses,
            "body": version.body.name if version.body else "Begleitgremium",
            "place": version.place or "____________",
        },
        "parties": parties,
        "data_exchanges": data_exchanges(version, user),
        "draft": draft,
        "draft_notice": DRAFT_NOTICE if draft else "",
    }


def sample_context(*, draft: bool = True) -> dict[str, Any]:
    """A realistic agreement context (three parties, two data exchanges) for dry-running uploaded
    templates: the same keys and kinds of values as version_context."""
    duty = "Die Partei stellt die vereinbarten Daten quartalsweise fristgerecht bereit."
    parties = [
        {
            "name": name,
            "short_name": short,
            "role": role,
            "address": "Hauptstraße 1\n06108 Halle (Saale)",
            "contact": "Dr. Maria Beispiel",
            "signatory": "Max Mustermann",
            "signatory_function": "Oberbürgermeister",
            "duties": [duty, "Sie benennt eine Ansprechperson für das Begleitgremium."],
        }
        for name, short, role in (
            ("Ministerium für Bildung Sachsen-Anhalt", "MB", "Land"),
            ("Stadt Halle (Saale)", "HAL", "Modellkommune"),
            ("Burgenlandkreis", "BLK", "Modellkommune"),
        )
    ]
    return {
        "agreement": {
            "number": "KV-2025-001",
            "title": "Kooperationsvereinbarung Bildungsmonitoring",
            "kind": KIND_TEXT["cooperation"],
            "version": 2,
            "preamble": "Die Vertragsparteien bauen das Bildungsmonitoring gemeinsam auf. " * 3,
            "subject": "Gegenstand dieser Vereinbarung ist die Zusammenarbeit der Parteien. " * 5,
            "objectives": "Die Parteien verfolgen gemeinsame Ziele der Bildungsplanung. " * 5,
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2027, 12, 31),
            "notice_period_months": 3,
            "notice_period": notice_period(3),
            "renewal": RENEWAL_TEXT[Renewal.YEARLY],
            "extra_clauses": "Ergänzende Regelungen zum Datenschutz und zur Evaluation.",
            "body": "Begleitgremium Bildungsmonitoring",
            "place": "Magdeburg",
        },
        "parties": parties,
        "data_exchanges": [
            {
                "identifier": f"DX-2025-00{n}",
                "title": title,
                "purpose": "Planung des Schulangebots und Berichterstattung an das Land.",
                "legal_basis": LEGAL_BASIS_TEXT["gdpr_6_1_e"],
            }
            for n, title in ((1, "Schülerzahlen je Schule"), (2, "Übergänge nach Klasse 4"))
        ],
        "draft": draft,
        "draft_notice": DRAFT_NOTICE if draft else "",
    }


def document_meta(version: AgreementVersion) -> DocumentMeta:
    """Who issues the version's document (the agreement's owner, with its contact person), its
    file reference (the agreement number) and date: the day the version went out for signature,
    else the day it was created. Both are fixed once the text is signed, so rendering the same
    version again gives the same bytes."""
    agreement = version.agreement
    owner = agreement.owner_organisation
    if owner is None and version.parties:
        owner = version.parties[0].organisation
    return DocumentMeta(
        title=f"{agreement.number} – {version.title}"[:250],
        subject=KIND_TEXT[agreement.kind.value],
        issuer=Issuer.of(owner),
        reference=agreement.number,
        contact=Contact.of(owner.contact_person, owner) if owner is not None else None,
        moment=moment_of(version.signatures_requested_at or version.created_at),
        extra={"version": str(version.number)},
    )


def render_version(
    version: AgreementVersion,
    *,
    draft: bool,
    template: bytes | Path | None = None,
    user: User | None = None,
) -> bytes:
    """The version's DOCX as `user` may read it (None: the signed document everyone gets);
    deterministic, so the same version renders to the same bytes."""
    source = template if template is not None else version.template.content
    return render_docx(
        source, version_context(version, draft=draft, user=user), meta=document_meta(version)
    )


def soffice_path() -> str | None:
    """LibreOffice's binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


class ConversionUnavailable(Exception):
    """PDF conversion is not possible here (LibreOffice missing or failing)."""


def docx_to_pdf(data: bytes, timeout: int = 120) -> bytes:
    """Convert DOCX bytes to PDF with LibreOffice, with a private profile so calls can overlap."""
    binary = soffice_path()
    if binary is None:
        raise ConversionUnavailable("LibreOffice (soffice) is not installed on this server.")
    with tempfile.TemporaryDirectory(prefix="govtool-pdf-") as tmp:
        work = Path(tmp)
        source = work / "document.docx"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        env = {**os.environ, "HOME": str(work)}
        try:
            subprocess.run(
                [
                    binary,
                    f"-env:UserInstallation={profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
                env=env,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ConversionUnavailable(
                f"LibreOffice could not convert the document: {exc}"
            ) from exc
        result = work / "document.pdf"
        if not result.exists():
            raise ConversionUnavailable("LibreOffice produced no PDF.")
        return result.read_bytes()
