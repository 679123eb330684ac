"""One house style for every generated DOCX, applied by core.docx.render_docx after the template
is filled: what a German administration expects of a document it sends.

* A letterhead on page 1 (the issuing organisation, its department and address from the
  directory) and a reference line (Aktenzeichen, contact, date), when the caller names the issuer.
* Tables: column widths from their content (the longest word of a column sets its minimum, the
  length of its text its share of the rest; narrow number and date columns, wide text columns),
  a fixed layout over the full text width, smaller type where a wide table needs it, the header
  row repeated on every page and kept with the first row, no row split across pages, signature
  tables kept together with their heading.
* No empty table (a table left with its header row says "Keine Einträge.") and no empty section
  (a heading with nothing under it says "Keine Angaben.").
* Page numbers ("Seite X von Y") in the footer when the template has none.
* The document language (de-DE, en-GB for English documents) on the defaults, every style and
  every run, and the core properties: title, subject, author (the issuing organisation),
  reference, created/modified.

Deterministic: nothing here reads the clock. created/modified are the document's own moment
(an agreement version's, a meeting's), given by the caller, so rendering the same agreement
version twice still gives byte-identical files and a stored SHA-256 keeps proving what was
signed. Widths are measured with Arial's metrics (core.font_metrics); the result is the same on
every server, whatever fonts it has.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .font_metrics import BOLD, MONOSPACE, REGULAR, UNKNOWN
from .formatting import format_date

FIXED_MOMENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # a document without a date of its own
HEADER_FILL = "D9E2F3"
ACCENT = "1F3A5F"
GREY = "55606E"
DATA_TABLE_POINTS = 10.0  # tables with a header row: 10 pt, as offices set tables
SMALLER_POINTS = (9.0, 8.0)  # tried in turn when a table's longest words do not fit
COMFORT = 0.95  # a size is taken when its longest words need at most this share of the width
CELL_PADDING = 108 * 2 + 40  # twips: Word's default cell margins, left and right, and borders
SAFETY = 1.04  # measured text is widened by this much: kerning, rounding, other renderers

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "reference": "Aktenzeichen",
        "contact": "Ansprechperson",
        "reach": "Telefon / E-Mail",
        "date": "Datum",
        "page": "Seite",
        "of": "von",
        "no_entries": "Keine Einträge.",
        "nothing": "Keine Angaben.",
    },
    "en": {
        "reference": "Reference",
        "contact": "Contact",
        "reach": "Phone / email",
        "date": "Date",
        "page": "Page",
        "of": "of",
        "no_entries": "No entries.",
        "nothing": "Nothing to report.",
    },
}


def _order(names: str) -> dict[str, int]:
    """Position of each child element (by its qualified tag) in a properties element."""
    return {qn(f"w:{name}"): index for index, name in enumerate(names.split())}


# Schema order of the children the style writes (Word refuses a file with them out of order).
_RPR_ORDER = _order(
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
)
_PPR_ORDER = _order(
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
    "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
    "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents "
    "suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle "
    "rPr sectPr pPrChange"
)
_TRPR_ORDER = _order(
    "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader "
    "tblCellSpacing jc hidden ins del trPrChange"
)
_TBLPR_ORDER = _order(
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
)
_TCPR_ORDER = _order(
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText "
    "vAlign hideMark"
)


# --- What the caller says about the document ---------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """The organisation that issues a document, as its letterhead shows it."""

    organisation: str
    department: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, organisation: Any) -> Issuer | None:
        """The issuer for a directory organisation: a department (Referat 34) under the name of
        the organisation it belongs to (the ministry), with its own address, else the parent's."""
        if organisation is None:
            return None
        top = organisation
        while top.parent is not None:
            top = top.parent
        with_address = organisation if organisation.street or organisation.city else top
        return cls(
            organisation=top.name,
            department=organisation.name if organisation is not top else "",
            street=with_address.street,
            postal_code=with_address.postal_code,
            city=with_address.city,
            phone=organisation.phone,
            email=organisation.email,
        )

    @property
    def address(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return " · ".join(p for p in (self.street, place) if p)


@dataclass(frozen=True)
class Contact:
    """The person to contact about a document (the reference line's Ansprechperson)."""

    name: str
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, person: Any, organisation: Any = None) -> Contact | None:
        """A directory person, with the organisation's phone and email where the person has
        none; None for no person or an erased one (a placeholder is no one to contact)."""
        if person is None or getattr(person, "erased_at", None) or not person.full_name:
            return None
        return cls(
            name=person.full_name,
            phone=person.phone or (organisation.phone if organisation is not None else ""),
            email=person.email or (organisation.email if organisation is not None else ""),
        )


