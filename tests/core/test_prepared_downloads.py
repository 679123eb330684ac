"""Issue 15: large exports are built by a job and fetched from "Vorbereitete Dateien".

Each queue test runs twice: in-process (no Redis: the job runs right after the commit) and on real
Redis (redis://127.0.0.1:6379/6, a queue of the test's own, run by an RQ burst worker). The
threshold GOVTOOL_EXPORT_INLINE_ROWS is set low, so that a few entries count as "large"; files
live in a local store of the test's own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
import redis
import sqlalchemy as sa
from openpyxl import load_workbook

from govtool.core import jobs
from govtool.core.audit import acting_as
from govtool.core.models import utcnow
from govtool.core.prepared import (
    KEY_PREFIX,
    Built,
    PreparedFile,
    PreparedStatus,
    build_prepared,
    prepare,
    register_builder,
    sweep_prepared,
)
from govtool.core.storage import EXTENSION_KEY, LocalStore
from govtool.core.worker import AppWorker, enqueue_periodic
from tests.catalogue.factories import make_entry, make_world

REDIS_URL = "redis://127.0.0.1:6379/6"  # this area's database number (tests only)
THRESHOLD = 2  # more rows than this are prepared


# ---------------------------------------------------------------- queue, store, threshold


def _redis_or_skip() -> redis.Redis:
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}); the in-process variant runs instead")
    return connection


@pytest.fixture(params=["in-process", "redis"])
def mode(request, app):
    """Jobs in-process after commit (no Redis), and on a real RQ queue of this test's own."""
    if request.param == "redis":
        connection = _redis_or_skip()
        name = f"test-prepared-{uuid.uuid4().hex[:8]}"
        app.config.update(GOVTOOL_REDIS_URL=REDIS_URL, GOVTOOL_QUEUE_NAME=name)

        def cleanup() -> None:
            app.config.update(GOVTOOL_REDIS_URL="", GOVTOOL_QUEUE_NAME="govtool")
            for pattern in (f"govtool:{name}:*", f"rq:*:{name}", f"rq:*:{name}:*"):
                for key in connection.scan_iter(pattern):
                    connection.delete(key)

        request.addfinalizer(cleanup)
    return request.param


def work(app) -> None:
    """Run the waiting jobs now, as `govtool worker --burst` does (no-op in-process)."""
    rq_queue = jobs.queue(app)
    if rq_queue is not None:
        AppWorker([rq_queue], connection=rq_queue.connection, app=app).work(burst=True)


@pytest.fixture()
def store(app, tmp_path):
    previous = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = LocalStore(tmp_path / "files")
    yield app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = previous


@pytest.fixture()
def low_threshold(app):
    previous = app.config["GOVTOOL_EXPORT_INLINE_ROWS"]
    app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = THRESHOLD
    yield THRESHOLD
    app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = previous


@pytest.fixture()
def world(db):
    """Five entries of Halle (more than the threshold), one of BLK."""
    world = make_world()
    halle_user = world["users"]["halle"]
    with acting_as(halle_user):
        for n in range(5):
            make_entry(halle_user, world["halle"], [world["ministry"]], title=f"Halle {n}")
    blk_user = world["users"]["blk"]
    with acting_as(blk_user):
        make_entry(blk_user, world["blk"], [world["ministry"]], title="BLK only")
    db.session.commit()
    return world


def files(db) -> list[PreparedFile]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(PreparedFile).order_by(PreparedFile.id)))


