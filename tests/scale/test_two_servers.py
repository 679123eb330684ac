"""Two application servers (gunicorn on two ports) behind haproxy, one PostgreSQL, one Redis:
what one server writes, counts or stores, the other reads, and a session works on both.

The servers get their environment from bench/cluster.py (server_env), the one place that says
what every server shares; the capacity benchmark starts the same processes.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import re
import secrets
import urllib.parse
import uuid
from http.cookies import SimpleCookie

import pytest
import redis
import sqlalchemy as sa

from bench.cluster import HAPROXY, reachable, running, server_env
from govtool.auth.models import Role
from govtool.bodies import agenda
from govtool.bodies.agenda_models import StoredFile
from govtool.bodies.models import MembershipRole
from tests.bodies.factories import make_body, make_meeting, make_member_user
from tests.factories import DEFAULT_PASSWORD

REDIS_URL = os.environ.get("GOVTOOL_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/5")
LOGIN_LIMIT = 5
FILE_PREFIX = f"two-servers-{uuid.uuid4().hex}"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def servers(app, database_url, s3_server):
    """Servers a and b (two workers each) and haproxy in front, on the test database; their
    files in one bucket of a real S3-compatible server, as on separate machines."""
    if HAPROXY is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy)")
    if not reachable("127.0.0.1", 6379):
        pytest.skip("no Redis on 127.0.0.1:6379: the servers share the login limit through it")
    if sa.engine.make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("two servers share one PostgreSQL: set GOVTOOL_TEST_DATABASE_URL")
    env = server_env(
        database_url,
        redis_url=REDIS_URL,
        behind_proxy=True,
        GOVTOOL_LOGIN_LIMIT=f"{LOGIN_LIMIT} per minute",
        GOVTOOL_STORAGE_URL=s3_server.storage_url(FILE_PREFIX),
        **s3_server.config,
    )
    with running("govtool.wsgi:app", env, servers=2, workers=1, threads=2) as cluster:
        yield cluster


def _part(boundary: str, disposition: str, data: bytes) -> bytes:
    head = f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n"
    return head.encode() + data + b"\r\n"


class Browser:
    """One person's browser: keeps its cookies, whichever server it talks to.

    Requests straight to server a or b stand for what haproxy sends there, so they carry the
    client's address in X-Forwarded-For as haproxy would (the servers trust one proxy). Each
    browser gets an address of its own unless told one: sign-in counts of one test (or of another
    pytest worker's servers on the same Redis) never reach another's."""

    def __init__(self, address: str | None = None) -> None:
        self.cookies: dict[str, str] = {}
        self.address = address or f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.7"

    def request(
        self,
        base_url: str,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        upload: tuple[str, str, bytes] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        address = urllib.parse.urlsplit(base_url)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-Forwarded-For": self.address,
        }
        body = b""
        if upload is not None:
            boundary = secrets.token_hex(16)
            field, name, data = upload
            parts = [
                _part(boundary, f'name="{key}"', value.encode())
                for key, value in (form or {}).items()
            ]
            parts.append(
                _part(
                    boundary,
                    f'name="{field}"; filename="{name}"\r\nContent-Type: application/octet-stream',
                    data,
                )
            )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def get(self, base_url: str, path: str) -> tuple[int, http.client.HTTPMessage, str]:
        status, headers, data = self.request(base_url, "GET", path)
        return status, headers, data.decode()

    def token(self, base_url: str, path: str) -> str:
        status, _, html = self.get(base_url, path)
        assert status == 200, (path, status)
        return CSRF.search(html).group(1)

    def sign_in(self, base_url: str, email: str, password: str = DEFAULT_PASSWORD) -> int:
        form = {"csrf_token": self.token(base_url, "/login"), "email": email, "password": password}
        return self.request(base_url, "POST", "/login", form)[0]


@pytest.fixture()
def meeting(db):
    body = make_body(name="Begleitgremium Zwei Server", short_name="BGZS")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=20))
    item = agenda.add_item(secretary, meeting, {"title": "Bericht", "is_public": True})
    db.session.commit()
    return {"secretary": secretary.email, "meeting": meeting.id, "item": item.id}


def test_a_session_and_a_write_through_one_server_are_seen_by_the_other(servers, meeting):
    a, b = servers.server_url("a"), servers.server_url("b")
    browser = Browser()
    assert browser.sign_in(a, meeting["secretary"]) == 302
    # Signed in on a, so signed in on b: the session is a cookie signed with the shared key.
    status, _, page = browser.get(b, f"/meetings/{meeting['meeting']}")
    assert status == 200 and 'action="/logout"' in page
    # A form b rendered is accepted by a (the CSRF token lives in that session).
    token = CSRF.search(page).group(1)
    title = f"Bericht über zwei Server {uuid.uuid4().hex[:8]}"
    form = {"csrf_token": token, "title": title, "is_public": "y"}
    status, _, _ = browser.request(a, "POST", f"/meetings/{meeting['meeting']}/items", form)
    assert status == 302
    status, _, page = browser.get(b, f"/meetings/{meeting['meeting']}")
    assert status == 200 and title in page


def test_a_file_uploaded_through_one_server_downloads_through_the_other(
    servers, meeting, db, s3_server
):
    a, b = servers.server_url("a"), servers.server_url("b")
    browser = Browser()
    assert browser.sign_in(a, meeting["secretary"]) == 302
    item_page = f"/meetings/{meeting['meeting']}/items/{meeting['item']}"
    data = b"%PDF-1.4\n" + secrets.token_bytes(200_000) + b"\n%%EOF\n"
    status, _, _ = browser.request(
        a,
        "POST",
        f"{item_page}/files",
        form={"csrf_token": browser.token(a, item_page)},
        upload=("upload-file", "Bericht zwei Server.pdf", data),
    )
    assert status == 302
    stored = db.session.scalars(
        sa.select(StoredFile).where(StoredFile.meeting_id == meeting["meeting"])
    ).one()
    # Kept in the shared bucket, not on either server's disk.
    assert s3_server.store(prefix=FILE_PREFIX).exists(agenda.file_key(stored.sha256))
    download = f"/meetings/{meeting['meeting']}/files/{stored.id}"
    status, headers, body = browser.request(b, "GET", download)
    assert status == 200 and body == data
    assert "Bericht%20zwei%20Server.pdf" in headers["Content-Disposition"]
    # Through the balancer too, whichever server answers.
    served = set()
    for _ in range(2):
        status, headers, body = browser.request(servers.url, "GET", download)
        assert status == 200 and body == data
        served.add(headers["X-Served-By"])
    assert served == {"a", "b"}


def test_failed_sign_ins_on_both_servers_count_against_one_limit(servers, meeting):
    a, b = servers.server_url("a"), servers.server_url("b")
    client = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.9"
    wrong = (f"niemand-{uuid.uuid4().hex}@example.org", "falsch")
    for server, attempts in ((a, 3), (b, LOGIN_LIMIT - 3)):
        for _ in range(attempts):
            assert Browser(client).sign_in(server, *wrong) == 401
    # The limit is used up on a and b together: b refuses, and so does a, even the right password.
    assert Browser(client).sign_in(b, *wrong) == 429
    assert Browser(client).sign_in(a, *wrong) == 429
    assert Browser(client).sign_in(a, meeting["secretary"]) == 429
    # Another address is not affected; the counts live in Redis.
    assert Browser().sign_in(b, meeting["secretary"]) == 302
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{client}/auth.login/{LOGIN_LIMIT}/1/minute*")
    assert keys, "the counts should live in Redis"


def test_the_balancer_sends_one_signed_in_browser_to_both_servers(servers, meeting):
    browser = Browser()
    assert browser.sign_in(servers.url, meeting["secretary"]) == 302
    served = set()
    for _ in range(4):
        status, headers, page = browser.get(servers.url, f"/meetings/{meeting['meeting']}")
        assert status == 200 and 'action="/logout"' in page
        served.add(headers["X-Served-By"])
    assert served == {"a", "b"}
