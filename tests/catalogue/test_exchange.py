"""Exports (CSV, XLSX, JSON, DOCX), DCAT-AP.de JSON-LD, and the all-or-nothing import."""

from __future__ import annotations

import csv
import io
import json

import docx
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from rdflib import Graph, URIRef

from govtool.catalogue import exchange, workflow
from govtool.catalogue.models import CatalogueEntry
from govtool.core.audit import acting_as
from tests.catalogue.factories import make_entry, make_world

ALL_CHECKS = [key for key, _ in workflow.CHECKLIST]


@pytest.fixture()
def world(db):
    world = make_world()
    halle_user, ministry = world["users"]["halle"], world["users"]["ministry"]
    with acting_as(halle_user):
        approved = make_entry(halle_user, world["halle"], [world["ministry"], world["blk"]])
        workflow.submit(halle_user, approved)
        draft = make_entry(
            halle_user,
            world["halle"],
            [world["ministry"]],
            title="Ganztag Entwurf",
            personal_data_level="none",
            small_number_threshold=None,
            frequency="quarterly",
        )
    with acting_as(ministry):
        workflow.approve(ministry, approved, checklist=ALL_CHECKS)
    db.session.commit()
    world["approved"], world["draft"] = approved, draft
    return world


def _csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _delete_all_entries(db):
    for entry in db.session.scalars(sa.select(CatalogueEntry)).all():
        db.session.delete(entry)
    db.session.commit()


def test_csv_import_csv_round_trips_the_same_rows(client, login, world, db):
    login("halle@example.org")
    first = client.get("/catalogue/export.csv?variant=technical")
    assert first.status_code == 200 and first.mimetype == "text/csv"
    rows = _csv_rows(first.data)
    assert {r["identifier"] for r in rows} == {
        world["approved"].identifier,
        world["draft"].identifier,
    }
    _delete_all_entries(db)
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(first.data), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    again = _csv_rows(client.get("/catalogue/export.csv?variant=technical").data)
    content = [c for c in exchange.IMPORT_COLUMNS]
    assert [{c: r[c] for c in content} for r in again] == [{c: r[c] for c in content} for r in rows]
    # Imported rows are drafts (an import never bypasses the review).
    assert {r["status"] for r in again} == {"draft"}


def test_xlsx_export_imports_again(client, login, world, db):
    login("halle@example.org")
    content = client.get("/catalogue/export.xlsx").data
    sheet = load_workbook(io.BytesIO(content)).active
    assert [c.value for c in sheet[1]][:3] == [
        "Kennung",
        "Datenbereitstellende Stelle",
        "Datenempfangende Stellen",
    ]
    assert sheet.max_row == 3
    _delete_all_entries(db)
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(content), "katalog.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id))) == 2


def test_import_with_one_bad_row_saves_nothing_and_names_the_row(client, login, world, db):
    login("halle@example.org")
    rows = _csv_rows(client.get("/catalogue/export.csv?variant=technical").data)
    for index, row in enumerate(rows):
        row["identifier"] = f"DX-2030-{index + 1:03d}"
    rows.append(dict(rows[0], identifier="DX-2030-099", frequency="fortnightly"))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=exchange.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    before = db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id)))
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(out.getvalue().encode()), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "4" in page and "frequency" in page and "fortnightly" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id))) == before


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("katalog.xlsx", b"this is not a zip file"),
        ("katalog.csv", b"\xff\xfe\x00\x00garbage"),
        ("katalog.pdf", b"%PDF-1.4"),
        ("katalog.csv", b""),
        ("katalog.csv", b"foo,bar\n1,2\n"),
    ],
)
def test_malformed_files_get_a_clear_4xx(client, login, world, db, filename, content):
    login("halle@example.org")
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert 'id="import-errors"' in response.get_data(as_text=True)


def test_import_for_another_organisation_is_refused(client, login, world, db):
    login("blk@example.org")
    content = exchange.to_csv([world["approved"].approved_version])
    text = content.decode("utf-8-sig").replace(world["approved"].identifier, "DX-2031-001")
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(text.encode()), "k.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "provider" in response.get_data(as_text=True)


def test_json_and_docx_exports_follow_the_filter(client, login, world, db):
    login("ministerium@example.org")
    data = json.loads(client.get("/catalogue/export.json?frequency=quarterly").data)
    assert data["count"] == 1 and data["entries"][0]["title"] == "Ganztag Entwurf"
    assert data["entries"][0]["data_items"][0]["name"] == "Gemeindeschlüssel"
    response = client.get("/catalogue/export.docx?status=approved")
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert world["approved"].identifier in text and "Schulstatistik nach Gemeinden" in text
    assert "Ganztag Entwurf" not in text
    tables = docx.Document(io.BytesIO(response.data)).tables
    # tables[0] is the letterhead's reference line
    assert tables and "Schülerzahl" in [c.text for row in tables[-1].rows for c in row.cells]


