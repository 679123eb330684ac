"""The file types govtool accepts as uploads, recognised by extension and by content.

A file is stored only when its extension is on the area's allow-list and its bytes are what the
extension claims (signature, and for zip formats their inner structure read through the bounded
archive reader). The MIME type stored and served comes from this table, never from the browser,
so an upload cannot come back as HTML or JavaScript from govtool's own origin.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from .archives import ArchiveRefused, open_archive
from .errors import ValidationError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


@dataclass(frozen=True)
class FileType:
    extension: str
    mime: str
    kind: str  # what _content_kind must answer for the bytes


TYPES = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", "pdf"),
        FileType("png", "image/png", "png"),
        FileType("jpg", "image/jpeg", "jpeg"),
        FileType("jpeg", "image/jpeg", "jpeg"),
        FileType("docx", DOCX, "docx"),
        FileType("xlsx", XLSX, "xlsx"),
        FileType("pptx", PPTX, "pptx"),
        FileType("odt", ODT, "odt"),
        FileType("ods", ODS, "ods"),
        FileType("txt", "text/plain; charset=utf-8", "text"),
        FileType("csv", "text/csv; charset=utf-8", "text"),
    )
}

# What a public administration sends along with an agreement.
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "png", "jpg", "jpeg", "txt", "csv")
ATTACHMENT_TYPES_TEXT = "PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPG, TXT, CSV"

_ODF = {ODT: "odt", ODS: "ods"}
_OOXML = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)


def content_kind(data: bytes) -> str | None:
    """What the bytes are, from their signature (and for zip formats, their inner structure);
    a zip bomb or DTD raises ArchiveRefused instead of being unpacked."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with open_archive(data) as archive:
                if "mimetype" in archive.names:
                    mimetype = archive.read("mimetype", max_bytes=200)
                    return _ODF.get(mimetype.decode("ascii", "replace").strip())
                if "[Content_Types].xml" in archive.names:
                    for part, kind in _OOXML:
                        if part in archive.names:
                            return kind
        except ArchiveRefused as refused:
            if refused.reason == "unreadable":
                return None
            raise
        return None
    if _is_text(data):
        return "text"
    return None


def _is_text(data: bytes) -> bool:
    """Plain UTF-8 (or Windows-1252, what Excel writes) text without control characters."""
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return not any(ord(c) < 32 and c not in "\t\r\n\f" for c in text)


def check_filename(name: str | None) -> str:
    """Refuse names that try to leave the upload folder or hide what they are."""
    name = (name or "").strip()
    if (
        not name
        or "/" in name
        or "\\" in name
        or ".." in name
        or "\x00" in name
        or name.startswith(".")
        or len(name) > 200
        or any(ord(c) < 32 for c in name)
    ):
        raise ValidationError(
            gettext("The file name is not allowed. Please rename the file (no folders, no '..')."),
            field="file",
        )
    return name


def check_file_type(name: str, data: bytes, allowed: tuple[str, ...], allowed_text: str) -> str:
    """The MIME type to store for an upload whose extension is in `allowed` and whose content
    matches it; a clear ValidationError (422) otherwise."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    # The browser empties the file input on the error page: the message names the file.
    refused = gettext('"%(name)s" was not accepted.', name=name)
    if extension not in allowed or extension not in TYPES:
        raise ValidationError(
            f"{refused} "
            + gettext("Only these file types are accepted: %(types)s.", types=allowed_text),
            field="file",
        )
    file_type = TYPES[extension]
    if content_kind(data) != file_type.kind:
        raise ValidationError(
            f"{refused} "
            + gettext(
                "The file's content is not a %(ext)s document. Only genuine files of these "
                "types are accepted: %(types)s.",
                ext=extension.upper(),
                types=allowed_text,
            ),
            field="file",
        )
    return file_type.mime
