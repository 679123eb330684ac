"""Versions (Fassungen): a text in consultation or sent for signature, or one that was commented
on, stays byte for byte as it was; an edit starts the next version; comments stay with the version
they were made on; the compare page shows what changed since the commented version; amendments
once any party has signed (issue 12)."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.models import (
    Agreement,
    AgreementComment,
    AgreementStatus,
    VersionStatus,
)
from govtool.core.errors import PermissionDenied
from govtool.core.permissions import can
from govtool.extensions import db
from tests.html_helpers import form_with

from .factories import DEMO_PASSWORD, agreement_data, awaiting, draft, user

HALLE, BLK = "halle@example.org", "burgenlandkreis@example.org"
COMMENT = "Bitte in § 3 jährlich statt halbjährlich berichten."


def _snapshot(version) -> dict:
    """Everything of a version's text: fields, parties, duties, entries, the DOCX as sent."""
    fields = (
        "number title preamble subject objectives start_date end_date notice_period_months "
        "renewal place extra_clauses change_note template_id body_id sent_at sent_sha256"
    ).split()
    return {
        **{name: getattr(version, name) for name in fields},
        "parties": [
            (
                p.organisation_id,
                p.role,
                p.contact_person_id,
                p.signatory_name,
                p.signatory_function,
                [d.text for d in p.duties],
            )
            for p in version.parties
        ],
        "entries": [e.id for e in version.catalogue_entries],
        "sent_document": version.sent_document,
    }


@pytest.fixture()
def in_consultation(demo):
    """Halle's draft with Burgenlandkreis, sent for consultation; Burgenlandkreis commented."""
    agreement = draft()
    services.submit_for_review(user(HALLE), agreement.latest_version)
    services.add_comment(user(BLK), agreement.latest_version, COMMENT)
    db.session.commit()
    return agreement


def _login(login, email):
    return login(email, password=DEMO_PASSWORD)


def _edit(client, agreement, number: int, **changes):
    """Load the edit page of version `number` as a browser would and save it with `changes`."""
    url = f"/agreements/{agreement.id}/versions/{number}/edit"
    page = client.get(url)
    assert page.status_code == 200
    form = form_with(page.get_data(as_text=True), "lock_version")
    for name, value in changes.items():
        form[name] = [value]
    return page.get_data(as_text=True), client.post(url, data=form)


def test_consultation_keeps_the_docx_as_sent(in_consultation, client, login):
    version = in_consultation.latest_version
    assert version.status is VersionStatus.IN_REVIEW and version.sent_document
    assert hashlib.sha256(version.sent_document).hexdigest() == version.sent_sha256
    _login(login, BLK)
    response = client.get(f"/agreements/{in_consultation.id}/versions/1/document.docx")
    assert response.data == version.sent_document
    assert version.sent_sha256 in client.get(f"/agreements/{in_consultation.id}").get_data(True)


def test_editing_a_version_in_consultation_starts_version_two_and_keeps_version_one(
    in_consultation, client, login
):
    agreement = in_consultation
    first = agreement.latest_version
    before = _snapshot(first)
    docx_before = first.sent_document
    _login(login, HALLE)
    page, response = _edit(
        client,
        agreement,
        1,
        subject="Gemeinsames Bildungsmonitoring mit jährlichem Bericht",
        **{"parties-0-duties": "HAL liefert Daten\nHAL berichtet jährlich"},
        change_note="Hinweis des Burgenlandkreises eingearbeitet",
    )
    assert 'id="edit-starts-new-version"' in page  # the form says so before saving
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}?version=2")

    db.session.expire_all()
    first, second = agreement.versions
    # version 1: byte for byte as it was sent and commented, its consultation still open
    assert _snapshot(first) == before
    assert first.sent_document == docx_before
    assert hashlib.sha256(first.sent_document).hexdigest() == before["sent_sha256"]
    assert first.status is VersionStatus.IN_REVIEW and first.revised_at is None
    download = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert download.data == docx_before
    # version 2: the edit, as a draft
    assert second.number == 2 and second.status is VersionStatus.DRAFT
    assert second.subject == "Gemeinsames Bildungsmonitoring mit jährlichem Bericht"
    assert [d.text for d in second.parties[0].duties] == [
        "HAL liefert Daten",
        "HAL berichtet jährlich",
    ]
    assert second.change_note == "Hinweis des Burgenlandkreises eingearbeitet"
    assert second.sent_document is None
    # the comment stays with version 1; the agreement is still in consultation (on version 1)
    comments = db.session.scalars(
        sa.select(AgreementComment).where(AgreementComment.version_id.in_([first.id, second.id]))
    ).all()
    assert [(c.version_id, c.text) for c in comments] == [(first.id, COMMENT)]
    assert second.comments == []
    assert agreement.status is AgreementStatus.IN_REVIEW


