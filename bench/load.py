"""Capacity run: how many requests per second govtool sustains, one server and two behind haproxy.

Closed loop with zero think time: every connection sends its next request as soon as the answer
to the previous one is in, and the number of connections doubles from step to step (1, 2, ... 512)
until the 95th percentile of the response time passes 250 ms or a request fails. The sustainable
rate is the best throughput of a step that held. Targets, each under the same gunicorn settings
(bench/cluster.py): govtool's main pages (a fixed mix, wrk with bench/load_mix.lua), a write mix
(action-item status, attendance, comments; bench/loadgen.py, which records every acknowledged write
for the check against the database afterwards) and bench/hello.py (the ceiling, wrk). One server
and two run side by side: at each number of connections every target of both takes its step.

Every step also reads how much CPU each party used (the generator, gunicorn, haproxy, the
PostgreSQL backends of the bench database, and the whole machine), so the report shows whether the
server or the load generator was the limit.

`python -m bench.load` runs only this part (seeding PostgreSQL first); `make bench` runs it after
the page benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.cluster import (  # noqa: F401 - bench/run.py imports free_port, start_gunicorn here
    HAPROXY,
    Cluster,
    free_port,
    reachable,
    running,
    server_env,
    start_gunicorn,
)

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "load_mix.lua"
WRK = shutil.which("wrk")
P95_LIMIT_MS = 250.0
STEPS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
REDIS_URL = os.environ.get("GOVTOOL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SECRETARY = "secretary@bench.example.org"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The page mix: (name, weight, path from the bench targets); the weights of the old locust mix.
PAGE_MIX: list[tuple[str, int, Callable[[dict], str]]] = [
    ("dashboard", 4, lambda t: "/"),
    ("body", 4, lambda t: f"/bodies/{t['body_id']}"),
    ("meeting", 6, lambda t: f"/meetings/{t['meeting_id']}"),
    ("actions", 3, lambda t: "/actions/"),
    ("agreements", 3, lambda t: "/agreements/"),
    ("agreement", 2, lambda t: f"/agreements/{t['agreement_id']}"),
    ("catalogue", 3, lambda t: "/catalogue/?status=approved"),
]


def page_cycle(found: dict) -> list[str]:
    """The mix as one cycle of paths, the pages interleaved by weight (not in blocks)."""
    slots = []
    for name, weight, path_of in PAGE_MIX:
        slots += [((n + 0.5) / weight, name, path_of(found)) for n in range(weight)]
    return [path for _, _, path in sorted(slots)]


# -- CPU accounting ------------------------------------------------------------------------------


def _ticks(pid: int) -> int | None:
    """utime + stime of a process (all its threads), in clock ticks."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in found.split()]


def _machine_busy() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def machine_description() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return f"{os.cpu_count()} cores ({cpu}), {memory_kb / 1024 / 1024:.0f} GB RAM"


def machine_busy(seconds: float) -> float:
    """Cores busy on the whole machine over `seconds` (other work than the benchmark's)."""
    before = _machine_busy()
    time.sleep(seconds)
    after = _machine_busy()
    share = (after[0] - before[0]) / max(1, after[1] - before[1])
    return round(share * (os.cpu_count() or 1), 2)


class CpuMeter:
    """CPU used by groups of processes between start() and stop(), in cores (1.0 = one core busy
    for the whole time)."""

    def __init__(self, groups: dict[str, Callable[[], list[int]]]) -> None:
        self.groups = groups

    def start(self) -> None:
        self.started = time.perf_counter()
        self.machine = _machine_busy()
        self.before = {
            name: {pid: _ticks(pid) for pid in pids()} for name, pids in self.groups.items()
        }

    def stop(self) -> dict[str, float]:
        seconds = time.perf_counter() - self.started
        used: dict[str, float] = {}
        for name, pids in self.groups.items():
            ticks = 0
            for pid in set(pids()) | set(self.before[name]):
                now, then = _ticks(pid), self.before[name].get(pid) or 0
                if now is not None:
                    ticks += now - then
            used[name] = round(ticks / CLOCK_TICKS / seconds, 2)
        busy, total = _machine_busy()
        cores = os.cpu_count() or 1
        share = (busy - self.machine[0]) / max(1, total - self.machine[1])
        used["machine"] = round(share * cores, 2)
        return used


def server_pids(cluster: Cluster) -> Callable[[], list[int]]:
    def pids() -> list[int]:
        found = []
        for process in cluster.gunicorns.values():
            found += [process.pid, *_children(process.pid)]
        return found

    return pids


