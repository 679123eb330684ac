"""Drafting, visibility, signing, verification, freezing, amendments, comparison, reminders."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.models import (
    Agreement,
    AgreementSignature,
    AgreementStatus,
    VersionStatus,
)
from govtool.agreements.reminders import agreement_reminders
from govtool.agreements.signature_page import signed_copy
from govtool.core.audit import AuditEntry
from govtool.core.errors import Conflict, PermissionDenied, ValidationError
from govtool.extensions import db
from tests.links.helpers import docx_text

from .factories import DEMO_PASSWORD, agreement_data, awaiting, draft, fully_signed, org, user


def _login(login, email):
    return login(email, password=DEMO_PASSWORD)


def _signature_count(agreement) -> int:
    """Signatures on the agreement's latest version (the demo holds a signed agreement too)."""
    return db.session.scalar(
        sa.select(sa.func.count(AgreementSignature.id)).where(
            AgreementSignature.version_id == agreement.latest_version.id
        )
    )


def test_municipality_drafts_only_with_its_own_organisation(demo):
    with pytest.raises(ValidationError):
        services.create_agreement(user("halle@example.org"), agreement_data(shorts=("BLK", "BK")))
    agreement = draft()
    assert agreement.number == "KV-2022-002"  # the demo holds KV-2022-001
    assert agreement.owner_organisation_id == org("HAL").id


def test_other_organisations_drafts_stay_hidden(demo, client, login):
    hidden = draft(by="burgenlandkreis@example.org", shorts=("BLK", "BK"))
    shared = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    _login(login, "halle@example.org")
    listing = client.get("/agreements/").get_data(as_text=True)
    assert shared.number in listing and hidden.number not in listing
    assert client.get(f"/agreements/{hidden.id}").status_code == 403
    assert client.get(f"/agreements/{hidden.id}/versions/1/document.docx").status_code == 403
    assert client.get(f"/agreements/{shared.id}").status_code == 200
    # a party that did not draft may comment but not edit
    assert client.get(f"/agreements/{shared.id}/versions/1/edit").status_code == 403


def test_halle_cannot_sign_for_burgenlandkreis(demo, client, login):
    agreement = awaiting()
    blk_party = next(
        p for p in agreement.latest_version.parties if p.organisation.short_name == "BLK"
    )
    _login(login, "halle@example.org")
    url = f"/agreements/{agreement.id}/versions/1/sign/{blk_party.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"password": DEMO_PASSWORD}).status_code == 403
    assert _signature_count(agreement) == 0


def test_signing_needs_the_password(demo, client, login):
    agreement = awaiting()
    party = agreement.latest_version.parties[0]
    _login(login, "halle@example.org")
    url = f"/agreements/{agreement.id}/versions/1/sign/{party.id}"
    response = client.post(url, data={"password": "falsch"})
    assert response.status_code == 422
    assert "password is not correct" in response.get_data(as_text=True) or (
        "Passwort" in response.get_data(as_text=True)
    )
    assert _signature_count(agreement) == 0


