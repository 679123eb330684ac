"""Issue 13 in a real browser: the audit log fits a 1280 px screen (no horizontal scroll, also
with field changes opened) and passes axe; the filter by who acted works from the form; a user
whose password an admin set is led to the change page and can go on after changing it."""

from __future__ import annotations

import re

from govtool.auth.models import Role
from govtool.demo import DEMO_PASSWORD
from tests.factories import make_user


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_audit_log_fits_1280_px_and_passes_axe(page, demo, browser_login, axe_check):
    page.set_viewport_size({"width": 1280, "height": 900})
    browser_login("admin@example.org", DEMO_PASSWORD)
    page.goto("/audit/?per_page=100")
    assert page.locator("table.audit-table tbody tr").count() > 20
    assert _scroll_width(page) <= 1280
    # open every disclosure of field changes: long values wrap, still no horizontal scroll
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.locator("details[open]").count() > 10
    assert _scroll_width(page) <= 1280
    axe_check("audit log, 1280 px, details open")

    # the filter by who acted, from the form
    page.get_by_label("Wer hat gehandelt").select_option(label="admin@example.org")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r"user=\d+"))
    who = page.locator("table.audit-table tbody tr td:nth-child(2)").all_inner_texts()
    assert who and set(who) == {"admin@example.org"}
    assert _scroll_width(page) <= 1280
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_first_sign_in_with_an_admin_set_password_leads_to_the_change_page(
    page, db, browser_login, axe_check
):
    make_user(
        "neu@example.org", (Role.MEMBER,), password="vom-admin-gesetzt", must_change_password=True
    )
    db.session.commit()
    browser_login("neu@example.org", "vom-admin-gesetzt")
    assert "/password/change" in page.url
    axe_check("password change at first sign-in")
    page.goto("/catalogue/")
    assert "/password/change" in page.url
    page.get_by_label("Aktuelles Passwort").fill("vom-admin-gesetzt")
    page.get_by_label("Neues Passwort", exact=True).fill("mein-eigenes-passwort")
    page.get_by_label("Neues Passwort wiederholen").fill("mein-eigenes-passwort")
    page.get_by_role("button", name="Passwort ändern").click()
    page.wait_for_url(lambda url: "/password/change" not in url)
    assert "/catalogue/" in page.url
    # a used or broken link gets a page that offers a new one, and passes axe
    page.goto("/password/set/kaputt")
    assert page.get_by_role("link", name="Neuen Link anfordern").is_visible()
    axe_check("broken password link")
