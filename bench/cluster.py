"""govtool under gunicorn, one server or two behind haproxy: the processes the load benchmark and
tests/scale/test_two_servers.py start.

`server_env` is the one place that says what an application server is given (database, Redis,
shared files, secret key): several servers only work together when it is the same for all.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Debian installs it to /usr/sbin, which is not on every user's PATH.
HAPROXY = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
SECRET_KEY = "bench-secret-key-bench-secret-key"
# The same gunicorn settings for govtool and for the hello ceiling.
WORKERS = 4
THREADS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def server_env(
    database_url: str,
    upload_dir: str | Path | None = None,
    redis_url: str | None = None,
    behind_proxy: bool = False,
    **overrides: str,
) -> dict[str, str]:
    """The environment of every application server: same database, Redis, files and key.

    Files: each server is given the same GOVTOOL_UPLOAD_DIR (both run on this machine); a shared
    object store replaces it where the servers run on different machines."""
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "GOVTOOL_ENV": "production",
        "GOVTOOL_SECURE_COOKIES": "0",
        "GOVTOOL_LOGIN_LIMIT": "100000 per minute",
        # Links in mails and exports; set so that every worker does not warn at start.
        "GOVTOOL_BASE_URL": "http://127.0.0.1",
    }
    if upload_dir is not None:
        env["GOVTOOL_UPLOAD_DIR"] = str(upload_dir)
    if redis_url:
        env["GOVTOOL_REDIS_URL"] = redis_url
    if behind_proxy:
        # haproxy adds X-Forwarded-For: the login limit counts the client, not the balancer.
        env["GOVTOOL_PROXY_FIX_FOR"] = "1"
    env.update(overrides)
    return env


def start_gunicorn(
    app_path: str,
    port: int,
    env: dict[str, str],
    workers: int = WORKERS,
    threads: int = THREADS,
    wait: bool = True,
) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app_path,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    if wait:
        wait_for_gunicorn(process, app_path, port)
    return process


def wait_for_gunicorn(process: subprocess.Popen, app_path: str, port: int) -> None:
    path = "/healthz" if "govtool" in app_path else "/"
    url = f"http://127.0.0.1:{port}{path}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn for {app_path} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn for {app_path} did not come up")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def haproxy_config(port: int, servers: dict[str, int], health_path: str) -> str:
    """Least connections over the servers; each answer names its server in X-Served-By."""
    lines = [
        "global",
        "    maxconn 8192",
        # One thread: on two cores, a second would only compete with gunicorn and the generator.
        "    nbthread 1",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    option forwardfor",
        "frontend govtool",
        f"    bind 127.0.0.1:{port}",
        "    default_backend servers",
        "backend servers",
        # The server with the fewest requests in flight; a client's keep-alive connection stays
        # with its server while it can. Round robin per request over two gunicorns doubled their
        # CPU per request for hello (wake-ups of workers between requests).
        "    balance leastconn",
        "    option prefer-last-server",
        f"    option httpchk GET {health_path}",
        "    http-response set-header X-Served-By %[srv_name]",
    ]
    lines += [
        f"    server {name} 127.0.0.1:{server_port} check inter 1s"
        for name, server_port in servers.items()
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Cluster:
    """Running servers: `ports` by server name, `port` where clients connect (the balancer's when
    there is one), and the processes to measure and stop."""

    port: int
    ports: dict[str, int]
    gunicorns: dict[str, subprocess.Popen]
    balancer: subprocess.Popen | None = None
    workdir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"


@contextmanager
def running(
    app_path: str,
    env: dict[str, str],
    servers: int = 1,
    workers: int = WORKERS,
    threads: int = THREADS,
) -> Iterator[Cluster]:
    """One gunicorn, or `servers` gunicorns behind haproxy (config in a temporary folder)."""
    names = [chr(ord("a") + n) for n in range(servers)]
    ports = {name: free_port() for name in names}
    gunicorns: dict[str, subprocess.Popen] = {}
    balancer = None
    with tempfile.TemporaryDirectory(prefix="govtool-cluster-") as tmp:
        try:
            for name in names:
                gunicorns[name] = start_gunicorn(
                    app_path, ports[name], env, workers, threads, wait=False
                )
            for name in names:
                wait_for_gunicorn(gunicorns[name], app_path, ports[name])
            if servers == 1:
                yield Cluster(ports[names[0]], ports, gunicorns, workdir=Path(tmp))
                return
            if HAPROXY is None:
                raise RuntimeError("haproxy is not installed")
            port = free_port()
            health = "/healthz" if "govtool" in app_path else "/"
            config = Path(tmp) / "haproxy.cfg"
            config.write_text(haproxy_config(port, ports, health))
            log = Path(tmp) / "haproxy.log"
            with log.open("wb") as output:
                balancer = subprocess.Popen(
                    [HAPROXY, "-f", str(config), "-db"], stdout=output, stderr=output
                )
            _wait_for_balancer(balancer, port, health, set(names), log)
            yield Cluster(port, ports, gunicorns, balancer, Path(tmp))
        finally:
            stop(balancer)
            for process in gunicorns.values():
                stop(process)


def _wait_for_balancer(
    balancer: subprocess.Popen, port: int, path: str, names: set[str], log: Path
) -> None:
    """Until haproxy answers and has sent a request to every server."""
    seen: set[str] = set()
    deadline = time.time() + 30
    while time.time() < deadline:
        if balancer.poll() is not None:
            raise RuntimeError(f"haproxy exited: {log.read_text(errors='replace')}")
        with suppress(OSError):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as answer:
                seen.add(answer.headers.get("X-Served-By", ""))
            if names <= seen:
                return
        time.sleep(0.1)
    raise RuntimeError(f"haproxy did not reach every server (seen: {sorted(seen)})")
