"""Append-only audit log, written by one SQLAlchemy session hook for every Audited model.

Each flush records inserts, updates and deletes with the changed fields (old and new values). The
hook writes with a Core insert on the flush's connection, so the entries commit or roll back
together with the change they describe. The ORM refuses to update or delete an AuditEntry.
The one exception is redact_audit_entries(): erasing a person (Art. 17 GDPR) removes their
personal data from the log too, and says so in a new entry.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import enum
import json
import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import Model, db
from .models import Audited, UTCDateTime, utcnow

# Who acts when there is no request (CLI, demo loader, tests): set with acting_as().
_cli_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)
MASKED = "***"
# What an erased value reads as in the log (German, like the stored data; not translated).
REDACTED = "[gelöscht]"


class AuditEntry(Model):
    """One change of one domain object. Never updated, never deleted."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(10), index=True)  # insert, update, delete
    object_type: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(60))
    summary: Mapped[str] = mapped_column(sa.String(200), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    user = db.relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_entries_object", "object_type", "object_id"),)


class acting_as:  # noqa: N801 - used like a function: `with acting_as(user): ...`
    """Attribute changes made outside a request (CLI, jobs) to `user` (or the system when None)."""

    def __init__(self, user: Any):
        self.user_id = getattr(user, "id", user)

    def __enter__(self):
        self._token = _cli_actor.set(self.user_id)
        return self

    def __exit__(self, *exc):
        _cli_actor.reset(self._token)


def _current_user_id() -> int | None:
    explicit = _cli_actor.get()
    if explicit is not None:
        return explicit
    try:
        from flask import has_request_context
        from flask_login import current_user

        if has_request_context() and current_user.is_authenticated:
            # .id, not get_id(): that is the session token "id:generation" (auth.sessions).
            return current_user.id
    except Exception:  # no app context: a script acting as the system
        return None
    return None


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _column_attrs(obj: Any):
    mapper = inspect(obj).mapper
    # The optimistic-locking counter is bookkeeping, not content (core.locking).
    excluded = {*getattr(obj, "__audit_exclude__", ()), "lock_version"}
    for attr in mapper.column_attrs:
        if attr.key not in excluded:
            yield attr.key


def _value(obj: Any, key: str, value: Any) -> Any:
    if key in getattr(obj, "__audit_mask__", ()):
        return MASKED if value is not None else None
    return _jsonable(value)


def _object_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity:
        return ",".join(str(part) for part in identity)
    return str(getattr(obj, "id", ""))


def _summary(obj: Any) -> str:
    return str(getattr(obj, "audit_label", None) or "")[:200]


def _changes_for_insert(obj: Any) -> dict[str, Any]:
    return {
        key: {"old": None, "new": _value(obj, key, getattr(obj, key))}
        for key in _column_attrs(obj)
        if getattr(obj, key) is not None
    }


def _changes_for_update(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    changes = {}
    for key in _column_attrs(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        changes[key] = {"old": _value(obj, key, old), "new": _value(obj, key, new)}
    return changes


def _changes_for_delete(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    changes = {}
    for key in _column_attrs(obj):
        history = state.attrs[key].history
        old = (
            history.unchanged[0]
            if history.unchanged
            else (history.deleted[0] if history.deleted else getattr(obj, key, None))
        )
        if old is not None:
            changes[key] = {"old": _value(obj, key, old), "new": None}
    return changes


@event.listens_for(Audited, "mapper_configured", propagate=True)
def _load_old_values_on_change(mapper, cls) -> None:
    """Load a column's old value before it is overwritten, so updates of expired rows keep it."""
    for attr in mapper.column_attrs:
        event.listen(getattr(cls, attr.key), "set", _noop_set, active_history=True)


def _noop_set(target, value, oldvalue, initiator):
    return value


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("audit entries are append-only")


@event.listens_for(Session, "after_flush")
def _write_audit_entries(session: Session, flush_context) -> None:
    rows = []
    actor = _current_user_id()
    now = utcnow()

    def add(obj: Any, action: str, changes: dict[str, Any]) -> None:
        rows.append(
            {
                "created_at": now,
                "user_id": actor,
                "action": action,
                "object_type": type(obj).__name__,
                "object_id": _object_id(obj),
                "summary": _summary(obj),
                "changes": changes,
            }
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            add(obj, "insert", _changes_for_insert(obj))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            changes = _changes_for_update(obj)
            if changes:
                add(obj, "update", changes)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            add(obj, "delete", _changes_for_delete(obj))
    if rows:
        session.connection().execute(sa.insert(AuditEntry.__table__), rows)


def _redact_text(value: str, patterns: list[re.Pattern]) -> str:
    for pattern in patterns:
        value = pattern.sub(REDACTED, value)
    return value


def _redact_value(value: Any, patterns: list[re.Pattern]) -> Any:
    if isinstance(value, str):
        return _redact_text(value, patterns)
    if isinstance(value, list):
        return [_redact_value(v, patterns) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, patterns) for k, v in value.items()}
    return value


def _redact_fields(changes: dict[str, Any], fields: set[str]) -> dict[str, Any]:
    result = {}
    for key, change in changes.items():
        if key in fields and isinstance(change, dict):
            change = {
                side: (REDACTED if isinstance(value, str) and value else value)
                for side, value in change.items()
            }
        result[key] = change
    return result


def redact_audit_entries(
    connection: sa.Connection,
    objects: Iterable[tuple[str, str]],
    fields: Iterable[str],
    values: Iterable[str],
) -> int:
    """Replace personal data in the log by REDACTED; returns how many entries changed.

    In entries about `objects` ((object_type, object_id) pairs) the old and new values of `fields`
    are replaced whole; in every entry each occurrence of one of `values` (former names, emails;
    case-insensitive) in the summary or the changes is replaced.

    Why this writes to an append-only table: Art. 17 GDPR asks to erase a person's data
    everywhere it is not needed as a record, and the log would otherwise keep every former value.
    It is a Core UPDATE on purpose, so the ORM guard in _refuse_audit_changes stays in force for
    everything else; the caller records the erasure itself in a new entry.
    """
    table = AuditEntry.__table__
    objects = {(str(t), str(i)) for t, i in objects}
    fields = set(fields)
    # Longest first, so a full name with title goes before the same name without it.
    needles = sorted(
        {v.strip() for v in values if v and len(v.strip()) >= 3}, key=len, reverse=True
    )
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in needles]

    conditions = [sa.and_(table.c.object_type == t, table.c.object_id == i) for t, i in objects]
    changes_text = sa.func.lower(sa.cast(table.c.changes, sa.Text))
    for needle in needles:
        lowered = needle.lower()
        conditions.append(sa.func.lower(table.c.summary).contains(lowered, autoescape=True))
        conditions.append(changes_text.contains(lowered, autoescape=True))
        # JSON may store non-ASCII characters escaped (\u00f6): look for that spelling too.
        escaped = json.dumps(lowered)[1:-1]
        if escaped != lowered:
            conditions.append(changes_text.contains(escaped, autoescape=True))
    if not conditions:
        return 0

    rows = connection.execute(
        sa.select(
            table.c.id, table.c.object_type, table.c.object_id, table.c.summary, table.c.changes
        ).where(sa.or_(*conditions))
    ).all()
    updates = []
    for row in rows:
        changes = row.changes or {}
        if (row.object_type, row.object_id) in objects:
            changes = _redact_fields(changes, fields)
        changes = _redact_value(changes, patterns)
        summary = _redact_text(row.summary or "", patterns)
        if changes != (row.changes or {}) or summary != (row.summary or ""):
            updates.append({"entry_id": row.id, "new_summary": summary, "new_changes": changes})
    if updates:
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("entry_id"))
            .values(summary=sa.bindparam("new_summary"), changes=sa.bindparam("new_changes")),
            updates,
        )
    return len(updates)


def record_entry(
    connection: sa.Connection,
    user_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    changes: dict[str, Any],
) -> None:
    """Append one entry for an event that is not a row change (e.g. an erasure) by `user_id`."""
    connection.execute(
        sa.insert(AuditEntry.__table__),
        [
            {
                "created_at": utcnow(),
                "user_id": user_id,
                "action": action[:10],
                "object_type": object_type,
                "object_id": object_id,
                "summary": summary[:200],
                "changes": _jsonable(changes),
            }
        ],
    )