@dataclass(frozen=True)
class DocumentMeta:
    """What a document says about itself: title and subject (core properties), who issues it,
    its file reference (Aktenzeichen), contact and date (the reference line), its language.
    `moment` is the document's own point in time (created/modified and the date printed): never
    the clock, so equal input gives equal bytes."""

    title: str
    subject: str = ""
    issuer: Issuer | None = None
    reference: str = ""
    contact: Contact | None = None
    moment: dt.datetime | None = None
    language: str = "de-DE"
    extra: dict[str, str] = field(default_factory=dict)  # further core properties (keywords…)

    @property
    def author(self) -> str:
        return self.issuer.organisation if self.issuer is not None else ""


def moment_of(value: dt.date | dt.datetime | None) -> dt.datetime | None:
    """An aware datetime for a date or datetime (a date at midnight UTC; naive taken as UTC)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), dt.UTC)


def _labels(language: str) -> dict[str, str]:
    return LABELS.get(language[:2].lower(), LABELS["de"])


# --- XML helpers ----------------------------------------------------------------------------------


def _set_child(parent, name: str, order: dict[str, int], **attrs: str):
    """The child w:`name` of `parent` (created in schema order when missing), attributes set."""
    tag = qn(f"w:{name}")
    child = parent.find(tag)
    if child is None:
        child = OxmlElement(f"w:{name}")
        position = order[tag]
        for index, existing in enumerate(parent):
            if order.get(existing.tag, -1) > position:
                parent.insert(index, child)
                break
        else:
            parent.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)
    return child


def _props(element, name: str, before: tuple[str, ...] = ()):
    """The w:`name` properties child of `element` (w:rPr of a run, w:pPr of a paragraph...),
    created as the first child (after any of `before`) when missing."""
    child = element.find(qn(f"w:{name}"))
    if child is None:
        child = OxmlElement(f"w:{name}")
        earlier = {qn(f"w:{b}") for b in before}
        index = 0
        for position, existing in enumerate(element):
            if existing.tag in earlier:
                index = position + 1
        element.insert(index, child)
    return child


def _rpr(run):
    return _props(run, "rPr")


def _ppr(paragraph):
    return _props(paragraph, "pPr")


def _on(element) -> bool:
    """A toggle property (w:b, w:keepNext...) present and not switched off."""
    if element is None:
        return False
    return element.get(qn("w:val"), "true") not in ("false", "0", "off")


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _paragraphs_of_cell(cell) -> list:
    """A cell's own paragraphs (not those of a table nested in it)."""
    return [p for p in cell.iter(qn("w:p")) if _owning_cell(p) is cell]


def _owning_cell(element):
    node = element.getparent()
    while node is not None and node.tag != qn("w:tc"):
        node = node.getparent()
    return node


# --- Styles: sizes, bold, language ----------------------------------------------------------------


class _Styles:
    """Resolves a paragraph's font size and boldness through its style chain (python-docx's
    style objects), with the document defaults as the last resort."""

    def __init__(self, document):
        self.document = document
        self.by_id = {s.style_id: s for s in document.styles}
        self._paragraph_cache: dict[str | None, tuple[float, bool]] = {}
        defaults = document.styles.element.find(qn("w:docDefaults"))
        size = None
        if defaults is not None:
            sz = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
            if sz is not None:
                size = int(sz.get(qn("w:val"))) / 2
        self.default_size = size or 10.0
        normal = self._chain("Normal")
        self.normal_size = self._size(normal) or self.default_size

    def _chain(self, style_id: str | None):
        style = self.by_id.get(style_id or "Normal") or self.by_id.get("Normal")
        chain = []
        while style is not None and style not in chain:
            chain.append(style)
            style = style.base_style
        return chain

    @staticmethod
    def _size(chain) -> float | None:
        for style in chain:
            if style.font.size is not None:
                return style.font.size.pt
        return None

    def paragraph(self, paragraph) -> tuple[float, bool]:
        """(size in points, bold) a paragraph's style gives its runs."""
        ppr = paragraph.find(qn("w:pPr"))
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        style_id = style.get(qn("w:val")) if style is not None else None
        found = self._paragraph_cache.get(style_id)
        if found is None:
            chain = self._chain(style_id)
            bold = next((s.font.bold for s in chain if s.font.bold is not None), False)
            found = self._paragraph_cache[style_id] = (
                self._size(chain) or self.normal_size,
                bool(bold),
            )
        return found

    def heading_level(self, paragraph) -> int | None:
        """1-9 for a paragraph in a Heading style (or with an outline level), else None."""
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is None:
            return None
        outline = ppr.find(qn("w:outlineLvl"))
        if outline is not None:
            return int(outline.get(qn("w:val"))) + 1
        style = ppr.find(qn("w:pStyle"))
        if style is None:
            return None
        for item in self._chain(style.get(qn("w:val"))):
            found = re.fullmatch(r"(?i)heading\s*(\d)", item.name or "")
            if found:
                return int(found.group(1))
        return None


