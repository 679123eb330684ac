"""Bad input in the forms: field errors, kept input, never a 500."""

from __future__ import annotations

import pytest

from govtool.auth.models import Role
from govtool.directory.models import Organisation
from tests.factories import make_organisation, make_user


@pytest.fixture()
def secretary(db, login):
    make_user("sekretariat@example.org", (Role.SECRETARY,))
    db.session.commit()
    login("sekretariat@example.org")


def _post(client, **data):
    values = {"name": "Stadt Musterhausen", "short_name": "MUH", "kind": "municipality"}
    values.update(data)
    return client.post("/organisations/new", data=values)


def test_create_organisation(client, secretary, db):
    response = _post(client, email="info@musterhausen.de", website="https://musterhausen.de")
    assert response.status_code == 302
    organisation = db.session.query(Organisation).filter_by(short_name="MUH").one()
    assert organisation.email == "info@musterhausen.de"
    listing = client.get("/organisations/?q=muster").get_data(as_text=True)
    assert "Stadt Musterhausen" in listing


def test_empty_name_is_a_field_error(client, secretary, db):
    response = _post(client, name="", city="Musterstadt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="name-error"' in html
    assert 'value="Musterstadt"' in html  # what the user typed stays
    assert db.session.query(Organisation).count() == 0


def test_malformed_email_is_a_field_error(client, secretary, db):
    response = _post(client, email="keine-mail")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="email-error"' in html
    assert 'value="keine-mail"' in html


def test_very_long_name_is_a_field_error(client, secretary, db):
    response = _post(client, name="A" * 10_000)
    assert response.status_code == 200
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert db.session.query(Organisation).count() == 0


def test_duplicate_short_name_is_a_field_error_and_keeps_existing(client, secretary, db):
    make_organisation(name="Erste", short_name="MUH")
    db.session.commit()
    response = _post(client, short_name="muh")
    assert response.status_code == 200
    assert 'id="short_name-error"' in response.get_data(as_text=True)
    assert db.session.query(Organisation).count() == 1


def test_unknown_select_value_is_a_field_error(client, secretary, db):
    response = _post(client, parent_id="999999", kind="spaceship")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="kind-error"' in html and 'id="parent_id-error"' in html


def test_organisation_cannot_be_its_own_parent(client, secretary, db):
    parent = make_organisation(short_name="P")
    child = make_organisation(short_name="C", parent=parent)
    db.session.commit()
    response = client.post(
        f"/organisations/{parent.id}/edit",
        data={
            "name": parent.name,
            "short_name": "P",
            "kind": "municipality",
            "parent_id": child.id,
        },
    )
    assert response.status_code == 200
    assert 'id="parent_id-error"' in response.get_data(as_text=True)


def test_deactivated_organisation_leaves_the_default_list(client, secretary, db):
    organisation = make_organisation(name="Alte Behörde", short_name="ALT")
    db.session.commit()
    client.post(f"/organisations/{organisation.id}/active", data={"active": "0"})
    assert "Alte Behörde" not in client.get("/organisations/").get_data(as_text=True)
    assert "Alte Behörde" in client.get("/organisations/?inactive=1").get_data(as_text=True)


def test_list_paginates(client, secretary, db):
    for n in range(30):
        make_organisation(name=f"Gemeinde {n:02d}", short_name=f"G{n}")
    db.session.commit()
    first = client.get("/organisations/").get_data(as_text=True)
    second = client.get("/organisations/?page=2").get_data(as_text=True)
    assert "Gemeinde 00" in first and "Gemeinde 29" not in first
    assert "Gemeinde 29" in second


def test_person_form_errors_keep_input(client, secretary, db):
    response = client.post(
        "/people/new", data={"first_name": "Eva", "last_name": "", "email": "nicht gültig"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="last_name-error"' in html and 'id="email-error"' in html
    assert 'value="Eva"' in html


def test_search_with_wildcards_is_literal(client, secretary, db):
    make_organisation(name="100% Bildung", short_name="HUN")
    make_organisation(name="Andere", short_name="AND")
    db.session.commit()
    html = client.get("/organisations/?q=%25").get_data(as_text=True)
    assert "100% Bildung" in html and "Andere" not in html
