"""One bounded reader for every zip-based upload (DOCX, XLSX, ODT, ODS …).

A zip's header sizes are written by whoever made the file and may lie, and a few hundred
kilobytes can expand to gigabytes. So every member is decompressed in small chunks and counted
while it streams: member count, bytes per member, bytes in total and the expansion ratio are
bounded before any library (openpyxl, python-docx, docxtpl) opens the package. A file beyond a
limit is refused with ArchiveRefused (422); nothing is kept in memory beyond one chunk.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from flask_babel import gettext
from lxml.etree import XMLSyntaxError

from .errors import ValidationError

MB = 1024 * 1024
_CHUNK = 64 * 1024
# Ratios are judged only once a member has expanded past this: tiny members (a `mimetype` of a
# few bytes, an empty relationship list) compress oddly without being dangerous.
_RATIO_FLOOR = 1 * MB
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class ArchiveLimits:
    """What one upload may expand to. Office files of a public administration stay far below
    these (a 2,000-row XLSX is a few MB unpacked; ordinary XML compresses 5–30 times)."""

    max_members: int = 2000
    max_member_bytes: int = 64 * MB
    max_total_bytes: int = 200 * MB
    max_ratio: int = 150
    # OOXML and ODF parts never carry a DTD; one in an upload can only be an entity attack
    # (billion laughs, XXE), refused here whatever parser reads the part later.
    forbid_dtd: bool = True


DEFAULT_LIMITS = ArchiveLimits()

# Errors zipfile and zlib raise for broken, encrypted or exotic packages.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,  # encrypted member
    NotImplementedError,  # unsupported compression method
    ValueError,
)


# What the XML parsers behind openpyxl and python-docx raise for a malformed or hostile part
# (defusedxml refuses DTDs and entities); callers turn these into a 422.
XML_ERRORS = (DefusedXmlException, ParseError, XMLSyntaxError)


class ArchiveRefused(ValidationError):
    """An uploaded package is unreadable or expands beyond the limits."""

    def __init__(self, message: str, *, reason: str = "too_large", field: str | None = "file"):
        super().__init__(message, field=field)
        self.reason = reason  # "too_large", "dtd" or "unreadable"


def _too_large() -> ArchiveRefused:
    return ArchiveRefused(
        gettext(
            "The file unpacks to far more data than an office document holds "
            "(a possible zip bomb); refused."
        )
    )


def _dtd_refused() -> ArchiveRefused:
    return ArchiveRefused(
        gettext(
            "The file contains an XML document type declaration (DTD), which office documents "
            "never need; refused."
        ),
        reason="dtd",
    )


def _unreadable() -> ArchiveRefused:
    return ArchiveRefused(
        gettext("The file is damaged or not a readable office document."), reason="unreadable"
    )


class SafeArchive:
    """A zip package whose members were all streamed once within the limits; `read` bounds
    every later read to the same limits."""

    def __init__(self, data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS):
        self.limits = limits
        self._length = len(data)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self.members = self._zip.infolist()
        except _UNREADABLE:
            raise _unreadable() from None
        if len(self.members) > limits.max_members:
            raise ArchiveRefused(
                gettext("The file holds more than %(n)d parts; refused.", n=limits.max_members),
            )
        self.names = {m.filename for m in self.members}
        total = 0
        for member in self.members:
            total += self._stream(member, limits.max_member_bytes, lambda _chunk: None)
            if total > limits.max_total_bytes:
                raise _too_large()

    def _stream(self, member: zipfile.ZipInfo, limit: int, sink) -> int:
        """Decompress one member chunk by chunk into `sink`; the expanded size, within `limit`."""
        size = 0
        # A header may claim a larger compressed size than the file has; the file's length caps it.
        compressed = max(min(member.compress_size, self._length), 1)
        scan = self.limits.forbid_dtd and member.filename.lower().endswith(_XML_SUFFIXES)
        tail = b""
        try:
            with self._zip.open(member) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise _too_large()
                    if size > _RATIO_FLOOR and size > compressed * self.limits.max_ratio:
                        raise _too_large()
                    if scan:
                        window = tail + chunk
                        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                            raise _dtd_refused()
                        tail = window[-16:]
                    sink(chunk)
        except ArchiveRefused:
            raise
        except _UNREADABLE:
            raise _unreadable() from None
        return size

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The member's bytes, at most `max_bytes` (default: the per-member limit)."""
        try:
            member = self._zip.getinfo(name)
        except KeyError:
            raise _unreadable() from None
        parts: list[bytes] = []
        self._stream(member, max_bytes or self.limits.max_member_bytes, parts.append)
        return b"".join(parts)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_archive(data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> SafeArchive:
    """Check a zip package by streaming every member within `limits`; ArchiveRefused otherwise."""
    if not data.startswith(b"PK"):
        raise _unreadable()
    return SafeArchive(data, limits)


def check_archive(data: bytes, limits: ArchiveLimits = DEFAULT_LIMITS) -> None:
    """Refuse a zip package that is unreadable or expands beyond `limits` (before a library
    that trusts the zip's headers opens it)."""
    open_archive(data, limits).close()
