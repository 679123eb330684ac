"""Approval of the minutes (issue 12): by the chair or deputy chair, never by the secretary; before
the comment deadline only with a recorded reason; or by a decision of a later meeting, with its
number; the DOCX carries the signature block and the approval note."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from govtool.auth.models import Role
from govtool.bodies import agenda, approval, minutes
from govtool.bodies.agenda_models import ItemKind
from govtool.bodies.minutes_models import ApprovalMethod, MinutesApproval
from govtool.bodies.models import Meeting, MeetingStatus, MembershipRole
from govtool.core.audit import AuditEntry
from govtool.core.errors import PermissionDenied, ValidationError
from tests.factories import make_organisation, make_user

from .factories import make_body, make_meeting, make_member_user, make_membership

REASON = "Der Bericht muss vor der Kabinettssitzung freigegeben werden."


@pytest.fixture()
def setting(db):
    """A body with chair, deputy chair, secretary and a member; a meeting held ten days ago whose
    minutes are written and circulated (comments until today + 14 days)."""
    office = make_organisation(city="Magdeburg")
    body = make_body(name="Begleitgremium Genehmigung", short_name="BGG", organisation=office)
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    deputy, _ = make_member_user(body, MembershipRole.DEPUTY_CHAIR)
    member, _ = make_member_user(body, MembershipRole.MEMBER)
    admin = make_user(roles=(Role.ADMIN,))
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=10))
    minutes.ensure_participants(meeting)
    item = next(i for i in meeting.agenda_items if i.kind is ItemKind.OPENING)
    minutes.save_item_minutes(secretary, item, "Die Vorsitzende eröffnet die Sitzung.", "", 0)
    minutes.circulate_minutes(secretary, meeting, days=14)
    db.session.commit()
    return {
        "body": body,
        "meeting": meeting,
        "secretary": secretary,
        "chair": chair,
        "deputy": deputy,
        "member": member,
        "admin": admin,
    }


def _later_meeting(setting, body=None, days_after=5):
    """A meeting after the setting's one, begun (so decisions can be taken)."""
    body = body or setting["body"]
    if body is not setting["body"]:
        make_membership(body, setting["secretary"].person, MembershipRole.SECRETARY)
    day = setting["meeting"].date + dt.timedelta(days=days_after)
    return make_meeting(body, day, number=len(body.meetings) + 10)


def _later_decision(setting, db, *, body=None, result="adopted", later=None):
    """An adopted (or `result`) decision under "Approval of the minutes" of a later meeting."""
    secretary = setting["secretary"]
    later = later or _later_meeting(setting, body)
    item = next(i for i in later.agenda_items if i.kind is ItemKind.PREVIOUS_MINUTES)
    decision = minutes.add_decision(
        secretary, item, {"text": "Die Niederschrift wird genehmigt.", "result": result}
    )
    db.session.commit()
    return decision


def test_the_secretary_cannot_approve_minutes(setting):
    with pytest.raises(PermissionDenied):
        approval.approve_by_chair(setting["secretary"], setting["meeting"], REASON)
    for who in ("member", "admin"):  # an admin account is no chair either
        with pytest.raises(PermissionDenied):
            approval.approve_by_chair(setting[who], setting["meeting"], REASON)
    assert setting["meeting"].status is MeetingStatus.MINUTES_CIRCULATED


def test_before_the_comment_deadline_the_chair_must_give_a_reason(setting, db):
    meeting, chair = setting["meeting"], setting["chair"]
    with pytest.raises(ValidationError) as error:
        approval.approve_by_chair(chair, meeting, "   ")
    assert error.value.field == "reason"
    assert meeting.comment_period_end.strftime("%d.%m.%Y") in error.value.message
    assert not meeting.minutes_locked

    record = approval.approve_by_chair(chair, meeting, REASON)
    db.session.commit()
    assert meeting.minutes_locked and meeting.status is MeetingStatus.MINUTES_APPROVED
    assert record.method is ApprovalMethod.CHAIR and record.is_before_deadline
    assert record.approver_role is MembershipRole.CHAIR and record.reason == REASON
    assert record.comment_period_end == meeting.comment_period_end
    statement = approval.approval_statement(record)
    assert chair.display_name in statement and "vor Ablauf der Anmerkungsfrist" in statement
    # recorded: in the audit log (the insert of the approval, with the reason) ...
    logged = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "MinutesApproval")
    ).all()
    assert len(logged) == 1 and logged[0].changes["reason"]["new"] == REASON
    assert logged[0].user_id is None or logged[0].user_id == chair.id
    # ... and in the history of the minutes
    history = approval.minutes_history(meeting, record)
    assert [e.detail for e in history if REASON in e.detail]
    assert any("Anmerkungen bis" in e.text for e in history)
    # approved once only
    with pytest.raises(PermissionDenied):
        approval.approve_by_chair(chair, meeting, REASON)


