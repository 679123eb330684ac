"""Build govtool's four German standard agreement templates (docxtpl) with python-docx.

Run `python agreement_templates/build_templates.py` after changing the wording; the generated .docx
files are committed next to this script. Output is deterministic (fixed zip timestamps and document
properties), so rebuilding without changes gives identical files.

Variables every template may use (see govtool/agreements/rendering.py):
  agreement.number, .title, .kind, .version, .preamble, .subject, .objectives, .start_date,
  .end_date, .notice_period_months, .notice_period (the whole phrase, "mit einer Frist von einem
  Monat zum Monatsende"), .renewal, .extra_clauses, .body, .place
  parties[]: .name, .short_name, .role, .address, .contact, .signatory, .signatory_function,
             .duties[] (strings, in order)
  data_exchanges[]: .identifier, .title, .purpose, .legal_basis

Wording: a name users typed (organisation, body, agreement title) stands where German needs no
inflection (a cell or line of its own, after a colon); a list or table that can be empty says so
in a sentence instead of leaving a heading over an empty table.
  draft_notice: "" once all parties signed, otherwise the DRAFT header line
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FIXED = dt.datetime(2022, 9, 1, tzinfo=dt.UTC)

# {parties}, {noun}, {each}: "Vertragsparteien", "Vereinbarung", "Jede Vertragspartei" in an
# agreement; "Mitglieder", "Geschäftsordnung", "Jedes Mitglied" in the rules of procedure.
DATA_PROTECTION = (
    "Die {parties} verarbeiten personenbezogene Daten ausschließlich im Rahmen der "
    "Datenschutz-Grundverordnung (DSGVO), des Datenschutz-Grundverordnungs-Ausfüllungsgesetzes "
    "Sachsen-Anhalt (DSAG LSA) und der einschlägigen Vorschriften des Schul- und Statistikrechts. "
    "Daten werden nur in dem Umfang und zu dem Zweck übermittelt, die in dieser {noun} oder "
    "im Datenaustauschkatalog festgelegt sind. Personenbezogene Auswertungen werden nur "
    "anonymisiert oder aggregiert weitergegeben. {each} benennt eine Ansprechperson "
    "für Fragen des Datenschutzes."
)
FINAL = [
    "Änderungen und Ergänzungen dieser {noun} bedürfen der Schriftform; sie werden als "
    "Fortschreibung mit neuer Fassungsnummer vereinbart.",
    "Sollte eine Bestimmung dieser {noun} unwirksam sein oder werden, bleibt die "
    "Wirksamkeit der übrigen Bestimmungen unberührt. Die {parties} verpflichten sich, die "
    "unwirksame Bestimmung durch eine dem Zweck entsprechende wirksame Regelung zu ersetzen.",
    "{each} erhält eine Ausfertigung dieser {noun}.",
]


def _field(paragraph, instruction: str) -> None:
    """Insert a Word field (PAGE, NUMPAGES) as complex field runs."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1")):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            run.text = text
    end = paragraph.add_run()
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._r.append(char)


def _shade(cell, colour: str = "D9E2F3") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