def test_comments_show_the_version_they_were_made_on(in_consultation, client, login):
    halle = user(HALLE)
    services.update_version(halle, in_consultation.latest_version, agreement_data(subject="Neu"))
    db.session.commit()
    _login(login, HALLE)
    page = client.get(f"/agreements/{in_consultation.id}").get_data(as_text=True)
    assert "Fassung 2 – Entwurf" in page
    # version 1's consultation goes on until version 2 is sent out, and the page says so
    assert 'class="alert alert-info earlier-open"' in page
    comment = page.split('data-version="1"', 1)[1].split("</div>", 1)[0]
    assert "Fassung 1" in comment and COMMENT in comment and "zu Fassung 1" in comment
    link = f'href="/agreements/{in_consultation.id}/compare?a=1&amp;b=2"'
    assert link in page and "Änderungen seit Fassung 1 (kommentiert)" in page


def test_compare_shows_the_changes_since_the_commented_version(in_consultation, client, login):
    halle = user(HALLE)
    second = services.update_version(
        halle, in_consultation.latest_version, agreement_data(subject="Gemeinsames Monitoring")
    )
    services.submit_for_review(halle, second)
    third = services.update_version(
        halle, second, agreement_data(subject="Gemeinsames Monitoring", objectives="Offenheit")
    )
    db.session.commit()
    assert third.number == 3
    _login(login, HALLE)
    # asked for nothing, the page compares the newest version with the commented one
    page = client.get(f"/agreements/{in_consultation.id}/compare").get_data(as_text=True)
    assert "Fassung 1 mit Fassung 3" in page
    assert "<del>Bildungsmonitoring</del>" in page and "<ins>Monitoring</ins>" in page
    assert "<del>Transparenz</del>" in page and "<ins>Offenheit</ins>" in page
    assert 'id="compare-commented"' in page
    assert 'id="compare-comments"' in page and COMMENT in page
    assert "Fassung 1 – Überarbeitet (durch eine neuere Fassung ersetzt) (kommentiert)" in page


def test_sending_the_next_version_out_closes_the_earlier_consultation(
    in_consultation, client, login
):
    agreement = in_consultation
    halle = user(HALLE)
    first = agreement.latest_version
    before = _snapshot(first)
    second = services.update_version(halle, first, agreement_data(subject="Neu"))
    # meanwhile the consultation of version 1 goes on: it is still commented on, not edited
    assert can(user(BLK), "agreement.comment", first)
    assert not can(halle, "agreement.edit", first) and not can(halle, "agreement.submit", first)
    services.add_comment(user(BLK), first, "Noch ein Hinweis")
    services.submit_for_review(halle, second)
    db.session.commit()
    assert first.status is VersionStatus.REVISED and first.revised_at is not None
    assert _snapshot(first) == before
    assert agreement.status is AgreementStatus.IN_REVIEW  # now on version 2
    assert not can(user(BLK), "agreement.comment", first)
    with pytest.raises(PermissionDenied):
        services.add_comment(user(BLK), first, "Zu spät")
    _login(login, HALLE)
    # version 1's form leads to the newest version's
    response = client.get(f"/agreements/{agreement.id}/versions/1/edit")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}/versions/2/edit")
    page = client.get(f"/agreements/{agreement.id}?version=1").get_data(as_text=True)
    assert 'id="version-revised"' in page