@dataclass
class _Piece:
    """A run's text with what its width depends on."""

    text: str
    size: float
    bold: bool
    mono: bool
    run: Any = None


def _pieces(paragraph, styles: _Styles) -> list[_Piece]:
    size, bold = styles.paragraph(paragraph)
    pieces = []
    for run in paragraph.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        run_size, run_bold, mono = size, bold, False
        if rpr is not None:
            sz = rpr.find(qn("w:sz"))
            if sz is not None:
                run_size = int(sz.get(qn("w:val"))) / 2
            b = rpr.find(qn("w:b"))
            if b is not None:
                run_bold = _on(b)
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is not None:
                name = fonts.get(qn("w:ascii")) or ""
                mono = "courier" in name.lower() or "mono" in name.lower()
        text = ""
        for child in run:
            if child.tag == qn("w:t"):
                text += child.text or ""
            elif child.tag in (qn("w:br"), qn("w:cr")):
                text += "\n"
            elif child.tag == qn("w:tab"):
                text += "    "
        if text:
            pieces.append(_Piece(text, run_size, run_bold, mono, run))
    return pieces


# --- Measuring ------------------------------------------------------------------------------------

_BREAK_AFTER = "-–—\xad"
LONGEST_WORD = 30  # characters: longer pieces without a space are addresses, codes, digests


def _segments(characters: list[tuple[str, float]]) -> Iterator[float]:
    """Widths of the pieces a line may not be broken inside: between spaces, and after a hyphen
    or dash between letters (where LibreOffice and Word break, the hyphen staying visible). A
    piece longer than LONGEST_WORD characters is an address or a checksum, which the renderer
    breaks anywhere: it counts as LONGEST_WORD characters, so it cannot claim the whole table."""
    width, count = 0.0, 0
    for index, (char, char_width) in enumerate(characters):
        if char.isspace():
            yield width * min(1, LONGEST_WORD / max(count, 1))
            width, count = 0.0, 0
            continue
        width += char_width
        count += 1
        if (
            char in _BREAK_AFTER
            and 0 < index < len(characters) - 1
            and characters[index - 1][0].isalpha()
            and characters[index + 1][0].isalpha()
        ):
            yield width * min(1, LONGEST_WORD / count)
            width, count = 0.0, 0
    yield width * min(1, LONGEST_WORD / max(count, 1))


def _measure(paragraphs: Iterable, styles: _Styles, cap: float | None) -> tuple[float, float]:
    """(longest unbreakable piece, longest line) of some paragraphs in points, with every size
    above `cap` set to `cap`."""
    longest_word = longest_line = 0.0
    for paragraph in paragraphs:
        characters: list[tuple[str, float]] = []
        for piece in _pieces(paragraph, styles):
            size = min(piece.size, cap) if cap else piece.size
            if piece.mono:
                characters += [(char, MONOSPACE * size / 1000) for char in piece.text]
            else:
                table = BOLD if piece.bold else REGULAR
                characters += [
                    (char, table.get(char, UNKNOWN) * size / 1000) for char in piece.text
                ]
        line = 0.0
        for char, width in characters:
            if char == "\n":
                longest_line, line = max(longest_line, line), 0.0
            else:
                line += width
        longest_line = max(longest_line, line)
        longest_word = max([longest_word, *_segments(characters)])
        for extent in paragraph.iter(qn("wp:extent")):  # a picture (QR code) is one wide word
            picture = int(extent.get("cx", "0")) / 12700 / SAFETY
            longest_word, longest_line = max(longest_word, picture), max(longest_line, picture)
    return longest_word * SAFETY, longest_line * SAFETY


# --- Tables ---------------------------------------------------------------------------------------


def _rows(table) -> list:
    return table.findall(qn("w:tr"))


def _cells(row) -> list[tuple[int, int, Any]]:
    """(first grid column, span, w:tc) of each cell in a row."""
    found, column = [], 0
    trpr = row.find(qn("w:trPr"))
    if trpr is not None:
        before = trpr.find(qn("w:gridBefore"))
        if before is not None:
            column = int(before.get(qn("w:val")))
    for cell in row.findall(qn("w:tc")):
        tcpr = cell.find(qn("w:tcPr"))
        span = 1
        if tcpr is not None and tcpr.find(qn("w:gridSpan")) is not None:
            span = int(tcpr.find(qn("w:gridSpan")).get(qn("w:val")))
        found.append((column, span, cell))
        column += span
    return found


