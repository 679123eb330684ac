"""`govtool worker`: the RQ worker that runs govtool's jobs, and its periodic work.

Every job runs in a fresh app context of the one app this process built (own database session,
committed when the job returns). The worker also keeps the clock for what is periodic, through RQ's
maintenance tick (every TICK seconds, one worker of several at a time, by a Redis lock): the mail
sweep (core.mail.flush_due), the sweep of prepared downloads (core.prepared.sweep_prepared) and,
once a day from GOVTOOL_REMINDERS_HOUR (Europe/Berlin), the reminders (`govtool reminders send`,
itself idempotent per day). Started with the scheduler, so that delayed jobs (mail retries) run
when they are due.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import SimpleWorker

from . import jobs
from .formatting import BERLIN

log = logging.getLogger(__name__)
TICK = 60  # seconds between sweeps


class AppWorker(SimpleWorker):
    """An RQ worker (no fork per job: jobs are short, and the process keeps its database pool)
    that runs each job in an app context and enqueues the periodic jobs on its maintenance tick."""

    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", TICK)
        # The dequeue wait is worker_ttl - 15 s: wake up in time for the next tick.
        kwargs.setdefault("worker_ttl", TICK + 15)
        super().__init__(*args, **kwargs)
        self.app = app

    def perform_job(self, job, queue) -> bool:
        from ..extensions import db

        with self.app.app_context():
            succeeded = super().perform_job(job, queue)
            try:
                if succeeded:
                    db.session.commit()
                else:
                    db.session.rollback()
            except Exception:
                log.exception("worker: the work of job %s could not be committed", job.id)
                db.session.rollback()
                return False
            return succeeded

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()
        try:
            enqueue_periodic(self.app, self.connection)
        except Exception:  # the clock must not stop the worker
            log.exception("worker: periodic jobs not enqueued")


def enqueue_periodic(app: Flask, connection, now: dt.datetime | None = None) -> list[str]:
    """Enqueue the sweeps (mail, prepared downloads; at most once a TICK across all workers) and
    today's reminders (once a day, from GOVTOOL_REMINDERS_HOUR); returns the names of what was
    enqueued."""
    from .mail import flush_due
    from .prepared import sweep_prepared

    rq_queue = jobs.queue(app)
    if rq_queue is None:
        return []
    now = now or dt.datetime.now(dt.UTC)
    prefix = f"govtool:{rq_queue.name}:"
    enqueued = []
    if connection.set(prefix + "sweep", now.isoformat(), nx=True, ex=TICK - 5):
        rq_queue.enqueue(flush_due, job_timeout=jobs.JOB_TIMEOUT)
        # expired prepared downloads go, waiting ones whose job was lost are handed over again
        rq_queue.enqueue(sweep_prepared, job_timeout=jobs.JOB_TIMEOUT)
        enqueued.append("sweep")
    local = now.astimezone(BERLIN)
    if local.hour >= app.config.get("GOVTOOL_REMINDERS_HOUR", 7):
        key = f"{prefix}reminders:{local.date().isoformat()}"
        if connection.set(key, now.isoformat(), nx=True, ex=3 * 24 * 3600):
            rq_queue.enqueue(send_reminders_job, job_timeout=jobs.JOB_TIMEOUT)
            enqueued.append("reminders")
    return enqueued


@jobs.in_app_context
def send_reminders_job() -> None:
    """The daily reminders as a job: the same code as `govtool reminders send`."""
    from .cli_hooks import run_reminders

    lines, problems = run_reminders()
    log.info("reminders: %d sent; %d problem(s): %s", len(lines), len(problems), problems)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler of delayed jobs.")
@with_appcontext
def worker_command(burst: bool, no_scheduler: bool) -> None:
    """Run the job worker: mail delivery with retries, reminders, long exports (needs Redis)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    rq_queue = jobs.queue(app)
    if rq_queue is None:
        raise click.UsageError(
            "GOVTOOL_REDIS_URL is not set: without Redis, jobs run in-process after each commit "
            "and no worker is needed (run `govtool mail flush` from cron for retries)."
        )
    worker = AppWorker([rq_queue], connection=rq_queue.connection, app=app)
    worker.work(burst=burst, with_scheduler=not no_scheduler)
