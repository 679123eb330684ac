"""The download helper: RFC 6266 Content-Disposition and a Content-Type no upload can turn into a
page or a script."""

from __future__ import annotations

import pytest

from govtool.core.downloads import content_disposition, download, safe_mimetype


@pytest.mark.parametrize(
    ("name", "ascii_part", "utf8_part"),
    [
        ('Bericht "final".pdf', 'filename="Bericht _final_.pdf"', "Bericht%20%22final%22.pdf"),
        ("Übersicht 2026.xlsx", 'filename="Ubersicht 2026.xlsx"', "%C3%9Cbersicht%202026.xlsx"),
        (
            "a\r\nSet-Cookie: x=1.txt",
            'filename="aSet-Cookie_ x_1.txt"',
            "aSet-Cookie%3A%20x%3D1.txt",
        ),
        ("../../etc/passwd", 'filename="_.._etc_passwd"', "_.._etc_passwd"),
        ("", 'filename="download"', "UTF-8''download"),
    ],
)
def test_content_disposition_is_rfc_6266(name, ascii_part, utf8_part):
    value = content_disposition(name)
    assert value.startswith("attachment; ")
    assert ascii_part in value and utf8_part in value
    assert "\r" not in value and "\n" not in value
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert all(32 <= ord(c) < 127 and c not in '"\\' for c in fallback)


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("application/javascript", "application/octet-stream"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("text/html; charset=utf-8", "application/octet-stream"),
        ("", "application/octet-stream"),
        ("application/pdf", "application/pdf"),
        ("text/csv", "text/csv; charset=utf-8"),
    ],
)
def test_only_safe_content_types_are_served(stored, served):
    assert safe_mimetype(stored) == served


def test_download_is_an_attachment_with_nosniff(app):
    with app.test_request_context():
        response = download(b"alert(1)", "x.js", "application/javascript")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
