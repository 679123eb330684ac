"""Absolute links only from GOVTOOL_BASE_URL, TRUSTED_HOSTS, and one safe-redirect helper
(issue 10: poisoned reset links, open redirect)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from govtool import TestConfig, create_app
from govtool.core.mail import OutboxMessage
from govtool.core.urls import external_url, is_safe_redirect_target, safe_redirect_target
from tests.factories import DEFAULT_PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


def test_reset_link_ignores_a_forged_host_header(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", "https://govtool.example.org/")
    make_user("anna@example.org")
    db.session.commit()
    response = client.post(
        "/password/forgot",
        data={"email": "anna@example.org"},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 302
    body = db.session.query(OutboxMessage).one().body
    assert "evil.example" not in body
    assert "https://govtool.example.org/password/reset/" in body


def test_external_url_uses_the_base_url_with_and_without_a_request(app, monkeypatch):
    monkeypatch.setitem(app.config, "GOVTOOL_BASE_URL", "https://amt.example.org/govtool/")
    with app.app_context():
        assert (
            external_url("catalogue.entry_detail", entry_id=7)
            == "https://amt.example.org/govtool/catalogue/7"
        )
    with app.test_request_context("/", base_url="http://evil.example"):
        assert external_url("auth.login", next="/x", _anchor="top") == (
            "https://amt.example.org/govtool/login?next=/x#top"
        )


def test_no_absolute_link_is_built_from_the_request():
    """Every absolute link goes through core.urls.external_url: no `_external=True` left."""
    found = subprocess.run(
        [
            "grep",
            "-rnE",
            "--include=*.py",
            "--include=*.html",
            "(^|[^a-z])_external=True",
            "govtool",
            "templates",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert found == ""


@pytest.fixture()
def trusted_app(database_url):
    class Trusted(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        TRUSTED_HOSTS = ["govtool.example.org"]

    return create_app(Trusted)


def test_foreign_host_header_gets_400_with_trusted_hosts(trusted_app):
    client = trusted_app.test_client()
    assert client.get("/login", headers={"Host": "govtool.example.org"}).status_code == 200
    response = client.get("/login", headers={"Host": "evil.example"})
    assert response.status_code == 400
    response = client.post(
        "/password/forgot", data={"email": "a@example.org"}, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400


def test_trusted_hosts_are_read_from_the_environment():
    script = "from govtool.config import Config; print(Config.TRUSTED_HOSTS)"
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "GOVTOOL_TRUSTED_HOSTS": " a.example.org, .b.example.org ,"},
        check=False,
    )
    assert out.stdout.strip() == "['a.example.org', '.b.example.org']", out.stderr


NASTY_TARGETS = [
    "//evil.com",
    "///evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    "/\r\n/evil.com",
    "/ /evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "https://evil.com/",
    "http:/evil.com",
    "javascript:alert(1)",
    "evil.com",
    "",
    " /agreements/",
    "/\x00/evil.com",
    "/\u2028/evil.com",
    "/\u00a0/evil.com",
]


@pytest.mark.parametrize("target", NASTY_TARGETS)
def test_unsafe_redirect_targets_are_refused(app, target):
    assert not is_safe_redirect_target(target)
    with app.test_request_context():
        assert safe_redirect_target(target) == "/"


@pytest.mark.parametrize("target", ["/", "/agreements/?page=2&q=a%20b", "/catalogue/7#top"])
def test_local_paths_are_kept(target):
    assert is_safe_redirect_target(target)


@pytest.mark.parametrize(
    "raw", ["/%09/evil.com", "/%0a/evil.com", "/%0d%0a/evil.com", "//evil.com", "/%5cevil.com"]
)
def test_sign_in_never_redirects_off_site(client, db, raw):
    make_user("anna@example.org")
    db.session.commit()
    assert client.get(f"/login?next={raw}").status_code == 200
    response = client.post(
        f"/login?next={raw}", data={"email": "anna@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_local_next(client, db):
    make_user("anna@example.org")
    db.session.commit()
    response = client.post(
        "/login?next=/agreements/%3Fpage%3D2",
        data={"email": "anna@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/agreements/?page=2"


@pytest.mark.parametrize("raw", ["/\t/evil.com", "/\n/evil.com", "//evil.com", "/\\evil.com"])
def test_language_switch_never_redirects_off_site(client, raw):
    response = client.post("/language", data={"locale": "en", "next": raw})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
