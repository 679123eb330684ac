"""Catalogue in a real browser: a municipality proposes, the ministry approves from the queue,
the entry appears on the data-flow map and in the DCAT-AP.de export; axe-core on every page."""

from __future__ import annotations

import json

import sqlalchemy as sa

from govtool.auth.models import User
from govtool.catalogue import workflow
from govtool.catalogue.models import CatalogueEntry
from govtool.core.audit import acting_as
from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Organisation
from tests.catalogue.factories import make_entry


def test_municipality_submits_ministry_approves_entry_reaches_map_and_dcat(
    page, demo, browser_login, axe_check
):
    browser_login("halle@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Datenaustauschkatalog").first.click()
    page.get_by_role("heading", name="Datenaustauschkatalog", level=1).wait_for()
    axe_check("catalogue list")

    page.get_by_role("link", name="Neuer Eintrag").click()
    page.get_by_role("heading", name="Neuer Katalogeintrag").wait_for()
    axe_check("entry form")
    page.get_by_label("Titel", exact=True).fill("Schuleingangsuntersuchungen aggregiert")
    page.locator("#description").fill("Befunde je Grundschulbezirk, in Summen.")
    page.get_by_label("Referat 34 – Bildungsmonitoring und kommunales Bildungsmanagement").check()
    page.locator("#items-0-name").fill("Grundschulbezirk")
    page.locator("#items-0-unit").fill("Schulbezirksschlüssel")
    page.locator("#items-1-name").fill("Kinder mit Förderbedarf")
    page.locator("#items-1-unit").fill("Anzahl")
    page.get_by_label("Personenbezug", exact=True).select_option("aggregated")
    page.get_by_label("Fallzahlregel: Felder sperren unter").fill("5")
    page.get_by_label("Zweck", exact=True).fill("Planung der Förderangebote vor der Einschulung.")
    page.get_by_label("Rechtsgrundlage", exact=True).select_option("school_law")
    page.get_by_label("Angeführte Rechtsnorm").fill("§ 37 Schulgesetz LSA")
    page.get_by_label("Aufbewahrungs- und Löschfrist (empfangende Stellen)").fill("drei Jahre")
    page.get_by_label("Format", exact=True).select_option("CSV")  # the EU file types
    page.get_by_role("button", name="Speichern").click()
    heading = page.get_by_role("heading", level=1)
    heading.wait_for()
    identifier = heading.inner_text().split(":")[0]
    assert identifier.startswith("DX-")
    axe_check("entry page (draft)")
    page.get_by_role("button", name="Zur Prüfung einreichen").click()
    page.get_by_text("Zur Prüfung eingereicht.").wait_for()
    page.get_by_role("button", name="Abmelden").click()

    browser_login("ministerium@example.org", DEMO_PASSWORD)
    page.get_by_role("link", name="Prüfeingang").first.click()
    page.get_by_role("heading", name="Prüfeingang", level=1).wait_for()
    axe_check("review queue")
    page.get_by_role("link", name=f"{identifier} prüfen").click()
    page.get_by_role("heading", name=f"{identifier} prüfen, Fassung 1").wait_for()
    axe_check("decision page")
    for item in (
        "Zweck angegeben",
        "Rechtsgrundlage benannt",
        "Datenminimierung beachtet",
        "Aufbewahrungs- und Löschfristen festgelegt",
        "Fallzahlregel für aggregierte Daten",
    ):
        page.get_by_label(item).check()
    page.get_by_role("radio", name="Freigeben").check()
    page.get_by_label("Kommentar", exact=True).fill("Geprüft, freigegeben.")
    page.get_by_role("button", name="Entscheidung festhalten").click()
    page.get_by_text("Fassung 1 freigegeben").wait_for()

    page.goto("/catalogue/map")
    page.get_by_role("heading", name="Datenflusskarte", level=1).wait_for()
    axe_check("data-flow map")
    arrow = page.locator(f"svg a[aria-label^='{identifier}:']")
    assert arrow.count() == 1
    arrow.locator("text").click()  # the letter on the arrow is its click target
    page.get_by_role(
        "heading", name=f"{identifier}: Schuleingangsuntersuchungen aggregiert"
    ).wait_for()
    axe_check("entry page (approved)")

    response = page.request.get("/catalogue/dcat.jsonld")
    document = json.loads(response.text())
    identifiers = [n.get("dct:identifier") for n in document["@graph"]]
    assert identifier in identifiers

    page.goto("/catalogue/import")
    axe_check("import page")


