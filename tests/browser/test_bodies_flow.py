"""Bodies (issue 3) in a real browser: the secretary plans a year, builds an agenda, invites,
records attendance, a decision and an action item, approves, downloads the DOCX; axe-core checks
the body page, the meeting overview, the attendance page, an agenda item's page and the minutes."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from docx import Document

from govtool.core.formatting import BERLIN
from govtool.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("demo")


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_secretary_runs_a_meeting_from_plan_to_approved_minutes(page, browser_login, axe_check):
    page.on("dialog", lambda dialog: dialog.accept())  # confirm() of destructive buttons
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Gremien").first.click()
    page.get_by_role("link", name=re.compile("^Begleitgremium Kooperation")).click()
    page.get_by_role("heading", name=re.compile("^Begleitgremium Kooperation"), level=1).wait_for()
    axe_check("body page")

    # Plan the year after next: four quarterly meetings.
    year = dt.date.today().year + 2
    page.get_by_role("link", name="Sitzungsplan für ein Jahr").click()
    axe_check("plan the year")
    page.get_by_label("Jahr").fill(str(year))
    page.get_by_label("Wochentag").select_option("2")
    page.get_by_label("Woche im Zeitraum").fill("6")
    page.get_by_role("button", name="Sitzungen planen").click()
    page.get_by_text("4 Sitzungen geplant.").wait_for()

    # Open the first planned meeting of that year (the demo holds meetings 1 to 5, named alike)
    # and build an agenda of three items.
    page.get_by_role("link", name=re.compile(r"^6\. Sitzung – Begleitgremium")).first.click()
    page.get_by_role("heading", name="Tagesordnung", level=2, exact=True).wait_for()
    for title in ("Bildungsbericht 2026", "Datenaustauschkatalog", "Arbeitsprogramm"):
        form = page.get_by_role("region", name="Tagesordnungspunkt hinzufügen")
        form.get_by_label("Titel", exact=True).fill(title)
        form.get_by_label("Berichterstattung", exact=True).fill("Dr. Katrin Wagner")
        form.get_by_role("button", name="Punkt hinzufügen").click()
        page.get_by_text("Tagesordnungspunkt hinzugefügt.").wait_for()
    # The overview lists the agenda as a table, one row per item with a link to its page.
    numbers = page.locator("table.agenda-table tbody tr td:first-child").all_inner_texts()
    titles = page.locator("table.agenda-table tbody tr td:nth-child(2) a").all_inner_texts()
    assert titles[4:7] == ["Bildungsbericht 2026", "Datenaustauschkatalog", "Arbeitsprogramm"]
    assert numbers[4] == "TOP 5" and numbers[-1] == "TOP 8" and titles[-1] == "Verschiedenes"

    # Invitations to all current members, after the confirmation page that names them.
    page.get_by_role("link", name="Einladungen versenden").click()
    page.get_by_role("heading", name="Einladungen versenden?", level=1).wait_for()
    axe_check("invitation confirmation")
    page.get_by_role("button", name=re.compile(r"Einladungen jetzt versenden")).click()
    page.get_by_text(re.compile(r"\d+ Einladungen versandt\.")).wait_for()

    # The meeting is brought forward to today, then held.
    today = dt.datetime.now(BERLIN).date()
    page.get_by_role("link", name="Bearbeiten oder verlegen").click()
    page.get_by_label("Datum").fill(today.isoformat())
    page.get_by_label("Beginn (Uhrzeit)").fill("00:00")
    page.get_by_label("Ende (Uhrzeit)").fill("23:59")
    page.get_by_role("button", name="Speichern").click()
    # its start (00:00) lies in the past: the form asks first, with what was typed kept
    page.get_by_label("Ja, die Sitzung auf diesen Termin in der Vergangenheit verlegen").check()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text(re.compile("nderungen (wurden )?gespeichert")).wait_for()

    # Attendance on its own page, one click from the overview.
    page.get_by_role("link", name="Anwesenheit erfassen").click()
    page.get_by_role("heading", name="Eingeladene und Anwesenheit", level=1).wait_for()
    selects = page.locator("select[name^='presence-']")
    for index in range(selects.count()):
        selects.nth(index).select_option("present")
    page.get_by_role("button", name="Anwesenheit speichern").click()
    page.get_by_text("Anwesenheit gespeichert.").wait_for()
    assert "Beschlussfähig." in page.locator("p.quorum").inner_text()
    axe_check("attendance page")
    page.get_by_role("link", name="Zurück zur Sitzung").click()
    assert "Beschlussfähig." in page.locator("p.quorum").inner_text()

    # A decision with votes and an action item on TOP 5, on the item's own page.
    page.get_by_role("link", name="Bildungsbericht 2026", exact=True).click()
    page.get_by_role("heading", name="TOP 5 Bildungsbericht 2026", level=1).wait_for()
    page.get_by_text("Beschluss zu TOP 5 erfassen").click()
    page.get_by_role("button", name="Beschluss erfassen").click()  # empty: an error, no decision
    page.locator("#error-summary").get_by_text("Beschlusstext").wait_for()
    page.get_by_label("Beschlusstext").fill("Der Bildungsbericht wird zustimmend beraten.")
    page.get_by_label("Ja", exact=True).fill("5")
    page.get_by_label("Nein", exact=True).fill("0")
    page.get_by_label("Enthaltung", exact=True).fill("1")
    page.get_by_role("button", name="Beschluss erfassen").click()
    page.get_by_text(re.compile(r"Beschluss BG-\d{4}/\d\d erfasst\.")).wait_for()
    page.get_by_role("heading", name="TOP 5 Bildungsbericht 2026", level=1).wait_for()

    page.get_by_text("Aufgabe zu TOP 5 erfassen").click()
    page.get_by_label("Aufgabe", exact=True).fill("Kennzahlen an die Kommunen senden")
    page.get_by_label("Verantwortliche Person").select_option(label="Schulz, Thomas")
    page.get_by_label("Fällig").fill("2030-01-31")
    page.get_by_role("button", name="Aufgabe erfassen").click()
    page.get_by_text("Aufgabe erfasst.").wait_for()
    assert page.get_by_text("Kennzahlen an die Kommunen senden").is_visible()
    axe_check("agenda item page with minutes")
    page.get_by_role("link", name="Zurück zur Tagesordnung").click()
    page.get_by_role("heading", name="Tagesordnung", level=2, exact=True).wait_for()
    axe_check("meeting page with minutes")

    # The secretary does not approve (issue 12): the chair does, on the confirmation page,
    # with a reason since the minutes were never circulated for comments.
    assert page.get_by_role("link", name="Niederschrift genehmigen (Vorsitz)").count() == 0
    assert page.get_by_role("button", name="Niederschrift genehmigen (Vorsitz)").count() == 0
    meeting_url = page.url.split("#")[0]
    page.get_by_role("button", name="Abmelden").click()
    browser_login("ministerium@example.org", DEMO_PASSWORD)
    page.goto(meeting_url)
    page.get_by_role("link", name="Niederschrift genehmigen (Vorsitz)").click()
    approval_heading = re.compile("^Niederschrift .* genehmigen$")
    page.get_by_role("heading", name=approval_heading, level=1).wait_for()
    axe_check("approval page")
    page.get_by_label("Begründung für die Genehmigung zum jetzigen Zeitpunkt").fill(
        "Der Bericht geht morgen an das Kabinett."
    )
    page.get_by_label(re.compile("^Ich genehmige diese Niederschrift")).check()
    page.get_by_role("button", name="Niederschrift genehmigen", exact=True).click()
    page.get_by_text("Niederschrift genehmigt und gesperrt.").wait_for()
    assert page.get_by_text("Der Bericht geht morgen an das Kabinett.").is_visible()
    page.goto(meeting_url)
    axe_check("meeting page, approved")
    page.get_by_role("link", name="Ganze Niederschrift lesen").click()
    assert page.get_by_text("Der Bildungsbericht wird zustimmend beraten.").is_visible()
    axe_check("whole minutes, approved")
    page.get_by_role("link", name="TOP 5 Bildungsbericht 2026").click()
    page.get_by_role("heading", name="TOP 5 Bildungsbericht 2026", level=1).wait_for()
    assert page.get_by_role("button", name="Beschluss erfassen").count() == 0
    axe_check("agenda item page, approved")
    page.get_by_role("link", name="Zurück zur Tagesordnung").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Niederschrift (DOCX)").click()
    text = _docx_text(open(download_info.value.path(), "rb").read())
    assert "Der Bildungsbericht wird zustimmend beraten." in text
    assert "Ja 5, Nein 0, Enthaltung 1" in text
    assert "Kennzahlen an die Kommunen senden" in text
    assert "Katrin Wagner" in text and "Genehmigt von" in text

    page.get_by_role("link", name="Gremien").first.click()
    page.get_by_role("link", name="Alle Aufgaben").click()
    page.get_by_role("heading", name="Aufgaben", level=1).wait_for()
    assert page.get_by_text("Kennzahlen an die Kommunen senden").is_visible()
    axe_check("action items")
    page.get_by_role("link", name="Gremien").first.click()
    axe_check("body list")
    page.goto("/")
    axe_check("dashboard with the bodies panel")
