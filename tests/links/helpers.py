"""Small lookups for the link tests (demo data by natural key)."""

from __future__ import annotations

import io

import sqlalchemy as sa
from docx import Document

from govtool.agreements.models import Agreement
from govtool.bodies.models import Body
from govtool.catalogue.models import CatalogueEntry
from govtool.extensions import db


def agreement(number: str) -> Agreement:
    return db.session.scalar(sa.select(Agreement).where(Agreement.number == number))


def body(short: str = "BG") -> Body:
    return db.session.scalar(sa.select(Body).where(Body.short_name == short))


def entry(identifier: str) -> CatalogueEntry:
    return db.session.scalar(
        sa.select(CatalogueEntry).where(CatalogueEntry.identifier == identifier)
    )


def docx_text(data: bytes) -> str:
    """All paragraph and table text of a DOCX."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)
