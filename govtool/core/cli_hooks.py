"""The shared `govtool reminders send`; areas add their reminder sources in their init_app."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

# One shared `govtool reminders send`: each area registers a function (now) -> list of lines.
REMINDER_SOURCES: list = []


def add_reminder_source(source) -> None:
    """Register an area's reminders once (every create_app runs the areas' init_app again)."""
    if source not in REMINDER_SOURCES:
        REMINDER_SOURCES.append(source)


log = logging.getLogger("govtool.reminders")
# What this run of `reminders send` skipped (rows whose data broke their reminder).
_skipped: list[str] = []


@contextmanager
def skip_bad_row(what: str) -> Iterator[None]:
    """Around one stored row's reminder: an error in its data (a date that overflows, a missing
    relation) is logged and the row skipped, so one record cannot stop the reminders of the whole
    installation. A database error is not caught here: it spoils the transaction, and
    send_reminders rolls back that area's savepoint instead."""
    try:
        yield
    except SQLAlchemyError:
        raise
    except Exception:
        log.exception("reminders: skipped %s", what)
        _skipped.append(what)


reminders_cli = AppGroup(
    "reminders", help="Reminder mails for due dates (daily: the job worker or cron)."
)


def run_reminders(dry_run: bool = False) -> tuple[list[str], list[str]]:
    """Send every area's reminders that are due today and commit; returns (the lines of what was
    sent, what failed or was skipped). Each area runs in its own savepoint: an area that fails is
    logged and rolled back, the others still send. Idempotent per day: each source remembers what
    it sent (ReminderLog, review_reminder_sent_on), and the mails are outbox rows of the same
    transaction, so a second run the same day, even a concurrent one, sends nothing again."""
    from ..extensions import db
    from .models import utcnow

    now = utcnow()
    _skipped.clear()
    failed = []
    all_lines: list[str] = []
    for source in REMINDER_SOURCES:
        name = f"{source.__module__}.{source.__name__}"
        try:
            with db.session.begin_nested():
                lines = source(now, dry_run=dry_run)
        except Exception:
            log.exception("reminders: %s failed; its reminders were not sent", name)
            failed.append(name)
            continue
        all_lines.extend(lines)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return all_lines, [*failed, *_skipped]


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List what would be sent, send nothing.")
@click.pass_context
def send_reminders(ctx: click.Context, dry_run: bool) -> None:
    """Send every area's reminders that are due today (once a day: from cron, or the job worker
    does it by itself). The exit status is 1 when anything was skipped, so cron reports it."""
    lines, problems = run_reminders(dry_run)
    for line in lines:
        click.echo(line)
    click.echo(f"{len(lines)} reminder(s) {'would be ' if dry_run else ''}sent.")
    if problems:
        click.echo(
            f"Skipped {len(_skipped)} record(s) and {len(problems) - len(_skipped)} area(s) "
            "with errors (details in the log): " + ", ".join(problems),
            err=True,
        )
        ctx.exit(1)


mail_cli = AppGroup("mail", help="The mail outbox.")


@mail_cli.command("flush")
@click.option(
    "--all", "everything", is_flag=True, help="Also the messages whose next attempt is not due."
)
def flush_mail(everything: bool) -> None:
    """Deliver the waiting mail now (what the job worker does every minute; from cron in the
    embedded mode without Redis)."""
    from .mail import flush_due

    sent = flush_due(everything=everything)
    click.echo(f"{sent} mail(s) sent.")
