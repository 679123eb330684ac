"""Prepared downloads: a large export is built by a job, kept in the file store, and fetched later.

A page whose file would take long (the catalogue's XLSX/CSV/DOCX or the audit log with more rows
than GOVTOOL_EXPORT_INLINE_ROWS) does not build it in the request: it calls `prepare_if_large(user,
rows, kind, label, parameters)`, which writes a PreparedFile row (status "waiting") and asks for
the job `build_prepared(id)` after commit (a rolled-back request prepares nothing), then sends the
user to "Vorbereitete Dateien" (/downloads/). The job runs on the queue (or in-process without
Redis), calls the builder the area registered for `kind` with the owner's User (so the file holds
only what the owner may see when it is built; a builder re-checks the permission), stores the bytes
under `prepared/<id>-<token>` and marks the row ready. Only the owner may download it
(`prepared.download`). Files expire after GOVTOOL_PREPARED_KEEP_DAYS; the worker's periodic sweep
(or `govtool downloads sweep` from cron) removes them from the store and the table, and hands over
again what waits longer than a minute (a job lost while Redis was away)."""

from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, get_locale, gettext
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db
from . import jobs
from .errors import DomainError
from .models import UTCDateTime, enum_type, utcnow
from .permissions import rule
from .storage import ObjectMissing, current_store

log = logging.getLogger(__name__)

KEY_PREFIX = "prepared/"
# A waiting file whose job has not started after this long is handed over again by the sweep.
REQUEUE_AFTER = dt.timedelta(minutes=1)


class PreparedStatus(enum.StrEnum):
    """waiting (the job is queued), running, ready (in the store), failed (see `error`)."""

    WAITING = "waiting"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class PreparedFile(Model):
    """A file built by a job for one user; its content lives in the file store under `store_key`."""

    __tablename__ = "prepared_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(60))
    label: Mapped[str] = mapped_column(sa.String(200))
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    status: Mapped[PreparedStatus] = mapped_column(
        enum_type(PreparedStatus, 10), default=PreparedStatus.WAITING
    )
    store_key: Mapped[str] = mapped_column(sa.String(200), default="")
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    mimetype: Mapped[str] = mapped_column(sa.String(100), default="")
    size: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)

    @property
    def is_pending(self) -> bool:
        return self.status in (PreparedStatus.WAITING, PreparedStatus.RUNNING)


@rule("prepared.download")
def _may_download(user, prepared: PreparedFile) -> bool:
    """Only the user who asked for a prepared file sees and downloads it."""
    return prepared is not None and prepared.owner_id == user.id


@dataclass(frozen=True)
class Built:
    """What a builder returns: the file's bytes, name and Content-Type."""

    content: bytes
    filename: str
    mimetype: str


Builder = Callable[[Any, dict[str, Any]], Built]
_BUILDERS: dict[str, Builder] = {}


def register_builder(kind: str, builder: Builder) -> None:
    """An area registers how to build files of `kind`: builder(owner, parameters) -> Built. It
    runs later, in a job, and must check the owner's permissions itself (raise a DomainError)."""
    _BUILDERS[kind] = builder


def inline_rows() -> int:
    """Up to this many rows an export is built in the request; above, it is prepared."""
    return int(current_app.config.get("GOVTOOL_EXPORT_INLINE_ROWS", 2000))


def prepare_if_large(
    user, row_count: int, kind: str, label: str, parameters: dict[str, Any]
) -> PreparedFile | None:
    """The size rule of every export: up to inline_rows() rows it is built in the request (None);
    above, it is prepared by a job for `user` (the caller commits and sends them to the list)."""
    if row_count <= inline_rows():
        return None
    return prepare(user, kind, label, parameters)


def prepare(user, kind: str, label: str, parameters: dict[str, Any]) -> PreparedFile:
    """Record a file to be built for `user` and ask for its job once the transaction commits; the
    same file asked for again while it is still being prepared is not built twice."""
    if kind not in _BUILDERS:
        raise ValueError(f"no builder registered for prepared files of kind {kind!r}")
    parameters = {"locale": str(get_locale() or "de"), **parameters}
    for pending in db.session.scalars(
        sa.select(PreparedFile).where(
            PreparedFile.owner_id == user.id,
            PreparedFile.kind == kind,
            PreparedFile.status.in_((PreparedStatus.WAITING, PreparedStatus.RUNNING)),
        )
    ):
        if pending.parameters == parameters:
            return pending  # asked again (a reload, a second click): the same file, one job
    now = utcnow()
    prepared = PreparedFile(
        owner_id=user.id,
        kind=kind,
        label=label[:200],
        parameters=parameters,
        status=PreparedStatus.WAITING,
        created_at=now,
        expires_at=now + _keep(),
    )
    db.session.add(prepared)
    db.session.flush()
    jobs.enqueue_after_commit(build_prepared, prepared.id)
    return prepared