def _shaded(cell) -> bool:
    tcpr = cell.find(qn("w:tcPr"))
    shd = tcpr.find(qn("w:shd")) if tcpr is not None else None
    return shd is not None and (shd.get(qn("w:fill")) or "auto").lower() not in ("auto", "ffffff")


def _all_bold(cell, styles: _Styles) -> bool:
    pieces = [p for par in _paragraphs_of_cell(cell) for p in _pieces(par, styles)]
    pieces = [p for p in pieces if p.text.strip()]
    return bool(pieces) and all(p.bold for p in pieces)


def _looks_like_header(row, styles: _Styles) -> bool:
    trpr = row.find(qn("w:trPr"))
    if trpr is not None and _on(trpr.find(qn("w:tblHeader"))):
        return True
    cells = [cell for _c, _s, cell in _cells(row)]
    filled = [cell for cell in cells if _text(cell).strip()]
    return bool(filled) and all(_shaded(c) or _all_bold(c, styles) for c in filled)


def _header_row(table, styles: _Styles):
    """The table's header row (first row, repeated on each page), or None."""
    rows = _rows(table)
    if len(rows) < 2 or not _looks_like_header(rows[0], styles):
        return None
    if _looks_like_header(rows[1], styles) and not _has_header_mark(rows[0]):
        return None  # every row bold: no header, a bold table
    return rows[0]


def _has_header_mark(row) -> bool:
    trpr = row.find(qn("w:trPr"))
    return trpr is not None and _on(trpr.find(qn("w:tblHeader")))


def _is_signature_table(table) -> bool:
    rows = _rows(table)
    head = _text(rows[0]) if rows else ""
    return "Unterschrift" in head or "Signature" in head or "_____" in _text(table)


def _grid_columns(table) -> int:
    grid = table.find(qn("w:tblGrid"))
    count = len(grid.findall(qn("w:gridCol"))) if grid is not None else 0
    widest_row = max((sum(s for _c, s, _t in _cells(r)) for r in _rows(table)), default=0)
    return max(count, widest_row)


def column_widths(
    table, styles: _Styles, total: int, cap: float | None, *, squeeze: bool = False
) -> tuple[list[int], list[float]] | None:
    """Column widths in twips that fill `total` (every column at least its longest word, the
    rest shared by how long each column's text is, see _share) and the minimum widths. When the
    longest words do not fit side by side: None, or with `squeeze` the widest minimums cut down
    until they fit (the renderer then breaks those words)."""
    columns = _grid_columns(table)
    if columns == 0:
        return None
    minimum: list[float] = [
        CELL_PADDING + 0.8 * 567.0
    ] * columns  # never narrower than 0.8 cm of text
    desired = list(minimum)
    for row in _rows(table):
        for column, span, cell in _cells(row):
            if span != 1 or column >= columns:
                continue
            word, line = _measure(_paragraphs_of_cell(cell), styles, cap)
            minimum[column] = max(minimum[column], word * 20 + CELL_PADDING)
            desired[column] = max(desired[column], line * 20 + CELL_PADDING)
    if sum(minimum) > total:
        if not squeeze:
            return None
        minimum = _squeezed(minimum, total)
    desired = [max(d, m) for d, m in zip(desired, minimum, strict=True)]
    if max(desired) < 1.15 * min(desired) and sum(desired) <= total:
        return _whole([total / columns] * columns, total), minimum  # alike (signature blocks)
    return _whole(_share(minimum, desired, total), total), minimum


def _squeezed(minimum: list[float], total: float) -> list[float]:
    """The minimums with the widest cut to one level, so that they add up to `total`."""
    level = total / len(minimum)
    for count, value in enumerate(sorted(minimum)):
        rest = len(minimum) - count
        if value * rest >= total - sum(sorted(minimum)[:count]):
            level = (total - sum(sorted(minimum)[:count])) / rest
            break
    return [min(m, level) for m in minimum]


