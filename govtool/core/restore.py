"""Restore a backup archive (core.backup): verify all of it first, then load it into an empty
database in one transaction, so a restore either completes or changes nothing.

What is checked before anything is written: the ZIP directory (a cut-off archive has none), every
member's CRC-32 and SHA-256 against manifest.json and SHA256SUMS, no member missing or extra,
the Alembic revision equal to this code's, every table with this revision's columns, every row
decodable and the row counts as listed, every referenced upload present and named by its
content. Then the target: no rows in any table (a database without tables is migrated first).

Rows load in foreign-key order (metadata.sorted_tables); references to the same table or to a
table loaded later (a use_alter cycle) are left empty and set in a second pass in the same
transaction. PostgreSQL's id sequences are then moved past the restored ids. Uploads are written
before the rows, content-addressed, and the ones this restore added are removed if the load
fails; the restore is recorded in the audit log in the same transaction, after the rows.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .audit import record_entry
from .backup import (
    BATCH,
    BATCH_WITH_BYTES,
    FILE_COLUMNS,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SHA256_NAME,
    SUMS,
    ZIP_ERRORS,
    BackupError,
    code_revision,
    column_kind,
    database_revision,
    decode_value,
    discard_upload,
    dump_tables,
    file_member,
    read_chunks,
    save_upload,
    stored_digest,
    table_member,
    transport_table,
)

# manifest.json lists ~150 bytes per member: room for a million uploads.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
# What reading the manifest may raise besides BackupError.
MANIFEST_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    UnicodeDecodeError,
    ValueError,
)


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


def _read_small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """manifest.json or SHA256SUMS, read whole (bounded: they list members, not data)."""
    with archive.open(name) as member:
        data = member.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(f"{name} is larger than {MAX_MANIFEST_BYTES // 1024 // 1024} MB")
    return data


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
    for name, entry in manifest["members"].items():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int)
        ):
            raise ValueError(f"manifest.json gives no SHA-256 and size for {name!r}")


def _parse_sums(text: str) -> dict[str, str]:
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if not SHA256_NAME.match(digest) or not name or name in sums:
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
        try:
            return _verify_open_archive(path, archive)
        except (AttributeError, TypeError, KeyError) as error:  # a manifest of the wrong shape
            raise _refuse(path, f"the manifest is malformed: {error!r}") from error


def _verify_open_archive(path: Path, archive: zipfile.ZipFile) -> Manifest:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise _refuse(path, "a member occurs twice")
    for required in (MANIFEST, SUMS):
        if required not in names:
            raise _refuse(path, f"{required} is missing (cut off or not a govtool backup?)")
    try:
        sums = _parse_sums(_read_small_member(archive, SUMS).decode("utf-8"))
        manifest_bytes = _read_small_member(archive, MANIFEST)
        # The manifest against its line in SHA256SUMS before anything in it is believed.
        if hashlib.sha256(manifest_bytes).hexdigest() != sums.get(MANIFEST):
            raise _refuse(path, f"manifest.json does not match its SHA-256 in {SUMS} (damaged)")
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        _check_manifest_shape(manifest)
    except MANIFEST_ERRORS as error:
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

    revision = code_revision()
    if manifest["alembic_revision"] != revision:
        raise _refuse(
            path,
            f"the archive holds revision {manifest['alembic_revision']}, this govtool "
            f"{revision}: restore it with the govtool version that wrote it "
            f"({manifest.get('govtool_version', '?')}), then upgrade.",
        )
    tables = {table.name: table for table in dump_tables()}
    referenced: set[str] = set()
    rows = _verify_tables(path, archive, manifest, tables, referenced)
    files = _verify_files(path, archive, members, tables)
    _verify_stored_bytes(path, archive, members)
    missing = {
        entry.get("sha256") for entry in manifest["missing_files"] if isinstance(entry, dict)
    }
    lacking = referenced - set(files) - missing
    if lacking:
        raise _refuse(path, f"{len(lacking)} referenced file(s) are not in the archive")
    return Manifest(manifest, rows, sorted(files))


def _verify_tables(
    path: Path,
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    tables: dict[str, sa.Table],
    referenced: set[str],
) -> dict[str, int]:
    """Every table of this revision with its columns, its rows readable and counted as listed;
    returns the row counts and collects the uploads the rows refer to."""
    members = manifest["members"]
    listed = {entry.get("name"): entry for entry in manifest["tables"] if isinstance(entry, dict)}
    if set(listed) != set(tables) or len(listed) != len(manifest["tables"]):
        raise _refuse(path, "its tables are not the tables of this revision")
    rows: dict[str, int] = {}
    for name, table in tables.items():
        entry = listed[name]
        member = table_member(name)
        columns = [(column.name, column_kind(column)) for column in table.columns]
        listed_columns = [(c.get("name"), c.get("kind")) for c in entry.get("columns", [])]
        if listed_columns != columns or entry.get("member") != member:
            raise _refuse(path, f"table {name} does not have the columns of this revision")
        if member not in members:
            raise _refuse(path, f"{member} is missing")
        count = _verify_table(path, archive, name, columns, members[member], referenced)
        if count != entry.get("rows"):
            raise _refuse(path, f"{member} has {count} rows, the manifest says {entry.get('rows')}")
        rows[name] = count
    return rows


def _verify_files(
    path: Path,
    archive: zipfile.ZipFile,
    members: dict[str, dict[str, Any]],
    tables: dict[str, sa.Table],
) -> list[str]:
    """Every other member is an upload named by the SHA-256 of its content; returns those."""
    files = []
    for name in members:
        if name.startswith("db/"):
            if name.removeprefix("db/").removesuffix(".jsonl") not in tables:
                raise _refuse(path, f"{name} is not a table of this revision")
            continue
        sha = name.rsplit("/", 1)[-1]
        if name != file_member(sha) or not SHA256_NAME.match(sha):
            raise _refuse(path, f"unexpected member {name}")
        _verify_member(path, archive, name, members[name])
        if members[name]["sha256"] != sha:
            raise _refuse(path, f"{name}: content does not match its name")
        files.append(sha)
    return files


def _verify_stored_bytes(
    path: Path, archive: zipfile.ZipFile, members: dict[str, dict[str, Any]]
) -> None:
    """Compressed members: their bytes as stored against the manifest, so that no changed byte
    goes unnoticed even where it leaves the content as it was."""
    with path.open("rb") as raw:
        for name, entry in members.items():
            info = archive.getinfo(name)
            if info.compress_type == zipfile.ZIP_STORED:
                continue  # every stored byte is content, checked by its SHA-256 already
            if not isinstance(entry.get("stored_sha256"), str):
                raise _refuse(path, f"the manifest gives no stored SHA-256 for {name}")
            try:
                found = stored_digest(raw, info)
            except ZIP_ERRORS as error:
                raise _refuse(path, f"{name} is damaged: {error}") from error
            if found != entry["stored_sha256"]:
                raise _refuse(path, f"{name} does not match its stored SHA-256 (damaged)")


def _verify_member(path: Path, archive: zipfile.ZipFile, name: str, entry: dict) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(name) as member:
            for chunk in read_chunks(member):
                digest.update(chunk)
                size += len(chunk)
    except ZIP_ERRORS as error:
        raise _refuse(path, f"{name} is damaged: {error}") from error
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        raise _refuse(path, f"{name} does not match its SHA-256 in the manifest (damaged)")


def _check_row(
    line: bytes, columns: list[tuple[str, str]], file_column: str | None, referenced: set[str]
) -> None:
    record = json.loads(line)
    if not isinstance(record, dict) or list(record) != [name for name, _ in columns]:
        raise ValueError("not the table's columns")
    for name, kind in columns:
        decode_value(kind, record[name])
    if file_column and record[file_column]:
        referenced.add(record[file_column])


def _verify_table(
    path: Path,
    archive: zipfile.ZipFile,
    table_name: str,
    columns: list[tuple[str, str]],
    entry: dict,
    referenced: set[str],
) -> int:
    """Hash a table member and decode every row (as restore will); returns the row count."""
    member_name = table_member(table_name)
    file_column = FILE_COLUMNS.get(table_name)
    digest = hashlib.sha256()
    size = 0
    count = 0
    unreadable: Exception | None = None
    try:
        for line in _table_lines(archive, member_name):
            digest.update(line)
            size += len(line)
            count += 1
            if unreadable is not None:
                continue  # only hashed now: the checksum decides what to report
            try:
                _check_row(line, columns, file_column, referenced)
            except (UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
                unreadable = ValueError(f"row {count}: {error}")
    except ZIP_ERRORS as error:
        raise _refuse(path, f"{member_name} is damaged: {error}") from error
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        raise _refuse(path, f"{member_name} does not match its SHA-256 in the manifest (damaged)")
    if unreadable is not None:
        raise _refuse(path, f"{member_name} is not readable: {unreadable}")
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
    tables = dump_tables()
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
    for line in _table_lines(archive, table_member(table.name), sha):
        record = json.loads(line)
        yield {name: decode_value(kind, record[name]) for name, kind in kinds}


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
) -> None:
    tables = dump_tables()
    deferred = _deferred_columns(tables)
    for table in tables:
        transport = transport_table(table)
        later = deferred.get(table.name, [])
        size = (
            BATCH_WITH_BYTES if any(isinstance(c.type, sa.LargeBinary) for c in table.c) else BATCH
        )
        sha = members[table_member(table.name)]["sha256"]
        for batch in _batches(_decoded_rows(archive, table, sha), size):
            for row in batch:
                for name in later:
                    row[name] = None
            connection.execute(sa.insert(transport), batch)
    # Second pass: the references left empty above, now that every row exists.
    for table in tables:
        later = deferred.get(table.name, [])
        if not later:
            continue
        transport = transport_table(table)
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
            for row in _decoded_rows(archive, table, members[table_member(table.name)]["sha256"])
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
    for table in dump_tables():
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


def restore_archive(path: Path, user_id: int | None = None) -> RestoreResult:
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
                with archive.open(file_member(sha)) as member:
                    if save_upload(sha, read_chunks(member)):
                        written.append(sha)
                    else:
                        present += 1
            with db.engine.begin() as connection:
                _load_tables(connection, archive, manifest.data["members"])
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
                        "backup_of": {"old": None, "new": manifest.created_at},
                        "database_rows": {"old": None, "new": sum(manifest.rows.values())},
                        "files": {"old": None, "new": len(manifest.files)},
                        "revision": {"old": None, "new": manifest.revision},
                    },
                )
    except BaseException:
        for sha in written:
            discard_upload(sha)
        raise
    return RestoreResult(manifest.rows, len(written), present, fresh, manifest.created_at)
