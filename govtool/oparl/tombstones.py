"""Deleted OParl objects (`deleted: true`), derived from the audit log (core.audit): no table.

Every hard delete of an Audited row leaves an audit entry with the row's old values and the
deletion time; `created` is the old `created_at` where the log keeps it, else the time of the
object's insert entry (left out when the log has none, e.g. rows older than the log).

An object becomes a tombstone when such an entry shows it was published before it went: a
meeting or membership of a body of the OParl body's tree, a meeting's location, an agenda item
that was public, a paper of a public agenda item, a file of a public agenda item that was no
paper's file (the rules of permissions.py, applied to the old values). A tombstone is
`{"id", "type", "created", "modified": deletion time, "deleted": true}` (plus what the schema
requires: an agenda item's `order`, a file's `accessUrl`); it carries no name or content. It
answers 200 at its own address and appears in a list only when `modified_since` is given, as
OParl 1.1 asks for deleted objects.

An agenda item made non-public is gone to a client as well: it is a tombstone from the time of
the change (the latest audit entry that set `is_public` from true to false; `order` then is the
item's current position, which is no content). Not covered: its papers and files, which then
answer 404 and leave the lists without a tombstone, and an item made non-public and later
deleted (its delete entry says it was not public). People and organisations are never
hard-deleted (people are erased in place, see directory), so they have no tombstones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ..bodies.agenda_models import AgendaItem, Paper, StoredFile
from ..bodies.models import Body, Meeting, Membership
from ..core.audit import AuditEntry
from ..extensions import db
from . import scope
from .permissions import PUBLIC_ITEM

# list kind -> (audited class, OParl type, object endpoint, its url argument)
KINDS: dict[str, tuple[type, str, str, str]] = {
    "meeting": (Meeting, "Meeting", "meeting", "meeting_id"),
    "location": (Meeting, "Location", "location", "meeting_id"),
    "membership": (Membership, "Membership", "membership", "membership_id"),
    "agenda_item": (AgendaItem, "AgendaItem", "agenda_item", "item_id"),
    "paper": (Paper, "Paper", "paper", "paper_id"),
    "file": (StoredFile, "File", "file", "file_id"),
}


def _old(entry: AuditEntry, key: str) -> Any:
    change = (entry.changes or {}).get(key)
    return change.get("old") if isinstance(change, dict) else None


def _deletions(model: type) -> list[AuditEntry]:
    """The delete entries of `model` whose object does not exist again (SQLite may reuse ids)."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "delete", AuditEntry.object_type == model.__name__)
        .order_by(AuditEntry.id)
    ).all()
    alive = {
        str(i)
        for i in db.session.scalars(
            sa.select(model.id).where(  # type: ignore[attr-defined]
                sa.cast(model.id, sa.String).in_([e.object_id for e in entries])  # type: ignore[attr-defined]
            )
        )
    }
    latest: dict[str, AuditEntry] = {}
    for entry in entries:
        if entry.object_id not in alive and entry.object_id.isdigit():
            latest[entry.object_id] = entry
    return sorted(latest.values(), key=lambda e: e.id)


def _withdrawn_items(meeting_ids: set[int]) -> list[AuditEntry]:
    """The latest entry that made each agenda item non-public, for items that are non-public
    now: to an OParl client such an item is gone (the spec's intent: it can remove it)."""
    hidden = {
        str(i): i
        for i in db.session.scalars(
            sa.select(AgendaItem.id).where(
                AgendaItem.is_public.is_(False), AgendaItem.meeting_id.in_(meeting_ids)
            )
        )
    }
    if not hidden:
        return []
    latest: dict[str, AuditEntry] = {}
    for entry in db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.action == "update",
            AuditEntry.object_type == "AgendaItem",
            AuditEntry.object_id.in_(list(hidden)),
        )
        .order_by(AuditEntry.id)
    ):
        if (entry.changes or {}).get("is_public") == {"old": True, "new": False}:
            latest[entry.object_id] = entry
    return list(latest.values())


def _in(entry: AuditEntry, key: str, ids: Iterable[int]) -> bool:
    value = _old(entry, key)
    return isinstance(value, int) and value in set(ids)