def _share(minimum: list[float], desired: list[float], total: float) -> list[float]:
    """Widths adding up to `total`: when everything fits, each column its text's length and the
    rest by the same proportion; else columns whose text fits in an equal share of what is left
    get their full length (names, dates, numbers: no wrapping), and the wide text columns share
    the rest, each at least its longest word."""
    if sum(desired) <= total:
        return [d * total / sum(desired) for d in desired]
    widths: dict[int, float] = {}
    open_columns = list(range(len(desired)))
    remaining = total
    while True:
        share = remaining / len(open_columns)
        narrow = [c for c in open_columns if desired[c] <= share]
        if not narrow:
            break
        for column in narrow:
            widths[column] = desired[column]
            remaining -= desired[column]
        open_columns = [c for c in open_columns if c not in narrow]
        if not open_columns:  # pragma: no cover - sum(desired) > total leaves one open
            break
    floor = sum(minimum[c] for c in open_columns)
    stretch = {c: desired[c] - minimum[c] for c in open_columns}
    spare = max(remaining - floor, 0)
    for column in open_columns:
        part = (
            stretch[column] / sum(stretch.values())
            if sum(stretch.values())
            else 1 / len(open_columns)
        )
        widths[column] = minimum[column] + spare * part
    if remaining < floor:  # the narrow columns took too much: the CSS shares instead
        spare = total - sum(minimum)
        stretch_all = [d - m for d, m in zip(desired, minimum, strict=True)]
        return [m + spare * s / sum(stretch_all) for m, s in zip(minimum, stretch_all, strict=True)]
    return [widths[c] for c in range(len(desired))]


def _whole(widths: list[float], total: int) -> list[int]:
    """Whole twips adding up to exactly `total`."""
    result = [int(w) for w in widths]
    result[-1] += total - sum(result)
    return result


def _apply_widths(table, widths: list[int]) -> None:
    tblpr = _props(table, "tblPr")
    _set_child(tblpr, "tblW", _TBLPR_ORDER, w=str(sum(widths)), type="dxa")
    _set_child(tblpr, "tblLayout", _TBLPR_ORDER, type="fixed")
    indent = tblpr.find(qn("w:tblInd"))
    if indent is not None:
        tblpr.remove(indent)
    grid = table.find(qn("w:tblGrid"))
    if grid is None:
        grid = OxmlElement("w:tblGrid")
        tblpr.addnext(grid)
    for old in grid.findall(qn("w:gridCol")):
        grid.remove(old)
    for width in widths:
        column = OxmlElement("w:gridCol")
        column.set(qn("w:w"), str(width))
        grid.append(column)
    for row in _rows(table):
        for column, span, cell in _cells(row):
            tcpr = _props(cell, "tcPr")
            width = sum(widths[column : column + span])
            _set_child(tcpr, "tcW", _TCPR_ORDER, w=str(width), type="dxa")


def _cap_sizes(table, styles: _Styles, cap: float) -> None:
    """Set every run of the table larger than `cap` points to `cap` points."""
    half_points = str(round(cap * 2))
    for paragraph in table.iter(qn("w:p")):
        for piece in _pieces(paragraph, styles):
            if piece.size > cap:
                rpr = _rpr(piece.run)
                _set_child(rpr, "sz", _RPR_ORDER, val=half_points)
                _set_child(rpr, "szCs", _RPR_ORDER, val=half_points)
        size, _bold = styles.paragraph(paragraph)
        if size > cap:  # the paragraph mark (an empty cell's height)
            mark = _props(_ppr(paragraph), "rPr")
            _set_child(mark, "sz", _RPR_ORDER, val=half_points)


def _keep_next(paragraph, on: bool = True) -> None:
    ppr = _ppr(paragraph)
    if on:
        _set_child(ppr, "keepNext", _PPR_ORDER)
    else:
        existing = ppr.find(qn("w:keepNext"))
        if existing is not None:
            ppr.remove(existing)


def _row_flag(row, name: str) -> None:
    trpr = _props(row, "trPr", before=("tblPrEx",))
    _set_child(trpr, name, _TRPR_ORDER)


def layout_table(table, styles: _Styles, total: int, *, data: bool | None = None) -> None:
    """Widths from the content over `total` twips, rows that never split, the header row
    repeated and shaded; a table with a header row set at 10 pt, smaller if its words need."""
    header = _header_row(table, styles)
    data = header is not None if data is None else data
    # data tables at 10 pt, smaller while their longest words do not fit; other tables (facts,
    # signature blocks, the reference line) keep their type and squeeze their widest words
    caps: list[float | None] = [DATA_TABLE_POINTS, *SMALLER_POINTS] if data else [None]
    found = None
    for cap in caps:
        last = cap == caps[-1]
        found = column_widths(table, styles, total, cap, squeeze=last)
        # a size whose longest words only just fit leaves every column at its minimum, which
        # wraps short values ("TOP 5"): the next smaller size reads better
        if found is not None and (last or sum(found[1]) <= COMFORT * total):
            if cap is not None:
                _cap_sizes(table, styles, cap)
            break
    if found is None:  # pragma: no cover - the last size squeezes, which always fits
        return
    _apply_widths(table, found[0])
    for row in _rows(table):
        _row_flag(row, "cantSplit")
    if data and not _is_signature_table(table):
        _compact_cells(table)
    if header is not None:
        _row_flag(header, "tblHeader")
        for _column, _span, cell in _cells(header):
            if not _shaded(cell):
                _set_child(
                    _props(cell, "tcPr"),
                    "shd",
                    _TCPR_ORDER,
                    val="clear",
                    color="auto",
                    fill=HEADER_FILL,
                )
            for paragraph in _paragraphs_of_cell(cell):
                _keep_next(paragraph)


