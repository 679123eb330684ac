"""OParl's `invitation` and `resultsProtocol`: the public versions of the generated invitation
and minutes, read back with python-docx, and served without sign-in."""

from __future__ import annotations

import hashlib
import io

import docx
import sqlalchemy as sa

from govtool.bodies import documents
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.minutes import current_memberships
from govtool.bodies.models import Meeting, MeetingStatus, MembershipRole

SECRET = "GEHEIM-NICHT-OEFFENTLICH"


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _approved(db) -> Meeting:
    meeting = db.session.scalars(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.MINUTES_APPROVED)
    ).first()
    assert meeting is not None and meeting.invitation_sent_at is not None
    return meeting


def _with_secret_item(db, meeting: Meeting) -> None:
    """A non-public item with an internal note and a result, and a note on a public one."""
    db.session.add(
        AgendaItem(
            meeting=meeting,
            position=99,
            number="99",
            title=f"TOP {SECRET}",
            is_public=False,
            notes=f"Notiz {SECRET}",
            result=f"Ergebnis {SECRET}",
        )
    )
    db.session.commit()
    db.session.refresh(meeting)


def _secretary(meeting: Meeting):
    seat = next(
        m
        for m in current_memberships(meeting.body, meeting.date)
        if m.role is MembershipRole.SECRETARY
    )
    return seat.person


def test_public_documents_leave_out_non_public_items_and_personal_contact_data(app, demo):
    meeting = _approved(demo)
    _with_secret_item(demo, meeting)
    secretary = _secretary(meeting)
    assert secretary.email
    office = meeting.body.organisation
    with app.test_request_context():
        internal_minutes = _text(documents.minutes_docx(meeting))
        public_minutes = _text(documents.minutes_docx(meeting, public=True))
        internal_invitation = _text(
            documents.invitation_docx(meeting, meeting.agenda_items, internal=True)
        )
        public_invitation = _text(documents.invitation_docx(meeting, public=True))
    # the internal versions have them (so the checks below can fail)
    assert SECRET in internal_minutes and SECRET in internal_invitation
    assert secretary.email in internal_invitation
    for text in (public_minutes, public_invitation):
        assert SECRET not in text
        for datum in (secretary.email, secretary.phone):
            if datum and datum not in (office.email, office.phone):
                assert datum not in text, datum
        assert office.name in text  # the office is the contact
        public = [i for i in meeting.agenda_items if i.is_public]
        assert public and all(i.title in text for i in public)
    # German practice: the members present are named in public minutes too
    present = [p.name for p in meeting.participants]
    assert present and all(name in public_minutes for name in present)


def test_meeting_files_are_served_with_matching_checksum(client, demo):
    meeting = _approved(demo)
    _with_secret_item(demo, meeting)
    data = client.get(f"/oparl/v1/meeting/{meeting.id}").get_json()
    for key in ("invitation", "resultsProtocol"):
        obj = data[key]
        assert obj["mimeType"] == documents.DOCX_MIME
        path = obj["downloadUrl"].split("://", 1)[1].split("/", 1)[1]
        body = client.get("/" + path)
        assert body.status_code == 200
        assert hashlib.sha512(body.data).hexdigest() == obj["sha512Checksum"]
        assert len(body.data) == obj["size"]
        assert SECRET not in _text(body.data)
        # the same bytes every time (deterministic), and the File object at its own id
        assert client.get("/" + path).data == body.data
        own = obj["id"].split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + own).get_json() == obj


def test_no_results_protocol_before_the_minutes_are_approved(client, demo):
    meeting = _approved(demo)
    meeting.status = MeetingStatus.MINUTES_CIRCULATED  # as before the approval
    demo.session.commit()
    data = client.get(f"/oparl/v1/meeting/{meeting.id}").get_json()
    assert "resultsProtocol" not in data and "invitation" in data
    for url in (
        f"/oparl/v1/meeting/{meeting.id}/results_protocol",
        f"/oparl/v1/meeting/{meeting.id}/results_protocol/download",
        f"/oparl/v1/meeting/{meeting.id}/nothing",
    ):
        assert client.get(url).status_code == 404, url
    planned = demo.session.scalars(
        sa.select(Meeting).where(Meeting.invitation_sent_at.is_(None))
    ).first()
    assert planned is not None
    assert "invitation" not in client.get(f"/oparl/v1/meeting/{planned.id}").get_json()
    assert client.get(f"/oparl/v1/meeting/{planned.id}/invitation/download").status_code == 404
