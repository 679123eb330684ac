"""Faults survived, not propagated (issue 15): a TCP proxy (tests/support/tcp_proxy.py) between
govtool and Redis or PostgreSQL is cut and restored while real servers answer real requests.

- Redis away: sign-in and pages keep working, the login limit still limits (in this process's
  memory) and a warning is logged; once Redis is back, the same process counts in Redis again.
- PostgreSQL away: pages answer 503 with the friendly page (problem+json under /api and /oparl),
  never 500, also for a request whose query was running when the connection was cut; after the
  restore the next requests succeed in the same process (gunicorn's worker is not restarted).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from bench.cluster import reachable
from govtool import TestConfig, create_app
from govtool.extensions import limiter

from ..factories import DEFAULT_PASSWORD, make_user
from ..support.tcp_proxy import TcpProxy

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# DB 4: this module's own (tests/conftest.py)
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 4
TIMEOUT = 10  # no request may hang on the cut connection


@contextmanager
def serving(application):
    """The app under Werkzeug's threaded server in this process; yields its base address."""
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _sign_in(base: str, email: str, password: str) -> tuple[requests.Session, requests.Response]:
    """Through the real form: fetch it, send it back with its CSRF token."""
    browser = requests.Session()
    form = browser.get(f"{base}/login", timeout=TIMEOUT)
    assert form.status_code == 200, form.status_code
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
    assert token, "the sign-in form has a CSRF token"
    response = browser.post(
        f"{base}/login",
        data={"csrf_token": token.group(1), "email": email, "password": password},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return browser, response


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture()
def redis_proxy(app):
    if not reachable(REDIS_HOST, REDIS_PORT):
        pytest.skip(f"no Redis on {REDIS_HOST}:{REDIS_PORT}")
    client = _redis()
    client.flushdb()  # this module's own DB (tests/conftest.py), never another's
    client.close()
    proxy = TcpProxy(REDIS_HOST, REDIS_PORT)
    yield proxy
    proxy.close()
    limiter.init_app(app)  # back to the session app's in-memory storage
    limiter.reset()


def _redis():
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)


def _limit_counts() -> dict[str, int]:
    """The sign-in limit's counts in this area's Redis DB (not the throttle's), from Redis.
    By the limit's scope, not by RATELIMIT_KEY_PREFIX: the process-wide Limiter keeps the
    first prefix any app of the test run gave it."""
    client = _redis()
    try:
        return {
            key.decode(): int(client.get(key) or 0)
            for key in client.scan_iter("*auth.login*")
            if b"throttle" not in key
        }
    finally:
        client.close()


def test_sign_in_and_the_login_limit_survive_a_redis_cut(
    app, db, database_url, redis_proxy, caplog
):
    make_user("anna@example.org")
    make_user("ben@example.org")
    db.session.commit()
    prefix = f"govtool-faults-{uuid.uuid4().hex}"

    class RedisThroughProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        GOVTOOL_REDIS_URL = f"redis://127.0.0.1:{redis_proxy.port}/{REDIS_DB}"
        RATELIMIT_STORAGE_URI = None  # taken from GOVTOOL_REDIS_URL, as in production
        RATELIMIT_KEY_PREFIX = prefix
        WTF_CSRF_ENABLED = True
        GOVTOOL_LOGIN_LIMIT = "3 per minute"
        GOVTOOL_REDIS_RETRY_SECONDS = 0.5
        PROPAGATE_EXCEPTIONS = False  # a 500 stays a 500 page, as in production

    caplog.set_level(logging.INFO, logger="govtool.ratelimit")
    with serving(create_app(RedisThroughProxy)) as base:
        # Redis up: a failed sign-in is counted there.
        assert _sign_in(base, "anna@example.org", "falsch")[1].status_code == 401
        assert list(_limit_counts().values()) == [1]

        redis_proxy.cut()
        # Sign-in and pages work...
        browser, response = _sign_in(base, "ben@example.org", DEFAULT_PASSWORD)
        assert response.status_code == 302
        dashboard = browser.get(f"{base}/", timeout=TIMEOUT)
        assert dashboard.status_code == 200
        # ...the limit still limits, counted in memory (the failure counted in Redis is not seen)...
        answers = [_sign_in(base, "anna@example.org", "falsch")[1].status_code for _ in range(4)]
        assert answers == [401, 401, 401, 429]
        # ...and the outage is logged once, as a warning.
        warnings = [
            r for r in caplog.records if r.name == "govtool.ratelimit" and r.levelname == "WARNING"
        ]
        assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
        assert list(_limit_counts().values()) == [1]  # nothing reached Redis

        redis_proxy.restore()
        time.sleep(0.6)  # GOVTOOL_REDIS_RETRY_SECONDS: memory is used until then
        # The same process counts in Redis again: its count (1) goes on, memory's (4) is left.
        assert _sign_in(base, "anna@example.org", "falsch")[1].status_code == 401
        assert list(_limit_counts().values()) == [2]
        assert any("reachable again" in r.getMessage() for r in caplog.records)
        assert _sign_in(base, "anna@example.org", "falsch")[1].status_code == 401
        assert _sign_in(base, "anna@example.org", "falsch")[1].status_code == 429