def test_an_uncommented_draft_is_edited_in_place_a_commented_one_is_kept(demo):
    halle = user(HALLE)
    agreement = draft()
    first = agreement.latest_version
    assert services.update_version(halle, first, agreement_data(subject="Eins")) is first
    assert len(agreement.versions) == 1 and first.subject == "Eins"
    services.add_comment(user(BLK), first, "Zu § 2")
    second = services.update_version(halle, first, agreement_data(subject="Zwei"))
    db.session.commit()
    assert second.number == 2 and first.subject == "Eins"
    # nothing of version 1 went out: it is closed at once, the agreement is a draft again
    assert first.status is VersionStatus.REVISED
    assert agreement.status is AgreementStatus.DRAFT


def test_editing_a_text_awaiting_signatures_before_anyone_signed_withdraws_the_request(demo):
    agreement = awaiting()
    first = agreement.latest_version
    assert first.sent_sha256 and first.status is VersionStatus.AWAITING_SIGNATURES
    before = _snapshot(first)
    second = services.update_version(user(HALLE), first, agreement_data(subject="Korrigiert"))
    db.session.commit()
    assert first.status is VersionStatus.REVISED and _snapshot(first) == before
    assert second.status is VersionStatus.DRAFT and agreement.status is AgreementStatus.DRAFT
    # nobody can sign the replaced text any more
    assert not any(can(user(HALLE), "agreement.sign", p) for p in first.parties)
    services.request_signatures(user(HALLE), second)
    assert agreement.status is AgreementStatus.AWAITING_SIGNATURES


def _party(version, short: str):
    return next(p for p in version.parties if p.organisation.short_name == short)


def test_amendment_after_the_first_signature_lets_the_others_still_sign(demo):
    """Pending signatures: drafting (and consulting) an amendment does not touch the previous
    version; the remaining party may still sign it, and it enters into force."""
    agreement = awaiting()
    first = agreement.latest_version
    halle = user(HALLE)
    assert not can(halle, "agreement.amend", agreement)  # nobody signed yet: edit instead
    services.sign(halle, _party(first, "HAL"), DEMO_PASSWORD)
    assert can(halle, "agreement.amend", agreement)
    second = services.amend(halle, agreement, "Frist ergänzt")
    services.update_version(halle, second, agreement_data(subject="Mit Frist"))
    services.submit_for_review(halle, second)
    db.session.commit()
    assert first.status is VersionStatus.AWAITING_SIGNATURES
    assert agreement.status is AgreementStatus.AWAITING_SIGNATURES
    assert not can(halle, "agreement.amend", agreement)  # one amendment at a time
    services.sign(user(BLK), _party(first, "BLK"), DEMO_PASSWORD)
    db.session.commit()
    assert first.status is VersionStatus.SIGNED and agreement.version_in_force is first
    assert agreement.status is AgreementStatus.IN_FORCE
    # the amendment then replaces it as usual
    services.request_signatures(halle, second)
    services.sign(halle, _party(second, "HAL"), DEMO_PASSWORD)
    services.sign(user(BLK), _party(second, "BLK"), DEMO_PASSWORD)
    db.session.commit()
    assert first.status is VersionStatus.SUPERSEDED and agreement.version_in_force is second


