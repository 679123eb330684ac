"""Issue 13: the audit log in the reader's language (type and field labels, names instead of
ids, the erased placeholder, values as the pages show them), filters by who acted, object type,
object and period, and its export as CSV (German Excel) and XLSX through the safe writer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from govtool.auth.models import Role
from govtool.core.audit import acting_as
from govtool.directory.gdpr import erase_person
from tests.factories import make_organisation, make_person, make_user


@pytest.fixture()
def logged(db, login):
    """Anna Admin (a person) creates an organisation and a person in it; Berta edits it."""
    anna = make_person(first_name="Anna", last_name="Adler")
    admin = make_user("admin@example.org", (Role.ADMIN,), person=anna)
    berta = make_user("berta@example.org", (Role.SECRETARY,))
    db.session.commit()
    with acting_as(admin):
        halle = make_organisation(name="Stadt Halle (Saale)", short_name="HAL")
        make_person(first_name="Karl", last_name="Kranich", organisation_id=halle.id)
        db.session.commit()
    with acting_as(berta):
        halle.city = '=HYPERLINK("http://evil.example")'
        db.session.commit()
    login("admin@example.org")
    return {"admin": admin, "berta": berta, "halle": halle, "anna": anna}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_log_shows_labels_and_names_not_class_names_and_ids(client, logged):
    html = client.get("/audit/?per_page=100").get_data(as_text=True)
    text = _text(html)
    main = text[text.index("Änderungsprotokoll Jede") :]
    # object types by their German names
    assert "Organisation: Stadt Halle (Saale)" in main
    assert "Person: Karl Kranich" in main
    assert "Rolle eines Benutzerkontos" in main and "UserRole" not in main
    # field labels, the enum label instead of the code, names instead of ids
    assert "Kurzbezeichnung" in main and "short_name" not in main
    assert "Kommune" in main and "municipality" not in main
    halle = logged["halle"]
    person_entry = html[html.index("Person: Karl Kranich") :][:1500]
    assert "Stadt Halle (Saale)" in person_entry  # organisation_id shown by name
    assert re.search(
        r"<dt>Organisation</dt>\s*<dd><span>Stadt Halle \(Saale\)</span>", person_entry
    )
    assert f"<span>{halle.id}</span>" not in person_entry
    # who acted: the person's name for a linked account, else the login email
    assert "Anna Adler" in main and "berta@example.org" in main
    # field changes sit in a disclosure
    assert "<details>" in html and "<summary>" in html


def test_the_log_speaks_english_on_request(client, logged):
    client.post("/language", data={"locale": "en"})
    text = _text(client.get("/audit/").get_data(as_text=True))
    assert "Organisation: Stadt Halle (Saale)" in text
    assert "Short name" in text and "Municipality" in text
    assert "Role of a user account" in text and "Kurzbezeichnung" not in text


def test_an_erased_person_reads_as_the_placeholder(client, db, logged):
    karl = make_user("karl@example.org", person=make_person(first_name="Karl", last_name="Zorn"))
    db.session.commit()
    with acting_as(karl):
        make_organisation(name="Von Karl angelegt", short_name="VKA")
        db.session.commit()
    person_id = karl.person_id
    erase_person(logged["admin"], karl.person, "Antrag")
    db.session.commit()
    text = _text(client.get("/audit/?per_page=100").get_data(as_text=True))
    assert "Zorn" not in text
    assert f"Gelöschte Person {person_id}" in text


def test_filter_by_who_acted_object_type_object_and_period(client, logged):
    berta, halle = logged["berta"], logged["halle"]
    html = client.get(f"/audit/?user={berta.id}").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="user"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Anna Adler" in select and "berta@example.org" in select
    rows = _text(html[html.index("<tbody>") : html.index("</tbody>")])
    assert "Geändert" in rows and "Angelegt" not in rows and "Anna Adler" not in rows

    def rows_of(query: str) -> str:
        page = client.get(f"/audit/?{query}").get_data(as_text=True)
        return _text(page[page.index("<tbody>") : page.index("</tbody>")])

    assert "Karl Kranich" not in rows_of("type=Organisation")
    assert "Stadt Halle" in rows_of(f"type=Organisation&object={halle.id}")
    assert "Karl Kranich" in rows_of("object=Kranich")
    assert "Organisation: Stadt Halle" not in rows_of("object=Kranich")
    today = dt.date.today()
    assert "Karl Kranich" in rows_of(f"from={today - dt.timedelta(days=1)}&to={today}")
    assert "Keine Einträge" in rows_of(f"from={today + dt.timedelta(days=2)}")


def test_export_csv_for_german_excel_with_the_filters(client, logged):
    berta = logged["berta"]
    response = client.get(f"/audit/export.csv?user={berta.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Zeitpunkt",
        "Wer",
        "Aktion",
        "Objekttyp",
        "Objekt",
        "Objekt-ID",
        "Feld",
        "Bisher",
        "Neu",
    ]
    data = rows[1:]
    assert data and all(row[1] == "berta@example.org" for row in data)
    city = next(row for row in data if row[6] == "Ort")
    assert city[2] == "Geändert" and city[3] == "Organisation"
    assert city[4] == "Stadt Halle (Saale)"
    assert city[8].startswith("'=HYPERLINK")  # neutralised, not a formula
    # the "Excel (CSV)" moment as German Excel reads it as a date and time
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", city[0])


def test_export_xlsx_typed_and_filtered(client, logged):
    response = client.get("/audit/export.xlsx?type=Person")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Zeitpunkt", "Wer", "Aktion", "Objekttyp"]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values and {row[3] for row in values} == {"Person"}
    assert all(isinstance(row[0], dt.datetime) for row in values)
    assert any(row[6] == "Organisation" and row[8] == "Stadt Halle (Saale)" for row in values)


def test_only_admins_see_and_export_the_log(client, db, login):
    make_user("sekretariat@example.org", (Role.SECRETARY,))
    db.session.commit()
    login("sekretariat@example.org")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403


def test_unknown_export_format_and_bad_filters_are_4xx_not_500(client, logged):
    assert client.get("/audit/export.pdf").status_code == 404
    assert client.get("/audit/export.csv?from=kaputt&user=x&object=%25_").status_code == 200
    assert client.get("/audit/?object=" + "x" * 5000).status_code in (200, 400, 414)
