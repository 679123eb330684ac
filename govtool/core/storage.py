"""Where uploaded files live: one small interface, a local directory or S3-compatible storage.

Every stored file is reached through the app's store (`current_store()`), never through a path:

    store.put(key, data)            bytes or a binary stream (read in chunks); atomic
    with store.open(key) as obj:    obj.size, obj.read(n), iter(obj) -> chunks of CHUNK_SIZE
    store.exists(key), store.size(key), store.delete(key), store.iter_keys(prefix="")

Keys are relative names such as `ab/abcdef…` (uploads use `sha256[:2]/sha256`, see
bodies.agenda.file_key): letters, digits, `._-` and `/` between parts, no `..`.

Which store: `GOVTOOL_STORAGE_URL` (config.py).
- unset: `LocalStore(UPLOAD_DIR)`, the directory as before (`file:///path` names another one);
- `s3://bucket[/prefix]?endpoint=http://host:port[&region=…]`: `S3Store`, any S3-compatible
  server (SeaweedFS, MinIO, Ceph, AWS) through boto3, credentials from GOVTOOL_S3_ACCESS_KEY /
  GOVTOOL_S3_SECRET_KEY (or boto3's own chain when unset). Several application servers that
  name the same bucket see the same files.

A missing object raises `ObjectMissing` (a FileNotFoundError: pages answer 404); a store that
cannot be reached raises `StoreUnavailable` (a ConnectionError: pages answer 503).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from flask import Flask, current_app

CHUNK_SIZE = 256 * 1024
EXTENSION_KEY = "govtool_storage"
_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


class ObjectMissing(FileNotFoundError):
    """The store has no object under this key."""


class StoreUnavailable(ConnectionError):
    """The store cannot be reached (network, server down): a temporary fault, not a missing file."""


class BadKey(ValueError):
    """A key that could leave the store's namespace (`..`, absolute, odd characters)."""


def check_key(key: str) -> str:
    """`key` when it is a safe relative name; BadKey otherwise."""
    if not isinstance(key, str) or len(key) > 512 or not _KEY.match(key) or ".." in key:
        raise BadKey(f"not a valid storage key: {key!r}")
    return key


class StoredObject:
    """An open object: its size and a binary stream, read in chunks; close it (or use `with`)."""

    def __init__(self, stream: Any, size: int, chunk_size: int = CHUNK_SIZE) -> None:
        self.size = size
        self._stream = stream
        self.chunk_size = chunk_size

    def read(self, n: int = -1) -> bytes:
        return self._stream.read() if n is None or n < 0 else self._stream.read(n)

    def readable(self) -> bool:
        return True

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._stream.read(self.chunk_size):
            yield chunk

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stream.close()

    def __enter__(self) -> StoredObject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Readable(Protocol):
    """What put() reads from: a binary file, a request's stream, a StoredObject."""

    def read(self, n: int = -1, /) -> bytes: ...


class Store(Protocol):
    """What every store offers; the app holds one (`current_store()`)."""

    url: str

    def put(self, key: str, data: bytes | Readable) -> None: ...
    def open(self, key: str) -> StoredObject: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def iter_keys(self, prefix: str = "") -> Iterator[str]: ...


