"""The write mix's load generator: closed loop, zero think time, on asyncio streams.

wrk drives the page mix and hello (bench/load_mix.lua), but its Lua cannot tell which request an
answer belongs to, and checking that every acknowledged write is stored needs exactly that. Here
each simulated user owns its action item, its participant and its comment markers, sends one
request at a time, and writes down what the server acknowledged (a redirect), as the locust users
did. HTTP/1.1 keep-alive by hand on asyncio streams: about a tenth of a millisecond of CPU per
request, measured and reported with the results (bench/load.py).
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import itertools
import re
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ACKNOWLEDGED = (302, 303)


def sign_in(base_url: str, email: str, password: str, page: str = "/") -> tuple[str, str]:
    """Sign in through the login form; return the Cookie header and a CSRF token of the session.

    The cookie is not updated afterwards: govtool's session is a signed cookie, so the same one
    works on every request (flash messages a write adds are simply not carried on)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = opener.open(f"{base_url}/login").read().decode()
    token = _token(login_page)
    data = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    opener.open(f"{base_url}/login", data=data.encode()).read()
    signed_in_page = opener.open(f"{base_url}{page}").read().decode()
    if 'action="/logout"' not in signed_in_page:
        raise RuntimeError(f"signing in as {email} failed")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, _token(signed_in_page)


def _token(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


class Connection:
    """One keep-alive HTTP/1.1 connection; enough of the protocol for govtool's answers."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str]]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if method != "GET":
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = raw.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        answer: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            if name:
                answer[name.strip().lower()] = value.strip()
        if answer.get("transfer-encoding", "").lower() == "chunked":
            await self._read_chunked()
        else:
            await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection", "").lower() == "close":
            await self.close()
        return status, answer

    async def _read_chunked(self) -> None:
        assert self.reader is not None
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(size + 2)
            if size == 0:
                return

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None


@dataclass
class Writer:
    """A simulated user of the write mix and what it owns."""

    cookie: str
    token: str
    action_id: int | None
    participant: tuple[int, int] | None
    comment_path: str | None
    kinds: Any = None

    def __post_init__(self) -> None:
        kinds = [
            kind
            for kind, target in (
                ("status", self.action_id),
                ("attendance", self.participant),
                ("comment", self.comment_path),
            )
            if target is not None
        ]
        self.kinds = itertools.cycle(kinds)
        self.statuses = itertools.cycle(["done", "open"])
        self.presences = itertools.cycle(["present", "excused", "absent"])

    def next_write(self) -> tuple[str, str, dict[str, str], Any]:
        """(kind, path, form, value to record once acknowledged)."""
        kind = next(self.kinds)
        if kind == "status":
            status = next(self.statuses)
            form = {"csrf_token": self.token, "status": status, "next": "/actions/"}
            return kind, f"/actions/{self.action_id}/status", form, (self.action_id, status)
        if kind == "attendance":
            assert self.participant is not None
            meeting, participant = self.participant
            presence = next(self.presences)
            form = {"csrf_token": self.token, f"presence-{participant}": presence}
            return kind, f"/meetings/{meeting}/attendance", form, (participant, presence)
        marker = f"bench-{uuid.uuid4().hex}"
        assert self.comment_path is not None
        return kind, self.comment_path, {"csrf_token": self.token, "text": marker}, marker


@dataclass
class Ledger:
    """What the server acknowledged: last status and presence per target, every comment."""

    status: dict[str, str] = field(default_factory=dict)
    presence: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    def acknowledge(self, kind: str, value: Any) -> None:
        if kind == "status":
            self.status[str(value[0])] = value[1]
        elif kind == "attendance":
            self.presence[str(value[0])] = value[1]
        else:
            self.comments.append(value)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "presence": self.presence, "comments": self.comments}


@dataclass
class StepResult:
    latencies: list[float] = field(default_factory=list)
    unexpected: int = 0
    first_unexpected: int = 0
    io_errors: int = 0
    elapsed: float = 0.0


async def _run_user(
    writer: Writer, host: str, port: int, until: float, ledger: Ledger, result: StepResult
) -> None:
    connection = Connection(host, port)
    headers = {
        "Cookie": writer.cookie,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        while time.perf_counter() < until:
            kind, path, form, value = writer.next_write()
            body = urllib.parse.urlencode(form).encode()
            started = time.perf_counter()
            try:
                status, _ = await connection.request("POST", path, headers, body)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                result.io_errors += 1
                await connection.close()
                continue
            result.latencies.append(time.perf_counter() - started)
            if status in ACKNOWLEDGED:
                ledger.acknowledge(kind, value)
            else:
                result.unexpected += 1
                result.first_unexpected = result.first_unexpected or status
    finally:
        await connection.close()


def run_writes(
    writers: list[Writer], host: str, port: int, seconds: float, ledger: Ledger
) -> StepResult:
    """Every writer sends writes back to back for `seconds`; each request in flight at the end
    is still awaited (and counted), so no write is left unanswered."""
    result = StepResult()

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(
            *(_run_user(writer, host, port, until, ledger, result) for writer in writers)
        )

    started = time.perf_counter()
    asyncio.run(main())
    result.elapsed = time.perf_counter() - started
    return result