def _compact_cells(table) -> None:
    """Single line spacing and 1 pt before and after in the cells of a data table, where the
    body text's paragraph spacing would make every row look like two (spacing set in the
    template itself stays)."""
    for paragraph in table.iter(qn("w:p")):
        ppr = _ppr(paragraph)
        if ppr.find(qn("w:spacing")) is None:
            _set_child(ppr, "spacing", _PPR_ORDER, before="20", after="20", line="240",
                       lineRule="auto")  # fmt: skip


def _keep_signature_block(table, body_children: list) -> None:
    """A signature table on one page with the heading and lines before it."""
    rows = _rows(table)
    for row in rows:
        _row_flag(row, "cantSplit")
        last = row is rows[-1]
        for paragraph in row.iter(qn("w:p")):
            _keep_next(paragraph, not last)
    index = body_children.index(table)
    for previous in reversed(body_children[max(0, index - 4) : index]):
        if previous.tag != qn("w:p"):
            break
        _keep_next(previous)
        if _is_heading_like(previous):
            break


def _is_heading_like(paragraph) -> bool:
    ppr = paragraph.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    name = style.get(qn("w:val")) if style is not None else ""
    return bool(re.match(r"(?i)heading|title|berschrift", name or ""))


# --- Empty tables and sections --------------------------------------------------------------------


def _new_paragraph(text: str):
    paragraph = OxmlElement("w:p")
    run = OxmlElement("w:r")
    element = OxmlElement("w:t")
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(element)
    paragraph.append(run)
    return paragraph


def replace_empty_tables(body, styles: _Styles, labels: dict[str, str]) -> int:
    """Tables left with only their header row (a loop over nothing) become the sentence "Keine
    Einträge."; tables without any row are removed. Returns how many were replaced."""
    replaced = 0
    for table in list(body.iterchildren(qn("w:tbl"))):
        rows = _rows(table)
        if rows and (len(rows) > 1 or not _looks_like_header(rows[0], styles)):
            continue
        table.addprevious(_new_paragraph(labels["no_entries"]))
        body.remove(table)
        replaced += 1
    return replaced


def _has_content(element) -> bool:
    if element.tag == qn("w:tbl"):
        return True
    if element.tag == qn("w:sdt"):
        return bool(_text(element).strip())
    drawings = (qn("w:drawing"), qn("w:pict"), qn("w:object"))
    return bool(_text(element).strip()) or any(
        True for node in element.iter() if node.tag in drawings
    )


def fill_empty_sections(body, styles: _Styles, labels: dict[str, str]) -> int:
    """A heading with nothing under it before the next heading of its level (or the end) gets
    the sentence "Keine Angaben."; a heading without text is removed. Returns the count."""
    filled = 0
    children = [c for c in body if c.tag != qn("w:sectPr")]
    for index, element in enumerate(children):
        if element.tag != qn("w:p"):
            continue
        level = styles.heading_level(element)
        if level is None:
            continue
        if not _text(element).strip():
            body.remove(element)
            continue
        content = False
        for following in children[index + 1 :]:
            if following.tag == qn("w:p"):
                next_level = styles.heading_level(following)
                if next_level is not None and next_level <= level and _text(following).strip():
                    break
            if _has_content(following):
                content = True
                break
        if not content:
            element.addnext(_new_paragraph(labels["nothing"]))
            filled += 1
    return filled


# --- Page numbers ---------------------------------------------------------------------------------


def _has_page_field(part_element) -> bool:
    for node in part_element.iter(qn("w:instrText"), qn("w:fldSimple")):
        instruction = node.text if node.tag == qn("w:instrText") else node.get(qn("w:instr"))
        if instruction and "PAGE" in instruction.upper().split():
            return True
    return False


def _field_runs(instruction: str, size_half_points: str) -> list:
    runs = []
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), size_half_points)
        rpr.append(sz)
        run.append(rpr)
        if kind == "instr":
            text = OxmlElement("w:instrText")
            text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            text.text = f" {instruction} "
            run.append(text)
        elif kind == "result":
            text = OxmlElement("w:t")
            text.text = "1"
            run.append(text)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        runs.append(run)
    return runs


def _text_run(text: str, size_half_points: str):
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), size_half_points)
    rpr.append(sz)
    run.append(rpr)
    element = OxmlElement("w:t")
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    element.text = text
    run.append(element)
    return run


