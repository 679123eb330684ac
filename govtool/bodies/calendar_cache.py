"""Calendars kept per process while the rows they are written from are unchanged (issue 15).

Writing a calendar (every meeting, agenda item and invitee as an object, then icalendar's
serialisation) costs several times a meeting page, while calendar clients fetch the same file
again and again. Each entry is checked against a digest of the very values it was written from,
read as plain rows on every request: a change, an addition or a deletion of any of them builds
the calendar again, on every server at once (no expiry time, no invalidation to forget).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Hashable
from typing import Any

from ..extensions import db


def digest(*parts: Any) -> str:
    """A digest of values read from the database (rows as tuples, settings, the locale)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class CalendarCache:
    """At most `size` values, each with the digest it is valid for; the oldest goes first."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: dict[Hashable, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, fingerprint: str) -> Any | None:
        entry = self._entries.get(_scoped(key))
        return entry[1] if entry is not None and entry[0] == fingerprint else None

    def put(self, key: Hashable, fingerprint: str, value: Any) -> None:
        scoped = _scoped(key)
        with self._lock:
            self._entries.pop(scoped, None)
            while len(self._entries) >= self.size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[scoped] = (fingerprint, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _scoped(key: Hashable) -> Hashable:
    # Ids are per database: tests and the benchmark run several apps in one process.
    return (str(db.engine.url), key)
