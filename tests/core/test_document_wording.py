"""The generated documents read as correct German and have no empty sections: the demo's
invitation, minutes, rules of procedure, data-sharing agreements, catalogue register and body
report, read back with python-docx; and the same documents for empty data."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from govtool.agreements.models import Agreement
from govtool.agreements.rendering import render_version
from govtool.auth.models import User
from govtool.bodies import documents, report
from govtool.bodies.models import Body, Meeting, MeetingKind
from govtool.catalogue import exchange, services
from govtool.extensions import db

from ..bodies.factories import make_body, make_meeting
from ..catalogue.factories import entry_data, make_world

WRONG = (
    "Einladung zur Konstituierende",
    "zur Konstituierende Sitzung",
    "Niederschrift über die Konstituierende",
    "Niederschrift der Konstituierende",
    "Geschäftsstelle des Begleitgremium ",
    "Für Referat",
    "Für Stadt",
    "Für Burgenlandkreis",
    "1 Einträge",
    "1 Monaten",
    "built-in method",
)


def _blocks(document):
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def _is_heading(block) -> bool:
    return isinstance(block, Paragraph) and block.style.name.startswith(("Heading", "Title"))


def _has_content(block) -> bool:
    """A paragraph with text, or a table with a row below its header that holds text."""
    if isinstance(block, Paragraph):
        return bool(block.text.strip())
    rows = block.rows
    return len(rows) > 1 and any(c.text.strip() for row in rows[1:] for c in row.cells)


def empty_sections(data: bytes) -> list[str]:
    """Headings followed by nothing, by an empty paragraph or by a table without a data row;
    and header-only tables anywhere."""
    document = Document(io.BytesIO(data))
    blocks = list(_blocks(document))
    problems = []
    for index, block in enumerate(blocks):
        if _is_heading(block):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is None or not (_is_heading(following) or _has_content(following)):
                problems.append(f"heading without content: {block.text!r}")
        elif isinstance(block, Table) and not _has_content(block):
            header = " | ".join(c.text for c in block.rows[0].cells)
            problems.append(f"table without rows: {header}")
    return problems


def _text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in document.sections:
        lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)


def _wrong_phrases(text: str) -> list[str]:
    return [phrase for phrase in WRONG if phrase in text]


@pytest.fixture()
def german(app, demo):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        yield demo


def _meeting(kind: MeetingKind) -> Meeting:
    body = db.session.scalar(sa.select(Body).filter_by(short_name="BG"))
    return db.session.scalar(sa.select(Meeting).filter_by(body_id=body.id, kind=kind))


def _agreement(number: str) -> Agreement:
    return db.session.scalar(sa.select(Agreement).filter_by(number=number))


def _items(meeting: Meeting):
    return sorted(meeting.agenda_items, key=lambda i: i.position)


def test_invitation_of_the_constituent_meeting_reads_right(german):
    meeting = _meeting(MeetingKind.CONSTITUENT)
    data = documents.invitation_docx(meeting, _items(meeting), internal=True)
    text = _text(data)
    assert "hiermit laden wir Sie zur konstituierenden Sitzung am 10.02.2025" in text
    lines = text.splitlines()
    assert "Einladung" in lines and meeting.display_title in lines
    # the body's name on a line of its own under "Geschäftsstelle", never declined
    assert lines[lines.index("Geschäftsstelle") + 1] == meeting.body.name
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []


def test_minutes_read_right_and_say_so_for_an_item_without_notes(german):
    meeting = _meeting(MeetingKind.CONSTITUENT)
    data = documents.minutes_docx(meeting)
    text = _text(data)
    assert "Niederschrift" in text.splitlines()
    assert "Anwesend oder vertreten sind 6 von 6 stimmberechtigten Mitgliedern" in text
    assert "Keine Aufzeichnungen zu diesem Tagesordnungspunkt." in text  # TOP 2 has no notes
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []
    # the footer names the body once: the meeting's title already holds it
    footer = " ".join(p.text for p in Document(io.BytesIO(data)).sections[0].footer.paragraphs)
    assert footer.count(meeting.body.name) == 1, footer


def test_rules_of_procedure_speak_of_members_and_the_geschaeftsordnung(german):
    version = _agreement("GO-2022-001").latest_version
    data = render_version(version, draft=False)
    text = _text(data)
    assert "Diese Geschäftsordnung tritt am 01.09.2022 in Kraft" in text
    assert "Jedes Mitglied kann die Geschäftsordnung mit einer Frist von 3 Monaten" in text
    assert "Die Mitglieder übernehmen die folgenden Aufgaben" in text
    assert "Vertragspartei" not in text
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []


def test_data_sharing_agreement_without_approved_entries_says_so(german):
    """DV-2025-001 links no catalogue entry in the demo; the signed document (user None) lists
    approved entries only, so § 2 says in words that there is none instead of an empty table."""
    data = render_version(_agreement("DV-2025-001").latest_version, draft=False)
    text = _text(data)
    assert "kein freigegebener Eintrag des Datenaustauschkatalogs zugeordnet" in text
    assert "erfasst die folgenden Einträge" not in text
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []


def test_data_sharing_agreement_lists_its_approved_entries_with_identifiers(german):
    data = render_version(_agreement("DV-2022-001").latest_version, draft=False)
    text = _text(data)
    assert "erfasst die folgenden Einträge" in text
    assert "DX-2025-001: Schulstatistik nach Gemeinden" in text
    assert empty_sections(data) == []


def test_every_demo_agreement_has_no_empty_section(german):
    for agreement in db.session.scalars(sa.select(Agreement)):
        for version in agreement.versions:
            data = render_version(version, draft=True)
            assert empty_sections(data) == [], agreement.number
            assert _wrong_phrases(_text(data)) == [], agreement.number


def test_every_demo_meeting_document_has_no_empty_section(german):
    for meeting in db.session.scalars(sa.select(Meeting)):
        invitation = documents.invitation_docx(meeting, _items(meeting), internal=True)
        minutes = documents.minutes_docx(meeting)
        for data in (invitation, minutes):
            assert empty_sections(data) == [], meeting.display_title
            assert _wrong_phrases(_text(data)) == [], meeting.display_title


def test_body_report_reads_right(german):
    body = db.session.scalar(sa.select(Body).filter_by(short_name="BG"))
    data = report.report_docx(body, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    text = _text(data)
    assert "Die Niederschrift der Sitzung „Konstituierende Sitzung – " in text
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []
    for other in db.session.scalars(sa.select(Body)):
        assert empty_sections(report.report_docx(other, *report.default_period(other))) == []


def test_catalogue_register_reads_right(german):
    admin = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    versions = services.list_versions(admin, services.ListFilters())
    data = exchange.to_docx(versions, admin)
    text = _text(data)
    assert f"{len(versions)} Einträge" in text
    assert "Datenmerkmale" in text
    assert _wrong_phrases(text) == []
    assert empty_sections(data) == []
    one = exchange.to_docx(versions[:1], admin)
    assert "· 1 Eintrag" in _text(one)


# ---------------------------------------------------------------- empty data


@pytest.fixture()
def request_de(app, db):
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        yield db


def test_meeting_documents_without_agenda_attendance_or_decisions(request_de):
    body = make_body(name="AG Datenmonitoring")
    meeting = make_meeting(
        body, standing=False, kind=MeetingKind.EXTRAORDINARY, title="Sondersitzung"
    )
    invitation = documents.invitation_docx(meeting, [], internal=True)
    text = _text(invitation)
    assert "hiermit laden wir Sie zur außerordentlichen Sitzung am" in text
    assert "Die Tagesordnung wird nachgereicht." in text
    assert empty_sections(invitation) == []
    minutes = documents.minutes_docx(meeting)
    text = _text(minutes)
    for sentence in (
        "Keine Anwesenheit erfasst.",
        "Keine Tagesordnungspunkte.",
        "Keine Beschlüsse.",
        "Keine Aufgaben.",
    ):
        assert sentence in text
    assert empty_sections(minutes) == []


def test_report_of_a_body_without_meetings(request_de):
    body = make_body(name="AG Übergänge")
    data = report.report_docx(body, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    text = _text(data)
    assert "Im Zeitraum fand keine Sitzung statt." in text
    assert "Im Zeitraum wurden keine Beschlüsse gefasst." in text
    assert "Im Zeitraum wurden keine Aufgaben vergeben." in text
    assert empty_sections(data) == []


def test_register_of_nothing_and_of_an_entry_without_data_items(request_de):
    world = make_world()
    user = world["users"]["halle"]
    assert "Keine Einträge entsprechen der Auswahl." in _text(exchange.to_docx([], user))
    assert empty_sections(exchange.to_docx([], user)) == []
    entry = services.create_entry(user, entry_data(world["halle"], [world["blk"]], items=[]))
    data = exchange.to_docx([entry.latest_version], user)
    assert "Keine Datenmerkmale erfasst." in _text(data)
    assert empty_sections(data) == []


def test_the_shipped_templates_are_what_the_builder_scripts_write(tmp_path):
    """The .docx files are built, not edited by hand: the agreement templates' builder is
    deterministic, so a rebuild gives the shipped bytes."""
    root = Path(__file__).resolve().parents[2] / "agreement_templates"
    spec = importlib.util.spec_from_file_location("build_templates", root / "build_templates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_bytes() == (root / path.name).read_bytes(), path.name
