"""An administrator erases a person's data (Art. 17 GDPR) in the browser, in German, with
axe-core on the confirmation page, before and after a form error, and on the result."""

from __future__ import annotations

import sqlalchemy as sa

from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Person


def test_admin_erases_a_person_through_the_confirmation_page(
    page, demo, db, browser_login, axe_check
):
    person_id = db.session.scalar(
        sa.select(Person.id).where(Person.email == "sekretariat@example.org")
    )
    browser_login("admin@example.org", DEMO_PASSWORD)
    page.goto(f"/people/{person_id}")
    assert page.get_by_role("link", name="Auskunft nach Art. 15 DSGVO").is_visible()
    page.get_by_role("link", name="Daten löschen (Art. 17 DSGVO)").click()
    page.get_by_role("heading", name="Daten von Maria Schmidt löschen", level=1).wait_for()
    assert page.locator("html").get_attribute("lang") == "de"
    axe_check("erasure confirmation")

    page.get_by_role("button", name="Daten löschen").click()
    page.locator("#error-summary").wait_for()
    assert page.get_by_label("Begründung").get_attribute("aria-invalid") == "true"
    axe_check("erasure confirmation with errors")

    page.get_by_label("Begründung").fill("Antrag der betroffenen Person vom 01.11.2026")
    page.get_by_label("Ich bestätige").check()
    page.get_by_role("button", name="Daten löschen").click()
    page.get_by_role("heading", name=f"Gelöschte Person {person_id}", level=1).wait_for()
    assert page.get_by_role("link", name="Daten löschen (Art. 17 DSGVO)").count() == 0
    axe_check("erased person")
