"""Issue 15: mail goes through a transactional outbox and a job queue.

A real SMTP server (aiosmtpd) on a fixed port that the tests take down and bring up; real Redis
(redis://127.0.0.1:6379/1, a queue of the test's own) with an RQ worker run in burst mode; and the
in-process path without Redis. 100 invitations while the mail server is down: the request does not
wait for it, nothing is delivered twice, and every mail arrives exactly once after it comes back;
a rolled-back change sends nothing; failures are retried with growing delays, then marked failed;
the admin page sends failed mail again (admins only, audited)."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import socket
import threading
import uuid
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from govtool.auth.models import Role
from govtool.bodies.models import Meeting, MembershipRole
from govtool.core import jobs
from govtool.core.audit import AuditEntry
from govtool.core.mail import (
    BATCH_SIZE,
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    MailStatus,
    OutboxMessage,
    deliver_outbox,
    flush_due,
    send_mail,
)
from govtool.core.models import utcnow
from govtool.core.worker import AppWorker, enqueue_periodic, send_reminders_job
from tests.bodies.factories import make_body, make_meeting, make_member_user, make_membership
from tests.factories import make_person, make_user
from tests.support.tcp_proxy import TcpProxy

REDIS_URL = "redis://127.0.0.1:6379/1"  # the queue engineer's database number (tests only)
INVITEES = 100


# ---------------------------------------------------------------- a mail server to switch off


class Inbox:
    """aiosmtpd handler: counts what arrives per recipient; refuses addresses at 'refuse.test'
    permanently (550)."""

    def __init__(self) -> None:
        self.received: collections.Counter[str] = collections.Counter()
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@refuse.test"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(envelope)
            for address in envelope.rcpt_tos:
                self.received[address] += 1
        return "250 OK"


class SwitchableSmtp:
    """A mail server on one port: up (aiosmtpd) or down (the port takes connections and closes
    them at once, counting the attempts, as a mail server that went away)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self.attempts_while_down = 0
        self._controller: Controller | None = None
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._refuse, args=(self._listener,), daemon=True)
        self._thread.start()

    def _refuse(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.attempts_while_down += 1
            connection.close()

    def up(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            assert self._thread is not None
            self._thread.join()
            listener.close()
        if self._controller is None:
            self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def close(self) -> None:
        self.up()
        assert self._controller is not None
        self._controller.stop()


@pytest.fixture()
def smtp(app):
    server = SwitchableSmtp()
    server.up()
    app.config.update(GOVTOOL_SMTP_HOST="127.0.0.1", GOVTOOL_SMTP_PORT=server.port)
    try:
        yield server
    finally:
        app.config.update(GOVTOOL_SMTP_HOST="", GOVTOOL_SMTP_PORT=25)
        server.close()


# ---------------------------------------------------------------- the queue: Redis or in-process


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); the in-process variant runs instead")
    return connection


def _use_queue(app, url: str):
    """Point the app at Redis `url` with a queue of this test's own; returns the cleanup."""
    name = f"test-mail-{uuid.uuid4().hex[:8]}"
    app.config.update(GOVTOOL_REDIS_URL=url, GOVTOOL_QUEUE_NAME=name)

    def cleanup() -> None:
        app.config.update(GOVTOOL_REDIS_URL="", GOVTOOL_QUEUE_NAME="govtool")
        connection = redis.Redis.from_url(REDIS_URL)
        from rq import Queue

        rq_queue = Queue(name, connection=connection)
        for registry in (
            rq_queue.scheduled_job_registry,
            rq_queue.finished_job_registry,
            rq_queue.failed_job_registry,
        ):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)
        rq_queue.delete(delete_jobs=True)
        for pattern in (f"govtool:{name}:*", f"rq:*:{name}", f"rq:*:{name}:*"):
            for key in connection.scan_iter(pattern):
                connection.delete(key)

    return cleanup