def test_signing_stores_the_hash_and_verification_confirms_the_download(demo, client, login):
    agreement = awaiting()
    version = agreement.latest_version
    hal, blk = version.parties
    _login(login, "halle@example.org")
    assert (
        client.post(
            f"/agreements/{agreement.id}/versions/1/sign/{hal.id}", data={"password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    client.get("/logout")
    client.post("/logout")
    _login(login, "burgenlandkreis@example.org")
    assert (
        client.post(
            f"/agreements/{agreement.id}/versions/1/sign/{blk.id}", data={"password": DEMO_PASSWORD}
        ).status_code
        == 302
    )

    db.session.expire_all()
    signatures = db.session.scalars(
        sa.select(AgreementSignature).where(AgreementSignature.version_id == version.id)
    ).all()
    assert len(signatures) == 2
    assert {s.organisation_id for s in signatures} == {org("HAL").id, org("BLK").id}
    download = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert download.status_code == 200
    # every signature records the SHA-256 of the signed text, which the download's signature
    # page prints (the download itself adds the signatures to that text)
    digest = hashlib.sha256(version.document).hexdigest()
    assert all(s.document_sha256 == digest for s in signatures)
    assert digest in docx_text(download.data)
    assert agreement.status is AgreementStatus.IN_FORCE

    page = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(download.data), "kopie.docx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'data-outcome="accepted"' in page
    assert agreement.number in page

    tampered = download.data[:-1] + bytes([download.data[-1] ^ 1])
    page = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(tampered), "kopie.docx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    # one byte changed: rejected (the page may still name the version the file claims to be)
    assert 'data-outcome="rejected"' in page and 'data-outcome="accepted"' not in page


def test_draft_download_differs_from_signed_copy_and_is_marked(demo, client, login):
    agreement = awaiting()
    _login(login, "halle@example.org")
    response = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert "ENTWURF" in response.headers["Content-Disposition"]


def test_signed_version_cannot_be_edited(demo, client, login):
    agreement = awaiting()
    version = agreement.latest_version
    services.sign(user("halle@example.org"), version.parties[0], DEMO_PASSWORD)
    db.session.commit()
    with pytest.raises(Conflict):
        services.update_version(user("halle@example.org"), version, agreement_data())
    _login(login, "halle@example.org")
    response = client.post(f"/agreements/{agreement.id}/versions/1/edit", data={"title": "Neu"})
    assert response.status_code == 409
    db.session.expire_all()
    assert version.title == "Kooperation Halle & Burgenlandkreis"


def test_withdrawing_signatures_needs_confirmation_and_is_audited(demo):
    agreement = awaiting()
    version = agreement.latest_version
    halle = user("halle@example.org")
    services.sign(halle, version.parties[0], DEMO_PASSWORD)
    db.session.commit()
    with pytest.raises(ValidationError):
        services.withdraw_signatures(halle, version, "Tippfehler", confirmed=False)
    assert services.withdraw_signatures(halle, version, "Tippfehler", confirmed=True) == 1
    db.session.commit()
    assert version.is_editable and version.document_sha256 is None
    services.update_version(halle, version, agreement_data(title="Korrigiert"))
    db.session.commit()
    changes = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "AgreementSignature")
    ).all()
    assert {e.action for e in changes} >= {"insert", "update"}


def test_amendment_creates_version_two_and_version_one_stays_downloadable(demo, client, login):
    agreement = fully_signed()
    v1_bytes = agreement.versions[0].document
    version2 = services.amend(user("halle@example.org"), agreement, "Neue Pflicht")
    db.session.commit()
    assert version2.number == 2 and version2.status is VersionStatus.DRAFT
    assert agreement.status is AgreementStatus.IN_FORCE  # version 1 stays in force meanwhile
    _login(login, "halle@example.org")
    response = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert response.status_code == 200
    assert response.data == signed_copy(agreement.versions[0])
    assert agreement.versions[0].document == v1_bytes
    assert client.get(f"/agreements/{agreement.id}/versions/2/document.docx").status_code == 200


def test_comparison_shows_a_changed_duty(demo, client, login):
    agreement = fully_signed()
    halle = user("halle@example.org")
    version2 = services.amend(halle, agreement)
    data = agreement_data(
        duties={"HAL": ["HAL liefert Daten quartalsweise", "HAL berichtet"]},
        subject="Gemeinsames und offenes Bildungsmonitoring",
    )
    services.update_version(halle, version2, data)
    db.session.commit()
    _login(login, "halle@example.org")
    page = client.get(f"/agreements/{agreement.id}/compare?a=1&b=2").get_data(as_text=True)
    assert "<del>HAL liefert Daten</del>" in page
    assert "<ins>HAL liefert Daten quartalsweise</ins>" in page
    assert "<ins>und offenes </ins>" in page


def test_second_version_signed_supersedes_the_first(demo):
    agreement = fully_signed()
    halle = user("halle@example.org")
    version2 = services.amend(halle, agreement)
    services.request_signatures(halle, version2)
    services.sign(halle, version2.parties[0], DEMO_PASSWORD)
    services.sign(user("burgenlandkreis@example.org"), version2.parties[1], DEMO_PASSWORD)
    db.session.commit()
    assert agreement.versions[0].status is VersionStatus.SUPERSEDED
    assert agreement.version_in_force is version2


def test_status_expires_and_terminates(demo):
    agreement = fully_signed()
    assert services.compute_status(agreement, dt.date(2031, 1, 1)) is AgreementStatus.EXPIRED
    assert services.compute_status(agreement, dt.date(2022, 1, 1)) is AgreementStatus.SIGNED
    services.terminate(user("halle@example.org"), agreement, dt.date(2023, 1, 31), "Auflösung")
    assert agreement.status is AgreementStatus.TERMINATED


def test_only_the_drafter_or_overseers_may_terminate(demo):
    agreement = fully_signed()
    with pytest.raises(PermissionDenied):
        services.terminate(user("burgenlandkreis@example.org"), agreement, dt.date.today(), "x")


def test_reminders_report_ending_terms_and_waiting_signatures(demo):
    ending = fully_signed(end_date=dt.date.today() + dt.timedelta(days=30))
    waiting = draft(title="Wartet")
    services.request_signatures(
        user("halle@example.org"),
        waiting.latest_version,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=20),
    )
    db.session.commit()
    lines = agreement_reminders(dt.datetime.now(dt.UTC), dry_run=True)
    assert any(ending.number in line and "term ends" in line for line in lines)
    assert any(waiting.number in line and "waiting for signatures" in line for line in lines)


