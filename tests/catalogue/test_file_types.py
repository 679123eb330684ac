"""The catalogue form offers the EU file-type vocabulary for the format; free text from before
(or from an import) is mapped to its type or flagged until a type is chosen."""

from __future__ import annotations

import pytest

from govtool.catalogue.models import CatalogueEntry
from govtool.core.audit import acting_as
from tests.catalogue.factories import make_entry, make_world
from tests.html_helpers import form_with, option_values


@pytest.fixture()
def world(db):
    world = make_world()
    halle = world["users"]["halle"]
    with acting_as(halle):
        world["draft"] = make_entry(halle, world["halle"], [world["ministry"]])
    db.session.commit()
    return world


def _stored_format(db, entry_id: int) -> str:
    db.session.expire_all()
    return db.session.get(CatalogueEntry, entry_id).latest_version.data_format


def _edit_page(client, db, entry: CatalogueEntry, stored: str) -> str:
    entry.latest_version.data_format = stored
    db.session.commit()
    response = client.get(f"/catalogue/{entry.id}/edit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_new_entry_form_offers_the_eu_file_types(client, login, world):
    login("halle@example.org")
    offered = option_values(client.get("/catalogue/new").get_data(as_text=True), "data_format")
    assert offered[0] == ""  # not specified
    for code in ("CSV", "XLSX", "JSON", "GEOJSON", "XML", "PDF", "DOCX", "ODS", "SHP"):
        assert code in offered


def test_free_text_format_is_mapped_to_its_file_type_on_edit(client, login, world, db):
    login("halle@example.org")
    entry = world["draft"]
    html = _edit_page(client, db, entry, "GeoJSON")
    assert form_with(html, "data_format")["data_format"] == ["GEOJSON"]
    assert "kein EU-Dateiformat" not in html
    response = client.post(f"/catalogue/{entry.id}/edit", data=form_with(html, "data_format"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _stored_format(db, entry.id) == "GEOJSON"


def test_unknown_free_text_format_is_flagged_until_a_type_is_chosen(client, login, world, db):
    login("halle@example.org")
    entry = world["draft"]
    html = _edit_page(client, db, entry, "Lochkarte")
    fields = form_with(html, "data_format")
    assert fields["data_format"] == ["Lochkarte"] and "kein EU-Dateiformat" in html
    response = client.post(f"/catalogue/{entry.id}/edit", data=fields)
    assert response.status_code != 302
    assert "ist kein Dateiformat des EU-Vokabulars" in response.get_data(as_text=True)
    assert _stored_format(db, entry.id) == "Lochkarte"  # nothing saved
    fields["data_format"] = ["CSV"]
    assert client.post(f"/catalogue/{entry.id}/edit", data=fields).status_code == 302
    assert _stored_format(db, entry.id) == "CSV"


def test_a_format_outside_the_offered_types_is_refused(client, login, world, db):
    login("halle@example.org")
    entry = world["draft"]
    fields = form_with(_edit_page(client, db, entry, "CSV"), "data_format")
    fields["data_format"] = ["<script>"]
    response = client.post(f"/catalogue/{entry.id}/edit", data=fields)
    assert response.status_code != 302 and response.status_code < 500
    assert _stored_format(db, entry.id) == "CSV"
