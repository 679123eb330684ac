"""The house style of generated documents (core.document_style): every demo DOCX converted with
LibreOffice and read back with pdftotext has no word broken in the middle, tables have widths
from their content, language, title and author are set; and the style's parts one by one."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from govtool.core.document_style import Contact, DocumentMeta, Issuer, column_widths
from govtool.core.docx import render_docx

from .document_corpus import demo_documents

BROKEN = (
    "Beschlussfähigk",
    "Bildungsmanageme",
    "Turmschanzenstraß",
    "Datenbereitstell",
    "Verantwortli",
)
_XHTML = "{http://www.w3.org/1999/xhtml}"
_PUNCTUATION = "„“”\"'‚‘’()[]{}.,;:!?…·*"


# --- Helpers -----------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    """All text of a DOCX: body (tables included), headers and footers."""
    document = Document(io.BytesIO(data))
    roots = [document.element.body]
    roots += [
        part.element
        for part in document.part.package.iter_parts()
        if re.fullmatch(r"/word/(header|footer)\d*\.xml", str(part.partname))
    ]
    lines = []
    for root in roots:
        for paragraph in root.iter(qn("w:p")):
            lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
    return "\n".join(lines)


def _word(token: str) -> str:
    return token.strip(_PUNCTUATION)


def _words(text: str) -> set[str]:
    """The document's own words: tokens of letters (hyphenated ones too), not numbers, codes,
    digests or addresses, whose breaking is a question of characters rather than words."""
    return {w for w in map(_word, text.split()) if len(w) > 1 and w.replace("-", "").isalpha()}


def _pdf_lines(pdf: Path) -> list[list[list[str]]]:
    """The PDF's text blocks as pdftotext -bbox-layout finds them: blocks of lines of words."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, timeout=60
    ).stdout
    root = ElementTree.fromstring(xhtml)
    return [
        [[w.text or "" for w in line.iter(f"{_XHTML}word")] for line in block.iter(f"{_XHTML}line")]
        for block in root.iter(f"{_XHTML}block")
    ]


def split_words(blocks: list[list[list[str]]], words: set[str]) -> list[str]:
    """Words of the document broken across two lines without a hyphen: the end of one line and
    the start of the next make a word of the document, and one of the two parts is none."""
    found = []
    for block in blocks:
        for line, following in zip(block, block[1:], strict=False):
            if not line or not following:
                continue
            head, tail = _word(line[-1]), _word(following[0])
            if not head or not tail or head.endswith(("-", "\xad")):
                continue
            if head + tail in words and (head not in words or tail not in words):
                found.append(f"{head}|{tail}")
    return found


def _grid(table) -> list[int]:
    grid = table._tbl.find(qn("w:tblGrid"))
    return [int(c.get(qn("w:w"))) for c in grid.findall(qn("w:gridCol"))]


def _column_texts(table) -> list[str]:
    columns: dict[int, list[str]] = defaultdict(list)
    for row in table._tbl.findall(qn("w:tr")):
        for index, cell in enumerate(row.findall(qn("w:tc"))):
            columns[index].append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    return [" ".join(columns[i]) for i in sorted(columns)]


def _text_width(document) -> int:
    section = document.sections[0]
    return round((section.page_width - section.left_margin - section.right_margin) / 635)


def _languages(document) -> set[str]:
    """Every w:lang value of the document: defaults, styles and runs."""
    found = set()
    for root in (document.styles.element, document.element.body):
        for lang in root.iter(qn("w:lang")):
            found.add(lang.get(qn("w:val")))
    return found


# --- Every demo document -----------------------------------------------------------------------


