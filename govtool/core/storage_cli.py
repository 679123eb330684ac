"""`govtool storage`: which store the app uses, and moving every file into another one.

`govtool storage migrate --to s3://bucket/prefix?endpoint=http://host:8333` copies every stored
file from the configured store (GOVTOOL_STORAGE_URL, else UPLOAD_DIR) into the target, reading
each back and comparing SHA-256; files already there with the same content are skipped, so it can
run again after an interruption. Then point GOVTOOL_STORAGE_URL at the target on every server.
"""

from __future__ import annotations

import hashlib
import re

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .storage import (
    Readable,
    S3Store,
    Store,
    StoreUnavailable,
    current_store,
    store_from_url,
)

storage_cli = AppGroup("storage", help="File storage: show it, move files to another store.")

_CONTENT_KEY = re.compile(r"^([0-9a-f]{2})/([0-9a-f]{64})$")


class _HashingReader:
    """Reads through a stream, computing the SHA-256 of what passed."""

    def __init__(self, stream: Readable) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()

    def read(self, n: int = -1, /) -> bytes:
        chunk = self._stream.read(n)
        self.digest.update(chunk)
        return chunk


def sha256_of(store: Store, key: str) -> str:
    """The SHA-256 of a stored object, read in chunks."""
    digest = hashlib.sha256()
    with store.open(key) as stream:
        for chunk in stream:
            digest.update(chunk)
    return digest.hexdigest()


@storage_cli.command("info")
@with_appcontext
def info_command() -> None:
    """Name the store in use and count its files."""
    store = current_store()
    try:
        count = sum(1 for _ in store.iter_keys())
    except StoreUnavailable as error:
        raise click.ClickException(f"{store.url} cannot be reached: {error}") from error
    click.echo(f"{store.url}: {count} files")


@storage_cli.command("migrate")
@click.option("--to", "target_url", required=True, help="file:///path or s3://bucket/prefix?…")
@click.option("--from", "source_url", default=None, help="Default: the configured store.")
@click.option("--create-bucket", is_flag=True, help="Create the S3 bucket when it is missing.")
@with_appcontext
def migrate_command(target_url: str, source_url: str | None, create_bucket: bool) -> None:
    """Copy every stored file into another store, verifying each by SHA-256."""
    try:
        _migrate(target_url, source_url, create_bucket)
    except StoreUnavailable as error:
        raise click.ClickException(f"a store cannot be reached: {error}") from error


def _migrate(target_url: str, source_url: str | None, create_bucket: bool) -> None:
    config = current_app.config
    source = store_from_url(source_url, config) if source_url else current_store()
    try:
        target = store_from_url(target_url, config)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--to") from error
    if source.url == target.url:
        raise click.BadParameter("the target is the store the files are in", param_hint="--to")
    if create_bucket and isinstance(target, S3Store):
        target.create_bucket()
    copied = present = failed = 0
    for key in source.iter_keys():
        expected = match.group(2) if (match := _CONTENT_KEY.match(key)) else None
        if target.exists(key) and target.size(key) == source.size(key):
            if sha256_of(target, key) == (expected or sha256_of(source, key)):
                present += 1
                continue
        with source.open(key) as stream:
            reader = _HashingReader(stream)
            target.put(key, reader)
        read = reader.digest.hexdigest()
        if expected is not None and read != expected:
            click.echo(f"damaged in the source (SHA-256 is not its name): {key}", err=True)
            target.delete(key)
            failed += 1
            continue
        if sha256_of(target, key) != read:
            click.echo(f"differs after copying: {key}", err=True)
            failed += 1
            continue
        copied += 1
    click.echo(
        f"{copied} copied, {present} already there, {failed} failed; from {source.url} "
        f"to {target.url}"
    )
    if failed:
        raise SystemExit(1)