class LocalStore:
    """Files under one directory, `key` as relative path; written to a temporary name in the
    same folder and renamed, so a reader never sees half a file."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.url = self.root.resolve().as_uri()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes | Readable) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Dot-named, so iter_keys never lists it; unique, so two writers never share one.
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                if isinstance(data, bytes | bytearray | memoryview):
                    out.write(data)
                else:
                    while chunk := data.read(CHUNK_SIZE):
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def open(self, key: str) -> StoredObject:
        path = self._path(key)
        try:
            stream = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise ObjectMissing(key) from exc
        return StoredObject(stream, os.fstat(stream.fileno()).st_size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise ObjectMissing(key) from exc

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            base = Path(dirpath).relative_to(self.root)
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                key = (base / name).as_posix()
                # Only names a key can have: a file someone put there by hand is not listed.
                if key.startswith(prefix) and _KEY.match(key) and ".." not in key:
                    yield key


class S3Store:
    """Objects in one bucket (under an optional prefix) of an S3-compatible server, via boto3.

    The client is made on first use in each process (gunicorn forks after loading the app), with
    short connect timeouts, so an unreachable server is a quick 503 rather than a hung worker."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        addressing_style: str = "path",
        connect_timeout: float = 3,
        read_timeout: float = 30,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.region = region or "us-east-1"
        self._credentials = (access_key or None, secret_key or None)
        self._addressing_style = addressing_style
        self._timeouts = (connect_timeout, read_timeout)
        self._client: Any = None
        self._client_pid = 0
        self._lock = threading.Lock()
        query = f"?endpoint={endpoint_url}" if endpoint_url else ""
        self.url = f"s3://{bucket}/{self.prefix}{query}"

    @property
    def client(self) -> Any:
        if self._client is None or self._client_pid != os.getpid():
            with self._lock:
                if self._client is None or self._client_pid != os.getpid():
                    self._client = self._make_client()
                    self._client_pid = os.getpid()
        return self._client

    def _make_client(self) -> Any:
        import boto3
        from botocore.config import Config as BotoConfig

        access_key, secret_key = self._credentials
        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=BotoConfig(
                connect_timeout=self._timeouts[0],
                read_timeout=self._timeouts[1],
                retries={"max_attempts": 2, "mode": "standard"},
                s3={"addressing_style": self._addressing_style},
                signature_version="s3v4",
                # boto3 >= 1.36 adds CRC checksums that several S3-compatible servers refuse;
                # the content is verified by its SHA-256 name anyway.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    @contextlib.contextmanager
    def _errors(self, key: str) -> Iterator[None]:
        """boto3's errors as the store's: absent -> ObjectMissing, no answer -> StoreUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            code = error.get("Code")
            if code != "NoSuchBucket" and (
                code in ("NoSuchKey", "404", "NotFound") or status == 404
            ):
                raise ObjectMissing(key) from exc
            # A server error, a missing bucket, refused credentials: the files cannot be had now;
            # the message (logged by the error page) says which.
            raise StoreUnavailable(f"S3 storage answered {status} {code}: {error}") from exc
        except (BotoCoreError, OSError) as exc:
            if isinstance(exc, ObjectMissing | StoreUnavailable):
                raise
            raise StoreUnavailable(f"S3 storage cannot be reached: {exc}") from exc

    def put(self, key: str, data: bytes | Readable) -> None:
        from boto3.s3.transfer import TransferConfig

        name = self._key(key)
        with self._errors(key):
            if isinstance(data, bytes | bytearray | memoryview):
                self.client.put_object(Bucket=self.bucket, Key=name, Body=bytes(data))
            else:
                # Multipart in 8 MiB parts, one at a time: memory stays at a part or two.
                config = TransferConfig(
                    multipart_threshold=8 * 1024 * 1024,
                    multipart_chunksize=8 * 1024 * 1024,
                    use_threads=False,
                )
                self.client.upload_fileobj(data, self.bucket, name, Config=config)

    def open(self, key: str) -> StoredObject:
        with self._errors(key):
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        return StoredObject(_S3Body(answer["Body"], key, self), int(answer["ContentLength"]))

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except ObjectMissing:
            return False
        return True

    def size(self, key: str) -> int:
        with self._errors(key):
            answer = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        return int(answer["ContentLength"])

    def delete(self, key: str) -> None:
        with self._errors(key):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        with self._errors(prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]

    def create_bucket(self) -> None:
        """Create the bucket if it is not there (tests, first setup; `govtool storage check`)."""
        from botocore.exceptions import ClientError

        with self._errors(""):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) != 404:
                    raise
                self.client.create_bucket(Bucket=self.bucket)


class _S3Body(io.RawIOBase):
    """A GetObject body whose network errors surface as StoreUnavailable while streaming."""

    def __init__(self, body: Any, key: str, store: S3Store) -> None:
        super().__init__()
        self._body = body
        self._key = key
        self._store = store

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        with self._store._errors(self._key):
            return self._body.read() if n is None or n < 0 else self._body.read(n)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._body.close()
        super().close()


def store_from_url(url: str, config: Any = None) -> Store:
    """The store a GOVTOOL_STORAGE_URL names (see the module docstring)."""
    config = config or {}
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStore(parts.path)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ValueError(f"GOVTOOL_STORAGE_URL={url!r} names no bucket (s3://bucket/prefix)")
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        return S3Store(
            parts.netloc,
            prefix=parts.path,
            endpoint_url=query.get("endpoint") or None,
            region=query.get("region") or None,
            access_key=config.get("GOVTOOL_S3_ACCESS_KEY") or None,
            secret_key=config.get("GOVTOOL_S3_SECRET_KEY") or None,
            addressing_style=query.get("addressing", "path"),
        )
    raise ValueError(
        f"GOVTOOL_STORAGE_URL={url!r}: use file:///path or s3://bucket/prefix?endpoint=URL"
    )


def make_store(config: Any) -> Store:
    """The store an app's config asks for: GOVTOOL_STORAGE_URL, else the UPLOAD_DIR directory."""
    url = config.get("GOVTOOL_STORAGE_URL") or ""
    return store_from_url(url, config) if url else LocalStore(config["UPLOAD_DIR"])


def init_app(app: Flask) -> None:
    """One store per app, kept in app.extensions (tests may put another there)."""
    app.extensions[EXTENSION_KEY] = make_store(app.config)


def current_store() -> Store:
    """The running app's store."""
    return current_app.extensions[EXTENSION_KEY]