@pytest.fixture(params=["in-process", "redis"])
def mode(request, app):
    """Each test runs twice: jobs in-process after commit (no Redis), and on a real RQ queue."""
    if request.param == "redis":
        _redis_or_skip()
        cleanup = _use_queue(app, REDIS_URL)
        request.addfinalizer(cleanup)
    return request.param


def work(app) -> None:
    """Run the queue's jobs now, as `govtool worker --burst` does (no-op in-process)."""
    rq_queue = jobs.queue(app)
    if rq_queue is not None:
        AppWorker([rq_queue], connection=rq_queue.connection, app=app).work(burst=True)


def fire_scheduled(app) -> int:
    """What RQ's scheduler would do once the retries' time has come: queue them now."""
    rq_queue = jobs.queue(app)
    if rq_queue is None:
        return 0
    registry = rq_queue.scheduled_job_registry
    ids = registry.get_job_ids()
    for job_id in ids:
        registry.remove(job_id)
        job = rq_queue.fetch_job(job_id)
        assert job is not None
        rq_queue.enqueue_job(job)
    return len(ids)


def next_minute(app) -> None:
    """The sweep's lock (one sweep a minute across workers) runs out, as a minute later."""
    rq_queue = jobs.queue(app)
    rq_queue.connection.delete(f"govtool:{rq_queue.name}:sweep")


def travel(db, seconds: float) -> None:
    """Let `seconds` pass for the outbox: every due time moves that much nearer."""
    for message in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.next_attempt_at.is_not(None))
    ):
        message.next_attempt_at -= dt.timedelta(seconds=seconds)
    db.session.commit()


def statuses(db) -> collections.Counter:
    db.session.expire_all()
    return collections.Counter(db.session.scalars(sa.select(OutboxMessage.status)))


# ---------------------------------------------------------------- 100 invitations, server down


@pytest.fixture()
def big_meeting(db):
    body = make_body(name="Landesweiter Workshop", short_name="LWS")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    for _ in range(INVITEES - 1):
        make_membership(body, make_person())
    meeting = make_meeting(body, dt.date.today() + dt.timedelta(days=30))
    db.session.commit()
    return meeting, secretary


def test_hundred_invitations_while_the_mail_server_is_down_arrive_once_when_it_is_up(
    app, db, client, login, smtp, mode, big_meeting
):
    meeting, secretary = big_meeting
    smtp.down()
    login(secretary.email)

    response = client.post(f"/meetings/{meeting.id}/invite", data={"confirm": "yes"})

    assert response.status_code == 302
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    recipients = {row.recipient for row in rows}
    assert len(rows) == len(recipients) == INVITEES
    assert all(row.attachment_names == "einladung.ics" and row.attachments for row in rows)
    if mode == "redis":
        # the request only wrote rows and queued one job: it never spoke to the mail server
        assert smtp.attempts_while_down == 0
        assert statuses(db) == {MailStatus.PENDING: INVITEES}
        assert jobs.queue(app).count == 1
        work(app)
    # one refused connection per batch, not one per recipient (in-process: inside the request)
    assert smtp.attempts_while_down == -(-INVITEES // BATCH_SIZE)
    assert statuses(db) == {MailStatus.PENDING: INVITEES}
    assert smtp.inbox.received == {}

    smtp.up()
    travel(db, RETRY_DELAYS[0].total_seconds())
    if mode == "redis":
        next_minute(app)
        work(app)  # the worker's tick queues the sweep, which delivers what is due
        # the retries RQ's scheduler holds come due as well: they find nothing left to send
        assert fire_scheduled(app) >= 1
        work(app)
    else:
        result = app.test_cli_runner().invoke(args=["mail", "flush"])
        assert result.exit_code == 0 and f"{INVITEES} mail(s) sent." in result.output
    deliver_outbox([row.id for row in rows])  # a duplicate job: nothing twice
    assert flush_due(everything=True) == 0

    assert smtp.inbox.received == {recipient: 1 for recipient in recipients}
    assert statuses(db) == {MailStatus.SENT: INVITEES}
    db.session.expire_all()
    message = db.session.scalars(sa.select(OutboxMessage)).first()
    assert message.attempts == 2 and message.sent_at is not None and message.error == ""


def test_a_rolled_back_change_sends_nothing(app, db, smtp, mode):
    send_mail(["a@example.org", "b@example.org"], "Einladung", "Text")
    db.session.rollback()
    # a savepoint rolled back inside a transaction that commits: only the kept mail goes out
    with db.session.begin_nested():
        send_mail("kept@example.org", "Bleibt", "Text")
    savepoint = db.session.begin_nested()
    send_mail("dropped@example.org", "Verworfen", "Text")
    savepoint.rollback()
    db.session.commit()
    work(app)

    assert [m.recipient for m in db.session.scalars(sa.select(OutboxMessage))] == [
        "kept@example.org"
    ]
    assert smtp.inbox.received == {"kept@example.org": 1}
    if mode == "redis":
        assert jobs.queue(app).count == 0


def test_two_workers_never_send_the_same_mail(app, db, smtp):
    smtp.down()  # the first attempt fails: the rows wait for two workers at once
    messages = send_mail([f"p{n}@example.org" for n in range(20)], "Gleichzeitig", "Text")
    ids = [m.id for m in messages]
    db.session.commit()
    smtp.up()
    travel(db, RETRY_DELAYS[0].total_seconds())
    barrier = threading.Barrier(2)
    sent = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            sent.append(deliver_outbox(ids))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent) == 20
    assert smtp.inbox.received == {f"p{n}@example.org": 1 for n in range(20)}


