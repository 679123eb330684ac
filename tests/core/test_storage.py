"""File storage (core/storage.py): the same behaviour from the local directory and from a real
S3-compatible server (SeaweedFS, started by the `s3_server` fixture); `govtool storage migrate`.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tracemalloc

import pytest

from govtool.core.storage import (
    CHUNK_SIZE,
    EXTENSION_KEY,
    BadKey,
    LocalStore,
    ObjectMissing,
    S3Store,
    StoreUnavailable,
    make_store,
    store_from_url,
)


def test_put_open_exists_size_delete(file_store):
    key = "ab/abc123"
    assert not file_store.exists(key)
    file_store.put(key, b"Bericht")
    assert file_store.exists(key) and file_store.size(key) == 7
    with file_store.open(key) as stored:
        assert stored.size == 7 and stored.read() == b"Bericht"
    file_store.put(key, b"Neue Fassung")  # a second put replaces the object whole
    with file_store.open(key) as stored:
        assert b"".join(stored) == b"Neue Fassung"
    file_store.delete(key)
    assert not file_store.exists(key)
    file_store.delete(key)  # deleting what is gone is no error


def test_put_from_a_stream_and_list_keys(file_store):
    file_store.put("cd/second", io.BytesIO(b"2" * 1000))
    file_store.put("ab/first", b"1")
    file_store.put("ab/third", bytearray(b"3"))
    assert sorted(file_store.iter_keys()) == ["ab/first", "ab/third", "cd/second"]
    assert sorted(file_store.iter_keys("ab/")) == ["ab/first", "ab/third"]
    assert file_store.size("cd/second") == 1000


def test_a_missing_object_is_object_missing(file_store):
    with pytest.raises(ObjectMissing):
        file_store.open("ab/missing")
    with pytest.raises(FileNotFoundError):  # ObjectMissing is one: old callers keep working
        file_store.size("ab/missing")
    assert not file_store.exists("ab/missing")


@pytest.mark.parametrize("key", ["../etc/passwd", "/etc/passwd", "ab/../../x", "", "a//b", ".x"])
def test_keys_that_leave_the_store_are_refused(file_store, key):
    with pytest.raises(BadKey):
        file_store.put(key, b"x")
    with pytest.raises(BadKey):
        file_store.open(key)


class _Generated(io.RawIOBase):
    """`size` pseudo-random bytes, made as they are read (the file is never whole in memory)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = os.urandom(n)
        self.left -= n
        self.digest.update(data)
        return data


def test_a_large_file_is_written_and_read_in_chunks(file_store):
    size = 64 * 1024 * 1024
    source = _Generated(size)
    file_store.put("la/warm-up", _Generated(10 * 1024 * 1024))  # the client's own set-up
    with file_store.open("la/warm-up") as warm:
        b"".join(warm)
    tracemalloc.start()
    try:
        file_store.put("la/large", source)
        before, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = hashlib.sha256()
        biggest = total = 0
        with file_store.open("la/large") as stored:
            assert stored.size == size
            for chunk in stored:
                biggest = max(biggest, len(chunk))
                total += len(chunk)
                read.update(chunk)
        _, read_peak = tracemalloc.get_traced_memory()
        read_peak -= before
    finally:
        tracemalloc.stop()
    assert total == size and read.hexdigest() == source.digest.hexdigest()
    assert biggest <= CHUNK_SIZE
    # Memory stays at a few chunks (S3: one 8 MiB multipart part), far below the 64 MiB file.
    print(f"64 MiB: peak {put_peak / 2**20:.1f} MiB writing, {read_peak / 2**20:.1f} MiB reading")
    assert put_peak < 20 * 1024 * 1024 and read_peak < 4 * 1024 * 1024


