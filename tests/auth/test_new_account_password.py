"""Issue 13: a new user sets the first password through a mailed one-time link (72 h, single
use); a password an admin sets must be changed at the first sign-in."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from govtool.auth import services
from govtool.auth.models import Role, User
from govtool.core.mail import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "mein-eigenes-passwort"


@pytest.fixture()
def admin(db, login):
    user = make_user("admin@example.org", (Role.ADMIN,))
    db.session.commit()
    login("admin@example.org")
    return user


def _create(client, password: str = ""):
    return client.post(
        "/users/new",
        data={
            "email": "neu@example.org",
            "roles": ["member"],
            "organisation_id": 0,
            "person_id": 0,
            "is_active": "y",
            "password": password,
        },
    )


def _mailed_path(db) -> str:
    body = db.session.query(OutboxMessage).filter_by(recipient="neu@example.org").one().body
    link = re.search(r"https?://\S+/password/set/\S+", body).group(0)
    return link[link.index("/password/set/") :]


def test_the_new_user_form_no_longer_says_keep_the_previous_password(client, admin, db):
    html = client.get("/users/new").get_data(as_text=True)
    assert "keep the current" not in html and "bisherige" not in html
    assert "72" in html
    edit = client.get(f"/users/{admin.id}/edit").get_data(as_text=True)
    assert "leave empty to keep the current password" in edit or "leer lassen" in edit


def test_a_new_user_sets_the_password_through_the_mailed_link_once(
    app, client, admin, db, monkeypatch
):
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", "https://govtool.example.org")
    response = _create(client)
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="neu@example.org").one()
    assert user.password_hash == "" and not user.must_change_password
    message = db.session.query(OutboxMessage).filter_by(recipient="neu@example.org").one()
    assert "https://govtool.example.org/password/set/" in message.body
    assert "72" in message.body
    path = _mailed_path(db)
    assert "Passwort noch nicht festgelegt" in client.get("/users/").get_data(as_text=True)
    client.post("/logout")

    # nobody can sign in with the empty password meanwhile
    assert (
        client.post("/login", data={"email": "neu@example.org", "password": ""}).status_code != 302
    )
    assert client.get(path).status_code == 200
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    login = client.post("/login", data={"email": "neu@example.org", "password": NEW_PASSWORD})
    assert login.status_code == 302
    # the user chose it: no forced change
    assert client.get("/").status_code == 200
    client.post("/logout")

    # second use: refused with a clear message and the offer of a new link
    again = client.get(path)
    assert again.status_code == 410
    html = again.get_data(as_text=True)
    assert "/password/forgot" in html
    assert "bereits verwendet" in html or "already been used" in html
    refused = client.post(
        path, data={"new_password": "noch-ein-passwort", "confirm": "noch-ein-passwort"}
    )
    assert refused.status_code == 410
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)


def test_the_link_expires_after_72_hours(app, client, db, monkeypatch):
    user = make_user("neu@example.org")
    user.password_hash = ""
    db.session.commit()

    def token_made(hours_ago: float) -> str:
        then = int(time.time() - hours_ago * 3600)
        with app.test_request_context(), monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
            return services.make_reset_token(user, services.WELCOME)

    assert client.get(f"/password/set/{token_made(71)}").status_code == 200
    expired = client.get(f"/password/set/{token_made(73)}")
    assert expired.status_code == 410
    html = expired.get_data(as_text=True)
    assert "abgelaufen" in html or "expired" in html
    assert "/password/forgot" in html
    # a reset link is no welcome link, and garbage is a 404
    with app.test_request_context():
        reset_token = services.make_reset_token(user)
    assert client.get(f"/password/set/{reset_token}").status_code == 404
    assert client.get("/password/set/kaputt").status_code == 404


def test_an_admin_set_password_must_be_changed_at_first_sign_in(client, admin, db, login):
    response = _create(client, "vom-admin-gesetzt")
    assert response.status_code == 302
    user = db.session.query(User).filter_by(email="neu@example.org").one()
    assert user.must_change_password
    assert db.session.query(OutboxMessage).filter_by(recipient="neu@example.org").count() == 0
    client.post("/logout")

    login("neu@example.org", "vom-admin-gesetzt")
    for path in ("/", "/profile", "/users/", "/catalogue/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/password/change"), path
    assert client.get("/password/change").status_code == 200
    # the same password again is refused
    same = client.post(
        "/password/change",
        data={
            "current_password": "vom-admin-gesetzt",
            "new_password": "vom-admin-gesetzt",
            "confirm": "vom-admin-gesetzt",
        },
    )
    assert same.status_code == 422, same.headers.get("Location")
    response = client.post(
        "/password/change?next=/catalogue/",
        data={
            "current_password": "vom-admin-gesetzt",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalogue/"
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, user.id).must_change_password


def test_sign_out_stays_reachable_while_the_change_is_due(client, db, login):
    make_user("neu@example.org", must_change_password=True)
    db.session.commit()
    login("neu@example.org")
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302  # signed out: to the sign-in page
    assert "/login" in client.get("/").headers["Location"]


def test_an_admin_resetting_someone_elses_password_forces_a_change(client, admin, db):
    other = make_user("anna@example.org")
    db.session.commit()
    response = client.post(
        f"/users/{other.id}/edit",
        data={
            "email": "anna@example.org",
            "roles": ["member"],
            "organisation_id": 0,
            "person_id": 0,
            "is_active": "y",
            "password": "admin-kennt-es-jetzt",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).must_change_password


def test_the_admin_can_send_a_new_link(client, admin, db):
    other = make_user("neu@example.org")
    db.session.commit()
    response = client.post(f"/users/{other.id}/welcome")
    assert response.status_code == 302
    assert "/password/set/" in _mailed_path(db)


def test_only_admins_send_links(client, db, login):
    make_user("anna@example.org")
    other = make_user("neu@example.org")
    db.session.commit()
    login("anna@example.org")
    assert client.post(f"/users/{other.id}/welcome").status_code == 403
    assert db.session.query(OutboxMessage).count() == 0


def test_no_remember_cookie_skips_the_change(client, db):
    make_user("neu@example.org", must_change_password=True)
    db.session.commit()
    response = client.post(
        "/login",
        data={"email": "neu@example.org", "password": DEFAULT_PASSWORD, "remember": "y"},
    )
    assert response.status_code == 302
    assert "remember_token" not in " ".join(response.headers.getlist("Set-Cookie"))
    assert client.get("/").headers["Location"].startswith("/password/change")


def test_the_welcome_mail_is_in_the_new_users_language_not_the_admins(client, admin, db):
    client.post("/language", data={"locale": "en"})
    assert _create(client).status_code == 302
    body = db.session.query(OutboxMessage).filter_by(recipient="neu@example.org").one().body
    assert "Für Sie wurde ein Konto" in body and "Stunden" in body
