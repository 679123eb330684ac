"""Build the meeting DOCX templates (docxtpl) with python-docx.

Run `python agreement_templates/meetings/build_templates.py` after changing the layout; the
generated invitation.docx, minutes.docx and report.docx are committed beside this script.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent


# The meeting's title names its body already ("5. Sitzung – Begleitgremium …", bodies/naming.py);
# the body's name leads the footer only for a title that does not.
MEETING_FOOTER = (
    "{% if body.name not in meeting.title %}{{ body.name }} · {% endif %}{{ meeting.title }}"
)


def _base(footer_text: str = MEETING_FOOTER) -> Document:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12)):
        style = document.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    footer = section.footer.paragraphs[0]
    footer.text = footer_text
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.runs[0].font.size = Pt(8)
    return document


def _tag(document: Document, text: str) -> None:
    """A paragraph holding only a docxtpl block tag ({%p ... %}); docxtpl removes it."""
    document.add_paragraph(text)


def _facts(document: Document, rows: list[tuple[str, str]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(4), Cm(12)
        run = cells[0].paragraphs[0].add_run(label)
        run.bold = True
        cells[1].paragraphs[0].add_run(value)


def _loop_table(document: Document, headers: list[str], loop: str, cells: list[str]) -> None:
    """A table with a header row and one row repeated by docxtpl ({%tr for ... %})."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr " + loop + " %}")
    for cell, value in zip(table.rows[2].cells, cells, strict=True):
        cell.paragraphs[0].add_run(value)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")


def _table_or_text(
    document: Document,
    headers: list[str],
    collection: str,
    variable: str,
    cells: list[str],
    empty: str,
) -> None:
    """The table of `collection`, or the sentence `empty` when it has no rows: a heading is
    never followed by a table with only its header row."""
    _tag(document, "{%p if " + collection + " %}")
    _loop_table(document, headers, f"for {variable} in {collection}", cells)
    _tag(document, "{%p else %}")
    document.add_paragraph(empty)
    _tag(document, "{%p endif %}")