def test_local_store_writes_atomically_and_lists_no_partial_file(tmp_path):
    store = LocalStore(tmp_path)

    class Failing(io.RawIOBase):
        calls = 0

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("client went away")
            return b"x" * 1000

    with pytest.raises(OSError):
        store.put("ab/broken", Failing())
    assert not store.exists("ab/broken") and list(store.iter_keys()) == []
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_storage_url_chooses_the_store(tmp_path):
    assert isinstance(make_store({"UPLOAD_DIR": tmp_path}), LocalStore)
    assert make_store({"UPLOAD_DIR": tmp_path}).root == tmp_path
    local = store_from_url(f"file://{tmp_path}/other")
    assert isinstance(local, LocalStore) and local.root == tmp_path / "other"
    s3 = make_store(
        {
            "UPLOAD_DIR": tmp_path,
            "GOVTOOL_STORAGE_URL": "s3://files/govtool/prod?endpoint=http://127.0.0.1:8333",
            "GOVTOOL_S3_ACCESS_KEY": "key",
        }
    )
    assert isinstance(s3, S3Store)
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == (
        "files",
        "govtool/prod/",
        "http://127.0.0.1:8333",
    )
    for bad in ("s3:///nobucket", "ftp://host/x"):
        with pytest.raises(ValueError):
            store_from_url(bad)


def test_an_unreachable_s3_server_is_store_unavailable():
    port = _port_nobody_listens_on()
    store = S3Store("b", endpoint_url=f"http://127.0.0.1:{port}", access_key="k", secret_key="s")
    with pytest.raises(StoreUnavailable):
        store.open("ab/x")
    with pytest.raises(StoreUnavailable):
        store.put("ab/x", b"x")
    with pytest.raises(StoreUnavailable):
        store.exists("ab/x")
    with pytest.raises(StoreUnavailable):
        list(store.iter_keys())


def test_wrong_credentials_are_store_unavailable_not_missing(s3_server):
    store = S3Store("govtool-test", endpoint_url=s3_server.endpoint, access_key="x", secret_key="y")
    with pytest.raises(StoreUnavailable, match="403"):
        store.open("ab/x")


def _port_nobody_listens_on() -> int:
    """A loopback port that refuses connections (bound, then closed)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        return listener.getsockname()[1]


# ---------------------------------------------------------------- govtool storage migrate


def _content_keyed(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return f"{sha[:2]}/{sha}"


def test_migrate_copies_every_file_and_verifies_it(app, s3_server, tmp_path):
    source = LocalStore(tmp_path / "uploads")
    files = {_content_keyed(data): data for data in (b"%PDF-1 a", b"%PDF-1 b", os.urandom(300_000))}
    for key, data in files.items():
        source.put(key, data)
    target_url = s3_server.storage_url("migrated-" + os.urandom(4).hex())
    previous = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = source
    app.config.update(s3_server.config)
    try:
        runner = app.test_cli_runner()
        first = runner.invoke(args=["storage", "migrate", "--to", target_url])
        assert first.exit_code == 0, first.output
        assert "3 copied, 0 already there, 0 failed" in first.output
        target = store_from_url(target_url, s3_server.config)
        assert sorted(target.iter_keys()) == sorted(files)
        for key, data in files.items():
            with target.open(key) as stored:
                assert stored.read() == data
        again = runner.invoke(args=["storage", "migrate", "--to", target_url])
        assert again.exit_code == 0 and "0 copied, 3 already there" in again.output

        # A file whose content no longer matches its name is reported and not copied.
        damaged = _content_keyed(b"original")
        source.put(damaged, b"bit rot")
        broken = runner.invoke(args=["storage", "migrate", "--to", target_url])
        assert broken.exit_code == 1
        assert f"damaged in the source (SHA-256 is not its name): {damaged}" in broken.output
        assert not target.exists(damaged)
        same = runner.invoke(args=["storage", "migrate", "--to", source.url])
        assert same.exit_code != 0 and "the store the files are in" in same.output
        info = runner.invoke(args=["storage", "info"])
        assert info.output.strip() == f"{source.url}: 4 files"
        away = runner.invoke(
            args=[
                "storage",
                "migrate",
                "--to",
                f"s3://b?endpoint=http://127.0.0.1:{_port_nobody_listens_on()}",
            ]
        )
        assert away.exit_code == 1 and "a store cannot be reached" in away.output
        assert "Traceback" not in away.output
    finally:
        app.extensions[EXTENSION_KEY] = previous
        for name in s3_server.config:
            app.config[name] = ""
