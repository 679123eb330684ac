"""Load test: govtool on PostgreSQL behind gunicorn on loopback, driven by locust (headless).

The same locust settings run against bench/hello.py under the same gunicorn settings, which gives
the ceiling that govtool's throughput is compared with.
"""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(app_path: str, port: int, env: dict[str, str], workers: int = 4):
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        app_path,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.time() + 60
    url = (
        f"http://127.0.0.1:{port}/healthz" if "govtool" in app_path else f"http://127.0.0.1:{port}/"
    )
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"gunicorn for {app_path} did not come up")


def run_locust(
    host: str, user_class: str, users: int, seconds: int, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Run locust headless; return the aggregated figures."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "stats")
        command = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            user_class,
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ]
        subprocess.run(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            check=False,
            stdout=subprocess.DEVNULL,
        )
        with open(prefix + "_stats.csv", newline="") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p95_ms": float(total["95%"]),
        "p99_ms": float(total["99%"]),
    }
