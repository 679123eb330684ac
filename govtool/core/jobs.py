"""Background jobs: run after the transaction that asked for them commits, on RQ or in-process.

Why RQ and not Celery: govtool already needs Redis (the login limit), and RQ needs nothing else:
no broker, no result backend, no beat process. Its worker runs plain functions, schedules delayed
jobs (`enqueue_at`, `worker --with-scheduler`) and is small enough to read. Celery's strengths
(several brokers, canvas workflows, routing) are not needed for mail, reminders and exports.

One interface: `enqueue_after_commit(func, *args)`. The job is remembered on the SQLAlchemy session
and handed over only when the session's transaction commits; a rollback (also of a savepoint the
job was asked for in) drops it. With GOVTOOL_REDIS_URL set, the job goes to RQ; when Redis cannot
be reached, the failure is logged, never raised: the callers keep their state in the database
(e.g. the mail outbox) and a periodic sweep picks it up. Without GOVTOOL_REDIS_URL (the embedded
default of `make run`) the job runs in-process right after the commit, inline in the request or
command that committed, in a fresh app context with its own database session; nothing else has to
be installed. The jobs themselves keep that short (mail: one SMTP connection per batch).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db

log = logging.getLogger(__name__)

_PENDING_KEY = "govtool_jobs_after_commit"
DEFAULT_QUEUE = "govtool"
# A job (a mail batch, a reminder run, an export) that takes longer than this is stopped by RQ.
JOB_TIMEOUT = 30 * 60

_connections: dict[str, redis.Redis] = {}
# After Redis failed to take a job, jobs are not offered to it for this many seconds (they wait in
# the database for the sweep), so that an outage costs one request a timeout, not every request.
RETRY_REDIS_AFTER = 5
_unreachable_until: dict[str, float] = {}


def redis_connection(url: str | None = None) -> redis.Redis | None:
    """The process's Redis connection for jobs (None without GOVTOOL_REDIS_URL); short
    timeouts, so that an unreachable Redis costs a request a second, not a minute."""
    url = url if url is not None else current_app.config.get("GOVTOOL_REDIS_URL", "")
    if not url:
        return None
    connection = _connections.get(url)
    if connection is None:
        connection = redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=5, health_check_interval=30
        )
        _connections[url] = connection
    return connection


def queue(app: Flask | None = None):
    """The RQ queue of this installation, or None in embedded mode (no GOVTOOL_REDIS_URL)."""
    from rq import Queue

    config = (app or current_app).config
    connection = redis_connection(config.get("GOVTOOL_REDIS_URL", ""))
    if connection is None:
        return None
    return Queue(config.get("GOVTOOL_QUEUE_NAME") or DEFAULT_QUEUE, connection=connection)


def enqueue_after_commit(func: Callable[..., Any], *args: Any, merge: bool = False) -> None:
    """Run `func(*args)` as a job once the current transaction commits; never if it rolls back.

    `func` must be a module-level function (RQ imports it by name in the worker) and `args`
    plain values (ids, not ORM objects: the worker has its own session). With `merge`, `func`
    takes one list, and every call in the transaction adds to the same job (one job for 100
    invitations, not 100); such a job waits for the outermost transaction, so `func` must skip
    what a rolled-back savepoint took away (mail delivery claims only rows that exist)."""
    session = db.session()
    pending = session.info.setdefault(_PENDING_KEY, [])
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if merge:
        (items,) = args
        for _, job_app, job_func, job_args, job_merge in pending:
            if job_merge and job_func is func and job_app is app:
                job_args[0].extend(items)
                return
        args = (list(items),)
    transaction = session.get_transaction() if merge else session.get_nested_transaction()
    transaction = transaction or session.get_transaction()
    if transaction is None:  # nothing written yet: the job waits for the next commit
        transaction = session.begin()
    pending.append((transaction, app, func, args, merge))


def enqueue(func: Callable[..., Any], *args: Any, at: dt.datetime | None = None) -> bool:
    """Hand a job over now (outside any transaction): to RQ, or run it in-process. With `at`,
    RQ's scheduler runs it then; in-process a delayed job is left to the sweep (returns False).
    Returns False when Redis could not take it; the failure is logged."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rq_queue = queue(app)
    if rq_queue is None:
        if at is not None:
            return False
        run_job(app, func, args)
        return True
    url = app.config["GOVTOOL_REDIS_URL"]
    if time.monotonic() < _unreachable_until.get(url, 0.0):
        return False  # Redis failed a moment ago: do not make every request wait for it
    try:
        if at is None:
            rq_queue.enqueue(func, *args, job_timeout=JOB_TIMEOUT)
        else:
            rq_queue.enqueue_at(at, func, *args, job_timeout=JOB_TIMEOUT)
    except redis.RedisError as error:
        _unreachable_until[url] = time.monotonic() + RETRY_REDIS_AFTER
        log.warning(
            "jobs: Redis unreachable, %s not queued (its state waits in the database for the "
            "sweep; no new attempt for %d s): %s",
            _name(func),
            RETRY_REDIS_AFTER,
            error,
        )
        return False
    _unreachable_until.pop(url, None)
    return True


def run_job(app: Flask, func: Callable[..., Any], args: tuple | list) -> None:
    """Run one job in a fresh app context (own database session), committing its work; an error
    is logged and rolled back, never passed to whoever committed before."""
    with app.app_context():
        try:
            func(*args)
            db.session.commit()
        except Exception:
            log.exception("jobs: %s failed", _name(func))
            db.session.rollback()


def in_app_context(func: Callable[..., Any]) -> Callable[..., Any]:
    """For job functions that a plain `rq worker` may run: give them an app context (one app per
    process) when they have none. `govtool worker` and the in-process path already give one."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            return func(*args, **kwargs)
        with _process_app().app_context():
            try:
                result = func(*args, **kwargs)
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise

    return wrapper


_app: Flask | None = None


def _process_app() -> Flask:
    global _app
    if _app is None:
        from .. import create_app

        _app = create_app()
    return _app


def _name(func: Callable[..., Any]) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', func)}"


# ---------------------------------------------------------------- the session hooks
# Each waiting job remembers the transaction it was asked for in. A savepoint that is released
# hands its jobs to the enclosing transaction; one that rolls back drops them; the outermost
# transaction's commit hands them over, its end (rollback, close) forgets what is left.


def _active(transaction: SessionTransaction | None) -> SessionTransaction | None:
    while transaction is not None and not transaction.is_active:
        transaction = transaction.parent
    return transaction


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back_jobs(session: Session, previous_transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING_KEY)
    if pending:
        pending[:] = [job for job in pending if job[0].is_active]


@event.listens_for(Session, "after_transaction_end")
def _forget_jobs_of_ended_session_transaction(
    session: Session, transaction: SessionTransaction
) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)


@event.listens_for(Session, "after_commit")
def _hand_over_jobs(session: Session) -> None:
    root = session.get_transaction()
    if root is not None and root.is_active:  # a savepoint was released: its jobs move up
        pending = session.info.get(_PENDING_KEY) or []
        pending[:] = [(_active(job[0]) or root, *job[1:]) for job in pending]
        return
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    for _, app, func, args, _merge in pending:
        with app.app_context():
            try:
                enqueue(func, *args)
            except Exception:  # a job must never turn a commit that happened into an error
                log.exception("jobs: %s could not be started", _name(func))
