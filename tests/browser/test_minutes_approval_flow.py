"""Minutes a public body can rely on (issue 12), in a real browser on the demo data: the
secretary cannot approve minutes (no button, 403); the chair (demo login ministerium@example.org,
Dr. Katrin Wagner) approves on a confirmation page, with a reason before the comment deadline,
and the DOCX then carries the signature block and the approval note; on an agenda item's page the
notes typed survive saving a decision, and leaving the page with unsaved notes asks first."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from govtool.auth.models import User
from govtool.bodies import minutes
from govtool.bodies.agenda_models import ItemKind
from govtool.bodies.models import Body, MeetingStatus
from govtool.demo import DEMO_PASSWORD
from tests.bodies.factories import make_meeting

pytestmark = pytest.mark.usefixtures("demo")

SECRETARY, CHAIR = "sekretariat@example.org", "ministerium@example.org"
REASON = "Der Bericht geht vor Ablauf der Frist an das Kabinett."
NOTES = "Frau Richter berichtet über die Datenlieferung der Modellkommunen."


def _held_meeting(db, *, circulate: bool):
    """A Begleitgremium meeting held three days ago with notes on its opening item; circulated
    for comments (two weeks from today) when `circulate`."""
    body = db.session.scalar(sa.select(Body).where(Body.short_name == "BG"))
    secretary = db.session.scalar(sa.select(User).where(User.email == SECRETARY))
    meeting = make_meeting(
        body, dt.date.today() - dt.timedelta(days=3), number=90, title="90. Sitzung des Gremiums"
    )
    minutes.ensure_participants(meeting)
    opening = next(i for i in meeting.agenda_items if i.kind is ItemKind.OPENING)
    meeting.status = MeetingStatus.HELD
    if circulate:
        minutes.save_item_minutes(secretary, opening, "Die Vorsitzende eröffnet.", "", 0)
        minutes.circulate_minutes(secretary, meeting, days=14)
    db.session.commit()
    return meeting, opening


def _docx_parts(data: bytes):
    document = Document(io.BytesIO(data))
    return document, "\n".join(p.text for p in document.paragraphs)


def test_secretary_cannot_approve_the_chair_can_and_the_docx_says_so(
    page, browser_login, axe_check, demo
):
    meeting, _ = _held_meeting(demo, circulate=True)
    meeting_url = f"/meetings/{meeting.id}"

    browser_login(SECRETARY, DEMO_PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("heading", name="Niederschrift", level=2, exact=True).wait_for()
    assert page.get_by_role("link", name=re.compile("Niederschrift genehmigen")).count() == 0
    assert page.get_by_role("button", name=re.compile("Niederschrift genehmigen")).count() == 0
    response = page.goto(f"{meeting_url}/approve")
    assert response is not None and response.status == 403
    # The secretary may record an approval by a later meeting's decision, which needs one first.
    page.goto(meeting_url)
    page.get_by_role("link", name=re.compile("^Genehmigung durch Beschluss")).click()
    page.get_by_text("Keine spätere Sitzung dieses Gremiums").wait_for()
    axe_check("record approval by decision, no decision yet")
    page.get_by_role("button", name="Abmelden").click()

    browser_login(CHAIR, DEMO_PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name="Niederschrift genehmigen (Vorsitz)").click()
    approval_heading = re.compile("^Niederschrift .* genehmigen$")
    page.get_by_role("heading", name=approval_heading, level=1).wait_for()
    assert page.get_by_text("Die Mitglieder können noch bis zum").is_visible()
    axe_check("approval page before the comment deadline")
    # The box is the confirmation: without it (and without a reason) nothing is approved.
    page.get_by_role("button", name="Niederschrift genehmigen", exact=True).click()
    page.locator("#error-summary").wait_for()
    assert page.get_by_text("Bitte bestätigen Sie die Genehmigung.").first.is_visible()
    page.get_by_label(re.compile("^Ich genehmige diese Niederschrift")).check()
    page.get_by_role("button", name="Niederschrift genehmigen", exact=True).click()
    page.locator("#error-summary").wait_for()
    assert page.locator("#reason-error").inner_text().startswith("Die Mitglieder können")
    axe_check("approval page with errors")
    page.get_by_label("Begründung für die Genehmigung zum jetzigen Zeitpunkt").fill(REASON)
    page.get_by_label(re.compile("^Ich genehmige diese Niederschrift")).check()
    page.get_by_role("button", name="Niederschrift genehmigen", exact=True).click()
    page.get_by_text("Niederschrift genehmigt und gesperrt.").wait_for()
    history = page.locator(".minutes-history")
    assert "Genehmigt von Dr. Katrin Wagner (Vorsitz)" in history.inner_text()
    assert REASON in history.inner_text()
    axe_check("minutes with their history, approved")

    page.goto(meeting_url)
    assert page.get_by_role("link", name="Niederschrift genehmigen (Vorsitz)").count() == 0
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Niederschrift (DOCX)").click()
    document, text = _docx_parts(open(download_info.value.path(), "rb").read())
    today = dt.date.today().strftime("%d.%m.%Y")
    assert f"Genehmigt von Dr. Katrin Wagner (Vorsitz) am {today} vor Ablauf" in text
    assert f"Begründung der Genehmigung vor Ablauf der Anmerkungsfrist: {REASON}" in text
    block = next(t for t in document.tables if "Schriftführung" in t.rows[-1].cells[1].text)
    cells = [[c.text for c in row.cells] for row in block.rows]
    assert cells[0] == [f"Magdeburg, den {today}", "Magdeburg, den ____________"]
    assert cells[-2] == ["Dr. Katrin Wagner", "Maria Schmidt"]
    assert cells[-1] == ["Vorsitz", "Schriftführung"]
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in block.rows)


def test_notes_typed_on_the_item_page_survive_saving_a_decision(
    page, browser_login, axe_check, demo
):
    meeting, opening = _held_meeting(demo, circulate=False)
    browser_login(SECRETARY, DEMO_PASSWORD)
    page.goto(f"/meetings/{meeting.id}/items/{opening.id}")
    page.get_by_role("heading", name=re.compile("^TOP 1 "), level=1).wait_for()
    page.get_by_label("Notizen").fill(NOTES)

    # Leaving the page with the notes unsaved asks first; staying keeps them.
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Zurück zur Tagesordnung").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.get_by_label("Notizen").input_value() == NOTES

    # Recording a decision saves the notes typed above it (no question on submitting).
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected {dialog.type} dialog"))
    page.get_by_text("Beschluss zu TOP 1 erfassen").click()
    page.get_by_label("Beschlusstext").fill("Die Tagesordnung wird festgestellt.")
    page.get_by_role("button", name="Beschluss erfassen").click()
    page.get_by_text(re.compile(r"Beschluss BG-\d{4}/\d\d erfasst\.")).wait_for()
    assert page.get_by_text("Niederschrift zu TOP 1 gespeichert.").is_visible()
    assert page.get_by_label("Notizen").input_value() == NOTES
    assert page.get_by_text("Die Tagesordnung wird festgestellt.").is_visible()
    axe_check("agenda item page after a decision")

    # Saving the notes keeps an action item typed but not recorded yet.
    page.get_by_label("Notizen").fill(NOTES + " Ergänzt.")
    page.get_by_text("Aufgabe zu TOP 1 erfassen").click()
    page.get_by_label("Aufgabe", exact=True).fill("Protokollauszug versenden")
    page.get_by_role("button", name="Niederschrift zu TOP 1 speichern").click()
    page.get_by_text("Niederschrift zu TOP 1 gespeichert.").wait_for()
    assert page.get_by_label("Aufgabe", exact=True).input_value() == "Protokollauszug versenden"
    assert page.get_by_label("Notizen").input_value() == NOTES + " Ergänzt."
    demo.session.expire_all()
    assert demo.session.get(type(opening), opening.id).notes == NOTES + " Ergänzt."
