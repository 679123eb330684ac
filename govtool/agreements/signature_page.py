"""The signed document of an agreement version (Ausfertigung): the signed text with the signature
blocks filled in and the signature page (Unterzeichnungsvermerk) with its QR code, built
deterministically with python-docx; and the text of a DOCX as the verify page compares it. What
is hashed and why is described in agreements.signing."""

from __future__ import annotations

import io
import re
from typing import Any

import segno
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..core.document_style import apply_document_style
from ..core.docx import save_document
from ..core.formatting import format_date, format_time
from ..core.urls import external_url
from .models import AgreementParty, AgreementSignature, AgreementVersion, SignatureCapacity
from .rendering import KIND_TEXT

SIGNATURE_PAGE_TITLE = "Unterzeichnungsvermerk"
SIGNATURE_COLUMN = "Ort, Datum und Unterschrift"  # the header of the templates' signature table
METHOD_TEXT = "Elektronische Bestätigung mit persönlichem Passwort in govtool"
CAPACITY_TEXT = {
    SignatureCapacity.AUTHORISED: "als unterzeichnungsberechtigte Person (ohne Zusatz)",
    SignatureCapacity.DEPUTY: "i. V. – in Vertretung der unterzeichnungsberechtigten Person",
    SignatureCapacity.BY_ORDER: "i. A. – im Auftrag der unterzeichnungsberechtigten Person",
}
_GREY = RGBColor(0x55, 0x5F, 0x6D)

# --- The signed document ------------------------------------------------------------------------


def verification_url(digest: str) -> str:
    """The verify page for a version's SHA-256, as printed and encoded in the QR code."""
    return external_url("agreements.verify", sha256=digest)


def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG (error correction M, the quiet zone the standard asks)."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def _when(signature: AgreementSignature) -> tuple[str, str]:
    return format_date(signature.signed_at, "de"), format_time(signature.signed_at, "de")


def _signatures_by_party(version: AgreementVersion) -> list[tuple[AgreementParty, Any]]:
    return [(party, version.signature_for(party)) for party in version.parties]


def _style(document, name: str):
    try:
        return document.styles[name]
    except KeyError:
        return None


def _add_paragraph(container, text: str = "", *, bold=False, italic=False, size=None, grey=False):
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if grey:
            run.font.color.rgb = _GREY
    return paragraph


def _clear_cell(cell) -> None:
    """Remove a cell's paragraphs but the first, and the first's runs (keeping its style)."""
    paragraphs = cell.paragraphs
    for paragraph in paragraphs[1:]:
        paragraph._element.getparent().remove(paragraph._element)
    first = paragraphs[0]._element
    for child in list(first):
        if child.tag != qn("w:pPr"):
            first.remove(child)


def _fill_signature_block(cell, version: AgreementVersion, party, signature) -> None:
    """The party's cell of the signature table: place and date, how and by whom it was signed."""
    date, time = _when(signature)
    capacity = signature.capacity
    _clear_cell(cell)
    # Each party signs where it sits (its organisation's city); the version's place of signing
    # is the fallback for an organisation without an address.
    organisation = party.organisation
    place = ((organisation.city if organisation is not None else "") or version.place).strip()
    first = cell.paragraphs[0]
    first.add_run(f"{place}, den {date}" if place else date)
    lines: list[tuple[str, dict[str, Any]]] = [
        (f"elektronisch unterzeichnet am {date} um {time} Uhr", {"italic": True, "size": 9}),
        (" ".join(p for p in (capacity.mark, signature.signer_name) if p), {"bold": True}),
    ]
    if signature.signer_function:
        lines.append((signature.signer_function, {}))
    if capacity is not SignatureCapacity.AUTHORISED:
        named = ", ".join(p for p in (party.signatory_name, party.signatory_function) if p)
        lines.append((f"für {named}", {"size": 9, "grey": True}))
    lines.append(("siehe Unterzeichnungsvermerk", {"size": 9, "grey": True}))
    first.paragraph_format.space_after = Pt(2)
    for text, options in lines:
        _add_paragraph(cell, text, **options).paragraph_format.space_after = Pt(2)


