"""Outgoing mail through a transactional outbox: every mail is a row first, delivered after commit.

`send_mail` writes one OutboxMessage per recipient (with its attachments) in the caller's
transaction and asks core.jobs to deliver them once that transaction commits: a change that rolls
back sends nothing, and no request waits for an SMTP server. Delivery (on the RQ worker, or
in-process in the embedded mode) claims each row atomically, so that two workers never send the
same mail, sends a batch over one SMTP connection, and marks every row sent; a failure is retried
with exponential backoff (RETRY_DELAYS) and then marked failed, where the admin page
(core.mail_views) can send it again. Rows that wait (Redis was down, a retry is due, a worker died
mid-batch) are picked up by `flush_due` - the worker's periodic sweep and `govtool mail flush`.

Without GOVTOOL_SMTP_HOST mail is not sent at all: the row is kept with status 'logged', so that
tests, admins and the audit trail can still show who was told what.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from . import jobs
from .models import UTCDateTime, enum_type, utcnow

log = logging.getLogger(__name__)

# After the n-th failed attempt the next one follows RETRY_DELAYS[n-1] later; after the last
# delay's attempt fails too, the message is 'failed' (about 7 hours after it was written).
RETRY_DELAYS = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A claimed row not marked within this time (its worker died) is handed out again by the sweep.
CLAIM_LEASE = dt.timedelta(minutes=15)
# A retry that comes due this little later than this server's clock says (another server's clock,
# a scheduler that rounds) still counts as due.
CLOCK_SLACK = dt.timedelta(seconds=2)
# Messages per SMTP connection (servers limit a session; a batch is also one claim).
BATCH_SIZE = 50


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


class MailStatus(enum.StrEnum):
    """Where a message stands: pending (waits for delivery or its next attempt), sending (claimed
    by a worker), sent (the SMTP server accepted it), failed (gave up; an admin may send it
    again), logged (no SMTP configured: kept in the outbox only)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    LOGGED = "logged"


class OutboxMessage(Model):
    """A mail the app sent or will send, one per recipient; `error` is the last failure."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attachment_names: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[MailStatus] = mapped_column(enum_type(MailStatus, 10), default=MailStatus.LOGGED)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    message_id: Mapped[str] = mapped_column(sa.String(255), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # pending: when the next attempt is due; sending: when the claim expires
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        order_by="OutboxAttachment.id", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)


class OutboxAttachment(Model):
    """A file sent with an outbox message, kept until delivery (an invitation's .ics)."""

    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    mimetype: Mapped[str] = mapped_column(sa.String(100))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)


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
    """Queue one mail per recipient in the caller's transaction; delivery starts after commit
    (never when the transaction rolls back). A failing SMTP server never reaches the user."""
    if isinstance(recipients, str):
        recipients = [recipients]
    attachments = attachments or []
    config = current_app.config
    smtp = bool(config.get("GOVTOOL_SMTP_HOST"))
    domain = config["GOVTOOL_MAIL_FROM"].rpartition("@")[2] or None
    now = utcnow()
    records = []
    for recipient in recipients:
        record = OutboxMessage(
            recipient=recipient,
            subject=subject[:300],
            body=body,
            attachment_names=", ".join(a.filename for a in attachments)[:500],
            status=MailStatus.PENDING if smtp else MailStatus.LOGGED,
            message_id=make_msgid(domain=domain),
            next_attempt_at=now if smtp else None,
            attachments=[
                OutboxAttachment(
                    filename=a.filename[:255], mimetype=a.mimetype[:100], content=a.content
                )
                for a in attachments
            ],
        )
        if not smtp:
            log.info("mail to %s (no SMTP configured, kept in the outbox): %s", recipient, subject)
            log.debug("mail body:\n%s", body)
        db.session.add(record)
        records.append(record)
    db.session.flush()
    if smtp and records:
        jobs.enqueue_after_commit(deliver_outbox, [r.id for r in records], merge=True)
    return records


# ---------------------------------------------------------------- delivery (jobs)


@jobs.in_app_context
def deliver_outbox(ids: list[int]) -> int:
    """The job: deliver these messages, where still pending and due; returns how many were sent.
    Safe to run twice or on two workers at once: each row is claimed by one of them only."""
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        sent += _deliver_batch(_claim(ids[start : start + BATCH_SIZE]))
    return sent


