"""Pages: permissions per role, the meeting page, conflict page, .ics, DOCX, uploads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import icalendar
import pytest
from docx import Document

from govtool.auth.models import Role
from govtool.bodies import agenda, approval, invitations, minutes, services
from govtool.bodies.agenda_models import AgendaItem, StoredFile
from govtool.bodies.models import Meeting, MeetingStatus, MembershipRole
from govtool.core.mail import OutboxMessage
from govtool.core.storage import EXTENSION_KEY
from tests.factories import make_organisation, make_user

from .factories import make_body, make_meeting, make_member_user


@pytest.fixture()
def world(db):
    body = make_body(name="Begleitgremium Test", short_name="BGT")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    outsider = make_user(roles=(Role.MUNICIPALITY,), organisation=make_organisation())
    other_secretary = make_user(roles=(Role.SECRETARY,), organisation=make_organisation())
    admin = make_user(roles=(Role.ADMIN,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=40))
    public = agenda.add_item(
        secretary, meeting, {"title": "Öffentlicher Bericht", "is_public": True}
    )
    secret = agenda.add_item(
        secretary, meeting, {"title": "Vertrauliche Personalsache", "is_public": False}
    )
    db.session.commit()
    return {
        "body": body,
        "meeting": meeting,
        "secretary": secretary,
        "chair": chair,
        "member": member,
        "outsider": outsider,
        "other_secretary": other_secretary,
        "admin": admin,
        "public": public,
        "secret": secret,
    }


def _ids(world):
    return world["meeting"].id, world["public"].id, world["secret"].id


def test_body_and_meeting_pages_render_and_link_meetings(world, client, login):
    login(world["member"].email)
    html = client.get(f"/bodies/{world['body'].id}").get_data(as_text=True)
    assert f'href="/meetings/{world["meeting"].id}"' in html
    assert "Begleitgremium Test" in html
    assert client.get("/bodies/").status_code == 200
    page = client.get(f"/meetings/{world['meeting'].id}").get_data(as_text=True)
    assert "Vertrauliche Personalsache" in page and "Öffentlicher Bericht" in page


def test_non_members_read_nothing_non_public(world, client, login):
    meeting_id, public_id, secret_id = _ids(world)
    login(world["outsider"].email)
    page = client.get(f"/meetings/{meeting_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Öffentlicher Bericht" in html and "Vertrauliche Personalsache" not in html
    assert client.get(f"/meetings/{meeting_id}/minutes.docx").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/attachments.zip").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/items/{secret_id}/edit").status_code == 403
    invitation = client.get(f"/meetings/{meeting_id}/invitation.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(invitation.data)).paragraphs)
    text += "\n".join(
        c.text
        for t in Document(io.BytesIO(invitation.data)).tables
        for r in t.rows
        for c in r.cells
    )  # noqa: E501
    assert "Öffentlicher Bericht" in text and "Vertrauliche" not in text
    assert "Vertrauliche" not in client.get(f"/meetings/{meeting_id}.ics").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("secretary", True),
        ("chair", True),
        ("admin", True),
        ("member", False),
        ("outsider", False),
        ("other_secretary", False),
    ],
)
def test_only_secretary_chair_or_admin_edit_meetings(world, client, login, who, allowed):
    meeting_id, public_id, _ = _ids(world)
    login(world[who].email)
    response = client.post(f"/meetings/{meeting_id}/items", data={"title": f"Neu von {who}"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data={
            "title": "X",
            "kind": "regular",
            "date": "2030-01-09",
            "start_time": "10:00",
            "end_time": "12:00",
        },
    )
    assert response.status_code == (302 if allowed else 403)
    assert client.post(f"/bodies/{world['body'].id}/plan", data={}).status_code in (
        (200, 422) if allowed else (403,)
    )


def test_members_comment_on_circulated_minutes(world, client, login, db):
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at -= dt.timedelta(days=60)
    meeting.end_at -= dt.timedelta(days=60)
    meeting.status = MeetingStatus.MINUTES_CIRCULATED
    db.session.commit()
    meeting_id, public_id, _ = _ids(world)
    login(world["outsider"].email)
    url = f"/meetings/{meeting_id}/items/{public_id}/comments"
    assert client.post(url, data={"comment-text": "Hallo"}).status_code == 403
    client.post("/logout")
    login(world["member"].email)
    overview = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "um eine Anmerkung zu seiner Niederschrift zu schreiben" in overview
    assert client.post(url, data={"comment-text": "Bitte ergänzen"}).status_code == 302
    item_page = client.get(f"/meetings/{meeting_id}/items/{public_id}").get_data(as_text=True)
    assert "Bitte ergänzen" in item_page
    assert "Bitte ergänzen" in client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    minutes_url = f"/meetings/{meeting_id}/items/{public_id}/minutes"
    post = {"minutes-notes": "x", "minutes-version": "0"}
    assert client.post(minutes_url, data=post).status_code == 403


def test_concurrent_edit_shows_conflict_page_with_both_texts(world, client, login, db):
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at -= dt.timedelta(days=60)
    meeting.end_at -= dt.timedelta(days=60)
    meeting.status = MeetingStatus.HELD
    db.session.commit()
    meeting_id, item_id, _ = _ids(world)
    url = f"/meetings/{meeting_id}/items/{item_id}/minutes"
    login(world["secretary"].email)
    first = client.post(
        url, data={"minutes-notes": "Text der Schriftführung", "minutes-version": "0"}
    )
    assert first.status_code == 302
    # The chair opened the page at version 0 too and saves later.
    client.post("/logout")
    login(world["chair"].email)
    second = client.post(
        url, data={"minutes-notes": "Text der Vorsitzenden", "minutes-version": "0"}
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Text der Schriftführung" in html and "Text der Vorsitzenden" in html
    # only the field that differs is compared (the empty result, alike on both sides, is not)
    assert html.count('class="conflict-saved"') == 1
    db.session.expire_all()
    assert db.session.get(AgendaItem, item_id).notes == "Text der Schriftführung"
    # Merging from the conflict page (now at version 1) saves.
    merged = client.post(url, data={"minutes-notes": "Beides", "minutes-version": "1"})
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(AgendaItem, item_id).notes == "Beides"


def _calendar(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def test_ics_has_vtimezone_uid_sequence_method_and_cancel(world, client, login, db):
    meeting_id = world["meeting"].id
    login(world["secretary"].email)
    response = client.post(f"/meetings/{meeting_id}/invite", data={"confirm": "yes"})
    assert response.status_code == 302
    sent = db.session.query(OutboxMessage).all()
    assert len(sent) == 3 and all("einladung.ics" in m.attachment_names for m in sent)
    first = _calendar(client.get(f"/meetings/{meeting_id}.ics").data)
    assert first["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in first.walk("VTIMEZONE")] == ["Europe/Berlin"]
    event = first.walk("VEVENT")[0]
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert "mailto:" in str(event["ORGANIZER"])
    attendees = event.get("ATTENDEE")
    assert len(attendees) == 3 and attendees[0].params["PARTSTAT"] == "NEEDS-ACTION"
    new_day = (dt.date.today() + dt.timedelta(days=41)).isoformat()
    moved = client.post(
        f"/meetings/{meeting_id}/edit",
        data={
            "title": "Verlegt",
            "kind": "regular",
            "date": new_day,
            "start_time": "14:00",
            "end_time": "16:00",
            "location": "Halle",
        },
    )
    assert moved.status_code == 302
    second = _calendar(client.get(f"/meetings/{meeting_id}.ics").data).walk("VEVENT")[0]
    assert str(second["UID"]) == uid and int(second["SEQUENCE"]) > sequence
    cancelled = client.post(
        f"/meetings/{meeting_id}/cancel", data={"reason": "Krankheit", "confirm": "y"}
    )
    assert cancelled.status_code == 302
    third = _calendar(client.get(f"/meetings/{meeting_id}.ics").data)
    assert third["METHOD"] == "CANCEL"
    event3 = third.walk("VEVENT")[0]
    assert str(event3["UID"]) == uid and int(event3["SEQUENCE"]) > int(second["SEQUENCE"])
    assert str(event3["STATUS"]) == "CANCELLED"
    cancel_mails = [
        m for m in db.session.query(OutboxMessage) if "absage.ics" in m.attachment_names
    ]
    assert len(cancel_mails) == 3


def test_invitation_period_warning(world, client, login, db):
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    meeting.end_at = meeting.start_at + dt.timedelta(hours=2)
    db.session.commit()
    assert invitations.invitation_warnings(meeting)
    login(world["secretary"].email)
    response = client.post(
        f"/meetings/{meeting.id}/invite", data={"confirm": "yes"}, follow_redirects=True
    )
    assert "14" in response.get_data(as_text=True)


def test_body_feed_with_secret_token_and_revocation(world, client, login, db):
    body = world["body"]
    token = body.calendar_token
    feed = client.get(f"/bodies/calendar/{token}.ics")
    assert feed.status_code == 200
    calendar = _calendar(feed.data)
    assert calendar["METHOD"] == "PUBLISH" and calendar.walk("VTIMEZONE")
    assert len(calendar.walk("VEVENT")) == 1
    assert client.get("/bodies/calendar/wrong-token-123456789.ics").status_code == 404
    login(world["secretary"].email)
    assert client.post(f"/bodies/{body.id}/calendar-token").status_code == 302
    assert client.get(f"/bodies/calendar/{token}.ics").status_code == 404


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_minutes_docx_holds_attendees_decisions_votes_and_action_items(
    world, client, login, db, tmp_path
):
    secretary = world["secretary"]
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at -= dt.timedelta(days=60)
    meeting.end_at -= dt.timedelta(days=60)
    minutes.ensure_participants(meeting)
    minutes.add_guest(secretary, meeting, {"name": "Gerda Gast", "organisation_name": "Städtetag"})
    minutes.record_attendance(
        secretary, meeting, {p.id: {"presence": "present"} for p in meeting.participants}
    )
    item = db.session.get(AgendaItem, world["public"].id)
    minutes.save_item_minutes(secretary, item, "Bericht wurde erörtert.", "Zustimmung", 0)
    minutes.add_decision(
        secretary,
        item,
        {
            "text": "Der Bericht wird angenommen.",
            "votes_yes": 1,
            "votes_no": 1,
            "votes_abstain": 0,
            "result": "adopted",
        },
    )
    minutes.add_action_item(
        secretary,
        item,
        {
            "task": "Bericht veröffentlichen",
            "responsible_person_id": world["member"].person_id,
            "due_date": dt.date(2030, 1, 31),
        },
    )
    approval.approve_by_chair(world["chair"], meeting, "Eilbedürftig: Bericht an das Ministerium")
    db.session.commit()
    login(world["member"].email)
    response = client.get(f"/meetings/{meeting.id}/minutes.docx")
    assert response.status_code == 200
    text = _docx_text(response.data)
    for participant in meeting.participants:
        assert participant.name in text
    assert "Gerda Gast" in text and "Städtetag" in text
    assert "BGT-" in text and "Der Bericht wird angenommen." in text
    assert "Ja 1, Nein 1, Enthaltung 0" in text
    assert "Bericht veröffentlichen" in text and "31.01.2030" in text
    assert "Bericht wurde erörtert." in text and "beschlussfähig" in text
    assert world["chair"].display_name in text  # approval note
    path = tmp_path / "minutes.docx"
    path.write_bytes(response.data)
    _convert_with_libreoffice(path)


def _convert_with_libreoffice(path: Path) -> None:
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; conversion not checked")
    result = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{path.parent}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pdf = path.with_suffix(".pdf")
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), result.stderr.decode()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _stored_count(db) -> int:
    return db.session.query(StoredFile).count()


def _files_on_disk(app) -> set[str]:
    return set(app.extensions[EXTENSION_KEY].iter_keys())


def test_upload_is_stored_by_sha256_and_downloads_with_its_name(world, client, login, db, app):
    meeting_id, item_id, _ = _ids(world)
    login(world["secretary"].email)
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/files",
        data={"upload-file": (io.BytesIO(PDF), "Bericht 2026.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    stored = db.session.query(StoredFile).one()
    assert stored.original_name == "Bericht 2026.pdf" and stored.mime_type == "application/pdf"
    with app.extensions[EXTENSION_KEY].open(agenda.file_key(stored.sha256)) as kept:
        assert kept.read() == PDF
    download = client.get(f"/meetings/{meeting_id}/files/{stored.id}")
    assert download.data == PDF and "Bericht%202026.pdf" in download.headers["Content-Disposition"]
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/meetings/{meeting_id}/attachments.zip").data)
    )
    assert archive.namelist() == [f"TOP {world['public'].number}/Bericht 2026.pdf"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programm.pdf", b"MZ\x90\x00" + b"\x00" * 200, "not a PDF"),
        ("../../etc/passwd.pdf", PDF, "file name is not allowed"),
        ("..\\boot.pdf", PDF, "file name is not allowed"),
        ("skript.exe", b"MZ\x90\x00", "Only these file types are accepted: PDF"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    world, client, login, db, app, name, content, message
):  # noqa: E501
    meeting_id, item_id, _ = _ids(world)
    login(world["secretary"].email)
    client.post("/language", data={"locale": "en"})
    before = _files_on_disk(app)
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/files",
        data={"upload-file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored_count(db) == 0 and _files_on_disk(app) == before


def test_a_30_mb_upload_is_refused_and_nothing_is_written(world, client, login, db, app):
    meeting_id, item_id, _ = _ids(world)
    login(world["secretary"].email)
    client.post("/language", data={"locale": "en"})
    before = _files_on_disk(app)
    big = PDF + b"0" * (30 * 1024 * 1024)
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/files",
        data={"upload-file": (io.BytesIO(big), "gross.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert _stored_count(db) == 0 and _files_on_disk(app) == before
    # Below the request limit but above the per-file limit, the service refuses it by size.
    from govtool.core.errors import ValidationError

    limit = app.config["GOVTOOL_MAX_UPLOAD_MB"]
    with pytest.raises(ValidationError, match=f"{limit} MB"):
        agenda.check_upload("gross.pdf", PDF + b"0" * (limit * 1024 * 1024))
    assert _files_on_disk(app) == before


def test_real_office_files_are_accepted_by_content(world, db):
    import openpyxl

    secretary, item = world["secretary"], world["public"]
    docx_buffer = io.BytesIO()
    Document().save(docx_buffer)
    xlsx_buffer = io.BytesIO()
    openpyxl.Workbook().save(xlsx_buffer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
    assert agenda.attach_file(secretary, item, "a.docx", docx_buffer.getvalue()).mime_type.endswith(
        "document"
    )  # noqa: E501
    assert agenda.attach_file(secretary, item, "b.xlsx", xlsx_buffer.getvalue()).mime_type.endswith(
        "sheet"
    )  # noqa: E501
    assert agenda.attach_file(secretary, item, "c.png", png).mime_type == "image/png"
    from govtool.core.errors import ValidationError

    with pytest.raises(ValidationError):  # a DOCX renamed to .xlsx
        agenda.attach_file(secretary, item, "d.xlsx", docx_buffer.getvalue())


def test_member_organisation_submits_paper_until_deadline(world, client, login, db):
    meeting_id, item_id, _ = _ids(world)
    login(world["member"].email)
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/papers",
        data={
            "paper-title": "Bericht Halle",
            "paper-paper_type": "report",
            "paper-file": (io.BytesIO(PDF), "bericht.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    from govtool.bodies.agenda_models import Paper

    paper = db.session.query(Paper).one()
    assert paper.reference == f"BGT-V-{world['meeting'].date.year}/001"
    assert paper.organisation_id == world["member"].organisation_id
    meeting = db.session.get(Meeting, meeting_id)
    meeting.start_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    meeting.end_at = meeting.start_at + dt.timedelta(hours=1)
    db.session.commit()
    late = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/papers", data={"paper-title": "Zu spät"}
    )
    assert late.status_code == 403
    client.post("/logout")
    login(world["outsider"].email)
    assert (
        client.post(
            f"/meetings/{meeting_id}/items/{item_id}/papers", data={"paper-title": "Fremd"}
        ).status_code
        == 403
    )


def test_respond_by_token_link_without_login(world, client, db):
    meeting = db.session.get(Meeting, world["meeting"].id)
    minutes.ensure_participants(meeting)
    meeting.status = MeetingStatus.INVITED
    db.session.commit()
    participant = meeting.participants[0]
    assert client.get(f"/meetings/answer/{participant.response_token}").status_code == 200
    response = client.post(
        f"/meetings/answer/{participant.response_token}", data={"response": "accepted"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert participant.response.value == "accepted"
    assert client.get("/meetings/answer/unknown-token").status_code == 404


def test_action_list_filters_and_shows_only_readable_bodies(world, client, login, db):
    secretary = world["secretary"]
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at -= dt.timedelta(days=60)
    meeting.end_at -= dt.timedelta(days=60)
    item = db.session.get(AgendaItem, world["public"].id)
    minutes.add_action_item(
        secretary,
        item,
        {
            "task": "Überfällige Aufgabe",
            "responsible_person_id": world["member"].person_id,
            "due_date": dt.date.today() - dt.timedelta(days=3),
        },
    )
    minutes.add_action_item(
        secretary,
        item,
        {"task": "Spätere Aufgabe", "responsible_organisation_id": world["member"].organisation_id},
    )  # noqa: E501
    db.session.commit()
    login(world["member"].email)
    html = client.get("/actions/?status=open").get_data(as_text=True)
    assert "Überfällige Aufgabe" in html and "Spätere Aufgabe" in html and "action-overdue" in html
    html = client.get("/actions/?status=open&overdue=1").get_data(as_text=True)
    assert "Überfällige Aufgabe" in html and "Spätere Aufgabe" not in html
    # responsible: a text search over the person's and the organisation's name, not a select
    member = world["member"]
    last_name = member.person.last_name
    html = client.get(f"/actions/?status=open&responsible={last_name.lower()}").get_data(
        as_text=True
    )
    assert "Überfällige Aufgabe" in html and "Spätere Aufgabe" not in html
    assert f'value="{last_name.lower()}"' in html and 'id="f-person"' not in html
    short_name = member.organisation.short_name
    html = client.get(f"/actions/?status=open&responsible={short_name}").get_data(as_text=True)
    assert "Spätere Aufgabe" in html and "Überfällige Aufgabe" not in html
    html = client.get("/actions/?status=open&responsible=Niemand").get_data(as_text=True)
    assert "Überfällige Aufgabe" not in html and "Spätere Aufgabe" not in html
    make_body(name="Fremdes Gremium", short_name="FG")
    db.session.commit()
    html = client.get("/actions/").get_data(as_text=True)
    assert "Begleitgremium Test</option>" in html and "Fremdes Gremium" not in html
    client.post("/logout")
    login(world["outsider"].email)
    assert "Überfällige Aufgabe" not in client.get("/actions/").get_data(as_text=True)
    client.post("/logout")
    login(world["admin"].email)
    assert "Fremdes Gremium</option>" in client.get("/actions/").get_data(as_text=True)


def test_plan_year_page_creates_meetings(world, client, login, db):
    login(world["secretary"].email)
    response = client.post(
        f"/bodies/{world['body'].id}/plan",
        data={
            "year": "2031",
            "weekday": "2",
            "week": "6",
            "start_time": "10:00",
            "end_time": "13:00",
            "location": "Magdeburg",
        },
    )
    assert response.status_code == 302
    assert (
        len([m for m in services.get_body_detail(world["body"].id).meetings if m.date.year == 2031])
        == 4
    )  # noqa: E501
    bad = client.post(
        f"/bodies/{world['body'].id}/plan",
        data={
            "year": "1800",
            "weekday": "2",
            "week": "6",
            "start_time": "10:00",
            "end_time": "13:00",
        },
    )
    assert bad.status_code == 422


def test_dashboard_panel_and_demo_data(demo, client):
    from govtool.bodies.models import Body

    body = demo.session.query(Body).filter_by(short_name="BG").one()
    assert len(body.children) == 2
    meetings = sorted(body.meetings, key=lambda m: m.number)
    assert meetings[0].kind.value == "constituent"
    assert [m.status for m in meetings].count(MeetingStatus.MINUTES_APPROVED) == 4
    assert meetings[-1].status is MeetingStatus.PLANNED
    from govtool.demo import load_demo

    assert load_demo().get("meetings", 0) == 0  # idempotent
    client.post("/login", data={"email": "sekretariat@example.org", "password": "demo-passwort"})
    html = client.get("/").get_data(as_text=True)
    assert "/meetings/" in html


def test_reminders(world, db):
    from govtool.bodies.reminders import bodies_reminders

    meeting = db.session.get(Meeting, world["meeting"].id)
    now = dt.datetime.combine(meeting.invitation_due, dt.time(8), dt.UTC)
    lines = bodies_reminders(now, dry_run=True)
    assert any(meeting.display_title in line for line in lines)
    assert db.session.query(OutboxMessage).count() == 0
    bodies_reminders(now)
    sent = db.session.query(OutboxMessage).count()
    assert sent >= 1


def test_a_reminder_repeats_weekly_not_daily(world, db):
    """`govtool reminders send` runs daily: the same reminder to the same person goes out again
    only after seven days (the reminder log), a dry run records nothing."""
    from govtool.bodies.reminders import bodies_reminders

    meeting = db.session.get(Meeting, world["meeting"].id)
    first_day = dt.datetime.combine(meeting.invitation_due, dt.time(8), dt.UTC)
    title_lines = lambda lines: [line for line in lines if meeting.display_title in line]  # noqa: E731

    assert title_lines(bodies_reminders(first_day, dry_run=True))
    assert title_lines(bodies_reminders(first_day))
    sent = db.session.query(OutboxMessage).count()
    for days in range(1, 7):
        assert title_lines(bodies_reminders(first_day + dt.timedelta(days=days))) == []
    assert db.session.query(OutboxMessage).count() == sent
    week_later = first_day + dt.timedelta(days=7)
    assert week_later.date() <= meeting.date  # the invitation period is two weeks
    assert title_lines(bodies_reminders(week_later))
    assert db.session.query(OutboxMessage).count() > sent


@pytest.mark.parametrize(
    "email",
    [
        "admin@example.org",
        "sekretariat@example.org",
        "halle@example.org",
        "burgenlandkreis@example.org",
        "ministerium@example.org",
    ],
)
def test_every_demo_login_sees_the_bodies_pages(demo, client, email):
    from govtool.bodies.models import Body

    client.post("/login", data={"email": email, "password": "demo-passwort"})
    urls = ["/", "/bodies/", "/actions/", "/actions/?status=&overdue=1"]
    for body in demo.session.query(Body):
        urls.append(f"/bodies/{body.id}")
        urls += [f"/meetings/{m.id}" for m in body.meetings]
        urls += [f"/meetings/{m.id}/invitation.docx" for m in body.meetings[:1]]
    for url in urls:
        assert client.get(url).status_code == 200, (email, url)


def test_members_are_added_with_history_and_bad_input_is_a_4xx(world, client, login, db):
    from tests.factories import make_person

    person = make_person()
    db.session.commit()
    body_id = world["body"].id
    login(world["secretary"].email)
    bad = client.post(f"/bodies/{body_id}/members", data={"person_id": "0", "role": "member"})
    assert bad.status_code == 422
    deputy = client.post(
        f"/bodies/{body_id}/members", data={"person_id": str(person.id), "role": "deputy_member"}
    )
    assert deputy.status_code == 422 and "vertritt" in deputy.get_data(as_text=True)
    good = client.post(
        f"/bodies/{body_id}/members",
        data={
            "person_id": str(person.id),
            "role": "member",
            "has_voting_right": "y",
            "start_date": "2025-01-01",
        },
    )
    assert good.status_code == 302
    from govtool.bodies.models import Membership

    membership = db.session.query(Membership).filter_by(person_id=person.id).one()
    assert client.post(f"/bodies/{body_id}/members/{membership.id}/end").status_code == 302
    db.session.expire_all()
    assert membership.end_date == dt.date.today()  # the row stays as history
    assert not membership.is_current(dt.date.today() + dt.timedelta(days=1))
    client.post("/logout")
    login(world["member"].email)
    assert client.post(f"/bodies/{body_id}/members", data={}).status_code == 403


# ---------------------------------------------------------------- item, attendance, minutes pages


def _held(db, world, status=MeetingStatus.HELD):
    meeting = db.session.get(Meeting, world["meeting"].id)
    meeting.start_at -= dt.timedelta(days=60)
    meeting.end_at -= dt.timedelta(days=60)
    meeting.status = status
    db.session.commit()
    return meeting


def test_overview_links_each_item_page_and_has_no_per_item_forms(world, client, login, db):
    _held(db, world)
    meeting_id, public_id, secret_id = _ids(world)
    login(world["secretary"].email)
    html = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting_id}/items/{public_id}"' in html
    assert f'href="/meetings/{meeting_id}/items/{secret_id}"' in html
    assert f'href="/meetings/{meeting_id}/attendance"' in html
    assert f'href="/meetings/{meeting_id}/minutes"' in html
    assert '/decisions"' not in html and '/actions"' not in html and "-notes" not in html
    page = client.get(f"/meetings/{meeting_id}/items/{public_id}")
    item_html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'action="/meetings/{meeting_id}/items/{public_id}/decisions"' in item_html
    assert f'action="/meetings/{meeting_id}/items/{public_id}/actions"' in item_html
    assert f'action="/meetings/{meeting_id}/items/{public_id}/minutes"' in item_html
    assert f'href="/meetings/{meeting_id}#agenda"' in item_html  # back to the overview
    assert f'href="/meetings/{meeting_id}/items/{secret_id}"' in item_html  # next item


def test_item_page_permissions(world, client, login, db):
    _held(db, world)
    meeting_id, public_id, secret_id = _ids(world)
    login(world["outsider"].email)
    public = client.get(f"/meetings/{meeting_id}/items/{public_id}")
    assert public.status_code == 200
    assert '/decisions"' not in public.get_data(as_text=True)  # no minutes, no forms
    assert client.get(f"/meetings/{meeting_id}/items/{secret_id}").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/attendance").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 403
    client.post("/logout")
    login(world["other_secretary"].email)
    assert client.get(f"/meetings/{meeting_id}/items/{secret_id}").status_code == 403
    assert client.get(f"/meetings/{meeting_id}/attendance").status_code == 403
    assert (
        client.post(
            f"/meetings/{meeting_id}/items/{public_id}/decisions", data={"decision-text": "X"}
        ).status_code
        == 403
    )
    client.post("/logout")
    login(world["member"].email)
    html = client.get(f"/meetings/{meeting_id}/items/{secret_id}").get_data(as_text=True)
    assert "Vertrauliche Personalsache" in html and '/decisions"' not in html
    assert client.get(f"/meetings/{meeting_id}/attendance").status_code == 200
    assert client.get(f"/meetings/{meeting_id}/minutes").status_code == 200
    # An item of another meeting, or none, is not found under this meeting.
    other = make_meeting(world["body"], dt.date.today() + dt.timedelta(days=90))
    db.session.commit()
    assert client.get(f"/meetings/{other.id}/items/{public_id}").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/items/999999").status_code == 404
    assert client.get("/meetings/999999/items/1").status_code == 404


def test_item_forms_show_errors_on_the_item_page_and_redirect_back(world, client, login, db):
    _held(db, world)
    meeting_id, item_id, _ = _ids(world)
    login(world["secretary"].email)
    item_url = f"/meetings/{meeting_id}/items/{item_id}"
    bad = client.post(f"{item_url}/decisions", data={"decision-votes_yes": "-3"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="error-summary"' in html and 'aria-invalid="true"' in html
    assert 'id="decision-text-error"' in html and 'value="-3"' in html  # input kept
    bad_action = client.post(
        f"{item_url}/actions", data={"action-task": "x", "action-responsible_person_id": "999999"}
    )
    assert bad_action.status_code == 422
    assert 'id="action-responsible_person_id-error"' in bad_action.get_data(as_text=True)
    too_many = client.post(
        f"{item_url}/decisions",
        data={
            "decision-text": "Zu viele.",
            "decision-votes_yes": "3",
            "decision-result": "adopted",
        },
    )  # nobody is recorded present: the service's error is shown at the votes field
    assert too_many.status_code == 422
    assert 'id="decision-votes_yes-error"' in too_many.get_data(as_text=True)
    good = client.post(
        f"{item_url}/decisions",
        data={"decision-text": "Angenommen.", "decision-result": "adopted"},
    )
    assert good.status_code == 302 and good.headers["Location"].endswith(f"{item_url}#decisions")
    done = client.post(
        f"{item_url}/actions",
        data={
            "action-task": "Bericht schreiben",
            "action-responsible_person_id": str(world["member"].person_id),
        },
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{item_url}#action-items")
    page = client.get(item_url).get_data(as_text=True)
    assert "Angenommen." in page and "Bericht schreiben" in page
    saved = client.post(
        f"{item_url}/minutes", data={"minutes-notes": "Erörtert.", "minutes-version": "0"}
    )
    assert saved.headers["Location"].endswith(f"{item_url}#minutes")
    overview = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Angenommen." not in overview  # the overview counts, the item page shows
    minutes_page = client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert "Angenommen." in minutes_page and "Erörtert." in minutes_page
    assert "Bericht schreiben" in minutes_page


def test_item_moves_on_its_page_and_edit_returns_there(world, client, login, db):
    meeting_id, public_id, secret_id = _ids(world)
    login(world["secretary"].email)
    item_url = f"/meetings/{meeting_id}/items/{secret_id}"
    moved = client.post(f"{item_url}/move", data={"direction": "up"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(item_url)
    db.session.expire_all()
    assert (
        db.session.get(AgendaItem, secret_id).position
        < db.session.get(AgendaItem, public_id).position
    )
    edited = client.post(f"{item_url}/edit", data={"title": "Personalsache (neu)"})
    assert edited.status_code == 302 and edited.headers["Location"].endswith(item_url)
    assert client.post(f"{item_url}/edit", data={"title": ""}).status_code == 422
    removed = client.post(f"{item_url}/delete")
    assert removed.status_code == 302 and removed.headers["Location"].endswith("#agenda")
    assert client.get(item_url).status_code == 404


def test_attendance_page_records_attendance_and_guests(world, client, login, db):
    meeting = _held(db, world)
    minutes.ensure_participants(meeting)
    db.session.commit()
    participants = list(meeting.participants)
    meeting_id = meeting.id
    login(world["secretary"].email)
    page = client.get(f"/meetings/{meeting_id}/attendance").get_data(as_text=True)
    assert f'name="presence-{participants[0].id}"' in page
    saved = client.post(
        f"/meetings/{meeting_id}/attendance",
        data={f"presence-{p.id}": "present" for p in participants},
    )
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/meetings/{meeting_id}/attendance")
    overview = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"anwesend {len(participants)}" in overview and 'class="quorum"' in overview
    bad_guest = client.post(f"/meetings/{meeting_id}/guests", data={"name": ""})
    assert bad_guest.status_code == 422 and 'id="error-summary"' in bad_guest.get_data(as_text=True)
    guest = client.post(f"/meetings/{meeting_id}/guests", data={"name": "Gerda Gast"})
    assert guest.headers["Location"].endswith(f"/meetings/{meeting_id}/attendance")
    assert "Gerda Gast" in client.get(f"/meetings/{meeting_id}/attendance").get_data(as_text=True)
    client.post("/logout")
    login(world["member"].email)
    page = client.get(f"/meetings/{meeting_id}/attendance").get_data(as_text=True)
    assert "Gerda Gast" in page and 'name="presence-' not in page  # members read only
    assert client.post(f"/meetings/{meeting_id}/attendance", data={}).status_code == 403


def test_amendments_are_recorded_on_the_minutes_page(world, client, login, db):
    meeting = _held(db, world, MeetingStatus.MINUTES_APPROVED)
    meeting_id = meeting.id
    login(world["secretary"].email)
    page = client.get(f"/meetings/{meeting_id}/minutes").get_data(as_text=True)
    assert f'action="/meetings/{meeting_id}/amendments"' in page
    bad = client.post(f"/meetings/{meeting_id}/amendments", data={"text": ""})
    assert bad.status_code == 422 and 'id="error-summary"' in bad.get_data(as_text=True)
    good = client.post(f"/meetings/{meeting_id}/amendments", data={"text": "Tippfehler in TOP 1"})
    assert good.headers["Location"].endswith(f"/meetings/{meeting_id}/minutes#amendments")
    assert "Tippfehler in TOP 1" in client.get(f"/meetings/{meeting_id}/minutes").get_data(
        as_text=True
    )
    assert "1 Berichtigung nach" in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)


def test_invitee_answers_on_the_overview(world, client, login, db):
    meeting = db.session.get(Meeting, world["meeting"].id)
    minutes.ensure_participants(meeting)
    meeting.status = MeetingStatus.INVITED
    db.session.commit()
    login(world["member"].email)
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'action="/meetings/{meeting.id}/respond"' in html
    bad = client.post(f"/meetings/{meeting.id}/respond", data={"response": "maybe"})
    assert bad.status_code == 422 and 'id="error-summary"' in bad.get_data(as_text=True)
    sent = client.post(
        f"/meetings/{meeting.id}/respond", data={"response": "declined", "deputy_name": "Vera V."}
    )
    assert sent.status_code == 302
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'value="Vera V."' in html and '<option selected value="declined">' in html
    assert "Rückmeldungen:" in html and "abgesagt 1" in html
