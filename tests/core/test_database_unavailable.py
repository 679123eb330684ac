"""The database away (issue 10): a 503 page in German and English for visitors and signed-in
users alike, a JSON /healthz, and a 500 text that promises nothing it cannot keep."""

from __future__ import annotations

import pytest

from govtool import TestConfig, create_app
from govtool.extensions import limiter

# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/govtool?connect_timeout=2"


@pytest.fixture()
def down_app(app):
    class DatabaseDown(TestConfig):
        SQLALCHEMY_DATABASE_URI = UNREACHABLE
        PROPAGATE_EXCEPTIONS = False  # the 500 page as in production, not the test's traceback

    application = create_app(DatabaseDown)

    @application.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    yield application
    limiter.init_app(app)  # back to the session app's storage


def _signed_in(client, locale: str | None = None):
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"
        session["_fresh"] = True
        if locale:
            session["locale"] = locale
    return client


def test_healthz_is_json_and_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_json_when_the_database_is_away(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_visitor_gets_a_german_503_page(down_app):
    response = down_app.test_client().post(
        "/login", data={"email": "anna@example.org", "password": "irgendein-passwort"}
    )
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert "Die Datenbank antwortet nicht" in html
    assert "nicht verloren" not in html


def test_503_page_says_what_happened_in_its_heading(down_app):
    """Seen in the browser: the heading said only "Fehler 503"."""
    page = _signed_in(down_app.test_client()).get("/agreements/").get_data(as_text=True)
    assert "<h1>Vorübergehend nicht erreichbar</h1>" in page
    assert "Fehler 503" in page  # still there, for a call to the support desk


def test_signed_in_user_gets_the_app_page_not_werkzeugs(down_app):
    response = _signed_in(down_app.test_client()).get("/")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Die Datenbank antwortet nicht" in html
    assert "govtool.css" in html  # the app's layout, not Werkzeug's bare page


def test_503_page_in_english(down_app):
    response = _signed_in(down_app.test_client(), "en").get("/agreements/")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "database cannot be reached" in html


def test_500_page_promises_nothing_and_renders_for_a_signed_in_user(down_app):
    response = _signed_in(down_app.test_client()).get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "nicht verloren" not in html
    assert "protokolliert" in html and "govtool.css" in html
