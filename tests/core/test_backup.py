"""`govtool backup` and `govtool restore`, run as a user runs them (the CLI), on real databases.

Rows are compared by a digest computed here, independently of the dump code: every table of the
models selected through SQLAlchemy Core on source and target, each row's values normalised and
the sorted rows hashed. Files are compared by their SHA-256.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import hashlib
import io
import json
import logging
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from govtool import TestConfig, create_app
from govtool.demo import DEMO_PASSWORD
from govtool.extensions import db as _db
from tests.conftest import IsolatedClient

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a7e4d6b40000000049454e44ae426082"
)
SECRETARY = "sekretariat@example.org"
ADMIN = "admin@example.org"


@pytest.fixture(autouse=True, scope="module")
def _keep_logging():
    """Alembic's env.py (run by `db upgrade` and a restore that migrates) reconfigures logging
    for the process and disables every logger it does not name; put it back so later tests see
    their loggers. Module scope, so it is in place before the module's source fixture."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    disabled = {
        name: logger.disabled
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.disabled = disabled.get(name, False)


def make_app(url: str, upload_dir: Path, **settings):
    """A second govtool app on its own database and upload directory (no schema created);
    `settings` add config values (e.g. an S3 file store)."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = upload_dir

    for name, value in settings.items():
        setattr(Config, name, value)

    application = create_app(Config)
    application.test_client_class = IsolatedClient
    return application


def invoke(application, *args: str):
    """Run `govtool ARGS` against `application`, outside any app context the test holds (the
    command would otherwise run on the app whose context is pushed)."""
    return contextvars.Context().run(application.test_cli_runner().invoke, args=list(args))


def query(application, function):
    """function(connection) on `application`'s database, outside the test's app context."""

    def run():
        with application.app_context(), _db.engine.connect() as connection:
            return function(connection)

    return contextvars.Context().run(run)


def _normalise(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def table_digests(application, skip_audit_actions: tuple[str, ...] = ()) -> dict:
    """{table: (row count, SHA-256 of the sorted rows)} for every table of the models."""

    def digests(connection):
        found = {}
        for table in _db.metadata.sorted_tables:
            select = sa.select(table)
            if table.name == "audit_entries" and skip_audit_actions:
                select = select.where(table.c.action.not_in(skip_audit_actions))
            rows = sorted(
                json.dumps([_normalise(v) for v in row], default=str)
                for row in connection.execute(select)
            )
            found[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return found

    return query(application, digests)


def stored_files(application) -> dict[str, str]:
    """{relative path: SHA-256} of every file in the app's upload directory."""
    root = Path(application.config["UPLOAD_DIR"])
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def audit_actions(application) -> list[str]:
    sql = sa.text("SELECT action FROM audit_entries ORDER BY id")
    return query(application, lambda connection: list(connection.scalars(sql)))


def first_meeting(application) -> tuple[int, int]:
    """(meeting id, agenda item id) of a demo meeting with an agenda."""
    sql = sa.text("SELECT meeting_id, id FROM agenda_items ORDER BY meeting_id, id LIMIT 1")
    row = query(application, lambda connection: connection.execute(sql).one())
    return row.meeting_id, row.id