def test_redis_is_not_asked_on_every_request_while_it_is_away(app, db, database_url, redis_proxy):
    """After the first failure, requests use memory at once until the retry interval is over:
    a Redis that is away adds no connection attempt to each request."""
    make_user("anna@example.org")
    db.session.commit()

    class RedisThroughProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = f"redis://127.0.0.1:{redis_proxy.port}/{REDIS_DB}"
        RATELIMIT_KEY_PREFIX = f"govtool-faults-{uuid.uuid4().hex}"
        GOVTOOL_LOGIN_LIMIT = "100 per minute"
        GOVTOOL_REDIS_RETRY_SECONDS = 60

    client = create_app(RedisThroughProxy).test_client()
    bad = {"email": "anna@example.org", "password": "falsch"}
    assert client.post("/login", data=bad).status_code == 401

    redis_proxy.cut()
    assert client.post("/login", data=bad).status_code == 401  # finds Redis away
    assert limiter.storage.using_memory
    with _connection_attempts(redis_proxy.port) as attempts:
        for _ in range(5):
            assert client.post("/login", data=bad).status_code == 401
    assert attempts == []


@contextmanager
def _connection_attempts(port: int):
    """Connections opened to `port` on this machine inside the block (from /proc/net/tcp, where
    closed ones stay a while in TIME_WAIT)."""
    attempts: list[str] = []

    def established() -> set[str]:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
        wanted = f"{port:04X}"
        return {line.split()[1] for line in lines if line.split()[2].endswith(":" + wanted)}

    before = established()
    yield attempts
    attempts.extend(established() - before)