def test_sending_an_amendment_for_signature_ends_the_previous_versions_open_signing(demo):
    """Pending signatures: two texts never wait for signatures at once. When the amendment is
    sent for signature, the partly signed previous version is closed; its signature stays on
    record with the signed digest, but it never enters into force."""
    agreement = awaiting()
    first = agreement.latest_version
    halle = user(HALLE)
    services.sign(halle, _party(first, "HAL"), DEMO_PASSWORD)
    digest, signed_docx = first.document_sha256, first.document
    second = services.amend(halle, agreement)
    services.request_signatures(halle, second)
    db.session.commit()
    assert first.status is VersionStatus.REVISED
    assert [s.organisation.short_name for s in first.active_signatures] == ["HAL"]
    assert first.document_sha256 == digest and first.document == signed_docx
    assert not can(user(BLK), "agreement.sign", _party(first, "BLK"))
    assert not can(halle, "agreement.withdraw_signatures", first)
    assert agreement.status is AgreementStatus.AWAITING_SIGNATURES
    services.sign(halle, _party(second, "HAL"), DEMO_PASSWORD)
    services.sign(user(BLK), _party(second, "BLK"), DEMO_PASSWORD)
    db.session.commit()
    assert agreement.version_in_force is second and first.status is VersionStatus.REVISED


def test_amendment_once_signed_before_the_term_starts_but_not_after_termination(demo):
    import datetime as dt

    from .factories import fully_signed

    future = fully_signed(start_date=dt.date.today() + dt.timedelta(days=90))
    assert future.status is AgreementStatus.SIGNED
    assert can(user(HALLE), "agreement.amend", future)
    ended = fully_signed(title="Beendet")
    services.terminate(user(HALLE), ended, dt.date(2023, 1, 31), "Auflösung")
    db.session.commit()
    assert not can(user(HALLE), "agreement.amend", ended)
    with pytest.raises(PermissionDenied):
        services.amend(user(HALLE), ended)


def test_the_demo_shows_a_consultation_with_comments_on_version_one_and_a_draft_version_two(
    demo, client, login
):
    agreement = db.session.scalar(
        sa.select(Agreement).where(Agreement.title.like("%Verstetigung 2027%"))
    )
    first, second = agreement.versions
    assert agreement.status is AgreementStatus.IN_REVIEW
    assert first.status is VersionStatus.IN_REVIEW and first.sent_sha256
    assert len(first.comments) == 2 and second.comments == []
    assert second.status is VersionStatus.DRAFT and second.change_note
    assert first.preamble and first.preamble == second.preamble  # from the standard text
    _login(login, HALLE)
    page = client.get(f"/agreements/{agreement.id}/compare").get_data(as_text=True)
    assert "Fassung 1 mit Fassung 2" in page
    duty = "wirkt im Begleitgremium mit und berichtet {} über den Stand"
    assert f"<del>{duty.format('halbjährlich')}</del>" in page
    assert f"<ins>{duty.format('jährlich')}</ins>" in page


def test_two_editors_of_a_version_in_consultation_start_one_version_and_lose_nothing(
    in_consultation, app
):
    """Both load version 1's form; the first save starts version 2; the second gets version 2's
    form with its own input and version 2's saved text beside it (409), and saves it there."""
    agreement = in_consultation
    url = f"/agreements/{agreement.id}/versions/1/edit"
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"email": HALLE, "password": DEMO_PASSWORD})
    forms = [form_with(c.get(url).get_data(as_text=True), "lock_version") for c in (first, second)]
    forms[0]["subject"], forms[1]["subject"] = ["Text von A"], ["Text von B"]
    assert first.post(url, data=forms[0]).status_code == 302
    refused = second.post(url, data=forms[1])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Fassung 1 wurde durch Fassung 2 ersetzt" in html
    assert "Text von A" in html and "Text von B" in html  # saved beside typed
    assert f'action="/agreements/{agreement.id}/versions/2/edit"' in html
    db.session.expire_all()
    assert len(agreement.versions) == 2 and agreement.versions[1].subject == "Text von A"
    again = second.post(
        f"/agreements/{agreement.id}/versions/2/edit", data=form_with(html, "lock_version")
    )
    assert again.status_code == 302
    db.session.expire_all()
    first_version, second_version = agreement.versions
    assert second_version.subject == "Text von B"
    assert first_version.subject == "Gemeinsames Bildungsmonitoring"  # as sent
    # opening version 1's form now leads to version 2's
    response = first.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/versions/2/edit")