def postgres_pids(database_url: str) -> Callable[[], list[int]]:
    """The PostgreSQL backends serving the bench database (not the rest of the server)."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    name = sa.engine.make_url(database_url).database

    def pids() -> list[int]:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
            )

    return pids


def meter_for(cluster: Cluster, database_url: str | None) -> CpuMeter:
    groups: dict[str, Callable[[], list[int]]] = {"app": server_pids(cluster)}
    if cluster.balancer is not None:
        balancer = cluster.balancer.pid
        groups["balancer"] = lambda: [balancer]
    if database_url:
        groups["postgres"] = postgres_pids(database_url)
    return CpuMeter(groups)


# -- one step ------------------------------------------------------------------------------------


def run_wrk(
    url: str, paths_file: Path, cookie: str, connections: int, seconds: float
) -> dict[str, Any]:
    """One wrk run; the figures of bench/load_mix.lua and wrk's own CPU time (from wait4)."""
    if WRK is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    command = [
        WRK,
        "-t1",  # one event loop keeps up with these rates and leaves the cores to the server
        f"-c{connections}",
        f"-d{round(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        url,
        "--",
        str(paths_file),
        cookie,
        "200",
    ]
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({process.returncode}): {text[-2000:]}")
    figures = json.loads(lines[-1])
    duration = figures["duration_us"] / 1e6
    errors = sum(figures[key] for key in ("unexpected", "connect", "read", "write", "timeout"))
    return {
        "requests": figures["requests"],
        "rps": round(figures["requests"] / duration, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
        "errors": errors,
        "first_bad_status": figures["first_unexpected"] or None,
        "generator_cpu": round((usage.ru_utime + usage.ru_stime) / duration, 2),
    }


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_write_step(url: str, writers: list, connections: int, seconds: float, ledger) -> dict:
    from bench.loadgen import run_writes

    address = urllib.parse.urlsplit(url)
    cpu_before = time.process_time()
    result = run_writes(writers[:connections], address.hostname, address.port, seconds, ledger)
    cpu = time.process_time() - cpu_before
    latencies = result.latencies
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / result.elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "errors": result.unexpected + result.io_errors,
        "first_bad_status": result.first_unexpected or None,
        "generator_cpu": round(cpu / result.elapsed, 2),
    }


class Search:
    """One target's search: the connections raised step by step until p95 passes the limit or a
    request fails.

    Sustainable: the highest throughput of a step that held. With a rising arrival rate that
    would be the last step that held; in a closed loop the throughput stops growing once the
    server is saturated and may sag a little as more connections queue up, so the best step that
    held is taken (the last one is reported beside it)."""

    def __init__(
        self,
        label: str,
        step: Callable[[int], dict[str, Any]],
        meter: CpuMeter,
        steps: tuple[int, ...] = STEPS,
        prepare: Callable[[int], None] | None = None,
    ) -> None:
        self.label, self.step, self.meter, self.steps = label, step, meter, steps
        self.prepare = prepare
        self.rows: list[dict[str, Any]] = []

    @property
    def active(self) -> bool:
        return not self.rows or self.rows[-1]["held"]

    def run(self, connections: int) -> None:
        if not self.active or connections not in self.steps:
            return
        if self.prepare is not None:
            self.prepare(connections)  # outside the measured time
        self.meter.start()
        row = {"connections": connections, **self.step(connections)}
        row["cpu"] = self.meter.stop()
        ours = sum(value for name, value in row["cpu"].items() if name != "machine")
        row["cpu"]["others"] = round(
            max(0.0, row["cpu"]["machine"] - ours - row["generator_cpu"]), 2
        )
        row["held"] = row["errors"] == 0 and row["p95_ms"] <= P95_LIMIT_MS
        self.rows.append(row)
        cpu = " ".join(f"{name} {value:.2f}" for name, value in row["cpu"].items())
        print(
            f"  {self.label:9s} c={connections:3d} {row['rps']:7.1f} req/s  p50 "
            f"{row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f} ms  errors {row['errors']}  "
            f"gen {row['generator_cpu']:.2f}  cpu: {cpu}",
            flush=True,
        )

    def result(self) -> dict[str, Any]:
        held = [row for row in self.rows if row["held"]]
        best = max(held, key=lambda row: row["rps"]) if held else None
        return {
            "sustainable_rps": best["rps"] if best else 0.0,
            "at_connections": best["connections"] if best else None,
            "last_held_rps": held[-1]["rps"] if held else 0.0,
            "last_held_connections": held[-1]["connections"] if held else None,
            "limit_reached": bool(self.rows) and not self.rows[-1]["held"],
            "steps": self.rows,
        }