def test_every_demo_document_has_language_title_author_and_tables_sized_by_content(demo):
    documents = demo_documents() + [d for d in demo_documents("en") if d.kind == "register"]
    kinds = {d.kind for d in documents}
    assert kinds == {
        "agreement",
        "signed_text",
        "signed_document",
        "invitation",
        "minutes",
        "report",
        "register",
    }
    for item in documents:
        document = Document(io.BytesIO(item.data))
        props = document.core_properties
        assert props.language == item.language, item.name
        assert _languages(document) == {item.language}, item.name
        assert props.title.strip(), item.name
        assert item.author and props.author == item.author, item.name
        assert props.created == props.modified and props.created.year > 2000, item.name
        text_width = _text_width(document)
        for table in document.tables:
            grid = _grid(table)
            assert sum(grid) == text_width, item.name
            layout = table._tbl.tblPr.find(qn("w:tblLayout"))
            assert layout is not None and layout.get(qn("w:type")) == "fixed", item.name
            lengths = [len(t) for t in _column_texts(table)]
            # a signature table's columns are alike (one signature block each, the lines drawn
            # to fill them): equal halves are its right shape, whatever the names' lengths
            heading = " ".join(c.text for c in table.rows[0].cells)
            signatures = "Unterschrift" in heading or "Signature" in heading
            if len(grid) > 1 and not signatures and max(lengths) > 1.5 * max(min(lengths), 1):
                assert len(set(grid)) > 1, (item.name, _column_texts(table))
            for row in table._tbl.findall(qn("w:tr")):
                assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None, item.name
            header = table._tbl.find(f"{qn('w:tr')}/{qn('w:trPr')}/{qn('w:tblHeader')}")
            if table.rows[0].cells[0].paragraphs[0].runs and all(
                r.bold for c in table.rows[0].cells for p in c.paragraphs for r in p.runs
            ):
                assert header is not None or len(table.rows) == 1, item.name
            assert (
                len(table.rows) > 1
                or "Unterzeichnungsvermerk" in item.name
                or (
                    not all(
                        r.bold for c in table.rows[0].cells for p in c.paragraphs for r in p.runs
                    )
                )
            ), item.name


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or pdftotext (poppler-utils) not installed",
)
def test_no_word_of_any_demo_document_breaks_in_the_middle_in_libreoffice(demo, tmp_path):
    documents = demo_documents()
    for item in documents:
        (tmp_path / f"{item.name}.docx").write_bytes(item.data)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *sorted(str(p) for p in tmp_path.glob("*.docx")),
        ],
        check=True,
        capture_output=True,
        timeout=600,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    problems = {}
    for item in documents:
        pdf = tmp_path / "pdf" / f"{item.name}.pdf"
        assert pdf.exists(), item.name
        blocks = _pdf_lines(pdf)
        pdf_words = {_word(w) for block in blocks for line in block for w in line}
        broken = [b for b in BROKEN if b in pdf_words]
        split = split_words(blocks, _words(_docx_text(item.data)))
        if broken or split:
            problems[item.name] = broken + split
    assert problems == {}


# --- The parts of the style --------------------------------------------------------------------


def _template(build) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _loop_table(document, headers, cells, loop="for r in rows"):
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text = "{%tr " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    return table


ROWS = [
    {
        "n": "1.",
        "date": "08.09.2025",
        "text": "Die Ergebnisse zur Datenbereitstellung für den Bildungsbericht aufbereiten und "
        "an die Mitglieder des Begleitgremiums senden",
        "who": "Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement",
    },
    {"n": "2.", "date": "01.10.2025", "text": "Bericht", "who": "Burgenlandkreis"},
]
META = DocumentMeta(
    title="Niederschrift: 3. Sitzung",
    subject="Begleitgremium",
    issuer=Issuer(
        organisation="Ministerium für Bildung des Landes Sachsen-Anhalt",
        department="Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement",
        street="Turmschanzenstraße 32",
        postal_code="39114",
        city="Magdeburg",
    ),
    reference="BG-S-03",
    contact=Contact("Maria Schmidt", "0391 567-3400", "sekretariat@example.org"),
    moment=dt.datetime(2025, 8, 9, 12, 0, tzinfo=dt.UTC),
)


def _four_columns(document):
    document.add_paragraph("Aufgaben", style="Heading 1")
    _loop_table(
        document,
        ["Nr.", "Aufgabe", "Verantwortlich", "Fällig"],
        ["{{ r.n }}", "{{ r.text }}", "{{ r.who }}", "{{ r.date }}"],
    )


