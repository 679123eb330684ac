"""Issue 13: every absolute link (meeting and catalogue mails, .ics, DCAT identifiers, exports,
the signed agreement's verification address and QR code) is built on GOVTOOL_BASE_URL, whatever
host name and scheme the request came through."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
import zxingcpp
from docx import Document
from PIL import Image

from govtool.agreements import services as agreement_services
from govtool.bodies.models import Meeting
from govtool.bodies.permissions import invitation_refusal
from govtool.catalogue.models import CatalogueEntry, EntryStatus
from govtool.core.mail import OutboxMessage
from tests.agreements.factories import DEMO_PASSWORD, agreement_data, user

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://govtool.land.example/beteiligung"
FOREIGN = "http://evil.example:8080"  # another host name, port and scheme
LINK = re.compile(r"https?://[^\s\"'<>\\]+")


@pytest.fixture()
def based(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", BASE + "/")
    return app


def _ours(text: str) -> list[str]:
    """The links in `text` that point into govtool (any host but the example data's own)."""
    assert "evil.example" not in text
    return [link for link in LINK.findall(text) if "govtool" in link or "evil" in link]


def _sign_in(client, email: str) -> None:
    response = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD}, base_url=FOREIGN
    )
    assert response.status_code == 302


def _new_mails(db, since: int) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id > since)))


def _last_mail_id(db) -> int:
    return db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0


def test_meeting_mails_and_ics_use_the_base_url(based, client, db):
    meeting = next(
        m
        for m in db.session.scalars(sa.select(Meeting).order_by(Meeting.id))
        if invitation_refusal(m) is None
    )
    _sign_in(client, "sekretariat@example.org")
    before = _last_mail_id(db)
    response = client.post(
        f"/meetings/{meeting.id}/invite", data={"confirm": "yes"}, base_url=FOREIGN
    )
    assert response.status_code == 302
    mails = _new_mails(db, before)
    assert mails
    for mail in mails:
        links = _ours(mail.body)
        assert links and all(link.startswith(BASE + "/") for link in links), links
        assert f"{BASE}/meetings/{meeting.id}" in mail.body

    ics = client.get(f"/meetings/{meeting.id}.ics", base_url=FOREIGN).get_data(as_text=True)
    unfolded = ics.replace("\r\n ", "")
    assert f"URL:{BASE}/meetings/{meeting.id}" in unfolded
    assert "evil.example" not in unfolded
    db.session.refresh(meeting)
    feed = client.get(f"/bodies/calendar/{meeting.body.calendar_token}.ics", base_url=FOREIGN)
    assert f"{BASE}/meetings/{meeting.id}" in feed.get_data(as_text=True).replace("\r\n ", "")


def test_a_new_meetings_calendar_uid_names_the_base_host_not_the_requests(based, db):
    from govtool.bodies.models import new_ical_uid

    with based.test_request_context("/", base_url=FOREIGN):
        uid = new_ical_uid()
    assert uid.endswith("@govtool.land.example")


def test_catalogue_mails_dcat_identifiers_and_exports_use_the_base_url(based, client, db):
    entry = db.session.scalar(
        sa.select(CatalogueEntry)
        .where(CatalogueEntry.status == EntryStatus.APPROVED)
        .order_by(CatalogueEntry.id)
    )
    _sign_in(client, "ministerium@example.org")
    dcat = client.get("/catalogue/dcat.jsonld", base_url=FOREIGN)
    assert dcat.status_code == 200
    text = dcat.get_data(as_text=True)
    links = _ours(text)
    assert f"{BASE}/catalogue/{entry.id}#dataset" in text
    assert links and all(link.startswith(BASE + "/") for link in links), links

    for fmt in ("csv", "xlsx", "json"):
        export = client.get(f"/catalogue/export.{fmt}", base_url=FOREIGN)
        if export.status_code == 404:
            export = client.get(f"/catalogue/export?format={fmt}", base_url=FOREIGN)
        assert export.status_code == 200, fmt
        body = export.get_data()
        assert b"evil.example" not in body and b"127.0.0.1" not in body, fmt

    before = _last_mail_id(db)
    response = client.post(
        f"/catalogue/{entry.id}/suspend", data={"comment": "Prüfung"}, base_url=FOREIGN
    )
    assert response.status_code == 302
    mails = _new_mails(db, before)
    assert mails
    for mail in mails:
        assert f"{BASE}/catalogue/{entry.id}" in mail.body
        assert all(link.startswith(BASE + "/") for link in _ours(mail.body))


def test_the_signed_agreements_verification_address_uses_the_base_url(based, client, db):
    before = _last_mail_id(db)
    with based.test_request_context("/", base_url=FOREIGN):
        data = agreement_data()
        agreement = agreement_services.create_agreement(user("halle@example.org"), data)
        version = agreement.latest_version
        agreement_services.request_signatures(user("halle@example.org"), version)
        for party, email in zip(
            version.parties, ("halle@example.org", "burgenlandkreis@example.org"), strict=True
        ):
            agreement_services.sign(user(email), party, DEMO_PASSWORD, confirmed=True)
        db.session.commit()
    signed = Document(io.BytesIO(version.signed_document))
    text = "\n".join(p.text for p in signed.paragraphs) + "\n".join(
        cell.text for table in signed.tables for row in table.rows for cell in row.cells
    )
    address = f"{BASE}/agreements/verify?sha256={version.document_sha256}"
    assert address in text.replace("\n", "")
    assert "evil.example" not in text
    [image] = [
        part.blob
        for part in signed.part.package.iter_parts()
        if str(part.partname).startswith("/word/media/")
    ]
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    assert code.text == address
    for mail in _new_mails(db, before):  # the signatories' mails
        assert all(link.startswith(BASE + "/") for link in _ours(mail.body)), mail.body


def test_the_development_default_and_the_production_warning(app):
    """Unset, the documented default is used (never the first request's address); production
    warns at start."""
    script = (
        "import logging, os;"
        "os.environ.pop('GOVTOOL_BASE_URL', None);"
        "os.environ['GOVTOOL_ENV']='production';os.environ['SECRET_KEY']='x'*32;"
        "from govtool import create_app;from govtool.config import config_from_environment;"
        "app=create_app(config_from_environment());print(app.config['GOVTOOL_BASE_URL'])"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "GOVTOOL_BASE_URL"}
    env["GOVTOOL_INSTANCE_DIR"] = "/tmp"
    out = subprocess.run(
        [__import__("sys").executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert out.stdout.strip().endswith("http://127.0.0.1:5000"), out.stderr[-2000:]
    assert "GOVTOOL_BASE_URL is not set" in out.stderr


def test_a_base_url_that_is_no_address_stops_the_start(database_url):
    from govtool import TestConfig, create_app

    class Broken(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        GOVTOOL_BASE_URL = "govtool.example.org"

    with pytest.raises(RuntimeError, match="GOVTOOL_BASE_URL"):
        create_app(Broken)


def test_no_link_is_built_from_the_request_or_the_raw_setting():
    """Absolute links come from core.urls only: no request.host / url_root / host_url, and
    GOVTOOL_BASE_URL is read by core.urls (and checked at start) alone."""
    found = subprocess.run(
        [
            "grep",
            "-rnE",
            "--include=*.py",
            "--include=*.html",
            r"request\.(host|url_root|host_url|root_url)|config\[.GOVTOOL_BASE_URL",
            "govtool",
            "templates",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    allowed = ("govtool/core/urls.py:", "govtool/__init__.py:")
    assert [line for line in found if not line.startswith(allowed)] == []