# ---------------------------------------------------------------- Redis away


def test_with_redis_unreachable_the_mail_waits_in_the_outbox_and_goes_out_once_later(
    app, db, smtp, caplog
):
    caplog.set_level(logging.WARNING, logger="govtool.core.jobs")
    _redis_or_skip()
    proxy = TcpProxy("127.0.0.1", 6379)
    cleanup = _use_queue(app, f"redis://127.0.0.1:{proxy.port}/1")
    try:
        proxy.cut()
        send_mail(["x@example.org", "y@example.org"], "Ohne Redis", "Text")
        db.session.commit()  # does not raise: the failure to queue is logged
        assert "Redis unreachable" in caplog.text
        assert statuses(db) == {MailStatus.PENDING: 2}
        assert smtp.inbox.received == {}

        proxy.restore()
        assert enqueue_periodic(app, jobs.queue(app).connection)[:1] == ["sweep"]
        work(app)
        assert smtp.inbox.received == {"x@example.org": 1, "y@example.org": 1}
        assert statuses(db) == {MailStatus.SENT: 2}
        # the sweep's lock: a second worker's tick within the minute queues no second sweep
        assert "sweep" not in enqueue_periodic(app, jobs.queue(app).connection)
    finally:
        cleanup()
        proxy.close()


# ---------------------------------------------------------------- retries and backoff


def test_failures_are_retried_with_growing_delays_then_marked_failed(app, db, smtp, mode):
    smtp.down()
    (message,) = send_mail("later@example.org", "Wiederholung", "Text")
    db.session.commit()
    work(app)
    delays = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        db.session.expire_all()
        row = db.session.get(OutboxMessage, message.id)
        assert row.attempts == attempt and row.error
        if attempt == MAX_ATTEMPTS:
            break
        assert row.status is MailStatus.PENDING
        delays.append(row.next_attempt_at - utcnow())
        assert flush_due() == 0 and smtp.attempts_while_down == attempt  # not due yet
        travel(db, delays[-1].total_seconds() + 1)
        flush_due()
    assert row.status is MailStatus.FAILED and row.next_attempt_at is None
    assert delays == sorted(delays)
    for delay, expected in zip(delays, RETRY_DELAYS, strict=True):
        assert expected - dt.timedelta(seconds=5) < delay <= expected
    if mode == "redis":  # each retry was also handed to RQ's scheduler for its time
        assert len(jobs.queue(app).scheduled_job_registry.get_job_ids()) == MAX_ATTEMPTS - 1

    smtp.up()
    assert flush_due(everything=True) == 0  # failed is final until someone sends it again
    assert smtp.inbox.received == {}


