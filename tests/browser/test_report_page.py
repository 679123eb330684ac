"""The body's activity report page in the browser: axe-core on the form, clean and with a period
error, and the DOCX download once the period is right."""

from __future__ import annotations

import sqlalchemy as sa

from govtool.bodies.models import Body
from govtool.demo import DEMO_PASSWORD


def test_report_page_has_no_serious_violations(page, demo, browser_login, axe_check):
    body = demo.session.scalar(sa.select(Body).where(Body.short_name == "BG"))
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    page.goto(f"/bodies/{body.id}")
    page.get_by_role("link", name="Zeitraum des Berichts wählen").click()
    page.get_by_role("heading", level=1).wait_for()
    axe_check("report form")
    page.goto(f"/bodies/{body.id}/report?from=2026-05-01&until=2026-04-01")
    axe_check("report form with errors")
    assert page.get_by_label("Bis").get_attribute("aria-invalid") == "true"
    page.get_by_label("Bis").fill("2026-06-30")
    with page.expect_download() as download:
        page.get_by_role("button", name="Bericht herunterladen (DOCX)").click()
    assert download.value.suggested_filename.startswith("Bericht_BG_")