def ensure_page_numbers(document, labels: dict[str, str]) -> bool:
    """Add "Seite X von Y" (PAGE and NUMPAGES fields) under each section's footer unless a
    footer already numbers the pages. Returns whether numbers were added."""
    footers = [
        part.element
        for part in document.part.package.iter_parts()
        if re.fullmatch(r"/word/footer\d*\.xml", str(part.partname))
    ]
    if any(_has_page_field(footer) for footer in footers):
        return False
    for index, section in enumerate(document.sections):
        footer = section.footer
        if footer.is_linked_to_previous and index > 0:
            continue  # shows the previous section's footer, numbered there
        element = footer._element
        paragraphs = element.findall(qn("w:p"))
        if paragraphs and not _text(paragraphs[-1]).strip():
            paragraph = paragraphs[-1]
        else:
            paragraph = OxmlElement("w:p")
            element.append(paragraph)
        _set_child(_ppr(paragraph), "jc", _PPR_ORDER, val="center")
        size = "16"
        parts = [
            _text_run(f"{labels['page']} ", size),
            *_field_runs("PAGE", size),
            _text_run(f" {labels['of']} ", size),
            *_field_runs("NUMPAGES", size),
        ]
        for run in parts:
            paragraph.append(run)
    return True


# --- Language -------------------------------------------------------------------------------------


