"""The secretary's first steps in a real browser, and axe-core on the foundation pages."""

from __future__ import annotations

import re

from govtool.demo import DEMO_PASSWORD


def test_secretary_creates_an_organisation_and_switches_language(
    page, demo, browser_login, axe_check
):
    page.goto("/login")
    axe_check("login")
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    page.get_by_role("heading", name="Übersicht").wait_for()
    axe_check("dashboard")

    page.get_by_role("link", name="Organisationen").first.click()
    page.get_by_role("heading", name="Organisationen", level=1).wait_for()
    axe_check("organisation list")

    page.get_by_role("link", name="Neue Organisation").click()
    axe_check("organisation form")
    page.get_by_label("Name", exact=True).fill("Stadt Weißenfels")
    page.get_by_label("Kurzbezeichnung").fill("WSF")
    page.get_by_label("Art").select_option("municipality")
    page.get_by_label("E-Mail").fill("bildung@weissenfels.de")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("heading", name="Stadt Weißenfels").wait_for()

    page.get_by_role("link", name="Organisationen").first.click()
    page.get_by_role("searchbox", name="Suche").fill("Weißen")
    page.get_by_role("button", name="Filtern").click()
    assert page.get_by_role("link", name="Stadt Weißenfels").is_visible()

    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Organisations", level=1).wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Stadt Weißenfels").is_visible()  # filters kept
    page.get_by_role("button", name="Deutsch").click()
    page.get_by_role("heading", name="Organisationen", level=1).wait_for()
    assert page.locator("html").get_attribute("lang") == "de"


def test_form_errors_are_announced_and_input_kept(page, demo, browser_login, axe_check):
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    page.goto("/organisations/new")
    page.get_by_label("Kurzbezeichnung").fill("NEU")
    page.get_by_label("E-Mail").fill("keine-adresse")
    page.get_by_role("button", name="Speichern").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.get_by_label("Kurzbezeichnung").input_value() == "NEU"
    assert page.get_by_label("E-Mail").get_attribute("aria-invalid") == "true"
    axe_check("organisation form with errors")


def test_wrong_password_in_the_browser(page, demo):
    page.goto("/login")
    page.get_by_label("E-Mail").fill("sekretariat@example.org")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_text(re.compile("Passwort ist falsch")).is_visible()
    assert page.url.endswith("/login")