def sheet_values(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def direct(app, client, url: str) -> bytes:
    """The export as the request builds it today (threshold out of the way)."""
    previous = app.config["GOVTOOL_EXPORT_INLINE_ROWS"]
    app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = 1_000_000
    try:
        response = client.get(url)
        assert response.status_code == 200
        return response.data
    finally:
        app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = previous


# ---------------------------------------------------------------- the catalogue's exports


def test_large_xlsx_export_is_prepared_listed_and_downloads_what_a_direct_export_gives(
    app, client, login, db, world, store, low_threshold, mode
):
    login("halle@example.org")
    response = client.get("/catalogue/export.xlsx", follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/downloads/"
    page = response.get_data(as_text=True)
    assert "Die Datei wird vorbereitet" in page
    assert "Datenaustauschkatalog: Excel (XLSX)" in page
    assert 'aria-live="polite"' in page
    if mode == "redis":  # in-process, the job ran right after the request's commit
        assert "1 Datei wird vorbereitet." in page and "data-poll" in page

    work(app)
    (prepared,) = files(db)
    assert prepared.status == PreparedStatus.READY, prepared.error
    assert prepared.store_key.startswith(KEY_PREFIX) and store.exists(prepared.store_key)
    page = client.get("/downloads/").get_data(as_text=True)
    assert "Bereit" in page and "data-poll" not in page  # nothing waits: no more polling
    assert "Es wird keine Datei vorbereitet." in page
    assert f"/downloads/{prepared.id}" in page

    download = client.get(f"/downloads/{prepared.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith('attachment; filename="')
    assert "datenaustauschkatalog.xlsx" in download.headers["Content-Disposition"]
    prepared_rows = sheet_values(download.data)
    assert prepared_rows == sheet_values(direct(app, client, "/catalogue/export.xlsx"))
    assert len(prepared_rows) == 1 + 5  # the header, Halle's five (BLK's draft is not Halle's)
    assert prepared_rows[0][0] == "Kennung"  # German labels, as the request's language


def test_prepared_csv_and_register_docx_are_built_as_well(
    app, client, login, db, world, store, low_threshold, mode
):
    login("halle@example.org")
    for url in ("/catalogue/export.csv", "/catalogue/export.docx"):
        assert client.get(url).headers["Location"].endswith("/downloads/")
    work(app)
    csv_file, docx_file = files(db)
    assert [csv_file.label, docx_file.label] == [
        "Datenaustauschkatalog: Excel (CSV)",
        "Datenaustauschkatalog: Word (DOCX)",
    ]
    assert {csv_file.status, docx_file.status} == {PreparedStatus.READY}
    prepared_csv = client.get(f"/downloads/{csv_file.id}").data
    assert prepared_csv == direct(app, client, "/catalogue/export.csv")
    docx = client.get(f"/downloads/{docx_file.id}")
    assert docx.data.startswith(b"PK") and "wordprocessingml" in docx.headers["Content-Type"]


def test_small_exports_stay_immediate(client, login, world, store, low_threshold, app):
    app.config["GOVTOOL_EXPORT_INLINE_ROWS"] = 5
    login("halle@example.org")
    response = client.get("/catalogue/export.xlsx")
    assert response.status_code == 200
    assert len(sheet_values(response.data)) == 6
    assert client.get("/catalogue/export.json").status_code == 200  # JSON: always at once


def test_another_user_neither_sees_nor_downloads_a_prepared_file(
    app, client, login, db, world, store, low_threshold, mode
):
    login("halle@example.org")
    client.get("/catalogue/export.xlsx")
    work(app)
    (prepared,) = files(db)
    client.post("/logout")
    assert client.get(f"/downloads/{prepared.id}").status_code == 302  # to the sign-in
    login("blk@example.org")
    page = client.get("/downloads/").get_data(as_text=True)
    assert "Sie haben keine vorbereiteten Dateien." in page
    assert f"/downloads/{prepared.id}" not in page
    assert client.get(f"/downloads/{prepared.id}").status_code == 403
    assert client.get("/downloads/999999").status_code == 404


def test_a_rolled_back_request_prepares_nothing(app, db, world, store, mode):
    halle = world["users"]["halle"]
    with app.test_request_context():
        prepare(halle, "catalogue.export", "x", {"fmt": "xlsx", "filters": {}})
        db.session.rollback()
        db.session.commit()
    work(app)
    assert files(db) == []
    assert list(store.iter_keys(KEY_PREFIX)) == []
    rq_queue = jobs.queue(app)
    assert rq_queue is None or rq_queue.count == 0


def _waiting_file(db, owner, fmt: str, **values) -> PreparedFile:
    """A prepared file as prepare() leaves it, without asking for its job."""
    prepared = PreparedFile(
        owner_id=owner.id,
        kind="catalogue.export",
        label=f"Datenaustauschkatalog ({fmt.upper()})",
        parameters={"locale": "de", "fmt": fmt, "filters": {}},
        expires_at=utcnow() + dt.timedelta(days=7),
        **values,
    )
    db.session.add(prepared)
    db.session.commit()
    return prepared


def test_the_job_builds_what_the_owner_may_see_when_it_runs(app, client, db, world, store):
    """Halle's user moved to BLK between asking and building: the file has BLK's draft, not
    Halle's five (the job checks as the owner, at the time it runs)."""
    halle = world["users"]["halle"]
    prepared = _waiting_file(db, halle, "xlsx")
    halle.organisation = world["blk"]
    db.session.commit()
    assert build_prepared(prepared.id) == "ready"
    (ready,) = files(db)
    with store.open(ready.store_key) as stored:
        rows = sheet_values(b"".join(stored))
    assert [row[3] for row in rows[1:]] == ["BLK only"]


def test_a_user_who_lost_the_right_gets_a_failed_file_with_the_reason(db, world, store):
    halle = world["users"]["halle"]
    prepared = _waiting_file(db, halle, "xlsx")
    halle.is_active_flag = False
    db.session.commit()
    assert build_prepared(prepared.id) == "failed"
    (failed,) = files(db)
    assert failed.status == PreparedStatus.FAILED and failed.store_key == ""
    assert failed.error == "Sie dürfen den Datenaustauschkatalog nicht mehr exportieren."
    assert list(store.iter_keys(KEY_PREFIX)) == []
    assert build_prepared(prepared.id) == "skipped"  # runs once, whoever hands it over twice


def _explode(owner, parameters):
    raise RuntimeError("disk on fire")


def test_a_failing_job_shows_failed_with_a_message_not_a_500(
    app, client, login, db, world, store, mode
):
    register_builder("test.explode", _explode)
    login("halle@example.org")
    with app.test_request_context():
        prepare(world["users"]["halle"], "test.explode", "Explodiert", {})
        db.session.commit()
    work(app)
    (failed,) = files(db)
    assert failed.status == PreparedStatus.FAILED
    assert "disk on fire" not in failed.error  # the detail goes to the log, not to the user
    response = client.get("/downloads/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Fehlgeschlagen" in page and "Die Datei konnte nicht vorbereitet werden." in page
    download = client.get(f"/downloads/{failed.id}")
    assert download.status_code == 302 and download.headers["Location"].endswith("/downloads/")


# ---------------------------------------------------------------- the audit log export


def test_large_audit_export_is_prepared_with_the_same_rows(
    app, client, login, db, world, store, low_threshold, mode
):
    login("admin@example.org")
    response = client.get("/audit/export.csv")
    assert response.status_code == 302 and response.headers["Location"].endswith("/downloads/")
    work(app)
    (prepared,) = files(db)
    assert prepared.status == PreparedStatus.READY, prepared.error
    assert prepared.label == "Änderungsprotokoll: Excel (CSV)"
    content = client.get(f"/downloads/{prepared.id}").data
    assert content == direct(app, client, "/audit/export.csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) > THRESHOLD + 1

    client.get("/audit/export.xlsx")
    work(app)
    xlsx = files(db)[-1]
    assert xlsx.status == PreparedStatus.READY
    prepared_rows = sheet_values(client.get(f"/downloads/{xlsx.id}").data)
    assert prepared_rows == sheet_values(direct(app, client, "/audit/export.xlsx"))


def test_the_audit_export_needs_the_audit_right(client, login, world, store, low_threshold):
    login("halle@example.org")
    assert client.get("/audit/export.csv").status_code == 403


# ---------------------------------------------------------------- expiry and the sweep


def test_expired_files_are_removed_from_the_store_and_the_list(
    app, client, login, db, world, store, low_threshold, mode
):
    login("halle@example.org")
    client.get("/catalogue/export.xlsx")
    client.get("/catalogue/export.csv")
    work(app)
    old, fresh = files(db)
    assert store.exists(old.store_key) and store.exists(fresh.store_key)
    old.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert f"/downloads/{old.id}" not in client.get("/downloads/").get_data(as_text=True)
    assert client.get(f"/downloads/{old.id}").status_code == 404

    result = app.test_cli_runner().invoke(args=["downloads", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 expired" in result.output
    assert [f.id for f in files(db)] == [fresh.id]
    assert not store.exists(old.store_key) and store.exists(fresh.store_key)


def test_the_sweep_hands_over_again_what_waits_too_long(app, db, world, store, mode):
    """A job lost while Redis was away: the file waits in the table and the sweep starts it."""
    _waiting_file(db, world["users"]["halle"], "csv", created_at=utcnow() - dt.timedelta(minutes=5))
    sweep_prepared()
    work(app)
    (ready,) = files(db)
    assert ready.status == PreparedStatus.READY and store.exists(ready.store_key)


def test_the_workers_periodic_sweep_includes_prepared_files(app, db, mode):
    if mode != "redis":
        pytest.skip("the periodic sweep is the RQ worker's; in-process, cron runs the command")
    rq_queue = jobs.queue(app)
    assert enqueue_periodic(app, rq_queue.connection)[:1] == ["sweep"]
    names = [job.func_name for job in rq_queue.get_jobs()]
    assert "govtool.core.prepared.sweep_prepared" in names


def test_a_builder_gets_the_owner_and_the_parameters(app, db, world, store):
    seen = []

    def remember(owner, parameters):
        seen.append((owner.email, parameters["n"], parameters["locale"]))
        return Built(b"x", "x.txt", "text/plain")

    register_builder("test.remember", remember)
    with app.test_request_context():
        prepare(world["users"]["blk"], "test.remember", "Probe", {"n": 3})
        db.session.commit()
    assert seen == [("blk@example.org", 3, "de")]


def test_asking_again_while_it_is_prepared_builds_one_file(
    app, client, login, db, world, store, low_threshold
):
    """A reload or a second click while the file waits (here: on a queue nobody works yet)."""
    connection = _redis_or_skip()
    name = f"test-prepared-{uuid.uuid4().hex[:8]}"
    app.config.update(GOVTOOL_REDIS_URL=REDIS_URL, GOVTOOL_QUEUE_NAME=name)
    try:
        login("halle@example.org")
        for _ in range(3):
            client.get("/catalogue/export.xlsx")
        client.get("/catalogue/export.xlsx?q=Halle")  # other filters: another file
        assert len(files(db)) == 2
        assert jobs.queue(app).count == 2
        work(app)
        assert {f.status for f in files(db)} == {PreparedStatus.READY}
    finally:
        app.config.update(GOVTOOL_REDIS_URL="", GOVTOOL_QUEUE_NAME="govtool")
        for key in connection.scan_iter(f"rq:*:{name}*"):
            connection.delete(key)