# -- the run -------------------------------------------------------------------------------------


class Topology:
    """hello and govtool on `servers` gunicorns each (behind haproxy when more than one), the
    searches for hello, the page mix and the write mix, and the writes' ledger."""

    def __init__(
        self,
        servers: int,
        database_url: str,
        found: dict,
        workdir: Path,
        seconds: float,
        stack: ExitStack,
    ) -> None:
        from bench.loadgen import Ledger, sign_in

        self.servers, self.found, self.seconds = servers, found, seconds
        self.name = "one_server" if servers == 1 else "two_servers"
        suffix = "1" if servers == 1 else "2"
        env = server_env(
            database_url,
            upload_dir=workdir / "uploads-shared",
            redis_url=REDIS_URL if reachable("127.0.0.1", 6379) else None,
            behind_proxy=servers > 1,
        )
        self.hello = stack.enter_context(running("bench.hello:app", {}, servers=servers))
        self.app = stack.enter_context(running("govtool.wsgi:app", env, servers=servers))
        self.cookie, _ = sign_in(self.app.url, SECRETARY, found["password"])
        self.writers: list = []
        self.ledger = Ledger()
        self.hello_paths = workdir / "hello-paths.txt"
        self.page_paths = workdir / "page-paths.txt"
        self.hello_paths.write_text("/\n")
        self.page_paths.write_text("\n".join(page_cycle(found)) + "\n")
        app_meter = meter_for(self.app, database_url)
        self.searches = {
            "hello": Search(f"hello {suffix}", self._hello_step, meter_for(self.hello, None)),
            "pages": Search(f"pages {suffix}", self._pages_step, app_meter),
            "writes": Search(
                f"writes {suffix}",
                self._writes_step,
                app_meter,
                tuple(s for s in STEPS if s <= len(found["action_item_ids"])),
                prepare=self._sign_in_writers,
            ),
        }

    def warm_up(self) -> None:
        """Every worker compiles its templates and opens its database connections first."""
        run_wrk(self.hello.url, self.hello_paths, "", 8, 2)
        run_wrk(self.app.url, self.page_paths, self.cookie, 16, 6)
        self._sign_in_writers(4)
        self._writes_step(4, 2)  # its writes are checked like the others

    def _hello_step(self, connections: int, seconds: float | None = None) -> dict[str, Any]:
        return run_wrk(self.hello.url, self.hello_paths, "", connections, seconds or self.seconds)

    def _pages_step(self, connections: int, seconds: float | None = None) -> dict[str, Any]:
        return run_wrk(
            self.app.url, self.page_paths, self.cookie, connections, seconds or self.seconds
        )

    def _writes_step(self, connections: int, seconds: float | None = None) -> dict[str, Any]:
        return run_write_step(
            self.app.url, self.writers, connections, seconds or self.seconds, self.ledger
        )

    def _sign_in_writers(self, connections: int) -> None:
        from bench.loadgen import Writer, sign_in

        add_writers(
            self.writers, connections, self.app.url, self.found, self.found["password"],
            Writer, sign_in,
        )  # fmt: skip

    def result(self, check_writes: Callable[[dict], dict]) -> dict[str, Any]:
        result: dict[str, Any] = {"servers": self.servers}
        for target, search in self.searches.items():
            result[target] = search.result()
        result["writes"]["checked"] = check_writes(self.ledger.as_dict())
        result["writes"]["writers"] = len(self.writers)
        hello = result["hello"]["sustainable_rps"]
        for target in ("pages", "writes"):
            result[f"ratio_{target}_to_hello"] = (
                round(result[target]["sustainable_rps"] / hello, 3) if hello else None
            )
        return result


def add_writers(
    writers: list, count: int, url: str, found: dict, password: str, writer_class, sign_in
) -> None:
    """Sign in writers until there are `count`: one per action item the secretary may edit;
    each owns that item, a participant where there is one, and an agreement version to comment
    on."""
    actions = found["action_item_ids"]
    participants = found["participants"]
    comments = found["comment_paths"]
    for number in range(len(writers), min(count, len(actions))):
        cookie, token = sign_in(url, SECRETARY, password, page="/actions/")
        writers.append(
            writer_class(
                cookie=cookie,
                token=token,
                action_id=actions[number],
                participant=tuple(participants[number]) if number < len(participants) else None,
                comment_path=comments[number % len(comments)] if comments else None,
            )
        )