def test_reviewer_starts_review_and_approves_personal_data_only_with_a_justification(
    page, demo, browser_login, axe_check
):
    """Issue 12: "Prüfung beginnen" opens the decision form, nothing is preselected, and personal
    data without a completed DPIA is approved only with a confirmation and a justification,
    which the entry's history then shows; a DPIA needed but not completed refuses approval."""
    halle = demo.session.scalar(sa.select(User).filter_by(email="halle@example.org"))
    ministry = demo.session.scalar(sa.select(Organisation).filter_by(short_name="MB-REF34"))
    with acting_as(halle):
        entry = make_entry(
            halle,
            halle.organisation,
            [ministry],
            title="Teilnahme an Elternabenden",
            data_subjects="Eltern der Grundschulkinder",
            personal_data_level="pseudonymised",
            dpia_required=False,
        )
        workflow.submit(halle, entry)
    demo.session.commit()
    identifier = entry.identifier

    browser_login("ministerium@example.org", DEMO_PASSWORD)
    page.goto("/catalogue/review/")
    page.get_by_role("link", name=f"{identifier} prüfen").click()
    page.get_by_role("button", name="Prüfung beginnen").click()
    page.get_by_text("Sie prüfen jetzt diesen Eintrag.").wait_for()
    assert page.url.endswith(f"/catalogue/{entry.id}/decide#decide")  # the form, not the entry
    for option in ("Freigeben", "Änderungen anfordern", "Ablehnen"):
        assert not page.get_by_role("radio", name=option).is_checked()
    axe_check("decision page with the DPIA question")

    for item in (
        "Zweck angegeben",
        "Rechtsgrundlage benannt",
        "Datenminimierung beachtet",
        "Aufbewahrungs- und Löschfristen festgelegt",
        "DSFA bei personenbezogenen Daten",
    ):
        page.get_by_label(item).check()
    page.get_by_role("button", name="Entscheidung festhalten").click()
    page.get_by_text("Bitte wählen Sie eine Entscheidung.").first.wait_for()
    assert page.get_by_label("Zweck angegeben").is_checked()  # nothing lost

    page.get_by_role("radio", name="Freigeben").check()
    page.get_by_label("Begründung", exact=True).fill(
        "Schwellwertanalyse vom 01.12.2026: kein hohes Risiko."
    )
    page.get_by_role("button", name="Entscheidung festhalten").click()
    page.get_by_text("bestätigen Sie dies ausdrücklich").first.wait_for()
    axe_check("decision page with an error")
    assert (
        page.get_by_label("Begründung", exact=True)
        .input_value()
        .strip()
        .startswith("Schwellwertanalyse")
    )

    page.get_by_label(
        "Ich bestätige: Ich gebe personenbezogene Daten ohne abgeschlossene DSFA frei."
    ).check()
    page.get_by_role("button", name="Entscheidung festhalten").click()
    page.get_by_text("Fassung 1 freigegeben").wait_for()

    page.goto(f"/catalogue/{entry.id}")
    page.get_by_text("Freigegeben ohne abgeschlossene DSFA. Begründung:").first.wait_for()
    assert "Schwellwertanalyse vom 01.12.2026" in page.content()
    axe_check("entry page with the recorded justification")

    # the demo's children's data with a DPIA in progress: approval refused, with the reason
    children = demo.session.scalar(sa.select(CatalogueEntry).filter_by(identifier="DX-2025-009"))
    page.goto(f"/catalogue/{children.id}/decide")
    page.get_by_text("Freigabe nicht möglich:").wait_for()
    for item in (
        "Zweck angegeben",
        "Rechtsgrundlage benannt",
        "Datenminimierung beachtet",
        "Aufbewahrungs- und Löschfristen festgelegt",
        "DSFA bei personenbezogenen Daten",
    ):
        page.get_by_label(item).check()
    page.get_by_role("radio", name="Freigeben").check()
    page.get_by_role("button", name="Entscheidung festhalten").click()
    page.locator("#decision-error").get_by_text("Art. 35 Abs. 1 DSGVO").wait_for()
    demo.session.expire_all()
    assert demo.session.get(CatalogueEntry, children.id).approved_number is None