def test_after_the_comment_deadline_no_reason_is_needed(setting, db):
    meeting = setting["meeting"]
    on_last_day = meeting.comment_period_end
    with pytest.raises(ValidationError):  # comments are taken up to and including the last day
        approval.approve_by_chair(setting["chair"], meeting, "", today=on_last_day)
    record = approval.approve_by_chair(
        setting["deputy"], meeting, "", today=on_last_day + dt.timedelta(days=1)
    )
    assert not record.is_before_deadline and record.reason == ""
    assert record.approver_role is MembershipRole.DEPUTY_CHAIR
    assert "nach Ablauf der Anmerkungsfrist" in approval.approval_statement(record)
    assert "Stellvertretender Vorsitz" in meeting.approval_note


def test_minutes_never_circulated_need_a_reason_too(db):
    body = make_body()
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    chair, _ = make_member_user(body, MembershipRole.CHAIR)
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=60))
    item = meeting.agenda_items[0]
    minutes.save_item_minutes(secretary, item, "Notizen", "", 0)
    far_later = dt.date.today() + dt.timedelta(days=365)
    with pytest.raises(ValidationError) as error:
        approval.approve_by_chair(chair, meeting, "", today=far_later)
    assert "nicht zur Anmerkung" in error.value.message
    record = approval.approve_by_chair(chair, meeting, "Eilbedürftig", today=far_later)
    assert record.is_before_deadline and record.comment_period_end is None
    assert "ohne Umlauf" in approval.approval_statement(record)


def test_approval_by_a_decision_of_a_later_meeting_records_its_number(setting, db):
    meeting, secretary = setting["meeting"], setting["secretary"]
    decision = _later_decision(setting, db)
    choices = approval.approval_decisions(meeting)
    assert [d.id for d in choices] == [decision.id]
    record = approval.approve_by_decision(secretary, meeting, decision.id)
    db.session.commit()
    assert record.method is ApprovalMethod.DECISION and record.decision_id == decision.id
    assert record.approved_at == decision.meeting.start_at
    statement = approval.approval_statement(record)
    assert f"Beschluss {decision.reference}" in statement
    assert decision.meeting.display_title in statement
    assert decision.reference in meeting.approval_note and meeting.minutes_locked
    logged = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "MinutesApproval")
    ).one()
    assert logged.changes["decision_id"]["new"] == decision.id


def test_only_an_adopted_decision_of_a_later_meeting_of_the_body_approves(setting, db):
    meeting, secretary = setting["meeting"], setting["secretary"]
    rejected = _later_decision(setting, db, result="rejected")
    other_body = make_body()
    foreign = _later_decision(setting, db, body=other_body)
    item = meeting.agenda_items[-1]
    own = minutes.add_decision(secretary, item, {"text": "Eigener", "result": "adopted"})
    assert approval.approval_decisions(meeting) == []
    for decision_id in (rejected.id, foreign.id, own.id, None, 999999):
        with pytest.raises(ValidationError) as error:
            approval.approve_by_decision(secretary, meeting, decision_id)
        assert error.value.field == "decision_id"
    with pytest.raises(PermissionDenied):
        approval.approve_by_decision(setting["member"], meeting, rejected.id)
    assert not meeting.minutes_locked


def _docx(data: bytes):
    return Document(io.BytesIO(data))


def _signature_table(document):
    for table in document.tables:
        text = "\n".join(c.text for r in table.rows for c in r.cells)
        if "Schriftführung" in text:
            return table
    raise AssertionError("no signature block in the DOCX")


