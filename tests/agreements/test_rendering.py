"""Rendering: shipped templates with demo agreements, special characters, sandbox, determinism."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from decimal import Decimal

import pytest
import sqlalchemy as sa
from docx import Document

from govtool.agreements.models import Agreement
from govtool.agreements.rendering import docx_to_pdf, render_version
from govtool.core.docx import TemplateRenderError, render_docx
from govtool.extensions import db


def _docx(text_paragraphs: list[str]) -> bytes:
    document = Document()
    for text in text_paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _demo_agreements():
    return db.session.scalars(sa.select(Agreement).order_by(Agreement.number)).all()


def test_each_shipped_template_renders_the_demo_agreements(demo):
    agreements = _demo_agreements()
    assert {a.latest_version.template.code for a in agreements} == {
        "kooperationsvereinbarung",
        "zielvereinbarung",
        "datenaustausch",
        "geschaeftsordnung-begleitgremium",
    }
    for agreement in agreements:
        version = agreement.latest_version
        document = Document(io.BytesIO(render_version(version, draft=False)))
        text = _all_text(document)
        assert agreement.number in text
        assert version.start_date.strftime("%d.%m.%Y") in text
        assert version.end_date.strftime("%d.%m.%Y") in text
        rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
        for party in version.parties:
            assert party.organisation.name in text
            for duty in party.duties:
                assert any(row[-1] == duty.text for row in rows), duty.text
            # a signature block per party: its row names the party (in a cell of its own, no
            # "Für <name>" that would need the name declined) and the signatory
            assert any(
                row[0].split("\n")[0] == party.organisation.name and party.signatory_name in row[1]
                for row in rows
            ), party.organisation.name
        footer = document.sections[0].footer.paragraphs[0]
        assert f"{agreement.number} · Fassung {version.number}" in footer.text
        assert "PAGE" in footer._p.xml and "NUMPAGES" in footer._p.xml


def test_draft_rendering_carries_the_draft_header_line(demo):
    version = _demo_agreements()[0].latest_version
    draft = Document(io.BytesIO(render_version(version, draft=True)))
    final = Document(io.BytesIO(render_version(version, draft=False)))
    assert "ENTWURF" in draft.sections[0].header.paragraphs[0].text
    assert "ENTWURF" not in final.sections[0].header.paragraphs[0].text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_a_rendered_agreement_to_pdf(demo):
    version = _demo_agreements()[0].latest_version
    pdf = docx_to_pdf(render_version(version, draft=False))
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000


def test_special_characters_umlauts_and_line_breaks_round_trip():
    value = "Müller & Söhne <GmbH> \"Zitat\" 'einfach' Straße\nzweite Zeile\x07\x0b"
    data = render_docx(_docx(["Name: {{ name }}"]), {"name": value})
    document = Document(io.BytesIO(data))
    assert document.paragraphs[0].text.startswith(
        "Name: Müller & Söhne <GmbH> \"Zitat\" 'einfach' Straße"
    )
    assert "zweite Zeile" in document.paragraphs[0].text
    assert "<w:br/>" in document.paragraphs[0]._p.xml


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ name.__class__.__init__.__globals__ }}", "__class__"),
        ("{{ config }}", "config"),
        ("{{ name.upper.__self__ }}", "__self__"),
    ],
)
def test_sandbox_escape_is_refused_naming_the_tag(tag, reason):
    with pytest.raises(TemplateRenderError) as caught:
        render_docx(_docx([f"Harmlos {tag} Text"]), {"name": "x"})
    assert tag in caught.value.message
    assert reason in caught.value.message


def test_rendering_is_deterministic_and_german_filters_apply():
    template = _docx(["{{ day|date }} {{ amount|money }}"])
    context = {"day": dt.date(2022, 9, 1), "amount": Decimal("1234.5")}
    first, second = render_docx(template, context), render_docx(template, context)
    assert first == second
    text = Document(io.BytesIO(first)).paragraphs[0].text.replace("\xa0", " ")
    assert text == "01.09.2022 1.234,50 €"


def test_template_syntax_error_names_the_paragraph():
    with pytest.raises(TemplateRenderError) as caught:
        render_docx(_docx(["ok", "Kaputt {% if x %} ohne Ende"]), {"x": 1})
    assert "Kaputt" in caught.value.message
