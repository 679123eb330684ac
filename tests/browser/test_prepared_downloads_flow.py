"""Issue 15 in a real browser: a large export leads to "Vorbereitete Dateien" (not a saved HTML
page), the file downloads from there, the page passes axe, and a file that is still being prepared
turns "ready" on the open page by itself (the poll and its live status line)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from govtool.core.models import utcnow
from govtool.core.prepared import PreparedFile, build_prepared
from govtool.demo import DEMO_PASSWORD


@pytest.fixture()
def large(live_app):
    previous = live_app.config["GOVTOOL_EXPORT_INLINE_ROWS"]
    live_app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = 1
    yield
    live_app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = previous


def test_a_large_export_is_fetched_from_prepared_files(page, demo, large, browser_login, axe_check):
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto("/catalogue/")
    page.get_by_role("link", name="Excel (XLSX)").click()
    page.wait_for_url("**/downloads/")
    assert "Die Datei wird vorbereitet" in page.locator(".flash-messages").inner_text()
    axe_check("prepared files")
    with page.expect_download() as download:
        page.get_by_role("link", name="Datenaustauschkatalog: Excel (XLSX)").click()
    assert download.value.suggested_filename == "datenaustauschkatalog.xlsx"


def test_the_open_list_turns_ready_by_itself(page, demo, browser_login, db):
    from govtool.auth.models import User

    browser_login("halle@example.org", DEMO_PASSWORD)
    halle = db.session.query(User).filter_by(email="halle@example.org").one()
    waiting = PreparedFile(
        owner_id=halle.id,
        kind="catalogue.export",
        label="Datenaustauschkatalog: Excel (XLSX)",
        parameters={"locale": "de", "fmt": "xlsx", "filters": {}},
        expires_at=utcnow() + dt.timedelta(days=7),
    )
    db.session.add(waiting)
    db.session.commit()
    page.goto("/downloads/")
    status = page.locator("#prepared-status")
    assert status.inner_text() == "1 Datei wird vorbereitet."
    assert status.get_attribute("aria-live") == "polite"
    assert build_prepared(waiting.id) == "ready"  # the job, while the page stays open
    expect(status).to_have_text("Es wird keine Datei vorbereitet.", timeout=15_000)
    assert page.get_by_role("link", name="Datenaustauschkatalog: Excel (XLSX)").is_visible()