def test_minutes_docx_has_signature_block_and_approval_note(setting, db, client, login):
    meeting, chair, secretary = setting["meeting"], setting["chair"], setting["secretary"]
    login(setting["member"].email)
    draft = _docx(client.get(f"/meetings/{meeting.id}/minutes.docx").data)
    block = _signature_table(draft)
    cells = [c.text for r in block.rows for c in r.cells]
    assert chair.display_name in cells and secretary.display_name in cells
    assert "Vorsitz" in cells and "Schriftführung" in cells
    assert cells.count("Magdeburg, den ____________") == 2
    text = "\n".join(p.text for p in draft.paragraphs)
    assert "Die Niederschrift ist noch nicht genehmigt." in text

    approval.approve_by_chair(chair, meeting, REASON)
    db.session.commit()
    document = _docx(client.get(f"/meetings/{meeting.id}/minutes.docx").data)
    text = "\n".join(p.text for p in document.paragraphs)
    today = dt.date.today().strftime("%d.%m.%Y")
    assert f"Genehmigt von {chair.display_name} (Vorsitz) am {today}" in text
    assert f"Begründung der Genehmigung vor Ablauf der Anmerkungsfrist: {REASON}" in text
    block = _signature_table(document)
    cells = [c.text for r in block.rows for c in r.cells]
    assert f"Magdeburg, den {today}" in cells  # the chair's line dated by the approval
    assert "Magdeburg, den ____________" in cells  # the Schriftführung signs by hand
    # kept together: no row splits, every paragraph but the last row's keeps with the next
    for row in block.rows:
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    for row in list(block.rows)[:-1]:
        assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    heading = next(p for p in document.paragraphs if p.text == "Unterschriften")
    assert heading.paragraph_format.keep_with_next


def test_docx_names_the_decision_that_approved(setting, db, client, login):
    meeting = setting["meeting"]
    decision = _later_decision(setting, db)
    approval.approve_by_decision(setting["secretary"], meeting, decision.id)
    db.session.commit()
    login(setting["member"].email)
    document = _docx(client.get(f"/meetings/{meeting.id}/minutes.docx").data)
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"Genehmigt durch Beschluss {decision.reference}" in text


def test_pages_offer_approval_to_the_chair_only(setting, client, login, db):
    meeting = setting["meeting"]
    url = f"/meetings/{meeting.id}/approve"
    login(setting["secretary"].email)
    overview = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="{url}"' not in overview and "Niederschrift genehmigen" not in overview
    assert f"/meetings/{meeting.id}/approve-by-decision" in overview
    assert client.get(url).status_code == 403
    assert client.post(url, data={"reason": REASON, "confirm": "y"}).status_code == 403
    client.post("/logout")

    login(setting["chair"].email)
    overview = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="{url}"' in overview
    page = client.get(url)
    assert page.status_code == 200 and "Anmerkungen" in page.get_data(as_text=True)
    unconfirmed = client.post(url, data={"reason": REASON})
    assert unconfirmed.status_code == 422
    no_reason = client.post(url, data={"confirm": "y"})
    assert no_reason.status_code == 422 and "Grund" in no_reason.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.MINUTES_CIRCULATED
    done = client.post(url, data={"reason": REASON, "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/minutes#history")
    page = client.get(f"/meetings/{meeting.id}/minutes").get_data(as_text=True)
    assert REASON in page and "Verlauf der Niederschrift" in page
    record = db.session.scalar(sa.select(MinutesApproval))
    assert record.approved_by_id == setting["chair"].id


def test_the_decision_page_records_an_approval(setting, client, login, db):
    meeting = setting["meeting"]
    url = f"/meetings/{meeting.id}/approve-by-decision"
    login(setting["member"].email)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(setting["secretary"].email)
    assert "Beschluss" in client.get(url).get_data(as_text=True)
    decision = _later_decision(setting, db)
    page = client.get(url).get_data(as_text=True)
    assert decision.reference in page
    assert client.post(url, data={"decision_id": decision.id}).status_code == 422
    assert client.post(url, data={"decision_id": "x", "confirm": "y"}).status_code == 422
    done = client.post(url, data={"decision_id": decision.id, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).minutes_locked


def test_decisions_under_approval_of_the_minutes_are_offered_first(setting, db):
    secretary = setting["secretary"]
    later = _later_meeting(setting)
    topic = agenda.add_item(secretary, later, {"title": "Bericht"})
    other = minutes.add_decision(secretary, topic, {"text": "Bericht", "result": "adopted"})
    decision = _later_decision(setting, db, later=later)  # taken after, listed first
    assert [d.id for d in approval.approval_decisions(setting["meeting"])] == [
        decision.id,
        other.id,
    ]


def test_the_dashboard_lists_minutes_to_approve_for_the_chairs_only(setting, app):
    from govtool.bodies.dashboard import bodies_panel

    meeting = setting["meeting"]
    with app.test_request_context():
        for who, listed in (("chair", True), ("deputy", True), ("secretary", False)):
            panel = bodies_panel(setting[who])
            assert (meeting in panel["to_approve"]) is listed, who