def test_columns_are_sized_by_content_over_the_text_width_with_fixed_layout():
    document = Document(io.BytesIO(render_docx(_template(_four_columns), {"rows": ROWS})))
    table = document.tables[0]
    number, task, who, due = _grid(table)
    assert number + task + who + due == _text_width(document)
    assert abs(_text_width(document) - Cm(16) / 635) < 2
    assert number < due < who and number < Cm(1.6) / 635  # narrow number and date columns
    assert task > due * 2 and who > due * 2  # wide text columns
    for row in table._tbl.findall(qn("w:tr")):
        widths = [
            int(c.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w")))
            for c in row.findall(qn("w:tc"))
        ]
        assert widths == [number, task, who, due]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    # the table is set at 10 pt, as offices set tables; the body text keeps its 11 pt
    assert {r.font.size for c in table.rows[1].cells for p in c.paragraphs for r in p.runs} == {
        Pt(10)
    }


def test_the_longest_word_of_every_column_fits_and_a_narrow_table_gets_smaller_type():
    def six_columns(document):
        _loop_table(
            document,
            ["TOP", "Aufgabe", "Verantwortlich", "Organisation", "Fällig", "Status"],
            ["{{ r.n }}", "{{ r.text }}", "{{ r.who }}", "{{ r.who }}", "{{ r.date }}", "offen"],
        )

    data = render_docx(_template(six_columns), {"rows": ROWS})
    document = Document(io.BytesIO(data))
    table = document.tables[0]
    sizes = {r.font.size for c in table.rows[1].cells for p in c.paragraphs for r in p.runs}
    assert sizes and all(s <= Pt(10) for s in sizes)
    from govtool.core.document_style import _Styles

    found = column_widths(table._tbl, _Styles(document), _text_width(document), None)
    assert found is not None
    widths, minimum = found
    assert all(w >= m - 1 for w, m in zip(_grid(table), minimum, strict=True))


def test_header_rows_repeat_rows_do_not_split_and_the_table_keeps_its_lead_in():
    def build(document):
        document.add_paragraph("Die Vereinbarung erfasst die folgenden Einträge:")
        _loop_table(document, ["Nr.", "Aufgabe"], ["{{ r.n }}", "{{ r.text }}"])

    document = Document(io.BytesIO(render_docx(_template(build), {"rows": ROWS})))
    rows = document.tables[0]._tbl.findall(qn("w:tr"))
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in rows[1:])
    assert all(r.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
    assert document.paragraphs[0].paragraph_format.keep_with_next
    # the header row is shaded like the agreements' headers
    shading = rows[0].find(f"{qn('w:tc')}/{qn('w:tcPr')}/{qn('w:shd')}")
    assert shading is not None and shading.get(qn("w:fill")) == "D9E2F3"


def test_a_signature_table_stays_together_with_its_heading():
    def build(document):
        document.add_paragraph("Unterschriften", style="Heading 1")
        document.add_paragraph("Für die Richtigkeit der Niederschrift:")
        table = document.add_table(rows=3, cols=2)
        for row, texts in zip(
            table.rows,
            [("Magdeburg, den ____", "Magdeburg, den ____"), ("", ""), ("_" * 30, "_" * 30)],
            strict=True,
        ):
            for cell, text in zip(row.cells, texts, strict=True):
                cell.text = text

    document = Document(io.BytesIO(render_docx(_template(build), {})))
    heading, intro = document.paragraphs[:2]
    assert heading.paragraph_format.keep_with_next and intro.paragraph_format.keep_with_next
    rows = document.tables[0].rows
    for row in rows[:-1]:
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    assert all(r._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for r in rows)
    assert len(set(_grid(document.tables[0]))) == 1  # two alike blocks side by side


def test_a_table_left_with_its_header_says_there_are_no_entries_and_an_empty_section_says_so():
    def build(document):
        document.add_paragraph("§ 2 Erfasste Datenbereitstellungen", style="Heading 1")
        _loop_table(document, ["Katalogeintrag", "Zweck"], ["{{ r.text }}", "{{ r.who }}"])
        document.add_paragraph("§ 3 Gremien", style="Heading 1")
        document.add_paragraph("{{ empty }}")
        document.add_paragraph("§ 4 Laufzeit", style="Heading 1")
        document.add_paragraph("Bis zum 31.12.2027.")

    document = Document(io.BytesIO(render_docx(_template(build), {"rows": [], "empty": ""})))
    assert document.tables == []
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["§ 2 Erfasste Datenbereitstellungen", "Keine Einträge."]
    assert texts[2:4] == ["§ 3 Gremien", "Keine Angaben."]
    assert texts[-2:] == ["§ 4 Laufzeit", "Bis zum 31.12.2027."]


def test_page_numbers_are_added_once_as_fields():
    document = Document(io.BytesIO(render_docx(_template(_four_columns), {"rows": ROWS})))
    footer = document.sections[0].footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "".join(t.text for t in footer.iter(qn("w:t"))).startswith("Seite ")

    def numbered(document):
        footer = document.sections[0].footer.paragraphs[0]
        footer.add_run("Seite ")
        run = footer.add_run()
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                char = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
                run._r.append(char)
            else:
                instr = run._r.makeelement(qn("w:instrText"), {})
                instr.text = text
                run._r.append(instr)
        document.add_paragraph("Text")

    document = Document(io.BytesIO(render_docx(_template(numbered), {})))
    footer = document.sections[0].footer._element
    assert [t.text.strip() for t in footer.iter(qn("w:instrText"))] == ["PAGE"]


def test_letterhead_reference_line_language_and_core_properties_from_the_meta():
    data = render_docx(_template(_four_columns), {"rows": ROWS}, meta=META)
    assert data == render_docx(_template(_four_columns), {"rows": ROWS}, meta=META)
    document = Document(io.BytesIO(data))
    body = document.element.body
    first = ["".join(t.text for t in p.iter(qn("w:t"))) for p in body.findall(qn("w:p"))[:3]]
    assert first == [
        "Ministerium für Bildung des Landes Sachsen-Anhalt",
        "Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement",
        "Turmschanzenstraße 32 · 39114 Magdeburg",
    ]
    reference = document.tables[0]
    assert [c.text for c in reference.rows[0].cells] == [
        "Aktenzeichen",
        "Ansprechperson",
        "Telefon / E-Mail",
        "Datum",
    ]
    assert [c.text for c in reference.rows[1].cells] == [
        "BG-S-03",
        "Maria Schmidt",
        "0391 567-3400\nsekretariat@example.org",
        "09.08.2025",
    ]
    props = document.core_properties
    assert props.title == "Niederschrift: 3. Sitzung"
    assert props.subject == "Begleitgremium"
    assert props.author == props.last_modified_by == META.issuer.organisation
    assert props.identifier == "BG-S-03"
    assert props.created == props.modified == META.moment
    assert props.language == "de-DE" and _languages(document) == {"de-DE"}
    settings = document.settings.element.find(qn("w:themeFontLang"))
    assert settings is None or settings.get(qn("w:val")) == "de-DE"


def test_an_english_document_is_en_gb_with_english_labels():
    meta = DocumentMeta(title="Register", issuer=META.issuer, reference="X", language="en-GB")
    document = Document(io.BytesIO(render_docx(_template(_four_columns), {"rows": []}, meta=meta)))
    assert document.core_properties.language == "en-GB"
    assert _languages(document) == {"en-GB"}
    assert document.tables[0].rows[0].cells[0].text == "Reference"
    assert "No entries." in [p.text for p in document.paragraphs]


def test_issuer_of_a_department_names_its_ministry_and_the_contact_falls_back_to_it(demo):
    import sqlalchemy as sa

    from govtool.directory.models import Organisation
    from govtool.extensions import db

    department = db.session.scalar(
        sa.select(Organisation).where(Organisation.short_name == "MB-REF34")
    )
    issuer = Issuer.of(department)
    assert issuer.organisation == "Ministerium für Bildung des Landes Sachsen-Anhalt"
    assert issuer.department.startswith("Referat 34")
    assert issuer.address == "Turmschanzenstraße 32 · 39114 Magdeburg"
    assert Issuer.of(department.parent).department == ""
    person = department.contact_person
    phone = person.phone
    person.phone = ""
    assert Contact.of(person, department).phone == department.phone
    person.phone = phone
    assert Contact.of(None) is None


def test_a_signed_version_renders_again_to_its_signed_bytes_dated_by_the_version(demo):
    import sqlalchemy as sa

    from govtool.agreements.models import AgreementVersion
    from govtool.agreements.rendering import render_version
    from govtool.extensions import db

    version = db.session.scalars(
        sa.select(AgreementVersion).where(AgreementVersion.document.is_not(None))
    ).first()
    assert version is not None and version.signatures_requested_at is not None
    again = render_version(version, draft=False)
    assert again == version.document  # the stored SHA-256 still proves what was signed
    props = Document(io.BytesIO(again)).core_properties
    assert props.created == props.modified == version.signatures_requested_at.replace(microsecond=0)
    assert props.identifier == version.agreement.number
    assert props.author == "Ministerium für Bildung des Landes Sachsen-Anhalt"