def _signature_table(document, parties: int):
    """The templates' signature table (a header cell "Ort, Datum und Unterschrift", one row per
    party) and that column's index; None for a template without one."""
    for table in document.tables:
        if len(table.rows) != parties + 1:
            continue
        header = [cell.text.strip() for cell in table.rows[0].cells]
        if SIGNATURE_COLUMN in header:
            return table, header.index(SIGNATURE_COLUMN)
    return None


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _cant_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _shade(cell, colour: str = "EEF2F8") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _set_widths(table, widths: list[float]) -> None:
    """Column widths in the grid (LibreOffice reads these) and in every cell (Word does)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _heading(document, text: str, level: int = 1):
    style = _style(document, f"Heading {level}")
    if style is not None:
        paragraph = document.add_paragraph(text, style=style)
    else:
        paragraph = _add_paragraph(document, text, bold=True, size=14 if level == 1 else 11)
    _keep_with_next(paragraph)
    return paragraph


def _party_table(document, number: int, version, party, signature) -> None:
    date, time = _when(signature)
    named = ", ".join(p for p in (party.signatory_name, party.signatory_function) if p) or "–"
    signer = ", ".join(p for p in (signature.signer_name, signature.signer_function) if p)
    rows = [
        ("Unterzeichnungsberechtigt (benannt)", named),
        ("Unterzeichnet von", signer),
        ("Eigenschaft", CAPACITY_TEXT[signature.capacity]),
        ("Datum und Uhrzeit", f"{date}, {time} Uhr (Europe/Berlin)"),
        ("Verfahren", METHOD_TEXT),
        ("Prüfwert der Fassung (SHA-256)", signature.document_sha256),
    ]
    _keep_with_next(_heading(document, f"{number}. {party.organisation.name}", 2))
    table = document.add_table(rows=len(rows), cols=2)
    table.style = _style(document, "Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in zip(table.rows, rows, strict=True):
        _cant_split(row)
        label_cell, value_cell = row.cells
        _shade(label_cell)
        label_run = label_cell.paragraphs[0].add_run(label)
        label_run.bold = True
        label_run.font.size = Pt(10)
        run = value_cell.paragraphs[0].add_run(value)
        if label.startswith("Prüfwert"):
            run.font.name = "Courier New"
            run.font.size = Pt(8.5)
        for cell in row.cells:
            # the table stays together (and with its heading), but not with what follows
            cell.paragraphs[0].paragraph_format.keep_with_next = row is not table.rows[-1]
            cell.paragraphs[0].paragraph_format.space_after = Pt(2)
    _set_widths(table, [5.8, 10.2])
    _add_paragraph(document).paragraph_format.space_after = Pt(0)


def _verification_block(document, digest: str) -> None:
    url = verification_url(digest)
    _heading(document, "Prüfung der Echtheit", 2)
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    qr_cell, text_cell = table.rows[0].cells
    _cant_split(table.rows[0])
    qr_cell.paragraphs[0].add_run().add_picture(io.BytesIO(qr_png(url)), width=Cm(3.2))
    text_cell.paragraphs[0].add_run("Prüfadresse: ").bold = True
    text_cell.paragraphs[0].add_run(url).font.size = Pt(9)
    paragraph = _add_paragraph(text_cell, "Prüfwert der Fassung (SHA-256): ", bold=True)
    code = paragraph.add_run(digest)
    code.font.name = "Courier New"
    code.font.size = Pt(8.5)
    _add_paragraph(
        text_cell,
        "Laden Sie diese Datei unter der Prüfadresse hoch (QR-Code): govtool prüft, ob sie "
        "unverändert ist; jede Änderung, auch eines einzelnen Zeichens, wird erkannt. Der "
        "Prüfwert ist der SHA-256-Hashwert der Datei der Fassung, die alle Vertragsparteien "
        "unterzeichnet haben (ohne diesen Vermerk).",
        size=9,
        grey=True,
    )
    _set_widths(table, [3.8, 12.2])


def _append_signature_page(document, version: AgreementVersion, signed) -> None:
    agreement = version.agreement
    paragraph = document.add_paragraph()
    paragraph.add_run().add_break(WD_BREAK.PAGE)
    _heading(document, SIGNATURE_PAGE_TITLE, 1)
    last = max(signature.signed_at for _party, signature in signed)
    kind = KIND_TEXT[agreement.kind.value]
    _add_paragraph(
        document,
        f"{kind} Nr. {agreement.number}, Fassung {version.number}: „{version.title}“",
        bold=True,
    )
    _add_paragraph(
        document,
        "Diese Fassung wurde in govtool von allen Vertragsparteien elektronisch unterzeichnet, "
        f"zuletzt am {format_date(last, 'de')} um {format_time(last, 'de')} Uhr. Jede "
        "unterzeichnende Person hat ihre Unterzeichnung durch erneute Eingabe ihres persönlichen "
        "Passworts bestätigt. Wer nicht selbst als unterzeichnungsberechtigte Person benannt ist, "
        "hat vor der Unterzeichnung angegeben, ob er in Vertretung (i. V.) oder im Auftrag "
        "(i. A.) unterzeichnet. Zeiten in der Zeitzone Europe/Berlin.",
    )
    for number, (party, signature) in enumerate(signed, 1):
        _party_table(document, number, version, party, signature)
    _verification_block(document, version.document_sha256 or "")


def signed_copy(version: AgreementVersion) -> bytes:
    """The signed document of a version every party signed: the stored signed text with the
    signature blocks filled in and the Unterzeichnungsvermerk appended (deterministic)."""
    if version.document is None or not version.document_sha256:
        raise ValueError("the version has no signed text")
    document = Document(io.BytesIO(version.document))
    signed = [(p, s) for p, s in _signatures_by_party(version) if s is not None]
    found = _signature_table(document, len(version.parties))
    if found is not None:
        table, column = found
        for row, (party, signature) in zip(
            table.rows[1:], _signatures_by_party(version), strict=True
        ):
            if signature is not None:
                _fill_signature_block(row.cells[column], version, party, signature)
    if signed:
        _append_signature_page(document, version, signed)
    apply_document_style(document)  # the house style for what was filled in and appended
    return save_document(document)


# --- Reading a document's text -------------------------------------------------------------------


def _paragraph_text(paragraph) -> str:
    """The paragraph's text without field results (page numbers and the like)."""
    parts: list[str] = []
    depth, showing_result = 0, []
    for element in paragraph.iter():
        tag = element.tag
        if tag == qn("w:fldChar"):
            kind = element.get(qn("w:fldCharType"))
            if kind == "begin":
                depth += 1
                showing_result.append(False)
            elif kind == "separate" and showing_result:
                showing_result[-1] = True
            elif kind == "end" and showing_result:
                depth -= 1
                showing_result.pop()
        elif any(showing_result):
            continue
        elif tag == qn("w:t"):
            if _inside(element, qn("w:fldSimple"), paragraph):
                continue
            parts.append(element.text or "")
        elif tag == qn("w:tab") and element.getparent().tag == qn("w:r"):
            parts.append("\t")
        elif tag in (qn("w:br"), qn("w:cr")):
            parts.append("\n")
    return "".join(parts)


def _inside(element, tag: str, stop) -> bool:
    node = element.getparent()
    while node is not None and node is not stop:
        if node.tag == tag:
            return True
        node = node.getparent()
    return False


def document_text(data: bytes) -> list[str]:
    """The text the check compares: every paragraph of the body, then of the headers and footers
    (in part-name order), one string each."""
    document = Document(io.BytesIO(data))
    roots = [document.element.body]
    parts = sorted(
        (
            part
            for part in document.part.package.iter_parts()
            if re.fullmatch(r"/word/(header|footer)\d*\.xml", str(part.partname))
        ),
        key=lambda part: str(part.partname),
    )
    roots += [part.element for part in parts]
    return [_paragraph_text(p) for root in roots for p in root.iter(qn("w:p"))]