def _entries(kind: str, root: Body) -> list[AuditEntry]:
    """The delete entries of published objects of `kind` in the tree of `root`, in order."""
    ids = scope.tree_ids(root)
    meetings = [e for e in _deletions(Meeting) if _in(e, "body_id", ids)]
    if kind == "meeting":
        return meetings
    if kind == "location":
        return [e for e in meetings if _old(e, "location")]
    if kind == "membership":
        return [e for e in _deletions(Membership) if _in(e, "body_id", ids)]
    meeting_ids = set(db.session.scalars(sa.select(Meeting.id).where(Meeting.body_id.in_(ids))))
    meeting_ids |= {int(e.object_id) for e in meetings}
    items = [
        e
        for e in _deletions(AgendaItem)
        if _old(e, "is_public") is True and _in(e, "meeting_id", meeting_ids)
    ]
    if kind == "agenda_item":
        return sorted(items + _withdrawn_items(meeting_ids), key=lambda e: e.id)
    public_items = set(
        db.session.scalars(
            sa.select(AgendaItem.id).where(PUBLIC_ITEM, AgendaItem.meeting_id.in_(meeting_ids))
        )
    ) | {int(e.object_id) for e in items}
    if kind == "paper":
        return [e for e in _deletions(Paper) if _in(e, "agenda_item_id", public_items)]
    if kind == "file":
        return [
            e
            for e in _deletions(StoredFile)
            if _old(e, "paper_id") is None
            and _in(e, "agenda_item_id", public_items)
            and _in(e, "meeting_id", meeting_ids)
        ]
    return []


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _created(entry: AuditEntry) -> dt.datetime | None:
    """When the deleted object was created: its old `created_at` where the log keeps it (most
    models leave timestamps out of the log), else the time of its insert entry."""
    created = _moment(_old(entry, "created_at"))
    if created is not None:
        return created
    inserted = db.session.scalar(
        sa.select(AuditEntry.created_at)
        .where(
            AuditEntry.action == "insert",
            AuditEntry.object_type == entry.object_type,
            AuditEntry.object_id == entry.object_id,
            AuditEntry.id < entry.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return _aware(inserted) if inserted is not None else None


def _matches(entry: AuditEntry, args: dict[str, Any]) -> bool:
    created = _created(entry)
    deleted = _aware(entry.created_at)
    checks = (
        ("created_since", created, lambda v, a: v >= a),
        ("created_until", created, lambda v, a: v <= a),
        ("modified_since", deleted, lambda v, a: v >= a),
        ("modified_until", deleted, lambda v, a: v <= a),
    )
    return all(
        name not in args or (value is not None and test(value, args[name]))
        for name, value, test in checks
    )


def select(kind: str, root: Body, args: dict[str, Any]) -> sa.Select | None:
    """The audit entries of the tombstones a list of `kind` shows, or None: only with
    modified_since (OParl 1.1: deleted objects appear in lists only when it is given)."""
    if kind not in KINDS or "modified_since" not in args:
        return None
    wanted = [e.id for e in _entries(kind, root) if _matches(e, args)]
    return sa.select(AuditEntry).where(AuditEntry.id.in_(wanted))


def find(kind: str, ident: int) -> AuditEntry | None:
    """The delete entry of the published object `kind` `ident`, if it is a tombstone."""
    for root in scope.roots():
        for entry in _entries(kind, root):
            if entry.object_id == str(ident):
                return entry
    return None


def render(kind: str, entry: AuditEntry) -> dict[str, Any]:
    from .serialise import OPARL, stamp, url

    _model, oparl_type, endpoint, argument = KINDS[kind]
    ident = int(entry.object_id)
    data: dict[str, Any] = {
        "id": url(endpoint, **{argument: ident}),
        "type": OPARL + oparl_type,
    }
    created = _created(entry)
    if created is not None:
        data["created"] = stamp(created)
    data["modified"] = stamp(_aware(entry.created_at))
    data["deleted"] = True
    if kind == "agenda_item":
        order = _old(entry, "position")
        if entry.action != "delete":
            item = db.session.get(AgendaItem, ident)
            order = item.position if item is not None else 0
        data["order"] = order if isinstance(order, int) else 0
    if kind == "file":
        data["accessUrl"] = url("file_download", file_id=ident)
    return data
