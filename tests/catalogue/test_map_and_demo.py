"""The data-flow map on the demo data, the demo entries themselves, and the dashboard panel."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sqlalchemy as sa

from govtool.catalogue.demo import load_catalogue_demo
from govtool.catalogue.models import CatalogueEntry, EntryStatus
from govtool.demo import DEMO_PASSWORD

SVG = "{http://www.w3.org/2000/svg}"


def test_demo_holds_eight_realistic_entries_several_approved_and_loads_idempotently(demo):
    entries = demo.session.scalars(sa.select(CatalogueEntry)).all()
    assert len(entries) >= 8
    titles = " ".join(e.latest_version.title for e in entries)
    for topic in (
        "Schulstatistik",
        "Schulbegleitung",
        "Ganztag",
        "Hilfen zur Erziehung",
        "Schulweg",
    ):
        assert topic in titles
    assert sum(e.status == EntryStatus.APPROVED for e in entries) >= 5
    assert {e.provider.short_name for e in entries} >= {"HAL", "BLK", "BK", "LSCHA", "LJA"}
    assert any(e.has_pending_change for e in entries)
    assert load_catalogue_demo() == {"catalogue entries": 0}


def test_map_renders_demo_data_as_valid_svg_with_text_alternative(client, demo):
    client.post("/login", data={"email": "halle@example.org", "password": DEMO_PASSWORD})
    response = client.get("/catalogue/map.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text and root.find(f"{SVG}desc").text
    assert root.get("aria-labelledby") == "map-title map-desc"
    links = root.findall(f".//{SVG}a")
    approved = demo.session.scalars(
        sa.select(CatalogueEntry).where(CatalogueEntry.status == EntryStatus.APPROVED)
    ).all()
    expected = sum(len(e.approved_version.recipients) for e in approved)
    assert len(links) == expected
    hrefs = {a.get("href").rsplit("/", 1)[1] for a in links}
    assert hrefs == {str(e.id) for e in approved}
    # Not colour alone: every arrow has a title and a letter; levels differ in line pattern.
    assert all(a.find(f"{SVG}title") is not None and a.find(f"{SVG}text").text for a in links)
    dashes = {a.find(f"{SVG}path").get("stroke-dasharray") for a in links}
    assert len(dashes) >= 3  # none (solid), aggregated, pseudonymised

    page = client.get("/catalogue/map").get_data(as_text=True)
    assert "<svg" in page and "<caption>" in page
    for entry in approved:
        assert entry.identifier in page  # the flow table lists every approved entry
    assert "Sprachstandsfeststellung" not in page  # not approved


def test_dashboard_shows_the_catalogue_panel_and_queue_to_the_ministry(client, demo):
    client.post("/login", data={"email": "ministerium@example.org", "password": DEMO_PASSWORD})
    page = client.get("/").get_data(as_text=True)
    assert "/catalogue/review/" in page
    client.post("/logout")
    client.post("/login", data={"email": "halle@example.org", "password": DEMO_PASSWORD})
    page = client.get("/").get_data(as_text=True)
    assert "/catalogue/map" in page and "/catalogue/review/" not in page
