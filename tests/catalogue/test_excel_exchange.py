"""Exports as German offices open them (Excel CSV, XLSX) and the forgiving catalogue import:
Windows-1252 and semicolons, every problem at once, templates, likely duplicates, plurals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from govtool.catalogue import exchange, staging
from govtool.catalogue.models import CatalogueEntry, Frequency
from govtool.core.audit import acting_as
from govtool.extensions import db as _db
from tests.catalogue.factories import make_entry, make_world
from tests.factories import DEFAULT_PASSWORD

# The German labels the entry form shows (catalogue translations).
GERMAN_HEADERS_START = [
    "Kennung",
    "Datenbereitstellende Stelle",
    "Datenempfangende Stellen",
    "Titel",
]


@pytest.fixture()
def world(db):
    world = make_world()
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        world["entry"] = make_entry(
            halle_user,
            world["halle"],
            [world["ministry"], world["blk"]],
            legal_basis="gdpr_6_1_e",
            dpia_required=True,
            dpia_completed_on="2025-03-02",
        )
    db.session.commit()
    return world


def _entries(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(CatalogueEntry.id)))


def _delete_all_entries(db):
    for entry in db.session.scalars(sa.select(CatalogueEntry)).all():
        db.session.delete(entry)
    db.session.commit()


def _upload(client, content: bytes, filename: str):
    return client.post(
        "/catalogue/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _excel_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _problem_rows(page: str) -> list[list[str]]:
    body = page.split('id="import-problems"', 1)[1].split("<tbody>", 1)[1].split("</tbody>")[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


# ---------------------------------------------------------------- exports


def test_excel_csv_has_labels_semicolons_german_dates_and_ui_values(client, login, world):
    login("halle@example.org")
    response = client.get("/catalogue/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    rows = _excel_rows(response.data)
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:4] == GERMAN_HEADERS_START
    assert len(header) == len(exchange.EXPORT_COLUMNS)
    assert row["Personenbezug"] == "Aggregiert"  # not "aggregated"
    assert (
        row["Rechtsgrundlage"] == "Art. 6 Abs. 1 lit. e DSGVO – öffentliche Aufgabe"
    )  # not "gdpr_6_1_e"
    assert row["Berichtszeitraum von"] == "01.08.2024"
    assert row["Berichtszeitraum bis"] == "31.07.2025"
    assert row["Datenschutz-Folgenabschätzung (DSFA) erforderlich"] == "ja"
    assert row["Datenempfangende Stellen"] == "BLK, MB-REF34"
    assert "Schülerzahl [Anzahl]: am Stichtag" in row["Datenmerkmale"].splitlines()


def test_technical_csv_keeps_codes_iso_dates_and_commas(client, login, world):
    login("halle@example.org")
    response = client.get("/catalogue/export.csv?variant=technical")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "technisch" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(rows[0]) == list(exchange.COLUMNS)
    assert rows[0]["personal_data_level"] == "aggregated"
    assert rows[0]["legal_basis"] == "gdpr_6_1_e"
    assert rows[0]["period_start"] == "2024-08-01"


def test_export_choices_are_offered_with_excel_csv_first(client, login, world):
    login("halle@example.org")
    page = client.get("/catalogue/").get_data(as_text=True)
    excel = page.index(">Excel (CSV)</a>")
    assert excel < page.index(">Excel (XLSX)</a>")
    assert excel < page.index(">CSV (UTF-8, technische Feldnamen)</a>")
    assert "export.csv?variant=technical" in page


def test_english_users_get_english_headers(client, login, world):
    login("halle@example.org")
    client.post("/language", data={"locale": "en"})
    rows = _excel_rows(client.get("/catalogue/export.csv").data)
    assert rows[0][:4] == [
        "Identifier",
        "Providing organisation",
        "Receiving organisations",
        "Title",
    ]
    assert dict(zip(rows[0], rows[1], strict=True))["Personal-data level"] == "Aggregated"
    sheet = load_workbook(io.BytesIO(client.get("/catalogue/export.xlsx").data)).active
    assert sheet["A1"].value == "Identifier"


def test_xlsx_has_typed_dates_and_a_frozen_filtered_header(client, login, world):
    login("halle@example.org")
    sheet = load_workbook(io.BytesIO(client.get("/catalogue/export.xlsx").data)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == GERMAN_HEADERS_START
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}2"
    assert all(c.font.bold for c in sheet[1])
    start = sheet.cell(2, header.index("Berichtszeitraum von") + 1)
    assert start.is_date and start.value == dt.datetime(2024, 8, 1)
    assert start.number_format == "DD.MM.YYYY"
    assert sheet.cell(2, header.index("Personenbezug") + 1).value == "Aggregiert"
    widths = {
        h: sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width
        for i, h in enumerate(header)
    }
    assert widths["Titel"] > widths["Berichtszeitraum von"] >= 10


# LibreOffice's CSV filter options: 1 separator (59 = ";"), 2 text delimiter (34 = '"'), 3 character
# set (76 = UTF-8), 4 first line, 5 column formats (standard), 6 language (1031 = German,
# Germany), 7 quoted fields as text (no), 8 detect special numbers such as dates (yes): Calc as a
# German user opens the file.
GERMAN_CALC_CSV = "Text - txt - csv (StarCalc):59,34,76,1,,1031,false,true"


def _soffice_to_xlsx(tmp_path, content: bytes, name: str = "export"):
    """The CSV opened by LibreOffice Calc with German settings and saved as XLSX (None when
    LibreOffice has no Calc: a writer-only install cannot load a CSV)."""
    source = tmp_path / f"{name}.csv"
    source.write_bytes(content)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            f"--infilter={GERMAN_CALC_CSV}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        timeout=180,
    )
    target = tmp_path / f"{name}.xlsx"
    return load_workbook(target).active if target.exists() else None


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_excel_csv_opens_in_libreoffice_calc_with_german_settings(client, login, world, tmp_path):
    login("halle@example.org")
    content = client.get("/catalogue/export.csv").data
    sheet = _soffice_to_xlsx(tmp_path, content)
    if sheet is None:
        pytest.skip("LibreOffice Calc is not installed (libreoffice-calc-nogui): no CSV import")
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header == _excel_rows(content)[0]  # the UI's labels, one column per field
    assert header[:4] == GERMAN_HEADERS_START
    assert len(rows) == 2 and len(rows[1]) == len(header)
    values = dict(zip(header, rows[1], strict=True))
    assert values["Titel"] == "Schulstatistik nach Gemeinden"
    # TT.MM.JJJJ read by a German Calc as the date it is (1 August, not 8 January)
    assert values["Berichtszeitraum von"] == dt.datetime(2024, 8, 1)
    assert values["DSFA abgeschlossen am"] == dt.datetime(2025, 3, 2)
    assert values["Personenbezug"] == "Aggregiert"
    assert "Gemeindeschlüssel [AGS]" in values["Datenmerkmale"]  # a cell with line breaks


# ---------------------------------------------------------------- import


def test_windows_1252_semicolon_csv_with_umlauts_imports(client, login, world, db):
    login("halle@example.org")
    text = (
        "Titel;Datenbereitstellende Stelle;Datenempfangende Stellen;Häufigkeit;"
        "Berichtszeitraum von;Personenbezug;Datenmerkmale\r\n"
        "Übergänge an weiterführende Schulen;HAL;BLK;Jährlich;01.08.2025;Aggregiert;"
        '"Schülerzahl [Anzahl]: je Schulform\r\nGemeindeschlüssel [AGS]"\r\n'
    )
    content = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    before = _entries(db)
    response = _upload(client, content, "aus-excel.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _entries(db) == before + 1
    entry = db.session.scalars(sa.select(CatalogueEntry).order_by(CatalogueEntry.id.desc())).first()
    version = entry.latest_version
    assert version.title == "Übergänge an weiterführende Schulen"
    assert version.frequency is Frequency.YEARLY
    assert version.period_start == dt.date(2025, 8, 1)
    assert [o.short_name for o in version.recipients] == ["BLK"]
    assert [(i.name, i.unit, i.description) for i in version.items] == [
        ("Schülerzahl", "Anzahl", "je Schulform"),
        ("Gemeindeschlüssel", "AGS", ""),
    ]
    page = client.get("/catalogue/").get_data(as_text=True)
    assert "1 Eintrag als Entwurf importiert." in page  # singular


def test_comma_separated_utf8_without_bom_with_technical_names_imports(client, login, world, db):
    login("halle@example.org")
    content = "title,provider,frequency,period_start\nPendlerströme,HAL,yearly,2025-08-01\n"
    response = _upload(client, content.encode(), "technisch.csv")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_every_problem_of_every_row_is_reported_at_once_and_nothing_saved(client, login, world, db):
    login("halle@example.org")
    text = (
        "Titel;Häufigkeit;Berichtszeitraum von;Datenempfangende Stellen;Rechtsgrundlage;"
        "Fallzahlregel: Felder sperren unter\r\n"
        "Gute Zeile;Jährlich;01.08.2025;BLK;;3\r\n"
        "Drei Fehler;vierzehntägig;31.02.2025;Nirgendwo;;\r\n"
        "Zwei Fehler;Jährlich;;;Bauchgefühl;viele\r\n"
    )
    before = _entries(db)
    response = _upload(client, text.encode("utf-8"), "fehler.csv")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    problems = _problem_rows(page)
    assert [(p[0], p[1].split(" ")[0], p[2]) for p in problems] == [
        ("3", "B", "vierzehntägig"),
        ("3", "C", "31.02.2025"),
        ("3", "D", "Nirgendwo"),
        ("4", "E", "Bauchgefühl"),
        ("4", "F", "viele"),
    ]
    assert all(p[3] for p in problems)  # a message for each
    assert "Jährlich" in problems[0][3]  # the allowed values, as the UI names them
    assert "Bitte korrigieren Sie diese 5 Probleme:" in page
    assert '<th scope="col">Zeile</th>' in page and "<caption" in page
    assert _entries(db) == before


def test_unknown_and_missing_columns_are_named(client, login, world, db):
    login("halle@example.org")
    response = _upload(client, b"Kennung;Farbe\r\nDX-2030-001;blau\r\n", "k.csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Diese Spalte ist unbekannt." in page and "Farbe" in page
    assert "Die Spalte Titel fehlt." in page


def test_template_headers_equal_the_export_headers(client, login, world):
    login("halle@example.org")
    export_header = _excel_rows(client.get("/catalogue/export.csv").data)[0]
    csv_template = client.get("/catalogue/import/template.csv")
    assert csv_template.status_code == 200
    assert csv_template.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert _excel_rows(csv_template.data) == [export_header]
    workbook = load_workbook(io.BytesIO(client.get("/catalogue/import/template.xlsx").data))
    assert [c.value for c in workbook.worksheets[0][1]] == export_header
    xlsx_header = [
        c.value
        for c in load_workbook(io.BytesIO(client.get("/catalogue/export.xlsx").data)).active[1]
    ]
    assert xlsx_header == export_header
    notes = {row[0].value: row[2].value for row in workbook["Hinweise"].iter_rows(min_row=2)}
    assert "Jährlich" in notes["Häufigkeit"] and "TT.MM.JJJJ" in notes["Berichtszeitraum von"]
    assert "ignoriert" in notes["Status"]
    # drop-down lists for the columns of fixed values (a warning, not a refusal, for others)
    sheet = workbook.worksheets[0]
    column = sheet.cell(1, export_header.index("Häufigkeit") + 1).column_letter
    validation = next(
        v for v in sheet.data_validations.dataValidation if f"{column}2:" in str(v.sqref)
    )
    assert validation.type == "list" and validation.errorStyle == "warning"
    lists = workbook["Listen"]
    assert lists.sheet_state == "hidden"
    list_column = validation.formula1.split("!$")[1].split("$")[0]
    assert "Jährlich" in [c.value for c in lists[list_column]]


def test_a_filled_in_template_imports(client, login, world, db):
    login("halle@example.org")
    workbook = load_workbook(io.BytesIO(client.get("/catalogue/import/template.xlsx").data))
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = {
        "Titel": "Ganztagsangebote",
        "Häufigkeit": "Halbjährlich",
        "Berichtszeitraum von": dt.date(2025, 2, 1),
    }
    for name, value in values.items():
        sheet.cell(2, header.index(name) + 1, value)
    out = io.BytesIO()
    workbook.save(out)
    response = _upload(client, out.getvalue(), "vorlage.xlsx")
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(sa.select(CatalogueEntry).order_by(CatalogueEntry.id.desc())).first()
    assert entry.provider.short_name == "HAL"  # empty provider: the user's own organisation
    assert entry.latest_version.period_start == dt.date(2025, 2, 1)
    assert entry.latest_version.frequency is Frequency.HALF_YEARLY


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "csv?variant=technical"])
def test_reimporting_an_export_gives_the_same_entries(client, login, world, db, fmt):
    login("halle@example.org")
    before = client.get("/catalogue/export.csv?variant=technical").data
    content = client.get(f"/catalogue/export.{fmt}").data
    _delete_all_entries(db)
    response = _upload(client, content, "export." + fmt.split("?")[0])
    assert response.status_code == 302, response.get_data(as_text=True)
    after = client.get("/catalogue/export.csv?variant=technical").data

    def content_of(data):
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        return [{c: r[c] for c in exchange.IMPORT_COLUMNS} for r in rows]

    assert content_of(after) == content_of(before)


def test_likely_duplicates_need_an_explicit_confirmation(app, client, login, world, db):
    login("halle@example.org")
    text = (
        "Titel;Datenbereitstellende Stelle\r\n"
        "Schulstatistik nach Gemeinden;HAL\r\n"  # already in the catalogue (world["entry"])
        "Ganztag;HAL\r\n"
        "  ganztag ;HAL\r\n"  # the row above again
        "Einzeln;HAL\r\n"
    )
    before = _entries(db)
    response = _upload(client, text.encode(), "dubletten.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _entries(db) == before  # nothing saved yet
    assert 'id="duplicate-rows"' in page
    assert world["entry"].identifier in page
    assert "3 Zeilen sind mögliche Dubletten" in page
    assert "4 Einträge importieren" in page
    action = re.search(r'action="(/catalogue/import/confirm/[^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    csrf = {"csrf_token": token.group(1)} if token else {}

    unconfirmed = client.post(action, data=csrf)  # the checkbox left empty
    assert unconfirmed.status_code == 422
    assert "Bitte bestätigen Sie den Import der möglichen Dubletten." in unconfirmed.get_data(
        as_text=True
    )
    assert _entries(db) == before

    other = app.test_client()  # another user cannot use the kept file
    other.post("/login", data={"email": "blk@example.org", "password": DEFAULT_PASSWORD})
    assert other.post(action, data={**csrf, "confirm": "y"}).status_code in (403, 404)
    confirmed = client.post(action, data={**csrf, "confirm": "y"})
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    assert _entries(db) == before + 4
    assert "4 Einträge als Entwürfe importiert." in client.get("/catalogue/").get_data(as_text=True)
    assert client.post(action, data={**csrf, "confirm": "y"}).status_code == 404  # used once


def test_the_store_of_kept_files_is_bounded(app, world, db):
    user = world["users"]["halle"]
    with app.test_request_context():
        kept = [staging.keep(user.id, f"f{i}.csv", b"x") for i in range(5)]
        db.session.commit()
        tokens = set(db.session.scalars(sa.select(staging.StagedImport.token)))
        assert tokens == {k.token for k in kept[-staging.MAX_STAGED_PER_USER :]}
        oldest = kept[-1]
        oldest.created_at = oldest.created_at - staging.STAGED_LIFETIME - dt.timedelta(minutes=1)
        db.session.commit()
        assert oldest.is_expired
        staging.keep(world["users"]["blk"].id, "g.csv", b"y")
        db.session.commit()
        assert staging.by_token(oldest.token) is None  # expired files go


def test_an_expired_kept_file_asks_for_a_new_upload(client, login, world, db):
    login("halle@example.org")
    text = "Titel\r\nA\r\nA\r\n"
    page = _upload(client, text.encode(), "d.csv").get_data(as_text=True)
    action = re.search(r'action="(/catalogue/import/confirm/[^"]+)"', page).group(1)
    staged = _db.session.scalars(sa.select(staging.StagedImport)).one()
    staged.created_at = staged.created_at - dt.timedelta(hours=2)
    _db.session.commit()
    response = client.get(action)
    assert response.status_code == 410
    assert "bitte laden Sie sie erneut hoch" in response.get_data(as_text=True)


def test_the_demo_catalogue_exported_for_excel_imports_again_unchanged(client, login, demo):
    """Every demo entry (contacts as `Name <email>`, agreements as `number – title`, labels,
    German dates, data items per line) goes out as Excel (CSV) and comes back the same."""
    from govtool.demo import DEMO_PASSWORD

    login("admin@example.org", DEMO_PASSWORD)
    before = client.get("/catalogue/export.csv?variant=technical").data
    rows = _excel_rows(client.get("/catalogue/export.csv").data)
    assert any("<" in cell and "@" in cell for cell in rows[1])  # a contact with the address
    renamed = {}
    for row in rows[1:]:
        renamed[row[0]] = row[0] = row[0].replace("DX-2025-", "DX-2031-")
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    response = _upload(client, out.getvalue().encode("utf-8-sig"), "demo.csv")
    assert response.status_code == 200  # every row repeats an entry: confirm first
    action = re.search(
        r'action="(/catalogue/import/confirm/[^"]+)"', response.get_data(as_text=True)
    )
    confirmed = client.post(action.group(1), data={"confirm": "y"})
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    after = client.get("/catalogue/export.csv?variant=technical").data

    def by_identifier(data):
        return {
            r["identifier"]: {c: r[c] for c in exchange.IMPORT_COLUMNS if c != "identifier"}
            for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        }

    old, new = by_identifier(before), by_identifier(after)
    assert len(renamed) >= 5
    compared = [old[identifier] for identifier in renamed]
    for column in ("agreement", "provider_contact", "dpia_completed_on", "legal_basis"):
        assert any(row[column] for row in compared), column  # the demo fills each somewhere
    for identifier, copy in renamed.items():
        assert new[copy] == old[identifier], identifier


def test_english_import_messages_and_plurals(client, login, world, db):
    login("halle@example.org")
    client.post("/language", data={"locale": "en"})
    bad = _upload(client, b"Title;Frequency\r\nA;fortnightly\r\nB;never\r\n", "bad.csv")
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert "Please correct these 2 problems:" in page and '<th scope="col">Row</th>' in page
    assert "Unknown value; allowed: Once, Yearly" in page
    good = _upload(client, b"Title;Frequency\r\nPendler;Yearly\r\n", "good.csv")
    assert good.status_code == 302, good.get_data(as_text=True)
    assert "1 entry imported as a draft." in client.get("/catalogue/").get_data(as_text=True)


def test_excel_unicode_text_utf16_tab_separated_imports(client, login, world, db):
    """Excel's "Unicode-Text" (UTF-16 with BOM, tabs), with an empty line above the header."""
    login("halle@example.org")
    text = "\r\nTitel\tHäufigkeit\tBerichtszeitraum von\r\nSchülerfahrten\tMonatlich\t1.9.2025\r\n"
    response = _upload(client, text.encode("utf-16"), "unicode.csv")
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalars(sa.select(CatalogueEntry).order_by(CatalogueEntry.id.desc())).first()
    assert entry.latest_version.title == "Schülerfahrten"
    assert entry.latest_version.period_start == dt.date(2025, 9, 1)
