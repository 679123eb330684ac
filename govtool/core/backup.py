"""Backup and restore: one ZIP archive with a logical dump of every table, the uploaded files and
a manifest of checksums (`govtool backup OUT`, `govtool restore IN`).

Layout of an archive (format "govtool-backup", version 1):

    manifest.json          format, govtool version, created_at, Alembic revision, per table its
                           columns (with how each value is written) and row count, the files, and
                           the SHA-256 and size of every other member
    SHA256SUMS             `sha256sum -c` lines for every member (manifest.json included)
    db/<table>.jsonl       one JSON object per row, in primary-key order
    files/<ab>/<sha256>    the uploads, named by the SHA-256 of their content

Why ZIP and not tar: a ZIP has its directory at the end, so a cut-off archive is noticed before
anything is read; each member carries a CRC-32 besides our SHA-256; members can be read in any
order and twice (restore reads a table again for its self-references) without unpacking to disk;
the dump streams into a member of unknown size (ZIP64 data descriptor) without a temporary file;
and `unzip`, 7-Zip and the Windows Explorer open it, which is what the administrations running
govtool have at hand. Table dumps are deflated; uploads are stored (PDF, DOCX, PNG are compressed
already).

The dump is database-independent: values are written by the column's type (datetimes as ISO 8601
in UTC, dates as ISO dates, bytes as base64, decimals as strings, JSON as JSON, enums as their
stored string), so a PostgreSQL backup restores into SQLite and the other way round.

Restore checks the whole archive first (every checksum, the manifest complete, every row
readable, the revision the one of this code) and changes nothing when one check fails. It loads
only into an empty database (a database without tables is migrated first) in one transaction:
either every row is there afterwards or none is.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import importlib.metadata
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.types import TypeDecorator

from ..extensions import db
from .audit import record_entry

FORMAT = "govtool-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
CHUNK = 1024 * 1024
# Rows per batch read from or written to the database: memory stays bounded by one batch.
BATCH = 1000
BATCH_WITH_BYTES = 50  # tables with documents in them (agreement DOCX, staged imports)
# Columns whose value names an upload by its SHA-256: the files an archive must carry.
FILE_COLUMNS = {"stored_files": "sha256"}
_MANIFEST_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    UnicodeDecodeError,
    ValueError,
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# What zipfile and zlib raise for a damaged or cut member (a CRC-32 mismatch is BadZipFile).
_DAMAGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# ---------------------------------------------------------------- the upload store
# The only two functions that touch uploaded files (plus the undo of a failed restore); switch
# them to core.storage when uploads move behind that interface.


def open_upload(sha256: str) -> IO[bytes]:
    """The stored upload with this SHA-256, opened for reading (FileNotFoundError when absent)."""
    return (Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256).open("rb")


def save_upload(sha256: str, chunks: Iterable[bytes]) -> bool:
    """Store an upload under its SHA-256 unless it is there already; True when newly written.

    The content is checked against the name while it streams; a mismatch stores nothing."""
    path = Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{sha256}.restore-{os.getpid()}.part")
    digest = hashlib.sha256()
    try:
        with part.open("wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise BackupError(f"File {sha256} changed while it was restored.")
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return True


def discard_upload(sha256: str) -> None:
    """Remove an upload this restore wrote, after the database load failed."""
    (Path(current_app.config["UPLOAD_DIR"]) / sha256[:2] / sha256).unlink(missing_ok=True)


# ---------------------------------------------------------------- values


def column_kind(column: sa.Column) -> str:
    """How the dump writes this column's values (a word stored in the manifest)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    checks: list[tuple[type, str]] = [
        (sa.Enum, "text"),  # stored as its string value (core.models.enum_type)
        (sa.Boolean, "bool"),
        (sa.Integer, "int"),
        (sa.Float, "float"),
        (sa.Numeric, "decimal"),
        (sa.String, "text"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Time, "time"),
        (sa.LargeBinary, "bytes"),
        (sa.JSON, "json"),
    ]
    for type_, name in checks:
        if isinstance(kind, type_):
            if name == "datetime" and getattr(kind, "timezone", False):
                return "datetime_tz"
            return name
    raise BackupError(
        f"Column {column.table.name}.{column.name} has type {kind!r}, which the backup cannot "
        "write yet (govtool.core.backup.column_kind)."
    )