def _keep() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config.get("GOVTOOL_PREPARED_KEEP_DAYS", 7)))


def files_of(user) -> list[PreparedFile]:
    """The user's own prepared files that have not expired, newest first."""
    return list(
        db.session.scalars(
            sa.select(PreparedFile)
            .where(PreparedFile.owner_id == user.id, PreparedFile.expires_at > utcnow())
            .order_by(PreparedFile.id.desc())
        )
    )


def _claim(prepared_id: int) -> bool:
    """Move a waiting file to running; False when another job (or none) has it."""
    result = db.session.execute(
        sa.update(PreparedFile)
        .where(PreparedFile.id == prepared_id, PreparedFile.status == PreparedStatus.WAITING)
        .values(status=PreparedStatus.RUNNING)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


@jobs.in_app_context
def build_prepared(prepared_id: int) -> str:
    """The job: build the file as its owner, store it, mark it ready (or failed, with a message
    the owner reads); returns the status. Runs once per file, whoever hands it over twice."""
    from ..auth.models import User

    if not _claim(prepared_id):
        return "skipped"
    prepared = db.session.get(PreparedFile, prepared_id)
    assert prepared is not None
    locale = str(prepared.parameters.get("locale") or "de")
    try:
        owner = db.session.get(User, prepared.owner_id)
        builder = _BUILDERS.get(prepared.kind)
        if owner is None or builder is None:
            raise DomainError(gettext("This file can no longer be prepared."))
        with force_locale(locale):
            built = builder(owner, dict(prepared.parameters))
        key = f"{KEY_PREFIX}{prepared.id}-{secrets.token_hex(8)}"
        current_store().put(key, built.content)
    except Exception as error:
        db.session.rollback()
        if isinstance(error, DomainError):
            message = error.message
        else:
            log.exception("prepared file %s (%s) failed", prepared_id, _kind_of(prepared_id))
            with force_locale(locale):
                message = gettext("The file could not be prepared. Please try again later.")
        _finish(prepared_id, PreparedStatus.FAILED, error=str(message)[:500])
        return PreparedStatus.FAILED.value
    _finish(
        prepared_id,
        PreparedStatus.READY,
        store_key=key,
        filename=built.filename[:200],
        mimetype=built.mimetype[:100],
        size=len(built.content),
    )
    return PreparedStatus.READY.value


def _kind_of(prepared_id: int) -> str:
    kind = db.session.scalar(sa.select(PreparedFile.kind).where(PreparedFile.id == prepared_id))
    return kind or "?"


def _finish(prepared_id: int, status: PreparedStatus, **values: Any) -> None:
    db.session.execute(
        sa.update(PreparedFile)
        .where(PreparedFile.id == prepared_id)
        .values(status=status, finished_at=utcnow(), **values)
    )
    db.session.commit()


@jobs.in_app_context
def sweep_prepared(now: dt.datetime | None = None) -> int:
    """Remove expired files (store and row); hand over again what waits too long, mark failed what
    runs longer than a job may. Returns the number of files removed."""
    now = now or utcnow()
    expired = list(
        db.session.scalars(sa.select(PreparedFile).where(PreparedFile.expires_at <= now))
    )
    store = current_store()
    for prepared in expired:
        if prepared.store_key:
            try:
                store.delete(prepared.store_key)
            except ObjectMissing:
                pass
        db.session.delete(prepared)
    db.session.commit()
    stuck = now - dt.timedelta(seconds=jobs.JOB_TIMEOUT)
    db.session.execute(
        sa.update(PreparedFile)
        .where(PreparedFile.status == PreparedStatus.RUNNING, PreparedFile.created_at < stuck)
        .values(
            status=PreparedStatus.FAILED,
            finished_at=now,
            error=gettext("The file could not be prepared. Please try again later."),
        )
    )
    db.session.commit()
    waiting = db.session.scalars(
        sa.select(PreparedFile.id).where(
            PreparedFile.status == PreparedStatus.WAITING,
            PreparedFile.created_at < now - REQUEUE_AFTER,
        )
    ).all()
    for prepared_id in waiting:
        jobs.enqueue(build_prepared, prepared_id)
    return len(expired)


@click.group("downloads")
def downloads_cli() -> None:
    """Prepared downloads (large exports built by the job queue)."""


@downloads_cli.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Remove expired prepared files; the worker does this every minute, cron may without it."""
    removed = sweep_prepared()
    click.echo(f"{removed} expired prepared file(s) removed")