def _cant_split(row) -> None:
    """A table row that Word and LibreOffice never break across pages."""
    row_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    row_pr.append(element)


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _signature_block(document: Document) -> None:
    """Chair and Schriftführung sign side by side: place and date, a line to sign on, name and
    role. Every paragraph keeps with the next and no row splits, so the block (with its heading)
    stays together on one page."""
    heading = document.add_heading("Unterschriften", level=1)
    heading.paragraph_format.keep_with_next = True
    intro = document.add_paragraph("Für die Richtigkeit der Niederschrift:")
    intro.paragraph_format.keep_with_next = True
    rows = [
        ("{{ approval.chair.place_date }}", "{{ approval.secretary.place_date }}"),
        ("", ""),
        ("_" * 34, "_" * 34),
        ("{{ approval.chair.name }}", "{{ approval.secretary.name }}"),
        ("{{ approval.chair.role }}", "{{ approval.secretary.role }}"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _no_borders(table)
    for index, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
        _cant_split(row)
        if index == 1:
            row.height = Cm(1.4)  # room for the handwritten signature
        for cell, text in zip(row.cells, texts, strict=True):
            cell.width = Cm(8)
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(text)
            if index == 3:
                run.bold = True
            paragraph.paragraph_format.space_after = Pt(0)
            paragraph.paragraph_format.keep_with_next = index < len(rows) - 1
            paragraph.paragraph_format.keep_together = True


def build_invitation() -> None:
    """The invitation. The meeting's title and the body's name are the users' words: they stand
    where German needs no inflection (a line of their own); the sentence uses the meeting kind,
    our own words, declined by the render context ("zur konstituierenden Sitzung")."""
    document = _base()
    document.add_paragraph("{{ body.name }}", style="Subtitle")
    document.add_paragraph("Einladung", style="Title")
    title = document.add_paragraph()
    title.add_run("{{ meeting.title }}").bold = True
    _facts(
        document,
        [
            ("Art", "{{ meeting.kind }}"),
            ("Datum", "{{ meeting.date }}"),
            ("Zeit", "{{ meeting.start }} bis {{ meeting.end }} Uhr"),
            ("Ort", "{{ meeting.location }}"),
            ("Videokonferenz", "{{ meeting.video_url or '–' }}"),
        ],
    )
    document.add_paragraph("Sehr geehrte Damen und Herren,")
    document.add_paragraph(
        "hiermit laden wir Sie {{ meeting.kind_phrase }} am {{ meeting.date }} von "
        "{{ meeting.start }} bis {{ meeting.end }} Uhr ein."
        "{% if meeting.papers_due %} Vorlagen zu den Tagesordnungspunkten reichen Sie bitte bis "
        "zum {{ meeting.papers_due }} ein.{% endif %}"
    )
    document.add_heading("Tagesordnung", level=1)
    _table_or_text(
        document,
        ["TOP", "Gegenstand", "Berichterstattung", "Dauer (Min.)", "Öffentlichkeit"],
        "items",
        "item",
        [
            "{{ item.number }}",
            "{{ item.title }}",
            "{{ item.presenter }}",
            "{{ item.minutes }}",
            "{{ item.public }}",
        ],
        "Die Tagesordnung wird nachgereicht.",
    )
    _tag(document, "{%p if open_actions %}")
    document.add_heading("Offene Aufgaben", level=1)
    _loop_table(
        document,
        ["Aufgabe", "Verantwortlich", "Fällig"],
        "for a in open_actions",
        ["{{ a.task }}", "{{ a.person }} {{ a.organisation }}", "{{ a.due }}"],
    )
    _tag(document, "{%p endif %}")
    closing = document.add_paragraph("Mit freundlichen Grüßen")
    closing.paragraph_format.space_before = Pt(18)
    closing.paragraph_format.keep_with_next = True
    office = document.add_paragraph("Geschäftsstelle")
    office.paragraph_format.keep_with_next = True
    document.add_paragraph("{{ body.name }}")
    document.save(HERE / "invitation.docx")


def build_minutes() -> None:
    document = _base()
    document.core_properties.title = "Niederschrift"
    document.core_properties.language = "de-DE"
    document.core_properties.author = "govtool"
    document.add_paragraph("{{ body.name }}", style="Subtitle")
    document.add_paragraph("Niederschrift", style="Title")
    title = document.add_paragraph()
    title.add_run("{{ meeting.title }}").bold = True
    _facts(
        document,
        [
            ("Datum", "{{ meeting.date }}"),
            ("Zeit", "{{ meeting.start }} bis {{ meeting.end }} Uhr"),
            ("Ort", "{{ meeting.location }}"),
            ("Stand", "{{ meeting.status }}"),
        ],
    )
    document.add_heading("Anwesenheit", level=1)
    _table_or_text(
        document,
        ["Name", "Organisation", "Funktion", "Anwesenheit"],
        "attendees",
        "a",
        ["{{ a.name }}", "{{ a.organisation }}", "{{ a.role }}", "{{ a.presence }}"],
        "Keine Anwesenheit erfasst.",
    )
    document.add_heading("Beschlussfähigkeit", level=1)
    document.add_paragraph("{{ quorum.sentence }} Das Gremium ist {{ quorum.met }}.")
    document.add_heading("Verlauf der Sitzung", level=1)
    _tag(document, "{%p if not items %}")
    document.add_paragraph("Keine Tagesordnungspunkte.")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p for item in items %}")
    document.add_heading("TOP {{ item.number }} {{ item.title }}", level=2)
    _tag(document, "{%p if item.presenter %}")
    document.add_paragraph("Berichterstattung: {{ item.presenter }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if item.notes %}")
    document.add_paragraph("{{ item.notes }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if item.is_empty %}")
    document.add_paragraph("Keine Aufzeichnungen zu diesem Tagesordnungspunkt.")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if item.result %}")
    document.add_paragraph("Ergebnis: {{ item.result }}")
    _tag(document, "{%p endif %}")
    _tag(document, "{%p for a in item.carried %}")
    document.add_paragraph(
        "Offene Aufgabe: {{ a.task }} ({{ a.person }} {{ a.organisation }}, fällig {{ a.due }})",
        style="List Bullet",
    )
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p for d in item.decisions %}")
    paragraph = document.add_paragraph()
    paragraph.add_run("Beschluss {{ d.reference }}: ").bold = True
    paragraph.add_run("{{ d.text }} – Abstimmung: {{ d.votes }} – {{ d.result }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endfor %}")
    document.add_heading("Beschlüsse", level=1)
    _table_or_text(
        document,
        ["Nummer", "Beschluss", "Abstimmung", "Ergebnis"],
        "decisions",
        "d",
        ["{{ d.reference }}", "{{ d.text }}", "{{ d.votes }}", "{{ d.result }}"],
        "Keine Beschlüsse.",
    )
    document.add_heading("Aufgaben", level=1)
    _table_or_text(
        document,
        ["TOP", "Aufgabe", "Verantwortlich", "Organisation", "Fällig", "Status"],
        "actions",
        "a",
        [
            "{{ a.item }}",
            "{{ a.task }}",
            "{{ a.person }}",
            "{{ a.organisation }}",
            "{{ a.due }}",
            "{{ a.status }}",
        ],
        "Keine Aufgaben.",
    )
    document.add_heading("Genehmigung", level=1)
    document.add_paragraph("{{ approval.statement }}")
    _tag(document, "{%p if approval.reason %}")
    document.add_paragraph(
        "Begründung der Genehmigung vor Ablauf der Anmerkungsfrist: {{ approval.reason }}"
    )
    _tag(document, "{%p endif %}")
    _tag(document, "{%p if approval.note %}")
    document.add_paragraph("Bemerkung: {{ approval.note }}")
    _tag(document, "{%p endif %}")
    _signature_block(document)
    _tag(document, "{%p if amendments %}")
    document.add_heading("Berichtigungen nach der Genehmigung", level=1)
    _tag(document, "{%p for a in amendments %}")
    document.add_paragraph(
        "{{ a.date }}: {{ a.text }} (Grund: {{ a.reason }})", style="List Bullet"
    )
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endif %}")
    document.save(HERE / "minutes.docx")


