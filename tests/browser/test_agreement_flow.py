"""A municipality drafts from the standard template, the parties sign, the agreement is in force."""

from __future__ import annotations

import hashlib

from govtool.agreements.demo import load_templates
from govtool.demo import DEMO_PASSWORD


def _sign(page, browser_login, email: str, short: str) -> None:
    page.context.clear_cookies()  # sign out: the next user signs in on the same page
    browser_login(email, DEMO_PASSWORD)
    page.goto("/agreements/")
    page.get_by_role("link", name="Kooperation Halle und Land").click()
    page.get_by_role("link", name=f"Für {short} unterzeichnen").click()
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
    first.get_by_label("Unterzeichnende Person (Name)").fill("Anja Richter")
    first.get_by_label("Pflichten").fill("liefert Daten\nbenennt eine Ansprechperson")
    second = page.locator("fieldset", has_text="Vertragspartei 2")
    second.get_by_label("Organisation").select_option(
        label="Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement"
    )
    second.get_by_label("Rolle in der Vereinbarung").select_option("land")
    second.get_by_label("Unterzeichnende Person (Name)").fill("Dr. Katrin Wagner")
    second.get_by_label("Pflichten").fill("koordiniert das Modellvorhaben")
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

    _sign(page, browser_login, "halle@example.org", "HAL")
    _sign(page, browser_login, "ministerium@example.org", "MB-REF34")
    status = page.locator("#agreement-status")
    assert "In Kraft" in status.inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="DOCX herunterladen").click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert "ENTWURF" not in download.suggested_filename
    digest = hashlib.sha256(data).hexdigest()
    assert digest in page.content()  # the page shows the hash of the signed document

    # recording a termination has its own page too; an empty form shows the error summary
    page.get_by_role("link", name="Kündigung erfassen").click()
    page.get_by_role("button", name="Kündigung erfassen").click()
    page.locator("#error-summary").wait_for()
    axe_check("agreement termination page with errors")
    page.get_by_role("link", name="Abbrechen").click()
    assert "In Kraft" in page.locator("#agreement-status").inner_text()
