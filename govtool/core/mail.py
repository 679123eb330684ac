"""Outgoing mail: through SMTP when GOVTOOL_SMTP_HOST is set, always recorded in the outbox.

The outbox is the record of every notification the app sent (or would have sent without SMTP), so
that tests, admins and the audit trail can show who was told what.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db
from .models import UTCDateTime, utcnow

log = logging.getLogger(__name__)


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


class OutboxMessage(Model):
    """A mail the app sent or queued; status 'sent' (SMTP accepted it), 'logged' or 'failed'."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attachment_names: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="logged")
    error: Mapped[str] = mapped_column(sa.String(500), default="")


class ReminderLog(Model):
    """When a reminder (one `key`, e.g. "action:12:overdue") last went to one recipient, so the
    daily `govtool reminders send` repeats it only after REMINDER_REPEAT_DAYS, not every day."""

    __tablename__ = "reminder_log"

    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    sent_on: Mapped[dt.date] = mapped_column(sa.Date)


REMINDER_REPEAT_DAYS = 7


def remind(
    key: str,
    recipients: list[str],
    subject: str,
    body: str,
    today: dt.date,
    dry_run: bool = False,
    repeat_days: int = REMINDER_REPEAT_DAYS,
) -> list[str]:
    """Send reminder `key` to those recipients not reminded of it in the last `repeat_days`;
    returns who gets it now (also on a dry run, which sends and records nothing)."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return []
    last = dict(
        db.session.execute(
            sa.select(ReminderLog.recipient, ReminderLog.sent_on).where(
                ReminderLog.key == key, ReminderLog.recipient.in_(recipients)
            )
        ).all()
    )
    due = [r for r in recipients if r not in last or (today - last[r]).days >= repeat_days]
    if due and not dry_run:
        send_mail(due, subject, body)
        for recipient in due:
            db.session.merge(ReminderLog(key=key, recipient=recipient, sent_on=today))
        db.session.flush()
    return due


def send_mail(
    recipients: str | list[str],
    subject: str,
    body: str,
    attachments: list[Attachment] | None = None,
) -> list[OutboxMessage]:
    """Send one mail per recipient; a failing SMTP server is logged, never raised at the user."""
    if isinstance(recipients, str):
        recipients = [recipients]
    attachments = attachments or []
    config = current_app.config
    records = []
    for recipient in recipients:
        record = OutboxMessage(
            recipient=recipient,
            subject=subject[:300],
            body=body,
            attachment_names=", ".join(a.filename for a in attachments)[:500],
        )
        if config.get("GOVTOOL_SMTP_HOST"):
            try:
                _deliver(recipient, subject, body, attachments)
                record.status = "sent"
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("mail to %s failed: %s", recipient, exc)
                record.status = "failed"
                record.error = str(exc)[:500]
        else:
            log.info("mail to %s (no SMTP configured, kept in the outbox): %s", recipient, subject)
            log.debug("mail body:\n%s", body)
        db.session.add(record)
        records.append(record)
    db.session.flush()
    return records


def _deliver(recipient: str, subject: str, body: str, attachments: list[Attachment]) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["GOVTOOL_MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        message.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    with smtplib.SMTP(config["GOVTOOL_SMTP_HOST"], config["GOVTOOL_SMTP_PORT"], timeout=10) as smtp:
        if config.get("GOVTOOL_SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("GOVTOOL_SMTP_USER"):
            smtp.login(config["GOVTOOL_SMTP_USER"], config["GOVTOOL_SMTP_PASSWORD"])
        smtp.send_message(message)