def test_sign_in_works_when_redis_was_never_there(app, db, database_url):
    """GOVTOOL_REDIS_URL names a server that does not answer (nothing listens on port 1): the
    app starts, signs in and limits, in memory."""
    make_user("anna@example.org")
    db.session.commit()

    class RedisNowhere(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        GOVTOOL_REDIS_URL = f"redis://127.0.0.1:1/{REDIS_DB}"
        RATELIMIT_STORAGE_URI = None
        GOVTOOL_LOGIN_LIMIT = "2 per minute"

    try:
        client = create_app(RedisNowhere).test_client()
        good = {"email": "anna@example.org", "password": DEFAULT_PASSWORD}
        bad = {"email": "anna@example.org", "password": "falsch"}
        assert client.post("/login", data=good).status_code == 302
        assert client.get("/").status_code == 200
        other = client.application.test_client()
        assert [other.post("/login", data=bad).status_code for _ in range(3)] == [401, 401, 429]
    finally:
        limiter.init_app(app)
        limiter.reset()


# --- PostgreSQL ---------------------------------------------------------------------------

# Nothing listens on port 1: the connection is refused at once (runs on SQLite as well).
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/govtool"


@pytest.fixture()
def database_away(app):
    class DatabaseAway(TestConfig):
        SQLALCHEMY_DATABASE_URI = UNREACHABLE
        PROPAGATE_EXCEPTIONS = False

    yield create_app(DatabaseAway).test_client()
    limiter.init_app(app)


def test_oparl_answers_problem_json_503_while_the_database_is_away(database_away):
    response = database_away.get("/oparl/v1/body")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["status"] == 503


def test_the_503_page_tells_when_to_try_again(database_away):
    response = database_away.get("/bodies/1/public.ics")  # public: the database is asked
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Vorübergehend nicht erreichbar" in response.get_data(as_text=True)


def test_postgresql_connections_give_up_after_a_few_seconds():
    """A database that does not answer at all (a cut network, not a refused port) holds a
    request for seconds, not for the operating system's minutes."""

    class OnPostgres(TestConfig):
        SQLALCHEMY_DATABASE_URI = UNREACHABLE

    application = create_app(OnPostgres)
    options = application.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["connect_args"] == {"connect_timeout": 5}


@pytest.fixture()
def pg_proxy(database_url):
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs PostgreSQL (GOVTOOL_TEST_DATABASE_URL): SQLite has no connection to cut")
    host, port = url.host or "127.0.0.1", url.port or 5432
    if not reachable(host, port):
        pytest.skip(f"no PostgreSQL on {host}:{port}")
    proxy = TcpProxy(host, port)
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


def _assert_friendly_503(response: requests.Response) -> None:
    assert response.status_code == 503, response.status_code
    assert int(response.headers["Retry-After"]) >= 30
    assert '<html lang="de">' in response.text
    assert "<h1>Vorübergehend nicht erreichbar</h1>" in response.text
    assert "Die Datenbank antwortet nicht" in response.text


def _assert_problem_503(response: requests.Response) -> None:
    assert response.status_code == 503, response.status_code
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert int(response.headers["Retry-After"]) >= 30
    assert response.json()["status"] == 503


def test_a_query_cut_in_flight_gets_503_and_the_next_request_succeeds(
    app, db, database_url, pg_proxy
):
    """The connection is cut while a request's query runs: that request gets the 503 page, and
    the requests after the restore succeed in the same process."""
    proxy, proxied_url = pg_proxy
    make_user("anna@example.org")
    db.session.commit()

    class DatabaseThroughProxy(TestConfig):
        SQLALCHEMY_DATABASE_URI = proxied_url
        PROPAGATE_EXCEPTIONS = False

    application = create_app(DatabaseThroughProxy)

    @application.get("/slow")
    def slow():
        from govtool.extensions import db as database

        database.session.execute(sa.text("SELECT pg_sleep(2)"))
        return "done"

    with serving(application) as base:
        assert requests.get(f"{base}/slow", timeout=TIMEOUT).text == "done"
        answers: list[requests.Response] = []
        in_flight = threading.Thread(
            target=lambda: answers.append(requests.get(f"{base}/slow", timeout=TIMEOUT))
        )
        in_flight.start()
        time.sleep(0.5)
        proxy.cut()
        in_flight.join()
        _assert_friendly_503(answers[0])
        # While cut: every page answers 503, never 500.
        _assert_friendly_503(requests.get(f"{base}/slow", timeout=TIMEOUT))
        browser, response = _sign_in_without_csrf(base)
        _assert_friendly_503(response)

        proxy.restore()
        assert requests.get(f"{base}/slow", timeout=TIMEOUT).text == "done"
        browser, response = _sign_in_without_csrf(base)
        assert response.status_code == 302
        assert browser.get(f"{base}/", timeout=TIMEOUT).status_code == 200
    with application.app_context():
        from govtool.extensions import db as database

        database.engine.dispose()


def _sign_in_without_csrf(base: str) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    response = browser.post(
        f"{base}/login",
        data={"email": "anna@example.org", "password": DEFAULT_PASSWORD},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    return browser, response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, instance_dir: Path):
    """govtool.wsgi under gunicorn (one worker, two threads) in a process of its own."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVTOOL_")},
        "DATABASE_URL": database_url,
        "SECRET_KEY": "faults-test-secret-key-faults-test",
        "GOVTOOL_ENV": "development",
        "GOVTOOL_INSTANCE_DIR": str(instance_dir),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers=1",
            "--threads=2",
            f"--bind=127.0.0.1:{port}",
            "govtool.wsgi:app",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or the worker still loads
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {process.stderr.read().decode()}")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=20)


def _workers(process: subprocess.Popen) -> list[str]:
    found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
    return sorted(found.stdout.split())


def test_gunicorn_answers_503_while_postgresql_is_cut_and_recovers_without_restart(
    app, db, pg_proxy, tmp_path
):
    proxy, proxied_url = pg_proxy
    make_user("anna@example.org")
    db.session.commit()

    with gunicorn(proxied_url, tmp_path) as (base, process):
        browser, response = _sign_in(base, "anna@example.org", DEFAULT_PASSWORD)
        assert response.status_code == 302
        assert browser.get(f"{base}/", timeout=TIMEOUT).status_code == 200
        assert requests.get(f"{base}/oparl/v1/body", timeout=TIMEOUT).status_code == 200
        workers = _workers(process)

        proxy.cut()
        for _ in range(3):  # the pooled connections are gone, new ones are refused
            _assert_friendly_503(browser.get(f"{base}/", timeout=TIMEOUT))
        _assert_friendly_503(_sign_in(base, "anna@example.org", DEFAULT_PASSWORD)[1])
        _assert_problem_503(requests.get(f"{base}/oparl/v1/body", timeout=TIMEOUT))
        _assert_problem_503(
            requests.get(
                f"{base}/api/v1/bodies",
                headers={"Authorization": "Bearer gvt_" + "x" * 43},
                timeout=TIMEOUT,
            )
        )
        health = requests.get(f"{base}/healthz", timeout=TIMEOUT)
        assert health.status_code == 503

        proxy.restore()
        # The very next requests succeed, in the same worker: nothing was restarted.
        assert browser.get(f"{base}/", timeout=TIMEOUT).status_code == 200
        assert requests.get(f"{base}/oparl/v1/body", timeout=TIMEOUT).status_code == 200
        assert _sign_in(base, "anna@example.org", DEFAULT_PASSWORD)[1].status_code == 302
        assert requests.get(f"{base}/healthz", timeout=TIMEOUT).status_code == 200
        assert _workers(process) == workers
