"""Backup and restore: one ZIP archive with a logical dump of every table, the uploaded files and
a manifest of checksums (`govtool backup OUT`, `govtool restore IN`).

Layout of an archive (format "govtool-backup", version 1):

    manifest.json          format, govtool version, created_at, Alembic revision, per table its
                           columns (with how each value is written) and row count, the files, and
                           the SHA-256 and size of every other member (for a deflated member also
                           the SHA-256 of its compressed bytes, so no changed byte goes unseen)
    SHA256SUMS             `sha256sum -c` lines for every member (manifest.json included)
    db/<table>.jsonl       one JSON object per row, in primary-key order
    files/<ab>/<sha256>    the uploads, named by the SHA-256 of their content

Why ZIP and not tar: a ZIP has its directory at the end, so a cut-off archive is noticed before
anything is read; each member carries a CRC-32 besides our SHA-256; members can be read in any
order and twice (restore reads a table again for its self-references) without unpacking to disk;
the dump streams into a member of unknown size (ZIP64) without a temporary file;
and `unzip`, 7-Zip and the Windows Explorer open it, which is what the administrations running
govtool have at hand. Table dumps are deflated; uploads, manifest.json and SHA256SUMS are stored
(PDF, DOCX, PNG are compressed already).

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
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.types import TypeDecorator

from ..extensions import db
from .audit import record_entry
from .storage import current_store

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
SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")
# What zipfile and zlib raise for a damaged or cut member (a CRC-32 mismatch is BadZipFile).
ZIP_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError)


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


# ---------------------------------------------------------------- the upload store
# The only two functions that touch uploaded files (plus the undo of a failed restore); switch
# them to core.storage when uploads move behind that interface.


def _upload_key(sha256: str) -> str:
    # The bodies area's layout (bodies.agenda.file_key), repeated: core may not import an area.
    return f"{sha256[:2]}/{sha256}"


def open_upload(sha256: str) -> IO[bytes]:
    """The stored upload with this SHA-256, opened for reading from the app's file store
    (FileNotFoundError when absent)."""
    return current_store().open(_upload_key(sha256))  # type: ignore[return-value]


def save_upload(sha256: str, chunks: Iterable[bytes]) -> bool:
    """Store an upload under its SHA-256 unless it is there already; True when newly written.

    The content is spooled (to disk beyond 8 MiB) and checked against its name before it goes to
    the store; a mismatch stores nothing."""
    store = current_store()
    key = _upload_key(sha256)
    if store.exists(key):
        return False
    digest = hashlib.sha256()
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        for chunk in chunks:
            digest.update(chunk)
            spool.write(chunk)
        if digest.hexdigest() != sha256:
            raise BackupError(f"File {sha256} changed while it was restored.")
        spool.seek(0)
        store.put(key, spool)
    return True


def discard_upload(sha256: str) -> None:
    """Remove an upload this restore wrote, after the database load failed."""
    current_store().delete(_upload_key(sha256))


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


def encode_value(kind: str, value: Any) -> Any:
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


def decode_value(kind: str, value: Any) -> Any:
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


def transport_table(table: sa.Table) -> sa.Table:
    """A copy of `table` that reads and writes enum columns as their stored strings, so a value
    an older version wrote (or a newer one) travels unchanged instead of failing the lookup."""
    columns = []
    for column in table.columns:
        kind = sa.String(column.type.length) if isinstance(column.type, sa.Enum) else column.type
        columns.append(sa.Column(column.name, kind, primary_key=column.primary_key))
    return sa.Table(table.name, sa.MetaData(), *columns)


def dump_tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def table_member(table_name: str) -> str:
    return f"db/{table_name}.jsonl"


def file_member(sha256: str) -> str:
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


def stored_digest(raw: IO[bytes], info: zipfile.ZipInfo) -> str:
    """SHA-256 of a member's bytes as they lie in the ZIP file (compressed), read from `raw`.

    The content's SHA-256 misses a few changes to deflated bytes that leave the content as it
    was (an end-of-stream flag, the padding bits after the last code); this one misses none."""
    raw.seek(info.header_offset)
    header = raw.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {info.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(info.header_offset + 30 + name_length + extra_length)
    digest = hashlib.sha256()
    left = info.compress_size
    while left:
        chunk = raw.read(min(CHUNK, left))
        if not chunk:
            raise EOFError(f"{info.filename} is cut off")
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


class _ArchiveWriter:
    """Writes members into the ZIP, recording each member's SHA-256 and size (and for a
    compressed member the SHA-256 of its stored bytes too)."""

    def __init__(self, archive: zipfile.ZipFile, path: Path, when: dt.datetime):
        self.archive = archive
        self.path = path
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
        if compress != zipfile.ZIP_STORED:
            assert self.archive.fp is not None
            self.archive.fp.flush()
            with self.path.open("rb") as raw:
                self.members[name]["stored_sha256"] = stored_digest(raw, info)
        return digest.hexdigest()


def _dump_rows(
    connection: sa.Connection, table: sa.Table, counts: dict[str, int], shas: set[str]
) -> Iterator[bytes]:
    """The table as JSON lines, one batch of rows per chunk."""
    transport = transport_table(table)
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
            record = {name: encode_value(kind, values[name]) for name, kind in kinds}
            if file_column and record[file_column]:
                shas.add(record[file_column])
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        counts[table.name] += len(rows)
        yield ("\n".join(lines) + "\n").encode()


def read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _upload_digest(sha256: str) -> str | None:
    """The SHA-256 of the stored upload's content, None when it is missing."""
    try:
        with open_upload(sha256) as stream:
            digest = hashlib.sha256()
            for chunk in read_chunks(stream):
                digest.update(chunk)
            return digest.hexdigest()
    except FileNotFoundError:
        return None


