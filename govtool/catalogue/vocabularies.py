"""The controlled vocabularies and identifier forms DCAT-AP.de 3.0 asks for, as plain functions:
EU file types for a distribution's format, `tel:` IRIs (RFC 3966) for telephone numbers, and
ELI IRIs (European Legislation Identifier) for the laws a legal basis names.

Kept apart from dcat.py so the catalogue form can offer the same file types the export writes.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from .models import LegalBasis

FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"

# The common entries of the EU file-type vocabulary (code: label), in the order the form offers
# them. Codes are the vocabulary's own (…/file-type/GEOJSON etc.).
FILE_TYPES: dict[str, object] = {  # labels lazy: the language is known per request
    "CSV": "CSV",
    "XLSX": _l("Excel (XLSX)"),
    "XLS": _l("Excel 97–2003 (XLS)"),
    "ODS": _l("OpenDocument spreadsheet (ODS)"),
    "JSON": "JSON",
    "GEOJSON": "GeoJSON",
    "XML": "XML",
    "PDF": "PDF",
    "DOCX": _l("Word (DOCX)"),
    "ODT": _l("OpenDocument text (ODT)"),
    "TXT": _l("Plain text (TXT)"),
    "TSV": "TSV",
    "HTML": "HTML",
    "RDF_XML": "RDF/XML",
    "JSON_LD": "JSON-LD",
    "SHP": _l("Shapefile (SHP)"),
    "GML": "GML",
    "KML": "KML",
    "GPKG": _l("GeoPackage (GPKG)"),
    "SQL": "SQL",
    "ZIP": "ZIP",
}
# Free text as people wrote it before the form offered the vocabulary (upper-cased, spaces and
# dots removed) → code.
_ALIASES = {
    "EXCEL": "XLSX",
    "MSEXCEL": "XLSX",
    "OPENXML": "XLSX",
    "TABELLE": "XLSX",
    "GEO-JSON": "GEOJSON",
    "WORD": "DOCX",
    "MSWORD": "DOCX",
    "DOC": "DOCX",
    "TEXT": "TXT",
    "SHAPE": "SHP",
    "SHAPEFILE": "SHP",
    "ESRISHAPEFILE": "SHP",
    "RDF": "RDF_XML",
    "RDF/XML": "RDF_XML",
    "JSON-LD": "JSON_LD",
    "JSONLD": "JSON_LD",
    "GEOPACKAGE": "GPKG",
    "HTM": "HTML",
}


def file_type_code(text: str | None) -> str | None:
    """The EU file-type code for a format as stored ("GeoJSON" → "GEOJSON", "Excel" → "XLSX"),
    or None where the text names no known type (such entries are flagged, not guessed)."""
    key = re.sub(r"[\s.]", "", (text or "").upper())
    if not key:
        return None
    if key in FILE_TYPES:
        return key
    return _ALIASES.get(key)


# ------------------------------------------------------------------------------ telephone

_DIALLABLE = re.compile(r"^\s*(\+|00)?[\d\s()/.\-–]+")


def tel_iri(phone: str | None, country_code: str = "49") -> str | None:
    """A telephone number as a global `tel:` IRI: "0391 567-3400" → "tel:+493915673400".

    German national numbers (leading 0) get +49; "+49 (0)391 …" drops the trunk 0; "0049 …" is
    read as "+49 …". Trailing text ("(Zentrale)") is ignored. A number without area code or of
    impossible length gives None: no IRI is better than a wrong one."""
    text = (phone or "").replace("(0)", " ")
    match = _DIALLABLE.match(text)
    if not match:
        return None
    prefix = match.group(1)
    digits = re.sub(r"\D", "", match.group(0))
    if prefix == "+":
        number = digits
    elif prefix == "00":
        number = digits[2:]
    elif digits.startswith("0"):
        number = country_code + digits[1:]
    else:
        return None  # a local number without area code cannot be dialled from elsewhere
    if not 8 <= len(number) <= 15 or number.startswith("0"):  # E.164: at most 15 digits
        return None
    return f"tel:+{number}"


# ------------------------------------------------------------------------------ legislation

ELI = "http://data.europa.eu/eli/"
GDPR = f"{ELI}reg/2016/679/oj"
# The legal bases of the form that are GDPR articles (Art. 6(1)(a), (c), (e)).
_GDPR_BASES = {LegalBasis.GDPR_6_1_C, LegalBasis.GDPR_6_1_E, LegalBasis.CONSENT}
_GDPR_NAMES = re.compile(r"\b(DSGVO|DS-GVO|GDPR|Datenschutz-Grundverordnung)\b", re.IGNORECASE)
# "Verordnung (EU) 2016/679", "Richtlinie (EU) 2019/1024", "Regulation (EU) No 2018/1725"
_EU_ACTS = re.compile(
    r"\b(Verordnung|Regulation|Richtlinie|Directive)\s*\((?:EU|EG|EC|EWG|EEC)\)\s*"
    r"(?:Nr\.?\s*|No\.?\s*)?(\d{4})/(\d{1,4})\b",
    re.IGNORECASE,
)


def legislation_iris(legal_basis: str | LegalBasis | None, legal_norm: str | None) -> list[str]:
    """ELI IRIs of the laws the legal basis names: the GDPR for the GDPR bases and wherever the
    text names it, and every EU regulation or directive cited by number. State and federal laws
    (Schulgesetz LSA, SGB VIII) have no ELI yet; they stay in the description's text."""
    iris: list[str] = []
    try:
        basis = LegalBasis(legal_basis) if legal_basis else None
    except ValueError:
        basis = None
    text = legal_norm or ""
    if basis in _GDPR_BASES or _GDPR_NAMES.search(text):
        iris.append(GDPR)
    for kind, year, number in _EU_ACTS.findall(text):
        family = "reg" if kind.lower() in ("verordnung", "regulation") else "dir"
        iri = f"{ELI}{family}/{year}/{int(number)}/oj"
        if iri not in iris:
            iris.append(iri)
    return iris