def test_cli_renders_an_agreement_optionally_through_another_template(demo, app, tmp_path):
    agreement = draft()
    out = tmp_path / "a.docx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["agreements", "render", str(agreement.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    from docx import Document

    assert "Kooperation Halle & Burgenlandkreis" in "\n".join(
        p.text for p in Document(str(out)).paragraphs
    )
    other = tmp_path / "other.docx"
    document = Document()
    document.add_paragraph("Nur {{ agreement.number }}")
    document.save(str(other))
    result = runner.invoke(
        args=[
            "agreements",
            "render",
            str(agreement.id),
            "--out",
            str(out),
            "--template",
            str(other),
        ]
    )
    assert result.exit_code == 0, result.output
    # after the letterhead (the owner's name and address, a reference line)
    assert Document(str(out)).paragraphs[-1].text == f"Nur {agreement.number}"
    missing = runner.invoke(args=["agreements", "render", "999", "--out", str(out)])
    assert missing.exit_code != 0 and "No agreement" in missing.output


def test_comment_is_kept_per_version(demo, client, login):
    agreement = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    _login(login, "halle@example.org")
    response = client.post(
        f"/agreements/{agreement.id}/versions/1/comments", data={"text": "Bitte § 3 prüfen"}
    )
    assert response.status_code == 302
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Bitte § 3 prüfen" in page


def test_scanned_signed_copy_must_be_a_pdf(demo, client, login):
    agreement = fully_signed()
    _login(login, "halle@example.org")
    url = f"/agreements/{agreement.id}/attachments"
    refused = client.post(
        url,
        data={"file": (io.BytesIO(b"kein pdf"), "scan.pdf"), "is_signed_copy": "y"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "PDF" in refused.get_data(as_text=True)
    assert services.attachments_of(agreement) == []
    client.post(
        url,
        data={"file": (io.BytesIO(b"%PDF-1.4 scan"), "scan.pdf"), "is_signed_copy": "y"},
        content_type="multipart/form-data",
    )
    [attachment] = services.attachments_of(agreement)
    assert attachment.is_signed_copy and attachment.filename == "scan.pdf"
    assert client.get(f"{url}/{attachment.id}").data == b"%PDF-1.4 scan"


def test_demo_holds_an_agreement_in_force_with_a_verifiable_signature_record(demo, client, login):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.number == "DV-2025-001"))
    version = agreement.latest_version
    # in force during its term (2025-09-01 to 2028-08-31), whatever day the suite runs
    assert services.compute_status(agreement, dt.date(2026, 11, 24)) is AgreementStatus.IN_FORCE
    assert agreement.status is services.compute_status(agreement, dt.date.today())
    assert version.status is VersionStatus.SIGNED
    assert hashlib.sha256(version.document).hexdigest() == version.document_sha256
    signed_by = {s.organisation_id: s.document_sha256 for s in version.signatures}
    assert signed_by == {
        org("MB-REF34").id: version.document_sha256,
        org("HAL").id: version.document_sha256,
    }
    _login(login, "halle@example.org")
    download = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert download.data == signed_copy(version)  # the signed document, no DRAFT copy
    page = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(download.data), "DV-2025-001.docx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'data-outcome="accepted"' in page
    assert "DV-2025-001" in page