@jobs.in_app_context
def flush_due(everything: bool = False, now: dt.datetime | None = None) -> int:
    """The sweep: deliver every pending message whose next attempt is due (with `everything`,
    every pending one), after handing back claims whose worker died. Returns how many were
    sent. Run by the worker every minute and by `govtool mail flush`."""
    now = now or utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.SENDING, OutboxMessage.next_attempt_at <= now)
        .values(status=MailStatus.PENDING, next_attempt_at=now)
    )
    db.session.commit()
    query = sa.select(OutboxMessage.id).where(OutboxMessage.status == MailStatus.PENDING)
    if not everything:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    ids = list(db.session.scalars(query.order_by(OutboxMessage.id)))
    sent = 0
    for start in range(0, len(ids), BATCH_SIZE):
        sent += _deliver_batch(_claim(ids[start : start + BATCH_SIZE], now, everything))
    return sent


def resend(messages: Iterable[OutboxMessage], user_id: int | None) -> list[OutboxMessage]:
    """Send failed (or waiting) messages again, now, with a fresh round of retries; recorded in
    the audit log. Sent and logged messages are left alone (a mail is never sent twice)."""
    from .audit import record_entry

    chosen = [m for m in messages if m.status in (MailStatus.FAILED, MailStatus.PENDING)]
    if not chosen:
        return []
    now = utcnow()
    for message in chosen:
        record_entry(
            db.session.connection(),
            user_id,
            "resend",
            "OutboxMessage",
            str(message.id),
            f"{message.recipient}: {message.subject}",
            {
                "status": {"old": message.status.value, "new": MailStatus.PENDING.value},
                "attempts": {"old": message.attempts, "new": 0},
            },
        )
        message.status = MailStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = now
    db.session.flush()
    jobs.enqueue_after_commit(deliver_outbox, [m.id for m in chosen], merge=True)
    return chosen