DCAT = "http://www.w3.org/ns/dcat#"
MANDATORY = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcatde: <http://dcat-ap.de/def/dcatde/>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
SELECT ?dataset WHERE {
  ?catalog a dcat:Catalog ; dcat:dataset ?dataset .
  ?dataset a dcat:Dataset ;
    dct:title ?title ; dct:description ?description ; dct:publisher ?publisher ;
    dcat:contactPoint ?contact ; dcat:keyword ?keyword ; dcat:theme ?theme ;
    dct:accrualPeriodicity ?frequency ; dcatde:politicalGeocodingLevelURI ?level ;
    dct:temporal ?temporal ; dct:accessRights ?rights ;
    dct:identifier ?identifier ; dct:issued ?issued ; dct:modified ?modified ;
    dcat:distribution ?distribution .
  ?publisher a <http://xmlns.com/foaf/0.1/Organization> .
  ?contact vcard:fn ?fn ; vcard:hasEmail ?mail .
  ?distribution a dcat:Distribution ; dcat:accessURL ?url ; dct:format ?format ;
    dct:license ?licence .
  ?temporal dcat:startDate ?start .
  FILTER(?theme = <http://publications.europa.eu/resource/authority/data-theme/EDUC>)
  FILTER(?frequency = <http://publications.europa.eu/resource/authority/frequency/ANNUAL>)
  FILTER(?level = <http://dcat-ap.de/def/politicalGeocoding/Level/municipality>)
  FILTER(STRSTARTS(STR(?licence), "http://dcat-ap.de/def/licenses/"))
  # a state law has no ELI IRI: the legal norm is part of the description (dcatde:legalBasis
  # is deprecated in DCAT-AP.de 3.0)
  FILTER(CONTAINS(STR(?description), "Rechtsgrundlage: § 6 StatG LSA"))
  FILTER NOT EXISTS { ?dataset dcatde:legalBasis ?legal }
}
"""


def test_dcat_jsonld_has_one_dataset_per_approved_entry_with_mandatory_properties(
    client, login, world, db
):
    login("halle@example.org")
    response = client.get("/catalogue/dcat.jsonld")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    datasets = {
        str(row.d)
        for row in graph.query("SELECT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }")
    }
    assert datasets == {f"http://127.0.0.1:5000/catalogue/{world['approved'].id}#dataset"}
    complete = {str(row.dataset) for row in graph.query(MANDATORY)}
    assert complete == datasets
    identifiers = {str(o) for o in graph.objects(None, sa_term("dct", "identifier"))}
    assert world["draft"].identifier not in identifiers


def sa_term(prefix: str, name: str):
    from rdflib import URIRef

    base = {"dct": "http://purl.org/dc/terms/"}[prefix]
    return URIRef(base + name)


def test_suspended_entry_leaves_the_dcat_export(client, login, world, db):
    with acting_as(world["users"]["ministry"]):
        workflow.suspend(world["users"]["ministry"], world["approved"], "Prüfung Datenpanne")
    db.session.commit()
    login("halle@example.org")
    graph = Graph().parse(
        data=client.get("/catalogue/dcat.jsonld").get_data(as_text=True), format="json-ld"
    )
    assert (
        len(list(graph.query("SELECT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"))) == 0
    )


def test_list_filters_organisations_by_name_instead_of_selecting_from_all(client, login, world):
    """Provider and recipient are text filters (name or short name), not selects of every
    organisation; the export links carry them along."""
    login("ministerium@example.org")
    page = client.get("/catalogue/").get_data(as_text=True)
    assert 'id="provider_name"' in page and f'<option value="{world["blk"].id}"' not in page
    by_provider = client.get("/catalogue/?provider_name=halle").get_data(as_text=True)
    assert "Schulstatistik nach Gemeinden" in by_provider and "Ganztag Entwurf" in by_provider
    assert (
        client.get("/catalogue/?provider_name=BLK").get_data(as_text=True).count("Ganztag Entwurf")
        == 0
    )
    by_recipient = client.get("/catalogue/?recipient_name=blk").get_data(as_text=True)
    assert "Schulstatistik nach Gemeinden" in by_recipient
    assert "Ganztag Entwurf" not in by_recipient
    assert "export.csv?recipient_name=blk" in by_recipient
    assert "export.csv?variant=technical&amp;recipient_name=blk" in by_recipient
    data = json.loads(client.get("/catalogue/export.json?recipient_name=Burgenland").data)
    assert [e["title"] for e in data["entries"]] == ["Schulstatistik nach Gemeinden"]


def test_list_shows_recipients_in_name_order_and_a_capped_total(client, login, world):
    """Recipients come aggregated with the row (ordered by organisation name, not short name);
    the total comes with the rows, and a page past the end still counts."""
    login("ministerium@example.org")
    page = client.get("/catalogue/").get_data(as_text=True)
    assert "<td>BLK, MB-REF34</td>" in page
    assert "<td>MB-REF34</td>" in page  # the draft has one recipient
    assert "2 Einträge" in page
    past_the_end = client.get("/catalogue/?page=7").get_data(as_text=True)
    assert "Keine Einträge gefunden." in past_the_end and "2 Einträge" in past_the_end


def test_recipient_short_names_sorts_pairs_by_name():
    from govtool.catalogue.services import RECORD, UNIT, recipient_short_names

    pairs = [("Zeitz", "A"), ("Aue", "Z")]
    aggregate = RECORD.join(f"{name}{UNIT}{short}" for name, short in pairs)
    assert recipient_short_names(aggregate) == ["Z", "A"]
    assert recipient_short_names(None) == [] and recipient_short_names("") == []


def test_dcat_needs_sign_in_unless_configured_public(client, world, app, monkeypatch):
    assert client.get("/catalogue/dcat.jsonld").status_code in (302, 401)
    monkeypatch.setitem(app.config, "GOVTOOL_DCAT_PUBLIC", True)
    response = client.get("/catalogue/dcat.jsonld")
    assert response.status_code == 200  # a harvester needs no account
    graph = Graph().parse(data=response.get_data(as_text=True), format="json-ld")
    datasets = set(graph.subjects(predicate=None, object=URIRef(DCAT + "Dataset")))
    assert datasets == {URIRef(f"http://127.0.0.1:5000/catalogue/{world['approved'].id}#dataset")}
    # only the export opens up: the register itself still needs sign-in
    assert client.get("/catalogue/").status_code in (302, 401)
