"""The review workflow end to end through the pages, with audit trail and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from govtool.catalogue import services, workflow
from govtool.catalogue.models import CatalogueEntry, EntryStatus, VersionStatus
from govtool.core.audit import AuditEntry, acting_as
from govtool.core.errors import Conflict, PermissionDenied, ValidationError
from govtool.core.mail import OutboxMessage
from tests.catalogue.factories import entry_data, make_entry, make_world

ALL_CHECKS = [key for key, _ in workflow.CHECKLIST]
AGGREGATED_CHECKS = [key for key in ALL_CHECKS if key != "dpia"]  # what the page offers


@pytest.fixture()
def world(db):
    world = make_world()
    db.session.commit()
    return world


def _outbox(db, recipient: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id)
        )
    )


def _entry(db, entry_id: int) -> CatalogueEntry:
    db.session.expire_all()
    return db.session.get(CatalogueEntry, entry_id)


def _form(world, **overrides) -> dict:
    data = entry_data(world["halle"], [world["ministry"]])
    form = {
        k: v
        for k, v in data.items()
        if k not in ("items", "recipient_ids", "provider_id") and v is not None
    }
    form["provider_id"] = str(world["halle"].id)
    form["recipient_ids"] = [str(world["ministry"].id)]
    for index, item in enumerate(data["items"]):
        for key, value in item.items():
            form[f"items-{index}-{key}"] = value
    form.update(overrides)
    return form


def _switch(client, login, email):
    client.post("/logout")
    login(email)


def test_full_workflow_submit_change_resubmit_approve_amend_approve(client, login, world, db):
    login("halle@example.org")
    response = client.post("/catalogue/new", data=_form(world))
    assert response.status_code == 302, response.get_data(as_text=True)
    entry_id = int(response.headers["Location"].rsplit("/", 1)[1])
    entry = _entry(db, entry_id)
    assert entry.status == EntryStatus.DRAFT
    assert [i.name for i in entry.latest_version.items] == ["Gemeindeschlüssel", "Schülerzahl"]

    assert client.post(f"/catalogue/{entry_id}/submit").status_code == 302
    assert _entry(db, entry_id).status == EntryStatus.SUBMITTED
    assert any(
        "Submitted for review" in s or "Zur Prüfung" in s
        for s in _outbox(db, "ministerium@example.org")
    )

    # The ministry asks for changes from the review page.
    _switch(client, login, "ministerium@example.org")
    assert "DX-" in client.get("/catalogue/review/").get_data(as_text=True)
    response = client.post(
        f"/catalogue/{entry_id}/decide",
        data={"decision": "request_changes", "comment": "Bitte Löschfristen präzisieren."},
    )
    assert response.status_code == 302
    entry = _entry(db, entry_id)
    assert entry.status == EntryStatus.CHANGES_REQUESTED
    assert entry.latest_version.comments[-1].body == "Bitte Löschfristen präzisieren."
    assert len(_outbox(db, "halle@example.org")) == 1

    # The municipality changes version 1 in place and resubmits.
    _switch(client, login, "halle@example.org")
    response = client.post(
        f"/catalogue/{entry_id}/edit", data=_form(world, retention_recipient="drei Jahre")
    )
    assert response.status_code == 302
    assert _entry(db, entry_id).latest_number == 1
    assert client.post(f"/catalogue/{entry_id}/submit").status_code == 302

    # Approval with the full checklist.
    _switch(client, login, "ministerium@example.org")
    response = client.post(
        f"/catalogue/{entry_id}/decide",
        data={"decision": "approve", "checklist": AGGREGATED_CHECKS, "comment": "Passt."},
    )
    assert response.status_code == 302
    entry = _entry(db, entry_id)
    assert entry.status == EntryStatus.APPROVED and entry.approved_number == 1
    assert entry.issued_on is not None and entry.next_review_on > entry.issued_on
    assert entry.latest_version.retention_recipient == "drei Jahre"

    # Amendment: version 2 needs review, version 1 stays in force and unchanged.
    _switch(client, login, "halle@example.org")
    response = client.post(
        f"/catalogue/{entry_id}/edit", data=_form(world, frequency="half_yearly")
    )
    assert response.status_code == 302
    entry = _entry(db, entry_id)
    assert [v.number for v in entry.versions] == [1, 2]
    assert entry.approved_number == 1 and entry.status == EntryStatus.APPROVED
    assert entry.version(1).frequency.value == "yearly"
    assert entry.version(2).frequency.value == "half_yearly"
    assert entry.version(2).status == VersionStatus.DRAFT
    page = client.get(f"/catalogue/{entry_id}").get_data(as_text=True)
    assert "Änderungen von Fassung 1 zu Fassung 2" in page and "Halbjährlich" in page
    assert client.post(f"/catalogue/{entry_id}/submit").status_code == 302

    _switch(client, login, "ministerium@example.org")
    response = client.post(
        f"/catalogue/{entry_id}/decide",
        data={"decision": "approve", "checklist": AGGREGATED_CHECKS},
    )
    assert response.status_code == 302
    entry = _entry(db, entry_id)
    assert entry.approved_number == 2
    assert entry.version(1).status == VersionStatus.SUPERSEDED
    assert entry.version(2).status == VersionStatus.APPROVED

    # Audit trail: each status of each version was logged, with the acting user.
    rows = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "CatalogueVersion")
        .order_by(AuditEntry.id)
    ).all()
    statuses = [r.changes["status"]["new"] for r in rows if "status" in r.changes]
    assert statuses[:7] == [
        "draft",
        "submitted",
        "changes_requested",
        "submitted",
        "approved",
        "draft",  # version 2
        "submitted",
    ]
    assert sorted(statuses[7:]) == ["approved", "superseded"]  # one flush: v2 in, v1 out
    approvals = [r for r in rows if r.changes.get("status", {}).get("new") == "approved"]
    assert {r.user.email for r in approvals} == {"ministerium@example.org"}
    # Notifications reached the other side at every step.
    to_halle = _outbox(db, "halle@example.org")
    assert len(to_halle) == 3  # changes requested, approved, approved again
    assert len(_outbox(db, "ministerium@example.org")) == 3  # three submissions


def test_municipality_cannot_approve(client, login, world, db):
    with acting_as(world["users"]["halle"]):
        entry = make_entry(world["users"]["halle"], world["halle"], [world["ministry"]])
        workflow.submit(world["users"]["halle"], entry)
    db.session.commit()
    login("halle@example.org")
    assert client.get(f"/catalogue/{entry.id}/decide").status_code == 403
    response = client.post(
        f"/catalogue/{entry.id}/decide", data={"decision": "approve", "checklist": ALL_CHECKS}
    )
    assert response.status_code == 403
    assert client.get("/catalogue/review/").status_code == 403
    assert client.post(f"/catalogue/{entry.id}/start-review").status_code == 403
    assert _entry(db, entry.id).status == EntryStatus.SUBMITTED


@pytest.mark.parametrize("who", ["blk", "member"])
def test_other_municipality_cannot_see_or_change_drafts(client, login, world, db, who):
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        entry = make_entry(
            halle_user, world["halle"], [world["ministry"]], title="Geheimer Entwurf"
        )
    db.session.commit()
    login(world["users"][who].email)
    assert client.get(f"/catalogue/{entry.id}").status_code == 403
    assert "Geheimer Entwurf" not in client.get("/catalogue/").get_data(as_text=True)
    assert "Geheimer Entwurf" not in client.get("/catalogue/export.csv").get_data(as_text=True)
    assert client.get(f"/catalogue/{entry.id}/edit").status_code == 403
    assert client.post(f"/catalogue/{entry.id}/submit").status_code == 403
    assert (
        client.post(f"/catalogue/{entry.id}/versions/1/comments", data={"body": "x"}).status_code
        == 403
    )


def test_approved_entry_is_readable_by_all_but_its_pending_change_is_not(world, db, client, login):
    halle_user, ministry = world["users"]["halle"], world["users"]["ministry"]
    with acting_as(halle_user):
        entry = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, entry)
    with acting_as(ministry):
        workflow.approve(ministry, entry, checklist=ALL_CHECKS)
    with acting_as(halle_user):
        services.update_entry(halle_user, entry, {"title": "Neuer Titel im Entwurf"})
    db.session.commit()
    login("blk@example.org")
    page = client.get(f"/catalogue/{entry.id}").get_data(as_text=True)
    assert "Schulstatistik nach Gemeinden" in page
    assert "Neuer Titel im Entwurf" not in page
    assert client.get(f"/catalogue/{entry.id}?version=2").status_code == 404
    assert "Neuer Titel im Entwurf" not in client.get("/catalogue/").get_data(as_text=True)
    list_page = client.get("/catalogue/").get_data(as_text=True)
    # the approved version is listed, with a marker of the pending change and its status
    marker = "(Änderung in Vorbereitung (Fassung 2))"
    assert "Schulstatistik nach Gemeinden" in list_page and marker in list_page
    assert f'<a href="/catalogue/{entry.id}">{entry.identifier}</a>' in list_page
    # a reviewer and the provider too: a list shows the version in force, not the draft's values
    for email in ("ministerium@example.org", "halle@example.org"):
        _switch(client, login, email)
        list_page = client.get("/catalogue/").get_data(as_text=True)
        assert "Neuer Titel im Entwurf" not in list_page, email
        assert "Schulstatistik nach Gemeinden" in list_page and marker in list_page, email
        page = client.get(f"/catalogue/{entry.id}").get_data(as_text=True)
        assert "Neuer Titel im Entwurf" in page  # the entry page shows them the change


def test_reviewer_cannot_decide_on_own_submission(world, db):
    admin = world["users"]["admin"]
    with acting_as(admin):
        entry = make_entry(admin, world["halle"], [world["ministry"]])
        workflow.submit(admin, entry)
        with pytest.raises(PermissionDenied):
            workflow.approve(admin, entry, checklist=ALL_CHECKS)


def test_approval_needs_the_applicable_checklist(world, db):
    halle_user, ministry = world["users"]["halle"], world["users"]["ministry"]
    with acting_as(halle_user):
        entry = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, entry)
    assert [k for k, _ in workflow.checklist_items(entry.latest_version)] == [
        "purpose",
        "legal_basis",
        "minimised",
        "retention",
        "small_numbers",
    ]  # aggregated: small numbers yes, DPIA no
    with acting_as(ministry), pytest.raises(ValidationError) as error:
        workflow.approve(ministry, entry, checklist=["purpose", "legal_basis"])
    assert error.value.field == "checklist"
    with acting_as(ministry), pytest.raises(ValidationError):
        workflow.request_changes(ministry, entry, "   ")


def test_submit_checks_completeness(world, db):
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        entry = make_entry(
            halle_user, world["halle"], [world["ministry"]], small_number_threshold=None
        )
        with pytest.raises(ValidationError) as error:
            workflow.submit(halle_user, entry)
    assert error.value.field == "small_number_threshold"


def test_version_in_review_cannot_be_changed(world, db):
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        entry = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, entry)
        with pytest.raises(Conflict):
            services.update_entry(halle_user, entry, {"title": "Zwischendurch"})


def test_reject_suspend_reinstate_retire(world, db):
    halle_user, ministry = world["users"]["halle"], world["users"]["ministry"]
    with acting_as(halle_user):
        rejected = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, rejected)
        entry = make_entry(halle_user, world["halle"], [world["blk"]])
        workflow.submit(halle_user, entry)
    with acting_as(ministry):
        workflow.reject(ministry, rejected, "Kein Zweck erkennbar.")
        assert rejected.status == EntryStatus.REJECTED
        workflow.approve(ministry, entry, checklist=ALL_CHECKS)
        with pytest.raises(ValidationError):
            workflow.suspend(ministry, entry, "")
        workflow.suspend(ministry, entry, "Datenpanne beim Empfänger")
        assert entry.status == EntryStatus.SUSPENDED
        workflow.reinstate(ministry, entry)
        assert entry.status == EntryStatus.APPROVED
        workflow.retire(ministry, entry, "Projektende")
    assert entry.status == EntryStatus.RETIRED
    with acting_as(halle_user), pytest.raises(PermissionDenied):
        services.update_entry(halle_user, entry, {"title": "Nach dem Ende"})


def test_comment_threads_per_version_notify_the_other_side(client, login, world, db):
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        entry = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, entry)
    db.session.commit()
    login("ministerium@example.org")
    response = client.post(f"/catalogue/{entry.id}/versions/1/comments", data={"body": "Frage?"})
    assert response.status_code == 302
    first = _entry(db, entry.id).version(1).comments[-1]
    _switch(client, login, "halle@example.org")
    client.post(
        f"/catalogue/{entry.id}/versions/1/comments",
        data={"body": "Antwort.", "parent_id": first.id},
    )
    reply = _entry(db, entry.id).version(1).comments[-1]
    assert reply.parent_id == first.id and reply.body == "Antwort."
    assert any(
        "comment" in s.lower() or "kommentar" in s.lower() for s in _outbox(db, "halle@example.org")
    )
    assert any(
        "comment" in s.lower() or "kommentar" in s.lower()
        for s in _outbox(db, "pruefer2@example.org")
    )


def test_review_reminder_is_sent_once_when_due(app, world, db):
    halle_user, ministry = world["users"]["halle"], world["users"]["ministry"]
    with acting_as(halle_user):
        entry = make_entry(halle_user, world["halle"], [world["ministry"]])
        workflow.submit(halle_user, entry)
    with acting_as(ministry):
        workflow.approve(
            ministry,
            entry,
            checklist=ALL_CHECKS,
            next_review_on=dt.date.today() + dt.timedelta(days=1),
        )
    entry.next_review_on = dt.date.today()
    db.session.commit()
    from govtool.core.cli_hooks import send_reminders

    runner = app.test_cli_runner()
    result = runner.invoke(send_reminders, ["--dry-run"])
    assert entry.identifier in result.output
    before = len(_outbox(db, "halle@example.org"))
    result = runner.invoke(send_reminders)
    assert result.exit_code == 0, result.output
    assert entry.identifier in result.output
    assert len(_outbox(db, "halle@example.org")) == before + 1
    second = runner.invoke(send_reminders)
    assert entry.identifier not in second.output