def _claim(ids: list[int], now: dt.datetime | None = None, everything: bool = False) -> list[int]:
    """Mark these messages 'sending' in one UPDATE, only where still pending (and due): the
    database lets one transaction win each row, so a message is handed to one worker only."""
    if not ids:
        return []
    now = now or utcnow()
    conditions = [OutboxMessage.id.in_(ids), OutboxMessage.status == MailStatus.PENDING]
    if not everything:
        conditions.append(OutboxMessage.next_attempt_at <= now + CLOCK_SLACK)
    claimed = list(
        db.session.scalars(
            sa.update(OutboxMessage)
            .where(*conditions)
            .values(
                status=MailStatus.SENDING,
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + CLAIM_LEASE,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return sorted(claimed)


class _ConnectionFailed(Exception):
    """The SMTP server cannot be reached (or dropped us): the rest of the batch waits too."""


@dataclass
class _Outgoing:
    id: int
    recipient: str
    attempts: int
    email: EmailMessage
    status: MailStatus = MailStatus.SENDING
    next_attempt_at: dt.datetime | None = None


def _deliver_batch(ids: list[int]) -> int:
    """Send the claimed messages over one SMTP connection, marking each as soon as the server
    answered (committed per message, so a crash later cannot send it again)."""
    if not ids:
        return 0
    config = current_app.config
    if not config.get("GOVTOOL_SMTP_HOST"):  # queued while SMTP was configured; here it is not
        _update(ids, status=MailStatus.LOGGED, next_attempt_at=None)
        return 0
    batch = [
        _Outgoing(m.id, m.recipient, m.attempts, _email(m))
        for m in db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .options(sa.orm.selectinload(OutboxMessage.attachments))
            .order_by(OutboxMessage.id)
        )
    ]
    sent = 0
    started = utcnow()  # retries of this batch are due together: one scheduled job each time
    smtp: smtplib.SMTP | None = None
    try:
        for index, outgoing in enumerate(batch):
            try:
                if smtp is None:
                    smtp = _connect()
                smtp.send_message(outgoing.email)
            except _ConnectionFailed as error:
                log.warning(
                    "mail: SMTP server unreachable, %d message(s) wait for the next attempt: %s",
                    len(batch) - index,
                    error,
                )
                # one refused connection, not one per message; one UPDATE per outcome
                _failed_attempts(batch[index:], str(error), started)
                break
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                _failed_attempt(outgoing, str(error), all(c >= 500 for c in codes), started)
            except smtplib.SMTPResponseException as error:
                _failed_attempt(outgoing, str(error), error.smtp_code >= 500, started)
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                # (SMTPException is an OSError too: the answers above are caught first)
                _close(smtp)  # this one waits; the next message connects again
                smtp = None
                _failed_attempt(outgoing, str(error), False, started)
            else:
                outgoing.status = MailStatus.SENT
                _update(
                    [outgoing.id],
                    status=MailStatus.SENT,
                    sent_at=utcnow(),
                    next_attempt_at=None,
                    error="",
                )
                sent += 1
    finally:
        _close(smtp)
    _schedule_retries(batch)
    return sent


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _update(ids: list[int], **values) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config.get("GOVTOOL_SMTP_TIMEOUT", 10)
    try:
        smtp = smtplib.SMTP(
            config["GOVTOOL_SMTP_HOST"], config["GOVTOOL_SMTP_PORT"], timeout=timeout
        )
        if config.get("GOVTOOL_SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("GOVTOOL_SMTP_USER"):
            smtp.login(config["GOVTOOL_SMTP_USER"], config["GOVTOOL_SMTP_PASSWORD"])
    except (OSError, smtplib.SMTPException) as error:
        raise _ConnectionFailed(str(error)) from error
    return smtp


def _email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["GOVTOOL_MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    if message.message_id:  # the same on every attempt, so a receiver can drop a duplicate
        email["Message-ID"] = message.message_id
    email.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        email.add_attachment(
            attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


def _retry_or_give_up(outgoing: _Outgoing, permanent: bool, started: dt.datetime) -> None:
    """Retry RETRY_DELAYS[n-1] after the n-th attempt, or give up: permanent errors (5xx) and
    the last attempt make the message 'failed'."""
    if permanent or outgoing.attempts >= MAX_ATTEMPTS:
        outgoing.status, outgoing.next_attempt_at = MailStatus.FAILED, None
    else:
        outgoing.status = MailStatus.PENDING
        outgoing.next_attempt_at = started + RETRY_DELAYS[max(outgoing.attempts, 1) - 1]


def _failed_attempt(outgoing: _Outgoing, error: str, permanent: bool, started: dt.datetime) -> None:
    log.warning(
        "mail %s to %s failed (attempt %d): %s",
        outgoing.id,
        outgoing.recipient,
        outgoing.attempts,
        error,
    )
    _retry_or_give_up(outgoing, permanent, started)
    _update(
        [outgoing.id],
        status=outgoing.status,
        next_attempt_at=outgoing.next_attempt_at,
        error=error[:500],
    )


def _failed_attempts(waiting: list[_Outgoing], error: str, started: dt.datetime) -> None:
    """The server could not be reached for any of these: one UPDATE per outcome."""
    groups: dict[tuple[MailStatus, dt.datetime | None], list[int]] = {}
    for outgoing in waiting:
        _retry_or_give_up(outgoing, False, started)
        groups.setdefault((outgoing.status, outgoing.next_attempt_at), []).append(outgoing.id)
    for (status, next_attempt_at), ids in groups.items():
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=status, next_attempt_at=next_attempt_at, error=error[:500])
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _schedule_retries(messages: list[_Outgoing]) -> None:
    """Ask the queue's scheduler for the next attempt of each message that waits (grouped by
    time); in-process, or when Redis is away, the periodic sweep finds them anyway."""
    due: dict[dt.datetime, list[int]] = {}
    for message in messages:
        if message.status is MailStatus.PENDING and message.next_attempt_at is not None:
            due.setdefault(message.next_attempt_at, []).append(message.id)
    for at, ids in due.items():
        # RQ's scheduler keeps whole seconds and may run a job up to a second before its time,
        # when the row is not due yet: ask for the next full second after it
        jobs.enqueue(deliver_outbox, ids, at=at.replace(microsecond=0) + dt.timedelta(seconds=1))
