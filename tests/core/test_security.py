"""CSRF, security headers, cookie flags, production settings."""

from __future__ import annotations

import pytest

from govtool import TestConfig, create_app
from govtool.config import ProductionConfig


def test_post_without_csrf_token_gets_400(database_url):
    class CsrfConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = True

    app = create_app(CsrfConfig)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Formular" in response.get_data(as_text=True)


def test_pages_carry_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_login_page_has_no_inline_script(client):
    html = client.get("/login").get_data(as_text=True)
    for chunk in html.split("<script")[1:]:
        assert chunk.lstrip().startswith("src=") or " src=" in chunk.split(">")[0]


def test_session_cookie_is_httponly_and_samesite(client, db):
    from tests.factories import DEFAULT_PASSWORD, make_user

    make_user("anna@example.org")
    db.session.commit()
    response = client.post(
        "/login", data={"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_refuses_default_secret_key(monkeypatch):
    class Prod(ProductionConfig):
        SECRET_KEY = "dev-only-not-secret"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)

    class ProdMissing(ProductionConfig):
        SECRET_KEY = None

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProdMissing)


def test_production_sets_secure_cookies():
    class Prod(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-value"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Prod)
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_unknown_page_is_404_not_500(client, db, login):
    from tests.factories import make_user

    make_user("anna@example.org")
    db.session.commit()
    login("anna@example.org")
    assert client.get("/organisations/999999").status_code == 404
    assert client.get("/organisations/abc").status_code == 404
    assert client.get("/organisations/?page=abc").status_code == 200


def test_nul_characters_in_any_input_are_refused_with_400(client, login, demo):
    from govtool.demo import DEMO_PASSWORD

    login("admin@example.org", DEMO_PASSWORD)
    for response in (
        client.get("/organisations/?q=a%00b"),
        client.get("/people/?q=%00"),
        client.post("/organisations/new", data={"name": "Amt\x00", "kind": "municipality"}),
    ):
        assert response.status_code == 400
        assert "(NUL)" in response.get_data(as_text=True)
    assert client.get("/organisations/?q=Halle").status_code == 200
