"""Two people edit the same document at once (issue 10, lost updates): the first save wins, the
second gets the 409 comparison page with the saved text beside their own, their input still in
the form; they merge and save. Checked on an agreement draft (two browsers of Halle) and on an
agenda item (the secretary in two tabs); axe-core checks both comparison pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from govtool.agreements.models import Agreement
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.models import Meeting, MeetingStatus
from govtool.demo import DEMO_PASSWORD

pytestmark = pytest.mark.usefixtures("demo")

SHOTS = Path("/tmp/shots")

# Long enough to show that a long paragraph wraps inside its column instead of overflowing.
SAVED_SUBJECT = (
    "Die Stadt Halle (Saale) und das Land vereinbaren die gemeinsame Weiterentwicklung des "
    "kommunalen Bildungsmonitorings; die Stadt liefert jährlich die Daten zur "
    "Kindertagesbetreuung, das Land stellt die Schulstatistik aggregiert je Schule bereit."
)
MY_SUBJECT = (
    "Die Stadt Halle (Saale) baut ihr Bildungsmonitoring aus und berichtet dem Begleitgremium "
    "zweimal im Jahr über den Stand; Grundlage ist der Datenaustauschkatalog."
)


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _save(page, name: str = "Speichern") -> int:
    """Click the save button; the HTTP status of the POST (302 saved, 409 conflict)."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state()
    return answer.value.status


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))  # what the user sees first


def _assert_comparison(page, field_label: str, saved: str, mine: str) -> None:
    """The comparison table has the two headed columns and, for the field, both texts whole."""
    panel = page.get_by_role("region", name="Widersprüchliche Änderungen")
    headers = panel.get_by_role("columnheader").all_inner_texts()
    assert headers[1].startswith("Gespeicherte Fassung") and headers[2].startswith("Ihre Eingabe")
    row = panel.get_by_role("row").filter(has=page.get_by_role("rowheader", name=field_label))
    saved_cell, mine_cell = row.get_by_role("cell").all()
    assert saved_cell.inner_text() == saved and mine_cell.inner_text() == mine
    # the long texts wrap inside their columns: nothing runs past the edge of the page
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow
    page.get_by_role("heading", name="Zusammenführen und speichern").wait_for()


def test_second_writer_of_an_agreement_draft_sees_both_texts_and_merges(
    page, browser, live_server, demo, axe_check
):
    agreement_id = demo.session.scalar(
        sa.select(Agreement.id).where(Agreement.number == "ZV-2022-001")
    )
    edit_url = f"/agreements/{agreement_id}/versions/1/edit"
    # A colleague in Halle, in a browser of her own, opens the same draft.
    colleague_context = browser.new_context(
        base_url=live_server, locale="de-DE", reduced_motion="reduce"
    )
    colleague_context.set_default_timeout(10_000)
    colleague = colleague_context.new_page()
    try:
        _sign_in(colleague, "halle@example.org")
        _sign_in(page, "halle@example.org")
        colleague.goto(edit_url)
        page.goto(edit_url)

        colleague.get_by_label("Gegenstand der Vereinbarung").fill(SAVED_SUBJECT)
        assert _save(colleague) == 302  # saved, redirected to the document
        colleague.get_by_text("Die Änderungen wurden gespeichert.").wait_for()

        page.get_by_label("Gegenstand der Vereinbarung").fill(MY_SUBJECT)
        assert _save(page) == 409
        page.get_by_role("heading", name="Widersprüchliche Änderungen").wait_for()
        _assert_comparison(page, "Gegenstand der Vereinbarung", SAVED_SUBJECT, MY_SUBJECT)
        # what was typed is still in the form, nothing is lost
        assert page.get_by_label("Gegenstand der Vereinbarung").input_value() == MY_SUBJECT
        _shot(page, "conflict-agreement")
        axe_check("agreement draft conflict page")

        merged = f"{SAVED_SUBJECT} Die Stadt berichtet dem Begleitgremium zweimal im Jahr."
        page.get_by_label("Gegenstand der Vereinbarung").fill(merged)
        assert _save(page) == 302  # saved, redirected to the document
        page.get_by_text("Die Änderungen wurden gespeichert.").wait_for()
        assert merged in page.content()

        # the colleague, reloading, finds the merged text
        colleague.goto(edit_url)
        assert colleague.get_by_label("Gegenstand der Vereinbarung").input_value() == merged
    finally:
        colleague_context.close()


def test_secretary_editing_an_agenda_item_in_two_tabs_merges_after_a_conflict(
    page, demo, browser_login, axe_check
):
    # The demo's planned meeting lies in the future: its agenda can still be edited.
    meeting = demo.session.scalars(
        sa.select(Meeting)
        .where(Meeting.status == MeetingStatus.PLANNED)
        .order_by(Meeting.start_at.desc())
    ).first()
    item_id = demo.session.scalar(
        sa.select(AgendaItem.id)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.presenter != "")
        .order_by(AgendaItem.position)
    )
    edit_url = f"/meetings/{meeting.id}/items/{item_id}/edit"
    browser_login("sekretariat@example.org", DEMO_PASSWORD)
    first_tab = page.context.new_page()
    first_tab.goto(edit_url)
    page.goto(edit_url)

    first_tab.get_by_label("Berichterstattung").fill("Dr. Katrin Wagner, Referat 34")
    first_tab.get_by_label("Beschreibung").fill(SAVED_SUBJECT)
    assert _save(first_tab) == 302  # saved, redirected to the item
    first_tab.close()

    page.get_by_label("Beschreibung").fill(MY_SUBJECT)
    page.get_by_label("Geplante Minuten").fill("30")
    assert _save(page) == 409
    _assert_comparison(page, "Beschreibung", SAVED_SUBJECT, MY_SUBJECT)
    assert page.get_by_label("Beschreibung").input_value() == MY_SUBJECT
    assert page.get_by_label("Geplante Minuten").input_value() == "30"
    _shot(page, "conflict-agenda-item")
    axe_check("agenda item conflict page")

    page.get_by_label("Beschreibung").fill(f"{SAVED_SUBJECT}\n\n{MY_SUBJECT}")
    page.get_by_label("Berichterstattung").fill("Dr. Katrin Wagner, Referat 34")
    assert _save(page) == 302
    page.get_by_text("Tagesordnungspunkt gespeichert.").wait_for()
    shown = page.locator("main").inner_text()
    assert SAVED_SUBJECT in shown and MY_SUBJECT in shown and "Referat 34" in shown