def _encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime_tz":
        # SQLite returns these naive; core.models.UTCDateTime stores UTC there.
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    if kind == "decimal":
        return str(value)
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("datetime_tz", "datetime"):
        parsed = dt.datetime.fromisoformat(value)
        if kind == "datetime_tz" and parsed.tzinfo is None:
            raise ValueError(f"datetime without offset: {value!r}")
        return parsed
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "time":
        return dt.time.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
        raise ValueError(f"not an integer: {value!r}")
    if kind == "bool" and not isinstance(value, bool):
        raise ValueError(f"not a boolean: {value!r}")
    if kind == "text" and not isinstance(value, str):
        raise ValueError(f"not a text: {value!r}")
    return value


def _transport_table(table: sa.Table) -> sa.Table:
    """A copy of `table` that reads and writes enum columns as their stored strings, so a value
    an older version wrote (or a newer one) travels unchanged instead of failing the lookup."""
    columns = []
    for column in table.columns:
        kind = sa.String(column.type.length) if isinstance(column.type, sa.Enum) else column.type
        columns.append(sa.Column(column.name, kind, primary_key=column.primary_key))
    return sa.Table(table.name, sa.MetaData(), *columns)


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def _member(table_name: str) -> str:
    return f"db/{table_name}.jsonl"


def _file_member(sha256: str) -> str:
    return f"files/{sha256[:2]}/{sha256}"


# ---------------------------------------------------------------- revisions


def code_revision() -> str:
    """The Alembic head of this code's migrations: the schema a dump belongs to."""
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    if len(heads) != 1:
        raise BackupError(
            f"The migrations have {len(heads)} heads ({', '.join(heads)}); expected 1."
        )
    return heads[0]


def database_revision(connection: sa.Connection) -> str | None:
    """The revision the database is stamped with (None: no Alembic table, e.g. create_all)."""
    from alembic.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def govtool_version() -> str:
    try:
        return importlib.metadata.version("govtool")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    """What `write_backup` wrote."""

    path: Path
    sha256: str
    size: int
    rows: dict[str, int]
    files: int
    missing_files: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def _snapshot() -> Iterator[sa.Connection]:
    """One read-only transaction over all tables, so the dump is consistent while the app keeps
    writing (PostgreSQL: REPEATABLE READ; SQLite in WAL mode: a read transaction)."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as connection, connection.begin():
            yield connection
        return
    # pysqlite begins no transaction for a SELECT by itself; begin one explicitly.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            connection.exec_driver_sql("ROLLBACK")


def _zip_info(name: str, when: dt.datetime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


class _ArchiveWriter:
    """Writes members into the ZIP, recording each member's SHA-256 and size."""

    def __init__(self, archive: zipfile.ZipFile, when: dt.datetime):
        self.archive = archive
        self.when = when
        self.members: dict[str, dict[str, Any]] = {}

    def add(self, name: str, chunks: Iterable[bytes], compress: int = zipfile.ZIP_DEFLATED):
        digest = hashlib.sha256()
        size = 0
        info = _zip_info(name, self.when, compress)
        with self.archive.open(info, "w", force_zip64=True) as member:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                member.write(chunk)
        self.members[name] = {"sha256": digest.hexdigest(), "size": size}
        return digest.hexdigest()


def _dump_rows(
    connection: sa.Connection, table: sa.Table, counts: dict[str, int], shas: set[str]
) -> Iterator[bytes]:
    """The table as JSON lines, one batch of rows per chunk."""
    transport = _transport_table(table)
    kinds = [(column.name, column_kind(column)) for column in table.columns]
    file_column = FILE_COLUMNS.get(table.name)
    has_bytes = any(kind == "bytes" for _, kind in kinds)
    query = sa.select(transport).order_by(*transport.primary_key.columns)
    result = connection.execute(
        query.execution_options(yield_per=BATCH_WITH_BYTES if has_bytes else BATCH)
    )
    counts[table.name] = 0
    for rows in result.partitions():
        lines = []
        for row in rows:
            values = row._mapping
            record = {name: _encode(kind, values[name]) for name, kind in kinds}
            if file_column and record[file_column]:
                shas.add(record[file_column])
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        counts[table.name] += len(rows)
        yield ("\n".join(lines) + "\n").encode()


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _upload_digest(sha256: str) -> str | None:
    """The SHA-256 of the stored upload's content, None when it is missing."""
    try:
        with open_upload(sha256) as stream:
            digest = hashlib.sha256()
            for chunk in _read_chunks(stream):
                digest.update(chunk)
            return digest.hexdigest()
    except FileNotFoundError:
        return None


