"""The one way a file leaves govtool: `download(data, filename, mimetype)`.

Content-Disposition follows RFC 6266 / RFC 8187: a plain ASCII `filename` without quotes,
backslashes or control characters for old clients, and the exact name as `filename*=UTF-8''…`.
The Content-Type is one of the types govtool itself produces or accepts; anything else (an old
upload stored as text/html or application/javascript) goes out as application/octet-stream, and
`nosniff` stops the browser from guessing. Files are attachments unless a caller says inline.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

from flask import Response

from . import uploads

if TYPE_CHECKING:
    from .storage import StoredObject

# Types that a browser does not run as a page or script from govtool's origin.
SAFE_TYPES = {
    "application/pdf",
    "application/json",
    "application/ld+json",
    "application/zip",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/csv",
    "text/calendar",
    uploads.DOCX,
    uploads.XLSX,
    uploads.PPTX,
    uploads.ODT,
    uploads.ODS,
}
_TEXT_TYPES = {"text/plain", "text/csv", "text/calendar", "application/json", "application/ld+json"}
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+,-]")


def safe_mimetype(mimetype: str | None) -> str:
    """`mimetype` when it is a safe type (text types in UTF-8), else application/octet-stream."""
    base = (mimetype or "").split(";", 1)[0].strip().lower()
    if base not in SAFE_TYPES:
        return "application/octet-stream"
    return f"{base}; charset=utf-8" if base in _TEXT_TYPES else base


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """An RFC 6266 Content-Disposition value for `filename` (any Unicode, any punctuation)."""
    name = "".join(c for c in (filename or "") if unicodedata.category(c)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = _UNSAFE_ASCII.sub("_", ascii_name).strip(" .") or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(
    data: bytes | str,
    filename: str,
    mimetype: str,
    *,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """A response that hands `data` to the user as the file `filename`."""
    response = Response(data, content_type=safe_mimetype(mimetype))
    return _as_attachment(response, filename, inline, headers)


def download_stream(
    stream: StoredObject,
    filename: str,
    mimetype: str,
    *,
    inline: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    """Like download(), for a stored file: sent chunk by chunk as it is read from the store (never
    whole in memory), with its Content-Length; the stream is closed when the response is."""

    def chunks() -> Iterator[bytes]:
        try:
            yield from stream
        finally:
            stream.close()

    response = Response(chunks(), content_type=safe_mimetype(mimetype), direct_passthrough=True)
    response.content_length = stream.size
    response.call_on_close(stream.close)
    return _as_attachment(response, filename, inline, headers)


def _as_attachment(
    response: Response, filename: str, inline: bool, headers: dict[str, str] | None
) -> Response:
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["X-Content-Type-Options"] = "nosniff"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response