def test_a_refused_recipient_fails_at_once_and_the_rest_of_the_batch_goes_out(app, db, smtp):
    send_mail(["nobody@refuse.test", "somebody@example.org"], "Teils", "Text")
    db.session.commit()
    db.session.expire_all()
    rows = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert rows["nobody@refuse.test"].status is MailStatus.FAILED
    assert "550" in rows["nobody@refuse.test"].error
    assert rows["somebody@example.org"].status is MailStatus.SENT
    assert smtp.inbox.received == {"somebody@example.org": 1}


def test_without_smtp_mail_is_only_logged_and_never_queued(app, db):
    (message,) = send_mail("log@example.org", "Nur Protokoll", "Text")
    db.session.commit()
    assert message.status is MailStatus.LOGGED and message.next_attempt_at is None
    assert flush_due(everything=True) == 0


# ---------------------------------------------------------------- the admin page


@pytest.fixture()
def failed_mail(app, db, smtp):
    smtp.down()
    (message,) = send_mail("failed@example.org", "Gescheitert", "Text")
    db.session.commit()
    db.session.execute(
        sa.update(OutboxMessage).values(
            status=MailStatus.FAILED, attempts=MAX_ATTEMPTS, next_attempt_at=None
        )
    )
    db.session.commit()
    smtp.up()
    return message.id


@pytest.mark.parametrize("role", [Role.SECRETARY, Role.MINISTRY, Role.MEMBER])
def test_only_admins_see_the_outbox_and_send_again(client, db, login, role, failed_mail):
    user = make_user(roles=(role,))
    db.session.commit()
    login(user.email)
    assert client.get("/admin/mail/").status_code == 403
    assert client.post(f"/admin/mail/{failed_mail}/resend").status_code == 403
    assert client.post("/admin/mail/resend-failed").status_code == 403
    assert db.session.get(OutboxMessage, failed_mail).status is MailStatus.FAILED


def test_a_visitor_is_sent_to_sign_in(client, db, failed_mail):
    response = client.get("/admin/mail/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(f"/admin/mail/{failed_mail}/resend").status_code == 302
    assert db.session.get(OutboxMessage, failed_mail).status is MailStatus.FAILED


def test_admin_sends_a_failed_mail_again_and_it_arrives_once(
    app, client, db, login, smtp, mode, failed_mail
):
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(admin.email)
    page = client.get("/admin/mail/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "failed@example.org" in text and "Erneut senden" in text
    assert "Postausgang" in text

    response = client.post(f"/admin/mail/{failed_mail}/resend")
    assert response.status_code == 302
    work(app)
    assert smtp.inbox.received == {"failed@example.org": 1}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed_mail).status is MailStatus.SENT
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "OutboxMessage")
    ).one()
    assert (entry.action, entry.user_id, entry.object_id) == ("resend", admin.id, str(failed_mail))

    # a sent mail is not sent twice, however often someone clicks
    client.post(f"/admin/mail/{failed_mail}/resend")
    client.post("/admin/mail/resend-failed")
    work(app)
    assert smtp.inbox.received == {"failed@example.org": 1}


def test_admin_sends_every_failed_mail_again(app, client, db, login, smtp):
    smtp.down()
    send_mail([f"f{n}@example.org" for n in range(3)], "Gescheitert", "Text")
    db.session.commit()
    db.session.execute(
        sa.update(OutboxMessage).values(status=MailStatus.FAILED, next_attempt_at=None)
    )
    db.session.commit()
    smtp.up()
    admin = make_user(roles=(Role.ADMIN,))
    db.session.commit()
    login(admin.email)
    response = client.post("/admin/mail/resend-failed", follow_redirects=True)
    assert "3 fehlgeschlagene Mails werden erneut gesendet." in response.get_data(as_text=True)
    assert smtp.inbox.received == {f"f{n}@example.org": 1 for n in range(3)}
    assert statuses(db) == {MailStatus.SENT: 3}