def set_language(document, language: str) -> None:
    """`language` (de-DE, en-GB) for spelling, hyphenation and screen readers: on the document
    defaults, every style, every run of body, headers and footers, and the core properties."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = _props(defaults, "rPrDefault")
    _set_child(_props(rpr_default, "rPr"), "lang", _RPR_ORDER, val=language)
    for style in styles.iterchildren(qn("w:style")):
        rpr = style.find(qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:lang")) is not None:
            rpr.find(qn("w:lang")).set(qn("w:val"), language)
    settings = document.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), language)
    roots = [document.element.body]
    roots += [
        part.element
        for part in document.part.package.iter_parts()
        if re.fullmatch(r"/word/(header|footer)\d*\.xml", str(part.partname))
    ]
    for root in roots:
        for run in root.iter(qn("w:r")):
            _set_child(_rpr(run), "lang", _RPR_ORDER, val=language)
    document.core_properties.language = language


# --- Letterhead -----------------------------------------------------------------------------------


def _styled_run(text: str, *, size: float, bold: bool = False, colour: str = ""):
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if bold:
        _set_child(rpr, "b", _RPR_ORDER)
    if colour:
        _set_child(rpr, "color", _RPR_ORDER, val=colour)
    _set_child(rpr, "sz", _RPR_ORDER, val=str(round(size * 2)))
    _set_child(rpr, "szCs", _RPR_ORDER, val=str(round(size * 2)))
    run.append(rpr)
    element = OxmlElement("w:t")
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    element.text = text
    run.append(element)
    return run


def _letterhead_paragraph(runs: list, *, after: int = 0, border: bool = False, right=False):
    paragraph = OxmlElement("w:p")
    ppr = _ppr(paragraph)
    _set_child(ppr, "keepNext", _PPR_ORDER)
    if border:
        borders = _set_child(ppr, "pBdr", _PPR_ORDER)
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "4"), ("color", ACCENT)):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
    _set_child(ppr, "spacing", _PPR_ORDER, before="0", after=str(after), line="240",
               lineRule="auto")  # fmt: skip
    _set_child(ppr, "ind", _PPR_ORDER, left="0", right="0", firstLine="0")
    if right:
        _set_child(ppr, "jc", _PPR_ORDER, val="right")
    for run in runs:
        paragraph.append(run)
    return paragraph


def _reference_table(meta: DocumentMeta, labels: dict[str, str], language: str):
    columns: list[tuple[str, list[str]]] = []
    if meta.reference:
        columns.append((labels["reference"], [meta.reference]))
    if meta.contact is not None:
        columns.append((labels["contact"], [meta.contact.name]))
        reach = [v for v in (meta.contact.phone, meta.contact.email) if v]
        if reach:
            columns.append((labels["reach"], reach))
    if meta.moment is not None:
        columns.append((labels["date"], [format_date(meta.moment, language.replace("-", "_"))]))
    if not columns:
        return None
    table = OxmlElement("w:tbl")
    tblpr = OxmlElement("w:tblPr")
    table.append(tblpr)
    borders = _set_child(tblpr, "tblBorders", _TBLPR_ORDER)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    _set_child(tblpr, "tblDescription", _TBLPR_ORDER, val=labels["reference"])
    table.append(OxmlElement("w:tblGrid"))
    for row_index in range(2):
        row = OxmlElement("w:tr")
        for column_index, (label, values) in enumerate(columns):
            cell = OxmlElement("w:tc")
            last = column_index == len(columns) - 1
            lines = [label] if row_index == 0 else values
            for line in lines:
                run = (
                    _styled_run(line, size=8, colour=GREY)
                    if row_index == 0
                    else _styled_run(line, size=9.5)
                )
                cell.append(_letterhead_paragraph([run], right=last))
            row.append(cell)
        table.append(row)
    return table


def insert_letterhead(document, meta: DocumentMeta, styles: _Styles, total: int) -> None:
    """The issuing organisation, its department and address, and the reference line at the top
    of page 1 (in the body, so a template's own headers stay as they are)."""
    labels = _labels(meta.language)
    issuer = meta.issuer
    lines: list[tuple[str, float, bool, str]] = []
    if issuer is not None:
        lines.append((issuer.organisation, 13, True, ACCENT))
        if issuer.department:
            lines.append((issuer.department, 10, False, ACCENT))
        if issuer.address:
            lines.append((issuer.address, 8.5, False, GREY))
    elements: list = [
        _letterhead_paragraph(
            [_styled_run(text, size=size, bold=bold, colour=colour)],
            after=160 if last else 20,
            border=last,
        )
        for text, size, bold, colour, last in (
            (*line, index == len(lines) - 1) for index, line in enumerate(lines)
        )
    ]
    table = _reference_table(meta, labels, meta.language)
    if table is not None:
        elements += [table, _letterhead_paragraph([], after=240)]
    body = document.element.body
    for position, element in enumerate(elements):
        body.insert(position, element)
    if table is None:
        return
    _reference_widths(table, styles, total)


def _reference_widths(table, styles: _Styles, total: int) -> None:
    """The reference line's fields each as wide as their text and a gap, the date (last, right
    aligned) taking the rest: fields on the left, the date at the right margin."""
    found = column_widths(table, styles, total, None, squeeze=True)
    if found is None:  # pragma: no cover - squeezing always fits
        return
    desired = [0.0] * len(found[0])
    for row in _rows(table):
        for column, _span, cell in _cells(row):
            _word, line = _measure(_paragraphs_of_cell(cell), styles, None)
            desired[column] = max(desired[column], line * 20 + CELL_PADDING + 340)
    if sum(desired) <= total:
        widths = [int(d) for d in desired[:-1]]
        widths.append(total - sum(widths))
    else:
        widths = found[0]
    _apply_widths(table, widths)
    for row in _rows(table):
        _row_flag(row, "cantSplit")


# --- Core properties ------------------------------------------------------------------------------


def set_core_properties(document, meta: DocumentMeta) -> None:
    """Title, subject, author and last editor (the issuing organisation), the file reference,
    the language, created/modified (the document's own moment)."""
    props = document.core_properties
    moment = meta.moment or FIXED_MOMENT
    props.title = meta.title[:255]
    props.subject = meta.subject[:255]
    props.author = meta.author[:255]
    props.last_modified_by = meta.author[:255]
    props.identifier = meta.reference[:255]
    props.created = moment
    props.modified = moment
    props.revision = 1
    props.language = meta.language
    for key, value in meta.extra.items():
        setattr(props, key, value)


# --- All of it ------------------------------------------------------------------------------------


def text_width_twips(document) -> int:
    """The width between the margins of the document's first section, in twips."""
    section = document.sections[0]
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return int(width / 635) if width > 0 else 9072  # EMU to twips; 16 cm by default


def apply_document_style(document, meta: DocumentMeta | None = None) -> None:
    """Give a rendered python-docx Document the house style (see the module docstring); with
    `meta`, also the letterhead, reference line and core properties."""
    language = meta.language if meta is not None else "de-DE"
    labels = _labels(language)
    styles = _Styles(document)
    body = document.element.body
    replace_empty_tables(body, styles, labels)
    fill_empty_sections(body, styles, labels)
    total = text_width_twips(document)
    children = list(body)
    for table in body.iterchildren(qn("w:tbl")):
        layout_table(table, styles, total)
        if _is_signature_table(table):
            _keep_signature_block(table, children)
        else:
            _keep_lead_in(table, children, styles)
    if meta is not None:
        insert_letterhead(document, meta, styles, total)
    ensure_page_numbers(document, labels)
    set_language(document, language)
    if meta is not None:
        set_core_properties(document, meta)


def _keep_lead_in(table, children: list, styles: _Styles) -> None:
    """The heading or sentence that introduces a table stays on the table's page."""
    index = children.index(table)
    if index == 0 or children[index - 1].tag != qn("w:p"):
        return
    previous = children[index - 1]
    text = _text(previous).strip()
    if styles.heading_level(previous) is not None or text.endswith(":"):
        _keep_next(previous)
