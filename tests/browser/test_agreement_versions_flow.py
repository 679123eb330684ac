"""Consultation → comment → edit → version 2, in the browser: version 1 stays as it was sent and
commented, the comment keeps its version, the compare page shows what changed since; and the
new-agreement form fills the template's standard text when a template is chosen (issue 12)."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from govtool.agreements import services
from govtool.agreements.models import Agreement, VersionStatus
from govtool.agreements.shipped_texts import SHIPPED_TEXTS
from govtool.demo import DEMO_PASSWORD
from tests.agreements.factories import draft

COMMENT = "Bitte in § 3 jährlich statt halbjährlich berichten."


def _switch(page, browser_login, email: str, agreement_id: int) -> None:
    page.context.clear_cookies()  # sign out: the next user signs in on the same page
    browser_login(email, DEMO_PASSWORD)
    page.goto(f"/agreements/{agreement_id}")


def test_editing_a_version_in_consultation_drafts_version_two_and_keeps_version_one(
    page, demo, browser_login, axe_check
):
    agreement = draft(title="Kooperation in Abstimmung")
    agreement_id = agreement.id
    demo.session.commit()

    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto(f"/agreements/{agreement_id}")
    page.get_by_role("button", name="Zur Abstimmung geben").click()
    page.locator("#version-sent").wait_for()
    sent = re.search(r"[0-9a-f]{64}", page.locator("#version-sent").inner_text()).group(0)

    _switch(page, browser_login, "burgenlandkreis@example.org", agreement_id)
    page.get_by_role("link", name="Kommentar hinzufügen").click()
    page.get_by_label("Kommentar").fill(COMMENT)
    page.get_by_role("button", name="Kommentar hinzufügen").click()
    page.get_by_text("Kommentar hinzugefügt.").wait_for()

    _switch(page, browser_login, "halle@example.org", agreement_id)
    page.get_by_role("link", name="Als Fassung 2 bearbeiten").click()
    page.locator("#edit-starts-new-version").wait_for()
    axe_check("agreement edit starting version 2")
    page.get_by_label("Gegenstand der Vereinbarung").fill("Bildungsmonitoring mit Jahresbericht")
    page.get_by_role("button", name="Speichern", exact=True).click()
    page.get_by_text("Fassung 2 mit Ihren Änderungen angelegt").wait_for()
    assert page.url.endswith(f"/agreements/{agreement_id}?version=2")
    comment = page.locator(".comment", has_text=COMMENT)
    assert "Fassung 1" in comment.inner_text()
    axe_check("agreement version 2 with the comment on version 1")

    page.get_by_role("link", name="Änderungen seit Fassung 1 (kommentiert)").click()
    page.locator("#compare-comments").wait_for()
    assert page.locator("ins", has_text="mit Jahresbericht").count() == 1
    assert COMMENT in page.locator("#compare-comments").inner_text()
    axe_check("compare since the commented version")

    # version 1 downloads byte for byte as it was sent
    page.goto(f"/agreements/{agreement_id}?version=1")
    with page.expect_download() as info:
        page.get_by_role("link", name="DOCX herunterladen").click()
    data = open(info.value.path(), "rb").read()
    assert hashlib.sha256(data).hexdigest() == sent

    # sending version 2 out closes the consultation of version 1
    page.goto(f"/agreements/{agreement_id}?version=2")
    page.get_by_role("button", name="Zur Abstimmung geben").click()
    page.locator("#version-sent").wait_for()
    demo.session.expire_all()
    stored = demo.session.scalar(sa.select(Agreement).where(Agreement.id == agreement_id))
    first, second = stored.versions
    assert first.status is VersionStatus.REVISED and first.sent_sha256 == sent
    assert second.status is VersionStatus.IN_REVIEW
    assert [c.text for c in first.comments] == [COMMENT] and second.comments == []
    assert services.download_document(first)[0] == data


def test_choosing_a_template_fills_its_standard_text_into_the_form(
    page, demo, browser_login, axe_check
):
    from govtool.agreements.demo import load_templates

    load_templates()
    demo.session.commit()
    texts = SHIPPED_TEXTS["zielvereinbarung"]
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.goto("/agreements/new")
    page.get_by_label("Gegenstand der Vereinbarung").fill("Eigener Gegenstand")
    first = page.locator("fieldset", has_text="Vertragspartei 1")
    first.get_by_label("Rolle in der Vereinbarung").select_option("agency")
    page.get_by_label("Standardvorlage").select_option(
        label="Zielvereinbarung (Kommune und Begleitagentur) (v1)"
    )
    assert page.get_by_label("Präambel").input_value() == texts["preamble"]
    assert page.get_by_label("Gegenstand der Vereinbarung").input_value() == "Eigener Gegenstand"
    # party 1 is the user's own organisation, preselected: its duties by its role
    assert first.get_by_label("Pflichten").input_value() == "\n".join(texts["duties"]["agency"])
    assert page.locator("#standard-text-status").inner_text()
    axe_check("agreement form with the standard text")


def test_template_admin_edits_the_standard_text(page, demo, browser_login, axe_check):
    from govtool.agreements.demo import load_templates

    load_templates()
    demo.session.commit()
    browser_login("admin@example.org", DEMO_PASSWORD)
    page.goto("/agreements/templates/")
    axe_check("template list with standard text links")
    page.get_by_role("link", name="Standardtext bearbeiten – Zielvereinbarung", exact=False).click()
    page.wait_for_url("**/standard-text")
    axe_check("standard text form")
    page.get_by_label("Pflichten der Begleitagentur").fill("moderiert drei Workshops pro Jahr")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Standardtext von Zielvereinbarung").wait_for()
    demo.session.expire_all()
    from tests.agreements.factories import template

    assert template("zielvereinbarung").standard_duties["agency"] == [
        "moderiert drei Workshops pro Jahr"
    ]