# ---------------------------------------------------------------- reminders on the worker


def test_the_worker_sends_the_reminders_once_a_day(app, db):
    connection = _redis_or_skip()
    cleanup = _use_queue(app, REDIS_URL)
    try:
        morning = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC)  # 06:00 in Berlin: too early
        assert "reminders" not in enqueue_periodic(app, connection, morning)
        later = morning + dt.timedelta(hours=3)
        assert "reminders" in enqueue_periodic(app, connection, later)
        assert "reminders" not in enqueue_periodic(app, connection, later + dt.timedelta(hours=5))
        assert "reminders" in enqueue_periodic(app, connection, later + dt.timedelta(days=1))
        queued = [job.func_name for job in jobs.queue(app).jobs]
        assert queued.count(f"{send_reminders_job.__module__}.send_reminders_job") == 2
        work(app)  # the jobs run (nothing is due in an empty database)
        assert jobs.queue(app).count == 0
        assert not jobs.queue(app).failed_job_registry.get_job_ids()
    finally:
        cleanup()


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "GOVTOOL_REDIS_URL is not set" in result.output


def test_invitations_to_a_meeting_read_back_from_the_outbox_keep_their_calendar(
    app, db, smtp, big_meeting
):
    """The .ics travels with the row: the worker sends what send_mail was given."""
    meeting, secretary = big_meeting
    from govtool.bodies import invitations

    invitations.send_invitations(secretary, db.session.get(Meeting, meeting.id))
    db.session.commit()
    assert sum(smtp.inbox.received.values()) == INVITEES
    for envelope in smtp.inbox.messages:
        message = message_from_bytes(envelope.content, policy=default_policy)
        (calendar,) = message.iter_attachments()
        assert calendar.get_filename() == "einladung.ics"
        assert calendar.get_content_type() == "text/calendar"
        assert "BEGIN:VEVENT" in calendar.get_content()


def test_mail_a_dead_worker_had_claimed_goes_out_once_after_its_claim_ran_out(app, db, smtp):
    smtp.down()
    (message,) = send_mail("verwaist@example.org", "Verwaist", "Text")
    db.session.commit()
    smtp.up()
    # a worker claims the row and dies before it could send (nothing marks the row)
    db.session.execute(
        sa.update(OutboxMessage).values(
            status=MailStatus.SENDING, next_attempt_at=utcnow() + CLAIM_LEASE
        )
    )
    db.session.commit()
    assert flush_due() == 0 and deliver_outbox([message.id]) == 0  # claimed: hands off
    later = utcnow() + CLAIM_LEASE + dt.timedelta(seconds=1)
    assert flush_due(now=later) == 1
    assert flush_due(now=later) == 0
    assert smtp.inbox.received == {"verwaist@example.org": 1}


# ---------------------------------------------------------------- the after-commit rule itself

CALLS: list[str] = []


def record_call(name: str) -> None:
    """A job for the tests below (module level: RQ would import it by name)."""
    CALLS.append(name)


def test_jobs_run_after_commit_only_for_what_was_not_rolled_back(app, db):
    CALLS.clear()
    jobs.enqueue_after_commit(record_call, "rolled back")
    db.session.rollback()
    jobs.enqueue_after_commit(record_call, "outer")
    with db.session.begin_nested():
        jobs.enqueue_after_commit(record_call, "released savepoint")
    savepoint = db.session.begin_nested()
    jobs.enqueue_after_commit(record_call, "rolled-back savepoint")
    savepoint.rollback()
    assert CALLS == []  # nothing before the commit
    db.session.commit()
    assert CALLS == ["outer", "released savepoint"]
    db.session.commit()  # a later commit does not run them again
    jobs.enqueue_after_commit(record_call, "closed session")
    db.session.close()
    db.session.commit()
    assert CALLS == ["outer", "released savepoint"]