def capacity_benchmark(
    database_url: str,
    found: dict[str, Any],
    workdir: Path,
    step_seconds: float,
    check_writes: Callable[[dict], dict],
    two_servers: bool = True,
) -> dict[str, Any]:
    """One server and two behind haproxy, side by side in one run."""
    started = time.perf_counter()
    result: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(),
        "method": "closed loop, zero think time, connections doubled per step",
        "p95_limit_ms": P95_LIMIT_MS,
        "step_seconds": step_seconds,
        "gunicorn": "--workers 4 --threads 2 per server",
        "cores": os.cpu_count(),
    }
    result["busy_before_cores"] = machine_busy(3.0)
    if result["busy_before_cores"] > 0.2:
        print(
            f"  warning: the machine is busy before the run ({result['busy_before_cores']} "
            "cores): the figures will be lower than on a quiet machine",
            flush=True,
        )
    if two_servers and not HAPROXY:
        result["two_servers_skipped"] = "haproxy is not installed"
    setups = [1, 2] if two_servers and HAPROXY else [1]
    with ExitStack() as stack:
        topologies = [
            Topology(
                servers, database_url, share(found, n, len(setups)), workdir, step_seconds, stack
            )
            for n, servers in enumerate(setups)
        ]
        for topology in topologies:
            topology.warm_up()
        # Side by side: at each number of connections every target still in its search runs one
        # step, so a busy minute of the machine hits all of them, not one.
        for connections in STEPS:
            for target in ("hello", "pages", "writes"):
                for topology in topologies:
                    topology.searches[target].run(connections)
        for topology in topologies:
            result[topology.name] = topology.result(check_writes)
            print(f"  {topology.name} writes checked: {result[topology.name]['writes']['checked']}")
    result["seconds"] = round(time.perf_counter() - started)
    return result


def share(found: dict[str, Any], n: int, shares: int) -> dict[str, Any]:
    """The n-th of `shares` disjoint parts of the write targets: the setups write side by side,
    and a writer's last acknowledged value can only be checked where nobody else writes."""
    return {
        **found,
        **{
            key: found[key][n::shares]
            for key in ("action_item_ids", "participants", "comment_paths")
        },
    }


def require_tools() -> None:
    """Stop before any work when wrk is missing (`make bench-tools` installs it)."""
    if WRK is None:
        raise SystemExit("the capacity run needs wrk: apt-get install wrk (or make bench-tools)")
    if HAPROXY is None:
        print("warning: haproxy is not installed; the two-server run will be skipped")


def run_load(workdir: Path, step_seconds: float, two_servers: bool = True) -> dict[str, Any]:
    """Seed scale 1 into PostgreSQL, prepare the write targets, measure."""
    from bench.load_targets import load_test_targets, written_state
    from bench.run import PG_URL, make_app, recreate_pg_database, seed_database, targets

    recreate_pg_database(PG_URL)
    app = make_app(PG_URL, str(workdir / "uploads-pg"))
    seed_seconds = seed_database(app, 1)
    found = targets(app)
    with app.app_context():
        found.update(load_test_targets(exclude_agreement_id=found["agreement_id"]))

    def check_writes(ledger: dict) -> dict:
        with app.app_context():
            return written_state(ledger)

    return {
        "seed_scale1_pg_seconds": round(seed_seconds, 1),
        **capacity_benchmark(PG_URL, found, workdir, step_seconds, check_writes, two_servers),
    }


# -- report --------------------------------------------------------------------------------------


def _cpu(row: dict | None, name: str) -> str:
    return f"{row['cpu'][name]:.2f}" if row and name in row["cpu"] else "–"


def _stopped(found: dict) -> str:
    last = found["steps"][-1]
    if last["held"]:
        return f"held up to {last['connections']}"
    why = f"{last['errors']} errors" if last["errors"] else f"p95 {last['p95_ms']:.0f} ms"
    return f"{last['connections']} connections: {why}"


def _prose(text: str) -> list[str]:
    return [*textwrap.wrap(text, width=100, break_on_hyphens=False), ""]


def cpu_per_request(part: dict | None) -> dict[str, dict[str, float]]:
    """Milliseconds of CPU per request (app, PostgreSQL) at the sustainable step of pages and
    writes."""
    costs: dict[str, dict[str, float]] = {}
    for target in ("pages", "writes"):
        found = (part or {}).get(target)
        if not found:
            continue
        row = next((r for r in found["steps"] if r["connections"] == found["at_connections"]), None)
        if row and row["rps"]:
            costs[target] = {
                name + "_ms": round(row["cpu"].get(name, 0.0) / row["rps"] * 1000, 1)
                for name in ("app", "postgres")
            }
    return costs


