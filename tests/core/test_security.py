"""CSRF, security headers, cookie flags, production settings."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

from govtool import TestConfig, create_app
from govtool.config import DEFAULT_SECRET_KEY, Config, ProductionConfig, config_from_environment
from govtool.extensions import limiter


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


# --- issue 10: HSTS, no-store, GOVTOOL_ENV, no public development key ---------------------------


def _production_app(**overrides):
    class Prod(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret-value"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    for name, value in overrides.items():
        setattr(Prod, name, value)
    return create_app(Prod)


def test_production_sends_hsts(app):
    try:
        response = _production_app().test_client().get("/login")
    finally:
        limiter.init_app(app)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_only_on_https_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]


def test_signed_in_pages_are_not_stored_but_static_files_are_cacheable(client, db, login):
    from tests.factories import make_user

    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    make_user("anna@example.org")
    db.session.commit()
    login("anna@example.org")
    for path in ("/", "/profile"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    static = client.get("/static/govtool.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_downloads_are_not_stored_even_for_visitors(app):
    from flask import Response

    from govtool.core.security import set_security_headers

    with app.test_request_context("/catalogue/dcat.jsonld"):
        response = Response("{}", headers={"Content-Disposition": "attachment; filename=x.json"})
        response.headers["Cache-Control"] = "public, max-age=600"
        assert set_security_headers(response).headers["Cache-Control"] == "no-store"


def test_signed_in_document_download_is_not_stored(demo, client, login):
    from govtool.agreements.models import Agreement
    from govtool.demo import DEMO_PASSWORD

    agreement = demo.session.scalar(sa.select(Agreement).order_by(Agreement.id))
    login("admin@example.org", DEMO_PASSWORD)
    response = client.get(f"/agreements/{agreement.id}/versions/1/document.docx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("name", ["prod", "Produktion", "staging", "test"])
def test_unknown_govtool_env_refuses_to_start(monkeypatch, name):
    monkeypatch.setenv("GOVTOOL_ENV", name)
    with pytest.raises(RuntimeError, match="development, production"):
        config_from_environment()
    with pytest.raises(RuntimeError, match="GOVTOOL_ENV"):
        create_app()


def test_known_govtool_env_names(monkeypatch):
    monkeypatch.delenv("GOVTOOL_ENV", raising=False)
    assert config_from_environment() is Config
    monkeypatch.setenv("GOVTOOL_ENV", " Production ")
    assert config_from_environment() is ProductionConfig


@pytest.mark.parametrize("given", [None, "", DEFAULT_SECRET_KEY])
def test_development_never_runs_with_the_public_key(app, tmp_path, given):
    class Dev(Config):
        SECRET_KEY = given
        INSTANCE_DIR = tmp_path
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    try:
        first = create_app(Dev).config["SECRET_KEY"]
        second = create_app(Dev).config["SECRET_KEY"]
    finally:
        limiter.init_app(app)
    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text().strip()  # kept across restarts
    assert first != DEFAULT_SECRET_KEY and len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
