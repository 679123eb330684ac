"""User administration: duplicate emails, roles, self-protection."""

from __future__ import annotations

import pytest

from govtool.auth.models import Role, User
from tests.factories import make_organisation, make_user


@pytest.fixture()
def admin(db, login):
    user = make_user("admin@example.org", (Role.ADMIN,))
    db.session.commit()
    login("admin@example.org")
    return user


def test_admin_creates_a_user(client, admin, db):
    halle = make_organisation(short_name="HAL")
    db.session.commit()
    response = client.post(
        "/users/new",
        data={
            "email": "Neu@Example.org",
            "roles": ["municipality"],
            "organisation_id": halle.id,
            "person_id": 0,
            "is_active": "y",
            "password": "ein-sicheres-passwort",
        },
    )
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="neu@example.org").one()
    assert user.roles == {Role.MUNICIPALITY}
    assert user.organisation_id == halle.id


def test_duplicate_login_email_is_a_field_error(client, admin, db):
    make_user("vorhanden@example.org")
    db.session.commit()
    response = client.post(
        "/users/new",
        data={
            "email": "VORHANDEN@example.org",
            "roles": ["member"],
            "organisation_id": 0,
            "person_id": 0,
            "password": "ein-sicheres-passwort",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # invalid input is a 4xx
    assert 'id="email-error"' in html
    assert 'value="VORHANDEN@example.org"' in html
    assert db.session.query(User).count() == 2


def test_municipality_user_needs_an_organisation(client, admin, db):
    response = client.post(
        "/users/new",
        data={
            "email": "x@example.org",
            "roles": ["municipality"],
            "organisation_id": 0,
            "person_id": 0,
            "password": "ein-sicheres-passwort",
        },
    )
    assert response.status_code == 422
    assert 'id="organisation_id-error"' in response.get_data(as_text=True)


def test_short_password_is_refused(client, admin, db):
    response = client.post(
        "/users/new",
        data={
            "email": "x@example.org",
            "roles": ["member"],
            "organisation_id": 0,
            "person_id": 0,
            "password": "kurz",
        },
    )
    assert response.status_code == 422
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_admin_cannot_lock_themselves_out(client, admin, db):
    response = client.post(
        f"/users/{admin.id}/edit",
        data={
            "email": "admin@example.org",
            "roles": ["member"],
            "organisation_id": 0,
            "person_id": 0,
            "is_active": "y",
        },
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, admin.id).roles == {Role.ADMIN}


def test_deactivated_user_loses_the_session(client, admin, db, app):
    other = make_user("weg@example.org", (Role.SECRETARY,))
    db.session.commit()
    other_client = app.test_client()
    other_client.post(
        "/login", data={"email": "weg@example.org", "password": "richtig-langes-passwort"}
    )
    assert other_client.get("/").status_code == 200
    client.post(
        f"/users/{other.id}/edit",
        data={
            "email": "weg@example.org",
            "roles": ["secretary"],
            "organisation_id": 0,
            "person_id": 0,
        },
    )
    assert other_client.get("/").status_code == 302


def test_profile_language_is_kept_for_the_next_sign_in(client, db, login):
    user = make_user("anna@example.org")
    db.session.commit()
    login("anna@example.org")
    response = client.post("/profile", data={"profile-locale": "en", "profile-submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    client.post("/logout")
    login("anna@example.org")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert (
        client.post("/profile", data={"profile-locale": "xx", "profile-submit": "1"}).status_code
        == 200
    )  # not a choice: a field error, nothing saved
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_person_choice_follows_the_organisation_and_refresh_saves_nothing(client, admin, db):
    from tests.factories import make_person
    from tests.html_helpers import option_values

    halle = make_organisation(short_name="HAL")
    other = make_organisation(name="Andere Stadt", short_name="AND")
    richter = make_person(first_name="Anja", last_name="Richter", organisation=halle)
    fremd = make_person(first_name="Otto", last_name="Fremd", organisation=other)
    db.session.commit()
    response = client.post(
        "/users/new",
        data={"email": "neu@example.org", "organisation_id": halle.id, "refresh": "people"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="neu@example.org"' in html
    offered = option_values(html, "person_id")
    assert str(richter.id) in offered and str(fremd.id) not in offered
    assert db.session.query(User).filter_by(email="neu@example.org").count() == 0
    # a person of another organisation is not a valid choice for this one
    response = client.post(
        "/users/new",
        data={
            "email": "neu@example.org",
            "roles": ["municipality"],
            "organisation_id": halle.id,
            "person_id": fremd.id,
            "is_active": "y",
            "password": "ein-sicheres-passwort",
        },
    )
    assert response.status_code == 422
