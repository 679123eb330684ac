"""Agreement attachments: an allow-list checked by content, and downloads that cannot run."""

from __future__ import annotations

import io

import pytest
from docx import Document

from govtool.agreements.models import AgreementAttachment
from govtool.extensions import db
from tests import bombs
from tests.agreements.factories import DEMO_PASSWORD, draft

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


@pytest.fixture()
def agreement(demo, client, login):
    created = draft()
    login("halle@example.org", password=DEMO_PASSWORD)
    client.post("/language", data={"locale": "en"})
    return created


def _attach(client, agreement, data: bytes, name: str):
    return client.post(
        f"/agreements/{agreement.id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("x.js", b"alert(document.cookie)", "Only these file types are accepted"),
        ("seite.html", b"<script>alert(1)</script>", "Only these file types are accepted"),
        ("bild.svg", b"<svg onload=alert(1)/>", "Only these file types are accepted"),
        ("vertrag.pdf", b"<html><script>alert(1)</script>", "not a PDF document"),
        ("vertrag.docx", PDF, "not a DOCX document"),
        ("vertrag.docx", bombs.docx_bomb(200 * bombs.MB), "zip bomb"),
    ],
    ids=["js", "html", "svg", "html-as-pdf", "pdf-as-docx", "docx-bomb"],
)
def test_disallowed_attachments_get_a_422_and_nothing_is_saved(
    client, agreement, name, data, message
):
    response = _attach(client, agreement, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(AgreementAttachment).count() == 0


def test_refused_attachment_is_named_and_the_allowed_types_shown(demo, client, login):
    """Found in the browser: after a refusal the file input is empty, and the message did not
    say which file it refused; the form named the accepted types only after a refusal."""
    agreement = draft()
    login("halle@example.org", password=DEMO_PASSWORD)
    form = client.get(f"/agreements/{agreement.id}/attachments").get_data(as_text=True)
    assert "PDF, DOCX, XLSX, PPTX, ODT, ODS, PNG, JPG, TXT oder CSV" in form
    page = _attach(client, agreement, b"alert(1)", "skript.js").get_data(as_text=True)
    assert "„skript.js“ wurde nicht angenommen. Nur diese Dateitypen werden angenommen" in page


@pytest.mark.parametrize(
    ("name", "data", "mimetype"),
    [
        ("Bericht 2026.pdf", PDF, "application/pdf"),
        ("Anlage.docx", _docx(), "application/vnd.openxmlformats-officedocument"),
        ("Liste.csv", "Schule;Anzahl\nGrundschule Süd;12\n".encode(), "text/csv"),
        ("Notiz.txt", b"Bitte bis Freitag.", "text/plain"),
    ],
)
def test_allowed_attachments_are_stored_with_their_own_type_and_download_safely(
    client, agreement, name, data, mimetype
):
    response = _attach(client, agreement, data, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.session.query(AgreementAttachment).one()
    assert item.content_type.startswith(mimetype)
    download = client.get(f"/agreements/{agreement.id}/attachments/{item.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(mimetype)
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")


def test_a_quote_in_the_file_name_cannot_break_the_header(client, agreement):
    # Browsers send a quote in a multipart file name as %22; the service gets the real name.
    from govtool.agreements import services
    from tests.agreements.factories import user

    item = services.add_attachment(
        user("halle@example.org"), agreement, 'Bericht "final"; x=.pdf', PDF, "text/html"
    )
    db.session.commit()
    response = client.get(f"/agreements/{agreement.id}/attachments/{item.id}")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="Bericht _final__ x_.pdf"; '
        "filename*=UTF-8''Bericht%20%22final%22%3B%20x%3D.pdf"
    )
    assert response.headers["Content-Type"] == "application/pdf"


def test_an_attachment_stored_before_the_allow_list_is_not_served_as_script(client, agreement):
    item = AgreementAttachment(
        agreement_id=agreement.id,
        filename="x.js",
        content_type="application/javascript",
        size=22,
        sha256="0" * 64,
        content=b"alert(document.cookie)",
        uploaded_by_id=agreement.created_by_id,
    )
    db.session.add(item)
    db.session.commit()
    response = client.get(f"/agreements/{agreement.id}/attachments/{item.id}")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_attachment_name_with_quotes_dash_umlaut_and_semicolon_reads_back_intact(client, agreement):
    """Issue 11: the one download helper writes the name so that a parser other than govtool's
    (Werkzeug's RFC 2231/5987 reading, which prefers filename* as RFC 6266 asks) gets it back
    unchanged, and the plain filename= fallback stays one quoted ASCII token."""
    from werkzeug.http import parse_options_header

    from govtool.agreements import services
    from tests.agreements.factories import user

    name = 'Bericht "Q1" – Übersicht;.pdf'
    item = services.add_attachment(user("halle@example.org"), agreement, name, PDF, "text/plain")
    db.session.commit()
    response = client.get(f"/agreements/{agreement.id}/attachments/{item.id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    kind, params = parse_options_header(disposition)
    assert kind == "attachment"
    assert params["filename"] == name
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback.isascii() and ";" not in fallback and fallback.endswith(".pdf")
    assert response.get_data() == PDF
