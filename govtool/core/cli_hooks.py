"""Areas append their click groups here (e.g. templates, reminders) to appear under `govtool`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

CLI_GROUPS: list[click.Group] = []

# One shared `govtool reminders send`: each area registers a function (now) -> list of lines.
REMINDER_SOURCES: list = []


reminders_cli = AppGroup("reminders", help="Reminder mails for due dates (run daily from cron).")


@reminders_cli.command("send")
@click.option("--dry-run", is_flag=True, help="List what would be sent, send nothing.")
def send_reminders(dry_run: bool) -> None:
    """Send every area's reminders that are due today."""
    from ..extensions import db
    from .models import utcnow

    now = utcnow()
    total = 0
    for source in REMINDER_SOURCES:
        lines = source(now, dry_run=dry_run)
        for line in lines:
            click.echo(line)
        total += len(lines)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    click.echo(f"{total} reminder(s) {'would be ' if dry_run else ''}sent.")


CLI_GROUPS.append(reminders_cli)