def _add_uploads(writer: _ArchiveWriter, shas: set[str]) -> tuple[int, int, list[dict[str, str]]]:
    """Copy the referenced uploads into the archive: (count, bytes, the ones missing or damaged
    in the store, which the backup reports instead of failing)."""
    files = 0
    file_bytes = 0
    missing: list[dict[str, str]] = []
    for sha in sorted(shas):
        if not SHA256_NAME.match(sha):
            missing.append({"sha256": sha, "reason": "not a SHA-256"})
            continue
        found = _upload_digest(sha)
        if found != sha:
            missing.append({"sha256": sha, "reason": "missing" if found is None else "damaged"})
            continue
        with open_upload(sha) as stream:
            written = writer.add(file_member(sha), read_chunks(stream), zipfile.ZIP_STORED)
        if written != sha:  # changed between the check and the copy
            raise BackupError(f"Upload {sha} changed while it was copied; run the backup again.")
        files += 1
        file_bytes += writer.members[file_member(sha)]["size"]
    return files, file_bytes, missing


def write_backup(out: Path, user_id: int | None = None) -> BackupResult:
    """Write the whole database and every referenced upload to the ZIP archive `out`.

    The archive is written to `out.part` and renamed when complete, so a file named `out` is
    always a finished archive. The backup is recorded in the audit log once it is complete."""
    revision = code_revision()
    tables = dump_tables()
    for table in tables:
        for column in table.columns:
            column_kind(column)  # refuse an unknown type before writing anything
    created = dt.datetime.now(dt.UTC).replace(microsecond=0)
    out = Path(out)
    part = out.with_name(out.name + ".part")
    counts: dict[str, int] = {}
    shas: set[str] = set()
    try:
        with zipfile.ZipFile(part, "w", allowZip64=True) as archive:
            writer = _ArchiveWriter(archive, part, created)
            with _snapshot() as connection:
                stamped = database_revision(connection)
                if stamped is not None and stamped != revision:
                    raise BackupError(
                        f"The database is at revision {stamped}, this govtool at {revision}: "
                        "run `govtool db upgrade` first."
                    )
                dialect = connection.dialect.name
                for table in tables:
                    writer.add(
                        table_member(table.name), _dump_rows(connection, table, counts, shas)
                    )
            files, file_bytes, missing = _add_uploads(writer, shas)
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
                        "member": table_member(table.name),
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
            # Stored, not deflated: every byte of the two lists is content their checks cover.
            writer.add(MANIFEST, [manifest_bytes], zipfile.ZIP_STORED)
            members[MANIFEST] = writer.members[MANIFEST]
            sums = "".join(f"{entry['sha256']}  {name}\n" for name, entry in members.items())
            writer.add(SUMS, [sums.encode()], zipfile.ZIP_STORED)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    digest = hashlib.sha256()
    with out.open("rb") as stream:
        for chunk in read_chunks(stream):
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
                "database_rows": {"old": None, "new": sum(counts.values())},
                "files": {"old": None, "new": files},
                "revision": {"old": None, "new": revision},
            },
        )
    return result