def write_backup(out: Path, user_id: int | None = None) -> BackupResult:
    """Write the whole database and every referenced upload to the ZIP archive `out`.

    The archive is written to `out.part` and renamed when complete, so a file named `out` is
    always a finished archive. The backup is recorded in the audit log once it is complete."""
    revision = code_revision()
    tables = _tables()
    for table in tables:
        for column in table.columns:
            column_kind(column)  # refuse an unknown type before writing anything
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = Path(out)
    part = out.with_name(out.name + ".part")
    counts: dict[str, int] = {}
    shas: set[str] = set()
    missing: list[dict[str, str]] = []
    try:
        with zipfile.ZipFile(part, "w", allowZip64=True) as archive:
            writer = _ArchiveWriter(archive, created)
            with _snapshot() as connection:
                stamped = database_revision(connection)
                if stamped is not None and stamped != revision:
                    raise BackupError(
                        f"The database is at revision {stamped}, this govtool at {revision}: "
                        "run `govtool db upgrade` first."
                    )
                dialect = connection.dialect.name
                for table in tables:
                    writer.add(_member(table.name), _dump_rows(connection, table, counts, shas))
            files = 0
            file_bytes = 0
            for sha in sorted(shas):
                if not _SHA256.match(sha):
                    missing.append({"sha256": sha, "reason": "not a SHA-256"})
                    continue
                found = _upload_digest(sha)
                if found != sha:
                    missing.append(
                        {"sha256": sha, "reason": "missing" if found is None else "damaged"}
                    )
                    continue
                with open_upload(sha) as stream:
                    written = writer.add(
                        _file_member(sha), _read_chunks(stream), zipfile.ZIP_STORED
                    )
                if written != sha:  # changed between the check and the copy
                    raise BackupError(
                        f"Upload {sha} changed while it was copied; run the backup again."
                    )
                files += 1
                file_bytes += writer.members[_file_member(sha)]["size"]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "govtool_version": govtool_version(),
                "created_at": created.isoformat(),
                "alembic_revision": revision,
                "source_database": dialect,
                "tables": [
                    {
                        "name": table.name,
                        "member": _member(table.name),
                        "rows": counts[table.name],
                        "columns": [
                            {"name": column.name, "kind": column_kind(column)}
                            for column in table.columns
                        ],
                    }
                    for table in tables
                ],
                "files": {"count": files, "bytes": file_bytes},
                "missing_files": missing,
                "members": writer.members,
            }
            manifest_bytes = (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode()
            members = dict(writer.members)
            writer.add(MANIFEST, [manifest_bytes])
            members[MANIFEST] = writer.members[MANIFEST]
            sums = "".join(f"{entry['sha256']}  {name}\n" for name, entry in members.items())
            writer.add(SUMS, [sums.encode()])
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with out.open("rb") as stream:
        for chunk in _read_chunks(stream):
            digest.update(chunk)
    result = BackupResult(out, digest.hexdigest(), out.stat().st_size, counts, files, missing)
    with db.engine.begin() as connection:
        record_entry(
            connection,
            user_id,
            "backup",
            "Backup",
            created.isoformat()[:60],
            out.name[:200],
            {
                "archive": {"old": None, "new": str(out)},
                "sha256": {"old": None, "new": result.sha256},
                "rows": {"old": None, "new": sum(counts.values())},
                "files": {"old": None, "new": files},
                "revision": {"old": None, "new": revision},
            },
        )
    return result


# ---------------------------------------------------------------- verify


@dataclass
class Manifest:
    """A verified archive's manifest, with what restore needs from it."""

    data: dict[str, Any]
    rows: dict[str, int]
    files: list[str]

    @property
    def revision(self) -> str:
        return self.data["alembic_revision"]

    @property
    def created_at(self) -> str:
        return self.data["created_at"]


def _refuse(path: Path, reason: str) -> BackupError:
    return BackupError(f"{path.name} is refused, nothing was changed: {reason}")


def _read_json_member(archive: zipfile.ZipFile, name: str) -> Any:
    with archive.open(name) as member:
        return json.loads(member.read().decode("utf-8"))


def _check_manifest_shape(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError("not a govtool backup (manifest.json has no format 'govtool-backup')")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"archive format version {manifest.get('format_version')!r}; "
            f"this govtool reads version {FORMAT_VERSION}"
        )
    for key, type_ in (
        ("alembic_revision", str),
        ("created_at", str),
        ("tables", list),
        ("members", dict),
        ("missing_files", list),
    ):
        if not isinstance(manifest.get(key), type_):
            raise ValueError(f"manifest.json lacks {key!r}")


def _parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if not _SHA256.match(digest) or not name or name in sums:
            raise ValueError(f"{SUMS} has a malformed line: {line[:80]!r}")
        sums[name] = digest
    return sums


def _table_lines(
    archive: zipfile.ZipFile, name: str, expected_sha: str | None = None
) -> Iterator[bytes]:
    """The lines of a member; checks its SHA-256 at the end when `expected_sha` is given."""
    digest = hashlib.sha256()
    with archive.open(name) as member:
        for line in member:
            digest.update(line)
            yield line
    if expected_sha is not None and digest.hexdigest() != expected_sha:
        raise BackupError(f"{name} changed while it was restored.")


def verify_archive(path: Path) -> Manifest:
    """Check the whole archive without changing anything; BackupError says what is wrong."""
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _refuse(
            path, f"it is not a complete ZIP archive (cut off or damaged?): {error}"
        ) from error
    with archive:
        return _verify_open_archive(path, archive)


def _verify_open_archive(path: Path, archive: zipfile.ZipFile) -> Manifest:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise _refuse(path, "a member occurs twice")
    for required in (MANIFEST, SUMS):
        if required not in names:
            raise _refuse(path, f"{required} is missing (cut off or not a govtool backup?)")
    try:
        manifest = _read_json_member(archive, MANIFEST)
        _check_manifest_shape(manifest)
        with archive.open(SUMS) as member:
            sums = _parse_sums(member.read().decode("utf-8"))
    except _MANIFEST_ERRORS as error:
        raise _refuse(path, f"the manifest is damaged: {error}") from error

    members: dict[str, dict[str, Any]] = manifest["members"]
    expected = set(members) | {MANIFEST}
    if set(sums) != expected:
        raise _refuse(path, f"{SUMS} and manifest.json list different members")
    if set(names) != expected | {SUMS}:
        extra = sorted(set(names) - expected - {SUMS})
        absent = sorted(expected - set(names))
        raise _refuse(path, f"members missing {absent[:5]} or not in the manifest {extra[:5]}")
    for name, entry in members.items():
        if entry.get("sha256") != sums[name]:
            raise _refuse(path, f"{name}: manifest.json and {SUMS} disagree")

    # The manifest itself against SHA256SUMS (its CRC-32 was checked while reading it).
    with archive.open(MANIFEST) as member:
        if hashlib.sha256(member.read()).hexdigest() != sums[MANIFEST]:
            raise _refuse(path, f"manifest.json does not match its line in {SUMS}")

    revision = code_revision()
    if manifest["alembic_revision"] != revision:
        raise _refuse(
            path,
            f"the archive holds revision {manifest['alembic_revision']}, this govtool "
            f"{revision}: restore it with the govtool version that wrote it "
            f"({manifest.get('govtool_version', '?')}), then upgrade.",
        )
    tables = {table.name: table for table in _tables()}
    listed = {entry.get("name"): entry for entry in manifest["tables"] if isinstance(entry, dict)}
    if set(listed) != set(tables) or len(listed) != len(manifest["tables"]):
        raise _refuse(path, "its tables are not the tables of this revision")

    referenced: set[str] = set()
    rows: dict[str, int] = {}
    for name, table in tables.items():
        entry = listed[name]
        columns = [(column.name, column_kind(column)) for column in table.columns]
        listed_columns = [(c.get("name"), c.get("kind")) for c in entry.get("columns", [])]
        if listed_columns != columns or entry.get("member") != _member(name):
            raise _refuse(path, f"table {name} does not have the columns of this revision")
        if _member(name) not in members:
            raise _refuse(path, f"{_member(name)} is missing")
        count = _verify_table(path, archive, name, columns, members[_member(name)], referenced)
        if count != entry.get("rows"):
            raise _refuse(
                path, f"{_member(name)} has {count} rows, the manifest says {entry.get('rows')}"
            )
        rows[name] = count

    files = []
    for name in members:
        if name.startswith("db/"):
            if name.removeprefix("db/").removesuffix(".jsonl") not in tables:
                raise _refuse(path, f"{name} is not a table of this revision")
            continue
        sha = name.rsplit("/", 1)[-1]
        if name != _file_member(sha) or not _SHA256.match(sha):
            raise _refuse(path, f"unexpected member {name}")
        _verify_member(path, archive, name, members[name])
        if members[name]["sha256"] != sha:
            raise _refuse(path, f"{name}: content does not match its name")
        files.append(sha)
    missing = {
        entry.get("sha256") for entry in manifest["missing_files"] if isinstance(entry, dict)
    }
    lacking = referenced - set(files) - missing
    if lacking:
        raise _refuse(path, f"{len(lacking)} referenced file(s) are not in the archive")
    return Manifest(manifest, rows, sorted(files))


def _verify_member(path: Path, archive: zipfile.ZipFile, name: str, entry: dict) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as member:
            for chunk in _read_chunks(member):
                digest.update(chunk)
                size += len(chunk)
    except _DAMAGED as error:
        raise _refuse(path, f"{name} is damaged: {error}") from error
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        raise _refuse(path, f"{name} does not match its SHA-256 in the manifest (damaged)")


def _verify_table(
    path: Path,
    archive: zipfile.ZipFile,
    table_name: str,
    columns: list[tuple[str, str]],
    entry: dict,
    referenced: set[str],
) -> int:
    """Hash a table member and decode every row (as restore will); returns the row count."""
    member_name = _member(table_name)
    names = [name for name, _ in columns]
    file_column = FILE_COLUMNS.get(table_name)
    digest = hashlib.sha256()
    size = 0
    count = 0
    try:
        for line in _table_lines(archive, member_name):
            digest.update(line)
            size += len(line)
            count += 1
            record = json.loads(line)
            if not isinstance(record, dict) or list(record) != names:
                raise ValueError(f"row {count} does not have the table's columns")
            for name, kind in columns:
                _decode(kind, record[name])
            if file_column and record[file_column]:
                referenced.add(record[file_column])
    except _DAMAGED as error:
        raise _refuse(path, f"{member_name} is damaged: {error}") from error
    except (UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        if digest.hexdigest() != entry.get("sha256"):
            # A changed byte usually breaks the JSON first: say what it is, a damaged member.
            raise _refuse(path, f"{member_name} is damaged (row {count}: {error})") from error
        raise _refuse(path, f"{member_name} row {count} is not readable: {error}") from error
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        raise _refuse(path, f"{member_name} does not match its SHA-256 in the manifest (damaged)")
    return count


# ---------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    """What `restore_archive` loaded."""

    rows: dict[str, int]
    files_written: int
    files_present: int
    migrated: bool
    created_at: str


def _target_is_fresh(revision: str) -> bool:
    """True when the database has none of govtool's tables (restore migrates it first); raises
    when it is not empty or at another revision."""
    engine = db.engine
    existing = set(sa.inspect(engine).get_table_names())
    tables = _tables()
    present = {table.name for table in tables} & existing
    with engine.connect() as connection:
        stamped = database_revision(connection)
        if not present:
            if stamped not in (None, revision):
                raise BackupError(f"The target database is stamped {stamped} but has no tables.")
            return True
        if stamped is not None and stamped != revision:
            raise BackupError(
                f"The target database is at revision {stamped}, the archive at {revision}: "
                "restore into a new, empty database."
            )
        absent = sorted({table.name for table in tables} - present)
        if absent:
            raise BackupError(
                f"The target database lacks tables ({', '.join(absent[:5])}): "
                "restore into a new, empty database."
            )
        filled = [
            table.name
            for table in tables
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
        ]
    if filled:
        raise BackupError(
            "The target database is not empty (rows in "
            + ", ".join(filled[:5])
            + (", …" if len(filled) > 5 else "")
            + "). Restore only into a new, empty database: create one and point DATABASE_URL "
            "at it; the data already there is not touched."
        )
    return False


def _deferred_columns(tables: list[sa.Table]) -> dict[str, list[str]]:
    """Per table, the foreign-key columns to fill in a second pass: references to the table
    itself (a parent row may come later) and to tables loaded later (use_alter cycles)."""
    loaded: set[str] = set()
    deferred: dict[str, list[str]] = {}
    for table in tables:
        names = []
        for key in table.foreign_keys:
            target = key.column.table.name
            if (target == table.name or target not in loaded) and key.parent.name not in names:
                if not key.parent.nullable:
                    raise BackupError(
                        f"{table.name}.{key.parent.name} refers to {target}, which is loaded "
                        "later, and may not be empty: the restore cannot order these rows."
                    )
                names.append(key.parent.name)
        if names:
            deferred[table.name] = names
        loaded.add(table.name)
    return deferred


def _decoded_rows(archive: zipfile.ZipFile, table: sa.Table, sha: str) -> Iterator[dict[str, Any]]:
    kinds = [(column.name, column_kind(column)) for column in table.columns]
    for line in _table_lines(archive, _member(table.name), sha):
        record = json.loads(line)
        yield {name: _decode(kind, record[name]) for name, kind in kinds}


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load_tables(
    connection: sa.Connection,
    archive: zipfile.ZipFile,
    members: dict[str, dict[str, Any]],
    progress: Callable[[str], None],
) -> None:
    tables = _tables()
    deferred = _deferred_columns(tables)
    for table in tables:
        transport = _transport_table(table)
        later = deferred.get(table.name, [])
        size = (
            BATCH_WITH_BYTES if any(isinstance(c.type, sa.LargeBinary) for c in table.c) else BATCH
        )
        sha = members[_member(table.name)]["sha256"]
        for batch in _batches(_decoded_rows(archive, table, sha), size):
            for row in batch:
                for name in later:
                    row[name] = None
            connection.execute(sa.insert(transport), batch)
        progress(table.name)
    # Second pass: the references left empty above, now that every row exists.
    for table in tables:
        later = deferred.get(table.name, [])
        if not later:
            continue
        transport = _transport_table(table)
        keys = [column.name for column in transport.primary_key.columns]
        statement = (
            sa.update(transport)
            .where(*(transport.c[key] == sa.bindparam(f"key_{key}") for key in keys))
            .values({name: sa.bindparam(f"value_{name}") for name in later})
        )
        updates = (
            {
                **{f"key_{key}": row[key] for key in keys},
                **{f"value_{name}": row[name] for name in later},
            }
            for row in _decoded_rows(archive, table, members[_member(table.name)]["sha256"])
            if any(row[name] is not None for name in later)
        )
        for batch in _batches(updates, BATCH):
            connection.execute(statement, batch)


def _reset_sequences(connection: sa.Connection) -> None:
    """PostgreSQL: move each id sequence past the restored ids, so new rows get fresh ones.
    (SQLite takes the next rowid from the largest one in the table.)"""
    if connection.dialect.name != "postgresql":
        return
    preparer = connection.dialect.identifier_preparer
    for table in _tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        sequence = connection.scalar(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": preparer.format_table(table), "column": keys[0].name},
        )
        if sequence:
            column = preparer.quote(keys[0].name)
            connection.execute(
                sa.text(
                    f"SELECT setval(:sequence, COALESCE((SELECT MAX({column}) FROM "
                    f"{preparer.format_table(table)}), 0) + 1, false)"
                ),
                {"sequence": sequence},
            )


def restore_archive(
    path: Path, user_id: int | None = None, progress: Callable[[str], None] = lambda name: None
) -> RestoreResult:
    """Verify `path`, then load it into this app's empty database and upload store.

    Nothing changes when the archive is damaged or the database is not empty. A database without
    tables is migrated to the archive's revision first. The rows load in one transaction; files
    go in before it under their SHA-256, and the ones this restore added are removed again
    when the load fails."""
    path = Path(path)
    manifest = verify_archive(path)
    fresh = _target_is_fresh(manifest.revision)
    if fresh:
        from flask_migrate import upgrade

        upgrade(revision=manifest.revision)
        _target_is_fresh(manifest.revision)
    written: list[str] = []
    present = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for sha in manifest.files:
                with archive.open(_file_member(sha)) as member:
                    if save_upload(sha, _read_chunks(member)):
                        written.append(sha)
                    else:
                        present += 1
            progress("files")
            with db.engine.begin() as connection:
                _load_tables(connection, archive, manifest.data["members"], progress)
                _reset_sequences(connection)
                record_entry(
                    connection,
                    user_id,
                    "restore",
                    "Backup",
                    manifest.created_at[:60],
                    path.name[:200],
                    {
                        "archive": {"old": None, "new": str(path)},
                        "created_at": {"old": None, "new": manifest.created_at},
                        "rows": {"old": None, "new": sum(manifest.rows.values())},
                        "files": {"old": None, "new": len(manifest.files)},
                        "revision": {"old": None, "new": manifest.revision},
                    },
                )
    except BaseException:
        for sha in written:
            discard_upload(sha)
        raise
    return RestoreResult(manifest.rows, len(written), present, fresh, manifest.created_at)
