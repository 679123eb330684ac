"""Sign-out deletes every credential, and sessions are revoked server-side (issue 10): a copy of
the session or remember cookie stops working after sign-out, a password change, deactivation and
erasure."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govtool.auth import services
from govtool.auth.models import Role, User
from govtool.auth.sessions import revoke_sessions
from govtool.directory.gdpr import erase_person
from tests.factories import DEFAULT_PASSWORD, make_person, make_user

NEW_PASSWORD = "ein-ganz-neues-passwort"


def _sign_in(client, email="anna@example.org", password=DEFAULT_PASSWORD):
    response = client.post("/login", data={"email": email, "password": password, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None
    return response


def _copies(client) -> dict[str, str]:
    """What a thief copies from the browser: the session and the remember cookie."""
    return {
        name: client.get_cookie(name).value
        for name in ("session", "remember_token")
        if client.get_cookie(name) is not None
    }


def _signed_in_with(app, cookies: dict[str, str]) -> bool:
    """A fresh browser holding only the copied cookies: is it signed in?"""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/").status_code == 200


@pytest.fixture()
def anna(db):
    user = make_user("anna@example.org", roles=(Role.SECRETARY,))
    db.session.commit()
    return user


def test_sign_out_deletes_the_remember_cookie_and_stays_signed_out(client, anna):
    _sign_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    deleted = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert deleted and ("Max-Age=0" in deleted[0] or "1970" in deleted[0])
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302  # the login page, not the overview


def test_copied_cookies_stop_working_after_sign_out(app, client, anna):
    _sign_in(client)
    copies = _copies(client)
    assert _signed_in_with(app, copies)  # the copies work while the session lasts
    client.post("/logout")
    assert not _signed_in_with(app, copies)
    assert not _signed_in_with(app, {"session": copies["session"]})
    assert not _signed_in_with(app, {"remember_token": copies["remember_token"]})


def test_own_password_change_revokes_other_sessions_but_keeps_this_browser(app, client, anna):
    _sign_in(client)
    copies = _copies(client)
    response = client.post(
        "/profile",
        data={
            "pw-current_password": DEFAULT_PASSWORD,
            "pw-new_password": NEW_PASSWORD,
            "pw-confirm": NEW_PASSWORD,
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert not _signed_in_with(app, copies)
    assert client.get("/").status_code == 200  # still signed in here
    # ... and the renewed remember cookie alone signs a browser in (the session expired).
    assert _signed_in_with(app, {"remember_token": client.get_cookie("remember_token").value})


def test_password_reset_by_link_revokes_sessions(app, client, anna, db):
    _sign_in(client)
    copies = _copies(client)
    token = services.make_reset_token(db.session.get(User, anna.id))
    other = app.test_client()
    response = other.post(
        f"/password/reset/{token}", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert not _signed_in_with(app, copies)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_admin_password_or_deactivation_revokes_sessions(app, client, anna, db, change):
    admin = make_user("admin@example.org", roles=(Role.ADMIN,))
    db.session.commit()
    _sign_in(client)
    copies = _copies(client)
    data = {
        "email": "anna@example.org",
        "roles": ["secretary"],
        "is_active": change != "deactivate",
        "password": NEW_PASSWORD if change == "password" else "",
    }
    services.update_user(admin, db.session.get(User, anna.id), data)
    db.session.commit()
    assert not _signed_in_with(app, copies)
    assert client.get("/").status_code == 302


def test_admin_setting_own_password_stays_signed_in_here(client, db):
    make_user("admin@example.org", roles=(Role.ADMIN,))
    db.session.commit()
    _sign_in(client, "admin@example.org")
    user_id = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.org"))
    response = client.post(
        f"/users/{user_id}/edit",
        data={
            "email": "admin@example.org",
            "roles": ["admin"],
            "is_active": "y",
            "organisation_id": "",
            "person_id": "",
            "password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_erasing_a_linked_person_revokes_the_accounts_sessions(app, client, db):
    person = make_person()
    account = make_user("anna@example.org", roles=(Role.SECRETARY,), person=person)
    admin = make_user("admin@example.org", roles=(Role.ADMIN,))
    db.session.commit()
    _sign_in(client)
    copies = _copies(client)
    erase_person(admin, person, "Antrag nach Art. 17 DSGVO")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, account.id).session_generation == 1
    assert not _signed_in_with(app, copies)


def test_revoke_sessions_bumps_the_generation_in_the_cookie_token(db):
    user = make_user("anna@example.org")
    assert user.get_id() == f"{user.id}:0"
    revoke_sessions(user)
    assert user.get_id() == f"{user.id}:1"


def test_a_cookie_without_generation_or_with_an_old_one_is_refused(db):
    from govtool.auth.models import load_user

    user = make_user("anna@example.org")
    db.session.commit()
    assert load_user(f"{user.id}:0") is not None
    assert load_user(str(user.id)) is None  # cookies from before revocation existed
    assert load_user(f"{user.id}:-1") is None
    assert load_user("x:y") is None