def upload_files(application) -> None:
    """Upload files as the demo secretary would (two items share one content)."""
    meeting_id, item_id = first_meeting(application)
    client = application.test_client()
    response = client.post("/login", data={"email": SECRETARY, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    for name, data in (("Bericht.pdf", PDF), ("Karte.png", PNG), ("Kopie.pdf", PDF)):
        response = client.post(
            f"/meetings/{meeting_id}/items/{item_id}/files",
            data={"upload-file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.data[:500]


def max_ids(application) -> dict[str, int]:
    def ids(connection):
        return {
            name: connection.scalar(sa.text(f"SELECT max(id) FROM {name}"))
            for name in ("stored_files", "audit_entries")
        }

    return query(application, ids)


def assert_app_works(application, source_ids: dict[str, int]) -> None:
    """Sign in, open a meeting and a download, and add rows that get fresh ids."""
    meeting_id, item_id = first_meeting(application)
    client = application.test_client()
    response = client.post("/login", data={"email": SECRETARY, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(f"/meetings/{meeting_id}").status_code == 200
    file_id = query(
        application,
        lambda connection: connection.scalar(sa.text("SELECT min(id) FROM stored_files")),
    )
    download = client.get(f"/meetings/{meeting_id}/files/{file_id}")
    assert download.status_code == 200 and download.data in (PDF, PNG)
    # A new upload adds a stored file and audit entries: on PostgreSQL only if the id
    # sequences were moved past the restored ids.
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/files",
        data={"upload-file": (io.BytesIO(PDF + b"% neu\n"), "Neu.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    newest = max_ids(application)
    assert newest["stored_files"] == source_ids["stored_files"] + 1
    assert newest["audit_entries"] > source_ids["audit_entries"]


def restore_and_compare(archive: Path, target, source_rows: dict, source_files: dict) -> None:
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restored the backup" in result.output
    assert table_digests(target, skip_audit_actions=("restore",)) == source_rows
    assert stored_files(target) == source_files
    assert audit_actions(target).count("restore") == 1
    assert audit_actions(target)[-1] == "restore"


# ---------------------------------------------------------------- sources


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory):
    """A migrated SQLite database with the demo data and uploads, and its backup archive:
    (app, archive, row digests and files before the backup)."""
    base = tmp_path_factory.mktemp("backup_source")
    source = make_app(f"sqlite:///{base / 'source.sqlite3'}", base / "uploads")
    for command in (("db", "upgrade"), ("demo", "load")):
        result = invoke(source, *command)
        assert result.exit_code == 0, result.output
    upload_files(source)
    rows, files = table_digests(source), stored_files(source)
    assert rows["stored_files"][0] == 3 and len(files) == 2
    archive = base / "govtool-backup.zip"
    result = invoke(source, "backup", str(archive))
    assert result.exit_code == 0, result.output
    yield source, archive, rows, files
    with source.app_context():
        _db.engine.dispose()


def fresh_sqlite(tmp_path: Path, name: str = "target"):
    return make_app(f"sqlite:///{tmp_path / f'{name}.sqlite3'}", tmp_path / f"{name}-uploads")


def test_sqlite_backup_restores_into_an_empty_sqlite_with_every_row_and_file(
    sqlite_source, tmp_path
):
    source, archive, rows, files = sqlite_source
    assert audit_actions(source)[-1] == "backup"
    names = zipfile.ZipFile(archive).namelist()
    assert {"manifest.json", "SHA256SUMS", "db/users.jsonl", "db/stored_files.jsonl"} <= set(names)
    assert sum(name.startswith("files/") for name in names) == 2

    target = fresh_sqlite(tmp_path)
    restore_and_compare(archive, target, rows, files)
    assert_app_works(target, max_ids(source))


def test_backup_and_restore_are_in_the_audit_log(sqlite_source, tmp_path):
    source, archive, _, _ = sqlite_source
    target = fresh_sqlite(tmp_path)
    assert invoke(target, "restore", str(archive)).exit_code == 0
    for application, action, label in (
        (source, "backup", "Datensicherung erstellt"),
        (target, "restore", "Aus einer Datensicherung wiederhergestellt"),
    ):
        client = application.test_client()
        # An address of its own: the sign-in limit counts per process, across the tests' apps.
        response = client.post(
            "/login",
            data={"email": ADMIN, "password": DEMO_PASSWORD},
            environ_base={"REMOTE_ADDR": f"192.0.2.{10 + len(action)}"},
        )
        assert response.status_code == 302, response.status_code
        page = client.get(f"/audit/?action={action}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert label in text and "Datensicherung" in text and archive.name in text


def test_verify_only_checks_the_archive_and_changes_nothing(sqlite_source, tmp_path):
    _, archive, rows, _ = sqlite_source
    target = fresh_sqlite(tmp_path)
    result = invoke(target, "restore", "--verify-only", str(archive))
    assert result.exit_code == 0, result.output
    assert "complete and intact" in result.output
    assert f"{sum(count for count, _ in rows.values()):,} rows" in result.output
    with target.app_context():
        assert sa.inspect(_db.engine).get_table_names() == []


def test_manifest_has_checksums_counts_version_and_revision(sqlite_source):
    _, archive, rows, files = sqlite_source
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        sums = dict(
            reversed(line.split("  ", 1))
            for line in opened.read("SHA256SUMS").decode().splitlines()
        )
        for name in opened.namelist():
            if name != "SHA256SUMS":
                assert hashlib.sha256(opened.read(name)).hexdigest() == sums[name], name
    assert set(sums) == set(manifest["members"]) | {"manifest.json"}
    assert manifest["govtool_version"] and manifest["created_at"]
    assert manifest["alembic_revision"].startswith("00")
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        name: count for name, (count, _) in rows.items()
    }
    assert manifest["files"]["count"] == len(files)


def test_restore_refuses_a_database_that_has_data(sqlite_source, tmp_path):
    source, archive, _, _ = sqlite_source
    before, files_before = table_digests(source), stored_files(source)
    result = invoke(source, "restore", str(archive))
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert table_digests(source) == before and stored_files(source) == files_before


# ---------------------------------------------------------------- damaged archives


def _member_data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    """Where a member's (compressed) bytes start: after its local header."""
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 :][:4])
    return info.header_offset + 30 + name_length + extra_length


def _flip_byte_in_member(archive: Path, member: str, out: Path, where: str) -> None:
    """One bit of the member's stored bytes changed: at its first, middle or last byte (the
    first holds deflate's end-of-stream flag, the last the padding after the last code)."""
    data = bytearray(archive.read_bytes())
    info = zipfile.ZipFile(archive).getinfo(member)
    offset = {"first": 0, "middle": info.compress_size // 2, "last": info.compress_size - 1}
    data[_member_data_offset(bytes(data), info) + offset[where]] ^= 0x01
    out.write_bytes(bytes(data))


def _rezip_with_changed_byte(archive: Path, member: str, out: Path) -> None:
    """The same archive with one byte of `member` changed and a matching CRC-32: only the
    SHA-256 in the manifest can tell."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                changed = bytearray(content)
                middle = len(changed) // 2
                # keep JSON valid: change a letter into another letter
                while not chr(changed[middle]).isalpha():
                    middle += 1
                changed[middle] = ord("x") if changed[middle] != ord("x") else ord("y")
                content = bytes(changed)
            target.writestr(info, content)


def _assert_refused(target, archive: Path, tmp_path: Path) -> str:
    with target.app_context():
        tables_before = set(sa.inspect(_db.engine).get_table_names())
    files_before = stored_files(target)
    result = invoke(target, "restore", str(archive))
    assert result.exit_code != 0, result.output
    assert "refused, nothing was changed" in result.output, result.output
    with target.app_context():
        _db.engine.dispose()
        assert set(sa.inspect(_db.engine).get_table_names()) == tables_before
    assert stored_files(target) == files_before
    return result.output


def test_a_truncated_archive_is_refused_and_the_target_left_untouched(sqlite_source, tmp_path):
    _, archive, _, _ = sqlite_source
    data = archive.read_bytes()
    target = fresh_sqlite(tmp_path)
    for size in (0, 100, len(data) // 3, len(data) // 2, len(data) - 23, len(data) - 1):
        cut = tmp_path / f"cut-{size}.zip"
        cut.write_bytes(data[:size])
        output = _assert_refused(target, cut, tmp_path)
        assert "not a complete ZIP archive" in output, (size, output)


def test_a_truncated_archive_leaves_a_migrated_empty_target_empty(sqlite_source, tmp_path):
    _, archive, _, _ = sqlite_source
    target = fresh_sqlite(tmp_path)
    assert invoke(target, "db", "upgrade").exit_code == 0
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
    _assert_refused(target, cut, tmp_path)
    assert all(count == 0 for count, _ in table_digests(target).values())


@pytest.mark.parametrize(
    "member", ["db/organisations.jsonl", "db/audit_entries.jsonl", "manifest.json", "files"]
)
def test_one_changed_byte_is_refused(sqlite_source, tmp_path, member):
    _, archive, _, _ = sqlite_source
    if member == "files":
        member = next(n for n in zipfile.ZipFile(archive).namelist() if n.startswith("files/"))
    target = fresh_sqlite(tmp_path)
    # In the stored bytes: the CRC-32, deflate or the stored bytes' SHA-256 notice it.
    for where in ("first", "middle", "last"):
        flipped = tmp_path / f"flipped-{where}.zip"
        _flip_byte_in_member(archive, member, flipped, where)
        output = _assert_refused(target, flipped, tmp_path)
        assert "damaged" in output, (where, output)
    # In the content with a matching CRC-32: the SHA-256 notices it.
    changed = tmp_path / "changed.zip"
    _rezip_with_changed_byte(archive, member, changed)
    output = _assert_refused(target, changed, tmp_path)
    assert "SHA-256" in output or "SHA256SUMS" in output or "its name" in output, output


def test_a_file_missing_from_the_archive_is_refused(sqlite_source, tmp_path):
    _, archive, _, _ = sqlite_source
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if not info.filename.startswith("files/"):
                target.writestr(info, source.read(info))
    output = _assert_refused(fresh_sqlite(tmp_path), stripped, tmp_path)
    assert "missing" in output


def test_a_failed_load_rolls_back_and_removes_the_files_it_wrote(sqlite_source, tmp_path):
    """A row the target refuses (here: a user row whose email is taken by an earlier row of the
    same archive) makes the whole load roll back; the files written for it are removed."""
    _, archive, _, _ = sqlite_source
    broken = tmp_path / "duplicate-user.zip"
    with zipfile.ZipFile(archive) as source:
        manifest = json.loads(source.read("manifest.json"))
        users = source.read("db/users.jsonl").decode().splitlines()
        first = json.loads(users[0])
        second = json.loads(users[1])
        second["email"] = first["email"]
        users[1] = json.dumps(second, ensure_ascii=False, separators=(",", ":"))
        content = ("\n".join(users) + "\n").encode()
        manifest["members"]["db/users.jsonl"] = {
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
        }
        manifest_bytes = json.dumps(manifest).encode()
        replaced = {"db/users.jsonl": content, "manifest.json": manifest_bytes}
        sums = "".join(
            f"{hashlib.sha256(replaced.get(name) or source.read(name)).hexdigest()}  {name}\n"
            for name in [*manifest["members"], "manifest.json"]
        )
        replaced["SHA256SUMS"] = sums.encode()
        with zipfile.ZipFile(broken, "w") as target:
            for info in source.infolist():
                if info.filename in replaced:  # stored: no stored-bytes checksum to forge
                    target.writestr(info.filename, replaced[info.filename])
                else:
                    target.writestr(info, source.read(info))
    target = fresh_sqlite(tmp_path)
    result = invoke(target, "restore", str(broken))
    assert result.exit_code != 0
    assert "rolled back" in result.output and "UNIQUE" in result.output.upper(), result.output
    assert stored_files(target) == {}
    assert all(count == 0 for count, _ in table_digests(target).values())


# ---------------------------------------------------------------- PostgreSQL


def _postgresql_or_skip(database_url: str) -> sa.engine.URL:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL not configured: set GOVTOOL_TEST_DATABASE_URL to a postgresql URL")
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        pytest.skip(f"PostgreSQL unreachable: {error}")
    finally:
        engine.dispose()
    return url


def fresh_postgresql(url: sa.engine.URL, name: str, create: bool = True) -> str:
    """An empty PostgreSQL database `name` (dropped first when left over; only dropped when
    `create` is false)."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def test_postgresql_backup_of_the_demo_restores_into_empty_sqlite_and_postgresql(
    app, demo, database_url, tmp_path
):
    url = _postgresql_or_skip(database_url)
    upload_files(app)
    source_rows, source_ids = table_digests(app), max_ids(app)
    referenced = set()
    with _db.engine.connect() as connection:
        referenced = set(connection.scalars(sa.text("SELECT sha256 FROM stored_files")))
    source_files = {
        path: digest for path, digest in stored_files(app).items() if digest in referenced
    }
    assert len(source_files) == 2
    archive = tmp_path / "demo-postgresql.zip"
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert audit_actions(app)[-1] == "backup"

    sqlite_target = fresh_sqlite(tmp_path)
    restore_and_compare(archive, sqlite_target, source_rows, source_files)
    assert_app_works(sqlite_target, source_ids)

    target_url = fresh_postgresql(url, f"{url.database}_restore")
    pg_target = make_app(target_url, tmp_path / "pg-uploads")
    try:
        restore_and_compare(archive, pg_target, source_rows, source_files)
        assert_app_works(pg_target, source_ids)
        # and back: the restored PostgreSQL database backs up to the same rows
        again = tmp_path / "again.zip"
        assert invoke(pg_target, "backup", str(again)).exit_code == 0
        second = fresh_sqlite(tmp_path, "second")
        result = invoke(second, "restore", str(again))
        assert result.exit_code == 0, result.output
        assert table_digests(second, ("restore", "backup")) == table_digests(
            pg_target, ("restore", "backup")
        )
    finally:
        contextvars.Context().run(_dispose, pg_target)
        fresh_postgresql(url, f"{url.database}_restore", create=False)
        shutil.rmtree(tmp_path / "pg-uploads", ignore_errors=True)


def _dispose(application) -> None:
    with application.app_context():
        _db.engine.dispose()


def _zip_with_manifest(path: Path, manifest) -> Path:
    content = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", content)
        archive.writestr("SHA256SUMS", f"{hashlib.sha256(content).hexdigest()}  manifest.json\n")
    return path


@pytest.mark.parametrize(
    "manifest",
    [
        None,  # a ZIP that is no backup at all
        {"format": "govtool-backup", "format_version": 2},
        {
            "format": "govtool-backup",
            "format_version": 1,
            "alembic_revision": "REVISION",
            "created_at": "2026-01-01T00:00:00+00:00",
            "tables": [1, "x"],
            "members": {},
            "missing_files": [],
        },
        {
            "format": "govtool-backup",
            "format_version": 1,
            "alembic_revision": "REVISION",
            "created_at": "2026-01-01T00:00:00+00:00",
            "tables": [],
            "members": {"db/users.jsonl": "abc"},
            "missing_files": [],
        },
    ],
)
def test_a_foreign_or_malformed_archive_is_refused(sqlite_source, tmp_path, manifest):
    _, archive, _, _ = sqlite_source
    revision = json.loads(zipfile.ZipFile(archive).read("manifest.json"))["alembic_revision"]
    path = tmp_path / "foreign.zip"
    if manifest is None:
        with zipfile.ZipFile(path, "w") as foreign:
            foreign.writestr("word/document.xml", "<w:document/>")
    else:
        if manifest.get("alembic_revision") == "REVISION":
            manifest["alembic_revision"] = revision
        _zip_with_manifest(path, manifest)
    _assert_refused(fresh_sqlite(tmp_path), path, tmp_path)


def test_an_upload_missing_from_the_store_is_reported_and_the_rest_restores(app, demo, tmp_path):
    meeting_id, item_id = first_meeting(app)
    client = app.test_client()
    client.post("/login", data={"email": SECRETARY, "password": DEMO_PASSWORD})
    lost = PDF + f"% {tmp_path.name}\n".encode()
    response = client.post(
        f"/meetings/{meeting_id}/items/{item_id}/files",
        data={"upload-file": (io.BytesIO(lost), "Verloren.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    sha = hashlib.sha256(lost).hexdigest()
    (Path(app.config["UPLOAD_DIR"]) / sha[:2] / sha).unlink()
    archive = tmp_path / "with-a-gap.zip"
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    assert f"Warning: upload {sha} is missing" in result.output
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["missing_files"] == [{"sha256": sha, "reason": "missing"}]

    target = fresh_sqlite(tmp_path)
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    names = query(
        target,
        lambda connection: set(
            connection.scalars(sa.text("SELECT original_name FROM stored_files"))
        ),
    )
    assert names == {"Verloren.pdf"} and stored_files(target) == {}


def store_digests(application) -> dict[str, str]:
    """{key: SHA-256} of every file in the app's store (whichever kind it is)."""
    from govtool.core.storage import current_store

    def digests():
        with application.app_context():
            store = current_store()
            found = {}
            for key in sorted(store.iter_keys()):
                with store.open(key) as stored:
                    digest = hashlib.sha256()
                    for chunk in stored:
                        digest.update(chunk)
                found[key] = digest.hexdigest()
            return found

    return contextvars.Context().run(digests)


def test_files_in_an_s3_store_are_backed_up_and_restored_into_another_store(s3_server, tmp_path):
    """With the files in an S3 bucket (several servers), the backup takes them from there and
    the restore writes them into the target's store: here a fresh prefix of the bucket."""
    import uuid

    def s3_settings(prefix: str) -> dict:
        return {"GOVTOOL_STORAGE_URL": s3_server.storage_url(prefix), **s3_server.config}

    source = make_app(
        f"sqlite:///{tmp_path / 's3-source.sqlite3'}",
        tmp_path / "unused-source",
        **s3_settings(f"backup-src-{uuid.uuid4().hex}"),
    )
    for command in (("db", "upgrade"), ("demo", "load")):
        assert invoke(source, *command).exit_code == 0
    upload_files(source)
    files = store_digests(source)
    assert len(files) == 2 and not (tmp_path / "unused-source").exists()
    archive = tmp_path / "s3.zip"
    result = invoke(source, "backup", str(archive))
    assert result.exit_code == 0, result.output

    target = make_app(
        f"sqlite:///{tmp_path / 's3-target.sqlite3'}",
        tmp_path / "unused-target",
        **s3_settings(f"backup-dst-{uuid.uuid4().hex}"),
    )
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert store_digests(target) == files
    assert table_digests(target, skip_audit_actions=("backup", "restore")) == table_digests(
        source, skip_audit_actions=("backup", "restore")
    )