class Builder:
    """A small writer for clause documents: headings with § numbers, tables with {%tr %} rows."""

    def __init__(
        self,
        title: str,
        subtitle: str,
        template_title: str,
        party: str = "Vertragspartei",
        parties: str = "Vertragsparteien",
        noun: str = "Vereinbarung",
        each: str = "Jede Vertragspartei",
    ):
        """`noun` is the document's own (feminine) noun, `party`/`parties`/`each` how it
        names those who agree to it."""
        self.doc = Document()
        self.party, self.parties = party, parties
        self.words = {"parties": parties, "noun": noun, "each": each}
        self.clause = 0
        self._styles()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.0)
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run("{{ draft_notice }}")
        run.bold = True
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run("{{ agreement.number }} · Fassung {{ agreement.version }} · Seite ")
        _field(footer, "PAGE")
        footer.add_run(" von ")
        _field(footer, "NUMPAGES")
        for run in footer.runs:
            run.font.size = Pt(8)
        heading = self.doc.add_paragraph(title, style="Title")
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sub = self.doc.add_paragraph(subtitle, style="Subtitle")
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line = self.doc.add_paragraph("{{ agreement.title }}")
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        line.runs[0].bold = True
        meta = self.doc.add_paragraph(
            "Nr. {{ agreement.number }} · Fassung {{ agreement.version }}"
        )
        meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
        props = self.doc.core_properties
        props.title = template_title
        props.author = "govtool"
        props.language = "de-DE"
        props.created = props.modified = FIXED
        props.last_modified_by = "govtool"
        props.revision = 1

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = "Arial"
        normal.font.size = Pt(11)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        for name, size in (("Title", 20), ("Subtitle", 13), ("Heading 1", 13), ("Heading 2", 11)):
            style = styles[name]
            style.font.name = "Arial"
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0x1F, 0x2A, 0x44)

    def parties_table(
        self, intro: str = "zwischen den folgenden Vertragsparteien:", named: bool = True
    ) -> None:
        self.doc.add_paragraph("{%p if parties %}")
        self.doc.add_paragraph(intro)
        table = self.doc.add_table(rows=4, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(
            table.rows[0].cells,
            (self.party, "Rolle", "Anschrift", "Ansprechperson"),
            strict=True,
        ):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell)
        _repeat_header(table.rows[0])
        table.rows[1].cells[0].text = "{%tr for p in parties %}"
        values = ("{{ p.name }}", "{{ p.role }}", "{{ p.address }}", "{{ p.contact }}")
        for cell, text in zip(table.rows[2].cells, values, strict=True):
            cell.text = text
        table.rows[3].cells[0].text = "{%tr endfor %}"
        if named:
            self.doc.add_paragraph(f"– im Folgenden gemeinsam „{self.parties}“ genannt –")
        self.doc.add_paragraph("{%p else %}")
        self.doc.add_paragraph(f"Die {self.parties} sind noch nicht benannt.")
        self.doc.add_paragraph("{%p endif %}")

    def preamble(self) -> None:
        """The preamble (unnumbered), only when the agreement has one."""
        self.doc.add_paragraph("{%p if agreement.preamble %}")
        self.doc.add_paragraph("Präambel", style="Heading 1")
        self.text("{{ agreement.preamble }}")
        self.doc.add_paragraph("{%p endif %}")

    def clause_heading(self, title: str) -> None:
        self.clause += 1
        self.doc.add_paragraph(f"§ {self.clause} {title}", style="Heading 1")

    def text(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def numbered(self, items: list[str]) -> None:
        for number, item in enumerate(items, 1):
            paragraph = self.doc.add_paragraph(f"({number}) {item}")
            paragraph.paragraph_format.left_indent = Cm(0.6)
            paragraph.paragraph_format.first_line_indent = Cm(-0.6)

    def duties(self, title: str = "Pflichten der Vertragsparteien") -> None:
        """Per party a heading with its duties in a table; a party without duties gets a
        sentence instead of an empty table, no party at all one sentence for the clause."""
        self.clause_heading(title)
        self.doc.add_paragraph("{%p if parties %}")
        self.text(
            f"Die {self.parties} übernehmen die folgenden Aufgaben in der genannten Reihenfolge:"
        )
        self.doc.add_paragraph("{%p for p in parties %}")
        self.doc.add_paragraph("{{ p.name }} ({{ p.role }})", style="Heading 2")
        self.doc.add_paragraph("{%p if p.duties %}")
        table = self.doc.add_table(rows=4, cols=2)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("Nr.", "Pflicht"), strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell)
        _repeat_header(table.rows[0])
        table.rows[1].cells[0].text = "{%tr for d in p.duties %}"
        table.rows[2].cells[0].text = "{{ loop.index }}."
        table.rows[2].cells[1].text = "{{ d }}"
        table.rows[3].cells[0].text = "{%tr endfor %}"
        for row in table.rows:
            row.cells[0].width = Cm(1.5)
            row.cells[1].width = Cm(14.5)
        self.doc.add_paragraph("{%p else %}")
        self.text("Keine besonderen Aufgaben vereinbart.")
        self.doc.add_paragraph("{%p endif %}")
        self.doc.add_paragraph("{%p endfor %}")
        self.doc.add_paragraph("{%p else %}")
        self.text(f"Die {self.parties} sind noch nicht benannt.")
        self.doc.add_paragraph("{%p endif %}")

    def term(self) -> None:
        self.clause_heading("Laufzeit und Kündigung")
        self.numbered(
            [
                "Diese {noun} tritt {{% if agreement.start_date %}}am "
                "{{{{ agreement.start_date|date }}}}{{% else %}}mit der Unterzeichnung durch alle "
                "{parties}{{% endif %}} in Kraft{{% if agreement.end_date %}} und gilt bis zum "
                "{{{{ agreement.end_date|date }}}}{{% endif %}}.".format(**self.words),
                "{{ agreement.renewal }}",
                "{each} kann die {noun} {{{{ agreement.notice_period }}}} schriftlich kündigen. "
                "Das Recht zur Kündigung aus wichtigem Grund bleibt unberührt.".format(
                    **self.words
                ),
            ]
        )

    def data_protection(self) -> None:
        self.clause_heading("Datenschutz")
        self.text(DATA_PROTECTION.format(**self.words))

    def extra_and_final(self) -> None:
        self.clause_heading("Ergänzende Vereinbarungen")
        self.text("{{ agreement.extra_clauses or 'Keine.' }}")
        self.clause_heading("Schlussbestimmungen")
        self.numbered([text.format(**self.words) for text in FINAL])

    def signatures(self) -> None:
        """One row per party: the party's name in a cell of its own (never "Für <Name>": a
        name is not inflected by guessing its article), place, date and signature line."""
        self.doc.add_paragraph("{%p if parties %}")
        self.doc.add_paragraph("Unterschriften", style="Heading 1")
        table = self.doc.add_table(rows=4, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text = self.party
        table.rows[0].cells[1].text = "Ort, Datum und Unterschrift"
        for cell in table.rows[0].cells:
            cell.paragraphs[0].runs[0].bold = True
            _shade(cell)
        table.rows[1].cells[0].text = "{%tr for p in parties %}"
        left = table.rows[2].cells[0]
        left.text = "{{ p.name }}"
        left.add_paragraph("{{ p.role }}")
        right = table.rows[2].cells[1]
        right.text = "{{ agreement.place }}, den ____________"
        right.add_paragraph("")
        right.add_paragraph("_________________________________")
        right.add_paragraph("{{ p.signatory }}")
        right.add_paragraph("{{ p.signatory_function }}")
        table.rows[3].cells[0].text = "{%tr endfor %}"
        self.doc.add_paragraph("{%p endif %}")

    def save(self, path: Path) -> None:
        """Save with fixed zip timestamps so a rebuild without changes is byte-identical."""
        raw = io.BytesIO()
        self.doc.save(raw)
        raw.seek(0)
        out = io.BytesIO()
        with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(info, zin.read(item.filename))
        path.write_bytes(out.getvalue())


def cooperation() -> Builder:
    b = Builder(
        "Kooperationsvereinbarung",
        "Land und Modellkommunen im kommunalen Bildungsmanagement",
        "Kooperationsvereinbarung (Land und Modellkommunen)",
    )
    b.parties_table()
    b.preamble()
    b.clause_heading("Gegenstand")
    b.text("{{ agreement.subject }}")
    b.clause_heading("Ziele und Grundsätze der Zusammenarbeit")
    b.text("{{ agreement.objectives }}")
    b.text(
        "Die Zusammenarbeit folgt den Grundsätzen Kooperation, Transparenz und Beteiligung, "
        "Datenfluss und Berichterstattung sowie Gremienmitwirkung."
    )
    b.duties()
    b.clause_heading("Gremien")
    b.text(
        "Zur Steuerung der Zusammenarbeit wird ein Begleitgremium eingerichtet: "
        "{{ agreement.body }}. "
        "Es tagt einmal im Quartal; jede Modellkommune benennt eine feste Ansprechperson."
    )
    b.term()
    b.data_protection()
    b.extra_and_final()
    b.signatures()
    return b


def target() -> Builder:
    b = Builder(
        "Zielvereinbarung",
        "Kommune und Begleitagentur",
        "Zielvereinbarung (Kommune und Begleitagentur)",
    )
    b.parties_table()
    b.preamble()
    b.clause_heading("Gegenstand")
    b.text("{{ agreement.subject }}")
    b.clause_heading("Ziele")
    b.text("{{ agreement.objectives }}")
    b.text(
        "Die Ziele werden jährlich gemeinsam überprüft; das Ergebnis wird in einem kurzen Bericht "
        "festgehalten und im Begleitgremium vorgestellt."
    )
    b.duties("Leistungen und Mitwirkungspflichten")
    b.clause_heading("Berichterstattung")
    b.text(
        "Die Begleitagentur dokumentiert den Fortschritt der Prozessbegleitung. Die Kommune stellt "
        "die hierfür erforderlichen Informationen zur Verfügung."
    )
    b.term()
    b.data_protection()
    b.extra_and_final()
    b.signatures()
    return b


def data_sharing() -> Builder:
    b = Builder(
        "Vereinbarung über den Datenaustausch",
        "im Rahmen des kommunalen Bildungsmonitorings",
        "Vereinbarung über den Datenaustausch",
    )
    b.parties_table()
    b.preamble()
    b.clause_heading("Gegenstand und Zweck")
    b.text("{{ agreement.subject }}")
    b.text("{{ agreement.objectives }}")
    b.clause_heading("Erfasste Datenbereitstellungen")
    # The signed document lists approved catalogue entries only (see rendering.data_exchanges).
    b.doc.add_paragraph("{%p if data_exchanges %}")
    b.text(
        "Die Vereinbarung erfasst die folgenden Einträge des Datenaustauschkatalogs in der jeweils "
        "freigegebenen Fassung:"
    )
    table = b.doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("Katalogeintrag", "Zweck", "Rechtsgrundlage"), strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
        _shade(cell)
    _repeat_header(table.rows[0])
    table.rows[1].cells[0].text = "{%tr for e in data_exchanges %}"
    for cell, text in zip(
        table.rows[2].cells,
        ("{{ e.identifier }}: {{ e.title }}", "{{ e.purpose }}", "{{ e.legal_basis }}"),
        strict=True,
    ):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    b.doc.add_paragraph("{%p else %}")
    b.text(
        "Dieser Vereinbarung ist derzeit kein freigegebener Eintrag des "
        "Datenaustauschkatalogs zugeordnet."
    )
    b.doc.add_paragraph("{%p endif %}")
    b.duties()
    b.clause_heading("Art, Umfang und Zweck der Datenbereitstellung")
    b.numbered(
        [
            "Das Land legt schrittweise fest, in welcher Art, in welchem Umfang und zu welchen "
            "Zwecken eine Datenbereitstellung erfolgt.",
            "Es werden nur die für den jeweiligen Zweck erforderlichen Daten übermittelt "
            "(Datenminimierung). Die Löschfristen richten sich nach dem Katalogeintrag.",
            "Ergebnisse des Monitorings fließen in den Bildungsbericht des Landes ein.",
        ]
    )
    b.term()
    b.data_protection()
    b.extra_and_final()
    b.signatures()
    return b


def rules_of_procedure() -> Builder:
    b = Builder(
        "Geschäftsordnung des Begleitgremiums",
        "Kooperation im kommunalen Bildungsmanagement",
        "Geschäftsordnung des Begleitgremiums",
        party="Mitglied",
        parties="Mitglieder",
        noun="Geschäftsordnung",
        each="Jedes Mitglied",
    )
    b.parties_table("Beschlossen von den Mitgliedern des Begleitgremiums:", named=False)
    b.preamble()
    b.clause_heading("Aufgaben")
    b.text("{{ agreement.subject }}")
    b.text("Gremium: {{ agreement.body }}")
    b.clause_heading("Sitzungen")
    b.numbered(
        [
            "Das Begleitgremium tritt einmal im Quartal zu einer ordentlichen Sitzung zusammen.",
            "Die Geschäftsstelle lädt mit einer Frist von zwei Wochen unter Angabe der "
            "Tagesordnung ein; Vorlagen werden spätestens eine Woche vor der Sitzung versandt.",
            "Themengäste, etwa die kommunalen Spitzenverbände, können zu einzelnen "
            "Tagesordnungspunkten hinzugezogen werden.",
        ]
    )
    b.clause_heading("Beschlussfähigkeit und Beschlüsse")
    b.numbered(
        [
            "Das Begleitgremium ist beschlussfähig, wenn mehr als die Hälfte der stimmberechtigten "
            "Mitglieder anwesend oder vertreten ist.",
            "Beschlüsse werden mit der Mehrheit der abgegebenen Stimmen gefasst; Enthaltungen "
            "zählen nicht. Beschlüsse im Umlaufverfahren sind zulässig, wenn kein Mitglied "
            "widerspricht.",
        ]
    )
    b.clause_heading("Niederschrift")
    b.text(
        "Über jede Sitzung fertigt die Geschäftsstelle eine Niederschrift mit den gefassten "
        "Beschlüssen und Aufgaben an. Sie gilt als genehmigt, wenn nicht innerhalb von zwei Wochen "
        "nach Versand widersprochen wird."
    )
    b.duties("Aufgaben der Mitglieder")
    b.term()
    b.data_protection()
    b.extra_and_final()
    b.signatures()
    return b


TEMPLATES = {
    "kooperationsvereinbarung.docx": cooperation,
    "zielvereinbarung.docx": target,
    "datenaustausch.docx": data_sharing,
    "geschaeftsordnung_begleitgremium.docx": rules_of_procedure,
}


def build(directory: Path = HERE) -> list[Path]:
    """Write all four templates into `directory`; returns their paths."""
    written = []
    for filename, make in TEMPLATES.items():
        path = directory / filename
        make().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    target_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(target_dir):
        print(path)
