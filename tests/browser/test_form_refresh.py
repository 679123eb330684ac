"""Forms with refresh buttons (more party slots, update contact choices): in the browser, a
refresh keeps what was typed and offers the chosen organisation's people, and Enter in a text
field still saves (the hidden default button), it does not refresh."""

from __future__ import annotations

from govtool.demo import DEMO_PASSWORD


def test_agreement_form_refresh_and_enter(page, demo, browser_login, axe_check):
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto("/agreements/new")
    page.locator("#title").fill("Kooperation mit dem Burgenlandkreis")
    page.locator("#parties-1-organisation_id").select_option(label="Burgenlandkreis")
    page.get_by_role("button", name="Ansprechpersonen aktualisieren (Vertragspartei 2)").click()
    page.locator("#parties-1-contact_person_id").wait_for()
    assert page.locator("#title").input_value() == "Kooperation mit dem Burgenlandkreis"
    options = page.locator("#parties-1-contact_person_id option").all_inner_texts()
    assert any("(BLK)" in option for option in options)
    assert page.locator("#error-summary").count() == 0  # a refresh is not a save attempt
    axe_check("agreement form after refresh")

    page.locator("#title").press("Enter")  # a save attempt: the term is missing
    page.locator("#error-summary").wait_for()
    assert page.locator("#title").input_value() == "Kooperation mit dem Burgenlandkreis"