def build_report() -> None:
    """The body's activity report (Tätigkeitsbericht) for a period: a draft to edit in Word."""
    document = _base("{{ body.name }} · Tätigkeitsbericht {{ period.start }} bis {{ period.end }}")
    document.add_paragraph("{{ body.name }}", style="Subtitle")
    document.add_paragraph("Tätigkeitsbericht", style="Title")
    document.add_heading("Zeitraum", level=1)
    document.add_paragraph("{{ period.start }} bis {{ period.end }}")
    _facts(
        document,
        [
            ("Gremium", "{{ body.name }} ({{ body.short_name }})"),
            ("Art", "{{ body.kind }}"),
            ("Zweck", "{{ body.purpose }}"),
            ("Geschäftsstelle", "{{ body.office }}"),
        ],
    )
    document.add_heading("Mitglieder", level=1)
    _tag(document, "{%p for g in member_groups %}")
    document.add_heading("{{ g.role }}", level=2)
    _loop_table(
        document,
        ["Name", "Organisation", "Funktion", "Stimmrecht", "von", "bis"],
        "for m in g.members",
        [
            "{{ m.name }}",
            "{{ m.organisation }}",
            "{{ m.role }}",
            "{{ m.voting }}",
            "{{ m.start }}",
            "{{ m.end }}",
        ],
    )
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if not member_groups %}")
    document.add_paragraph("Im Zeitraum keine Mitglieder.")
    _tag(document, "{%p endif %}")
    document.add_heading("Arbeitsgruppen", level=1)
    _tag(document, "{%p for g in groups %}")
    paragraph = document.add_paragraph(style="List Bullet")
    paragraph.add_run("{{ g.name }}").bold = True
    paragraph.add_run("{% if g.purpose %}: {{ g.purpose }}{% endif %}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if not groups %}")
    document.add_paragraph("Keine Arbeitsgruppen.")
    _tag(document, "{%p endif %}")
    document.add_heading("Sitzungen", level=1)
    _table_or_text(
        document,
        ["Nr.", "Datum", "Sitzung", "Ort", "Anwesende"],
        "meetings",
        "m",
        ["{{ m.number }}", "{{ m.date }}", "{{ m.title }}", "{{ m.location }}", "{{ m.present }}"],
        "Im Zeitraum fand keine Sitzung statt.",
    )
    _tag(document, "{%p if cancelled %}")
    document.add_heading("Abgesagte Sitzungen", level=2)
    _loop_table(
        document,
        ["Nr.", "Datum", "Sitzung", "Grund der Absage"],
        "for m in cancelled",
        ["{{ m.number }}", "{{ m.date }}", "{{ m.title }}", "{{ m.reason }}"],
    )
    _tag(document, "{%p endif %}")
    document.add_heading("Beschlüsse", level=1)
    _table_or_text(
        document,
        ["Nummer", "Datum", "Beschluss", "Abstimmung", "Ergebnis"],
        "decisions",
        "d",
        ["{{ d.reference }}", "{{ d.date }}", "{{ d.text }}", "{{ d.votes }}", "{{ d.result }}"],
        "Im Zeitraum wurden keine Beschlüsse gefasst.",
    )
    document.add_heading("Aufgaben", level=1)
    _tag(document, "{%p if figures.actions %}")
    document.add_paragraph("Aufgaben aus den Sitzungen im Zeitraum nach Stand:")
    _tag(document, "{%p for c in action_counts %}")
    document.add_paragraph("{{ c.status }}: {{ c.count }}", style="List Bullet")
    _tag(document, "{%p endfor %}")
    document.add_heading("Offene Aufgaben", level=2)
    _table_or_text(
        document,
        ["Aufgabe", "Verantwortlich", "Organisation", "Fällig", "aus"],
        "open_actions",
        "a",
        [
            "{{ a.task }}",
            "{{ a.person }}",
            "{{ a.organisation }}",
            "{{ a.due }}",
            "{{ a.meeting }}",
        ],
        "Keine offenen Aufgaben.",
    )
    _tag(document, "{%p else %}")
    document.add_paragraph("Im Zeitraum wurden keine Aufgaben vergeben.")
    _tag(document, "{%p endif %}")
    document.add_heading("Kennzahlen", level=1)
    _facts(
        document,
        [
            ("Sitzungen durchgeführt", "{{ figures.meetings_held }}"),
            ("Sitzungen abgesagt", "{{ figures.meetings_cancelled }}"),
            ("Beschlüsse", "{{ figures.decisions }}"),
            ("Aufgaben erledigt", "{{ figures.actions_done }}"),
            ("Aufgaben offen", "{{ figures.actions_open }}"),
            (
                "Durchschnittliche Anwesenheit",
                "{{ figures.average_attendance }} Personen je Sitzung",
            ),
        ],
    )
    document.save(HERE / "report.docx")


if __name__ == "__main__":
    build_invitation()
    build_minutes()
    build_report()
    print("written:", *(HERE / n for n in ("invitation.docx", "minutes.docx", "report.docx")))
