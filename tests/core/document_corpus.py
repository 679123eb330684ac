"""Every DOCX the demo data gives: each agreement version (draft copy, signed text, signed
document), each meeting's invitation and minutes, each body's activity report and the catalogue
register; used by the document style tests and to look at the documents by hand."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import force_locale

from govtool.agreements import signing
from govtool.agreements.models import Agreement, VersionStatus
from govtool.agreements.rendering import render_version
from govtool.auth.models import User
from govtool.bodies import documents
from govtool.bodies import report as activity_report
from govtool.bodies.models import Body, Meeting
from govtool.catalogue import exchange
from govtool.catalogue import services as catalogue_services
from govtool.extensions import db


@dataclass
class DemoDocument:
    name: str  # a file name without extension, unique in the corpus
    data: bytes
    kind: str  # agreement, signed_text, signed_document, invitation, minutes, report, register
    author: str  # the issuing organisation the document must name
    language: str = "de-DE"


def _issuer_name(organisation) -> str:
    while organisation is not None and organisation.parent is not None:
        organisation = organisation.parent
    return organisation.name if organisation is not None else ""


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-")


def demo_documents(register_locale: str = "de") -> list[DemoDocument]:
    """Render every demo document (the demo must be loaded)."""
    found: list[DemoDocument] = []
    agreements = db.session.scalars(sa.select(Agreement).order_by(Agreement.number)).all()
    for agreement in agreements:
        author = _issuer_name(agreement.owner_organisation)
        for version in agreement.versions:
            stem = f"{_slug(agreement.number)}-F{version.number}"
            found.append(
                DemoDocument(
                    f"{stem}-entwurf", render_version(version, draft=True), "agreement", author
                )
            )
            if version.document is not None:
                found.append(DemoDocument(f"{stem}-text", version.document, "signed_text", author))
            if version.status in (VersionStatus.SIGNED, VersionStatus.SUPERSEDED) and (
                version.document is not None
            ):
                found.append(
                    DemoDocument(
                        f"{stem}-ausfertigung",
                        signing.signed_document_of(version),
                        "signed_document",
                        author,
                    )
                )
    meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.body_id, Meeting.number))
    for meeting in meetings:
        author = _issuer_name(meeting.body.organisation)
        stem = f"{_slug(meeting.body.short_name)}-{meeting.number}"
        items = sorted(meeting.agenda_items, key=lambda i: i.position)
        found.append(
            DemoDocument(
                f"{stem}-einladung",
                documents.invitation_docx(meeting, items, True),
                "invitation",
                author,
            )
        )
        found.append(
            DemoDocument(
                f"{stem}-niederschrift", documents.minutes_docx(meeting), "minutes", author
            )
        )
    for body in db.session.scalars(sa.select(Body).order_by(Body.short_name)):
        if not body.meetings:
            continue
        start, end = activity_report.default_period(body)
        found.append(
            DemoDocument(
                f"{_slug(body.short_name)}-bericht",
                activity_report.report_docx(body, start, end),
                "report",
                _issuer_name(body.organisation),
            )
        )
    # the Geschäftsstelle prints the register for the committee's files
    office = db.session.scalar(sa.select(User).where(User.email == "sekretariat@example.org"))
    with force_locale(register_locale):
        filters = catalogue_services.ListFilters()
        versions = catalogue_services.list_versions(office, filters)
        found.append(
            DemoDocument(
                f"register-{register_locale}",
                exchange.to_docx(versions, office),
                "register",
                _issuer_name(office.organisation),
                "de-DE" if register_locale == "de" else "en-GB",
            )
        )
    return found