def readme_lines(load: dict[str, Any]) -> list[str]:
    """The load section of bench/README.md's results, between its own markers."""
    lines = [
        "<!-- load:start -->",
        "### Capacity: closed loop, zero think time, PostgreSQL at scale 1",
        "",
        *_prose(
            f"Connections doubled every {load['step_seconds']:g} s from 1 until p95 > "
            f"{load['p95_limit_ms']:.0f} ms or an error; sustainable = the best req/s of a step "
            f"that held. gunicorn {load['gunicorn']}; {load['cores']} cores shared by everything "
            "in the table. CPU in cores (1.00 = one core busy) during that step; *others* is what "
            "the rest of the machine used meanwhile."
        ),
        *_prose(
            f"Measured {load['measured_at']} on {load['machine']}; before the run, other work "
            f"kept {load['busy_before_cores']} cores busy."
        ),
        "| servers | target | sustainable req/s | at connections | p50 ms | p95 ms | stopped at "
        "| app CPU | PostgreSQL CPU | haproxy CPU | generator CPU | others CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in (("one_server", "1"), ("two_servers", "2 + haproxy")):
        if key not in load:
            continue
        for target in ("hello", "pages", "writes"):
            found = load[key][target]
            row = next(
                (r for r in found["steps"] if r["connections"] == found["at_connections"]), None
            )
            lines.append(
                f"| {label} | {target} | {found['sustainable_rps']} "
                f"| {found['at_connections'] or '–'} "
                f"| {row['p50_ms'] if row else '–'} | {row['p95_ms'] if row else '–'} "
                f"| {_stopped(found)} | {_cpu(row, 'app')} | {_cpu(row, 'postgres')} "
                f"| {_cpu(row, 'balancer')} | {row['generator_cpu'] if row else '–'} "
                f"| {_cpu(row, 'others')} |"
            )
    lines.append("")
    for key, label in (("one_server", "One server"), ("two_servers", "Two servers")):
        if key in load:
            part = load[key]
            lines += _prose(
                f"{label}: govtool pages / hello = {part['ratio_pages_to_hello']}, "
                f"writes / hello = {part['ratio_writes_to_hello']}; acknowledged writes checked "
                f"in the database: {json.dumps(part['writes']['checked'])}."
            )
    if "one_server" in load and "two_servers" in load:
        one, two = load["one_server"], load["two_servers"]
        ratios = {
            target: round(two[target]["sustainable_rps"] / one[target]["sustainable_rps"], 2)
            for target in ("hello", "pages", "writes")
            if one[target]["sustainable_rps"]
        }
        lines += _prose(f"Two servers / one server on this machine: {json.dumps(ratios)}.")
    costs = cpu_per_request(load.get("one_server"))
    if costs:
        parts = [
            f"{target}: app {cost['app_ms']} ms, PostgreSQL {cost['postgres_ms']} ms"
            for target, cost in costs.items()
        ]
        lines += _prose(
            "CPU time per request at one server's sustainable step (less sensitive to other work "
            "on the machine than the rates): " + "; ".join(parts) + ". Projection, not a "
            "measurement: an application server with n free cores carries about n × 1000 / app ms "
            "requests per second, and each PostgreSQL core about 1000 / PostgreSQL ms for all "
            "servers together."
        )
    lines += [f"The capacity run took {load['seconds']} s.", "<!-- load:end -->"]
    return lines


def update_readme_load(load: dict[str, Any], readme: Path) -> None:
    """Replace only the load section (`python -m bench.load` leaves the page tables alone)."""
    text = readme.read_text()
    section = "\n".join(readme_lines(load))
    if "<!-- load:start -->" in text:
        head, rest = text.split("<!-- load:start -->", 1)
        text = head + section + rest.split("<!-- load:end -->", 1)[1]
    else:
        head, tail = text.split("<!-- results:end -->", 1)
        text = head + section + "\n\n<!-- results:end -->" + tail
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--step-seconds", type=float, default=8)
    parser.add_argument("--one-server", action="store_true", help="skip the two-server run")
    args = parser.parse_args()
    require_tools()
    date = dt.date.today().isoformat()
    with tempfile.TemporaryDirectory(prefix="govtool-load-") as tmp:
        load = run_load(Path(tmp), args.step_seconds, two_servers=not args.one_server)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{date}.json"
    results = json.loads(path.read_text()) if path.exists() else {"date": date}
    results["load"] = load
    path.write_text(json.dumps(results, indent=2, default=str))
    update_readme_load(load, ROOT / "bench" / "README.md")
    print(f"written {path} and bench/README.md")


if __name__ == "__main__":
    main()
