"""A municipality drafts from the standard template, the parties sign, the agreement is in force."""

from __future__ import annotations

import io
import re

from docx import Document

from govtool.agreements.demo import load_templates
from govtool.demo import DEMO_PASSWORD


def _sign(page, browser_login, email: str, short: str, capacity: str = "", axe_check=None) -> None:
    """Sign for `short`; someone other than the named signatory chooses `capacity` ("i. V.")."""
    page.context.clear_cookies()  # sign out: the next user signs in on the same page
    browser_login(email, DEMO_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Kooperation Halle und Land").first.click()  # waiting list
    if axe_check is not None:
        axe_check("sign page")
    if capacity:
        page.get_by_label(capacity, exact=False).check()
        page.get_by_label("anstelle der benannten", exact=False).check()
    else:
        assert page.locator("input[name=capacity]").count() == 0
    page.get_by_label("Ihr Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Jetzt unterzeichnen").click()
    page.get_by_text("unterzeichnet.", exact=False).first.wait_for()


def test_municipality_drafts_parties_sign_and_the_signed_docx_downloads(
    page, demo, browser_login, axe_check
):
    load_templates()
    demo.session.commit()
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto("/agreements/")
    axe_check("agreement list")
    page.get_by_role("link", name="Neue Vereinbarung").click()
    axe_check("agreement form")
    page.get_by_label("Standardvorlage").select_option(
        label="Kooperationsvereinbarung (Land und Modellkommunen) (v1)"
    )
    page.get_by_label("Titel").fill("Kooperation Halle und Land")
    page.get_by_label("Gegenstand der Vereinbarung").fill("Bildungsmonitoring für Halle (Saale)")
    page.get_by_label("Beginn der Laufzeit").fill("2022-09-01")
    page.get_by_label("Ende der Laufzeit").fill("2030-08-31")
    first = page.locator("fieldset", has_text="Vertragspartei 1")
    first.get_by_label("Organisation").select_option(label="Stadt Halle (Saale)")
    first.get_by_label("Pflichten").fill("liefert Daten\nbenennt eine Ansprechperson")
    second = page.locator("fieldset", has_text="Vertragspartei 2")
    second.get_by_label("Organisation").select_option(
        label="Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement"
    )
    second.get_by_label("Rolle in der Vereinbarung").select_option("land")
    second.get_by_label("Pflichten").fill("koordiniert das Modellvorhaben")
    # the authorised signatories are people of the parties: offered once the organisations are in
    page.get_by_role("button", name="Ansprechpersonen aktualisieren").first.click()
    first = page.locator("fieldset", has_text="Vertragspartei 1")
    first.get_by_label("Unterzeichnungsberechtigte Person", exact=True).select_option(
        label="Vogt, Alexander (HAL)"
    )
    second = page.locator("fieldset", has_text="Vertragspartei 2")
    second.get_by_label("Unterzeichnungsberechtigte Person", exact=True).select_option(
        label="Wagner, Katrin (MB-REF34)"
    )
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("heading", name="Kooperation Halle und Land", exact=False).wait_for()
    axe_check("agreement detail")
    # the comment form has its own page, reached from the detail page
    page.get_by_role("link", name="Kommentar hinzufügen").click()
    axe_check("agreement comment page")
    page.get_by_label("Kommentar").fill("Bitte § 3 prüfen")
    page.get_by_role("button", name="Kommentar hinzufügen").click()
    page.get_by_text("Kommentar hinzugefügt.").wait_for()
    assert "Bitte § 3 prüfen" in page.content()
    page.get_by_role("button", name="Zur Unterzeichnung freigeben").click()
    page.get_by_text("Unterzeichnung ausstehend").first.wait_for()

    # Anja Richter signs in place of the Oberbürgermeister the agreement names: i. V.
    _sign(page, browser_login, "halle@example.org", "HAL", capacity="i. V.", axe_check=axe_check)
    axe_check("agreement detail, one signature")
    _sign(page, browser_login, "ministerium@example.org", "MB-REF34")
    status = page.locator("#agreement-status")
    assert "In Kraft" in status.inner_text()
    assert "i. V. Anja Richter" in page.content()

    with page.expect_download() as info:
        page.get_by_role("link", name="DOCX herunterladen").click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert "ENTWURF" not in download.suggested_filename
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(data)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert "Unterzeichnungsvermerk" in "\n".join(
        p.text for p in Document(io.BytesIO(data)).paragraphs
    )
    assert "Anja Richter, Bildungsmanagerin" in text and "i. V. – in Vertretung" in text
    # the signature page and the agreement's page show the same SHA-256 of the signed text
    [digest] = set(re.findall(r"\b[0-9a-f]{64}\b", text))
    assert digest in page.content()

    page.goto("/agreements/verify")
    page.get_by_label("DOCX-Dokument").set_input_files(
        files=[
            {"name": "vereinbarung.docx", "mimeType": "application/octet-stream", "buffer": data}
        ]
    )
    page.get_by_role("button", name="Prüfen").click()
    assert page.locator("#verify-outcome").get_attribute("data-outcome") == "accepted"
    page.goto("/agreements/")
    page.get_by_role("link", name="Kooperation Halle und Land").click()

    # recording a termination has its own page too; an empty form shows the error summary
    page.get_by_role("link", name="Kündigung erfassen").click()
    page.get_by_role("button", name="Kündigung erfassen").click()
    page.locator("#error-summary").wait_for()
    axe_check("agreement termination page with errors")
    page.get_by_role("link", name="Abbrechen").click()
    assert "In Kraft" in page.locator("#agreement-status").inner_text()
