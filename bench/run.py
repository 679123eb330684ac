"""`make bench`: page timings with baselines, DOCX ratios, capacity under gunicorn, worker memory.

Writes bench/results/<date>.json and the tables between the markers in bench/README.md.
Scale 1 and 4 are seeded into SQLite files under a temporary folder; the capacity run
(bench/load.py) seeds scale 1 into PostgreSQL (GOVTOOL_BENCH_PG_URL, default the local server) and
measures one gunicorn and two behind haproxy on loopback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import importlib
import io
import json
import os
import re
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.baseline import make_baseline_app
from bench.harness import count_statements, measure, measure_pair

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
PG_URL = os.environ.get(
    "GOVTOOL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/govtool_bench"
)
PASSWORD = "bench-passwort"
DCAT_PAGE_SIZE = 100

# name, who, path (from targets)
PAGES: list[tuple[str, str, Any]] = [
    ("dashboard", "secretary", lambda t: "/"),
    ("body", "secretary", lambda t: f"/bodies/{t['body_id']}"),
    ("meeting", "secretary", lambda t: f"/meetings/{t['meeting_id']}"),
    ("minutes", "secretary", lambda t: t["minutes_path"]),
    ("actions", "secretary", lambda t: "/actions/"),
    ("agreements", "admin", lambda t: "/agreements/"),
    ("agreement", "admin", lambda t: f"/agreements/{t['agreement_id']}"),
    ("catalogue", "ministry", lambda t: "/catalogue/?status=approved&level=aggregated"),
    ("dcat", "ministry", lambda t: "/catalogue/dcat.jsonld"),
    ("audit", "admin", lambda t: "/audit/"),
]


def bench_config(database_url: str, upload_dir: str) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "bench-secret-key-bench-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_DIR": Path(upload_dir),
        "GOVTOOL_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def make_app(database_url: str, upload_dir: str):
    from govtool import create_app

    return create_app(bench_config(database_url, upload_dir))


def seed_database(app, scale: int) -> float:
    from bench.seed import seed
    from govtool.extensions import db

    with app.app_context():
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        seed(scale)
        return time.perf_counter() - started


def targets(app) -> dict[str, Any]:
    """Ids the pages and the load test need, read from the seeded database."""
    from bench.seed import bench_targets
    from govtool.extensions import db

    with app.app_context():
        found = dict(bench_targets())
        found.setdefault("minutes_path", f"/meetings/{found['meeting_id']}")
        found.setdefault("now", dt.datetime.now(dt.UTC))
        found.setdefault("dcat_page_size", DCAT_PAGE_SIZE)
        found.setdefault("password", PASSWORD)
        if "person_id" not in found:
            found["person_id"] = db.session.scalar(
                sa.text("SELECT person_id FROM users WHERE email = :e"),
                {"e": "secretary@bench.example.org"},
            )
    return found


def settle_heap() -> None:
    """Do what govtool/wsgi.py does after start-up, so in-process timings match a worker."""
    import gc

    gc.collect()
    gc.freeze()


def signed_in_client(app, role: str):
    client = app.test_client()
    response = client.post(
        "/login", data={"email": f"{role}@bench.example.org", "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"bench login as {role} failed: {response.status_code}")
    return client


def page_benchmarks(app, database_url: str, found: dict, runs: int) -> dict[str, Any]:
    from govtool.extensions import db

    clients = {role: signed_in_client(app, role) for role in {who for _, who, _ in PAGES}}
    params = {k: v for k, v in found.items() if isinstance(v, int | str | dt.datetime)}
    baseline = make_baseline_app(database_url, params).test_client()
    results = {}
    with app.app_context():
        engine = db.engine
    for name, who, path_of in PAGES:
        client = clients[who]
        path = path_of(found)
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{name} {path} answered {response.status_code}")
        with count_statements(engine) as counter:
            client.get(path)
        timing, base = measure_pair(
            lambda client=client, path=path: client.get(path),
            lambda name=name: baseline.get(f"/{name}"),
            runs=runs,
        )
        results[name] = {
            "path": path,
            "statements": counter.count,
            **timing.as_dict(),
            "baseline_median_ms": round(base.median_ms, 2),
            "baseline_p95_ms": round(base.p95_ms, 2),
            "ratio_p95": round(timing.p95_ms / base.p95_ms, 2) if base.p95_ms else None,
        }
        print(
            f"  {name:11s} {timing.median_ms:7.1f} ms median {timing.p95_ms:7.1f} ms p95 "
            f"{counter.count:3d} SQL  baseline p95 {base.p95_ms:6.1f} ms"
        )
    return results


def scale_comparison(small: tuple, large: tuple, runs: int) -> dict[str, Any]:
    """Each page at the large scale against the same page at the small scale, requests
    alternating between the two apps: measured one after the other, a slower minute of the
    machine during the second seeding's run would pass for growth with the data."""
    (small_app, _, small_found), (large_app, _, large_found) = small, large
    roles = {who for _, who, _ in PAGES}
    small_clients = {role: signed_in_client(small_app, role) for role in roles}
    large_clients = {role: signed_in_client(large_app, role) for role in roles}
    results = {}
    for name, who, path_of in PAGES:
        small_path, large_path = path_of(small_found), path_of(large_found)
        large_timing, small_timing = measure_pair(
            lambda c=large_clients[who], p=large_path: c.get(p),
            lambda c=small_clients[who], p=small_path: c.get(p),
            runs=runs,
        )
        results[name] = {
            "small_p95_ms": round(small_timing.p95_ms, 2),
            "large_p95_ms": round(large_timing.p95_ms, 2),
            "ratio_p95": round(large_timing.p95_ms / small_timing.p95_ms, 2),
        }
        print(f"  {name:11s} p95 ratio {results[name]['ratio_p95']:5.2f}")
    return results


def plain_docxtpl(template_path: Path, context: dict) -> bytes:
    """What a developer would write without govtool: a fresh DocxTemplate per document."""
    import jinja2
    from docxtpl import DocxTemplate

    from govtool.core.docx import make_environment

    # The same filters the template uses, in an ordinary (not sandboxed, not cached) environment.
    env = jinja2.Environment(autoescape=True)
    env.filters.update(make_environment().filters)
    document = DocxTemplate(str(template_path))
    document.render(context, jinja_env=env, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_benchmarks(app, found: dict, runs: int, workdir: Path) -> dict[str, Any]:
    """govtool's rendering (cached parse) against plain docxtpl for the same template + context."""
    from govtool.core import docx as core_docx

    captured: dict[str, tuple[Any, dict]] = {}
    original = core_docx.render_docx

    def capture(name):
        def render(template, context, **kwargs):
            captured[name] = (template, context)
            return original(template, context, **kwargs)

        return render

    results = {}
    with app.test_request_context():
        for name, produce in _docx_producers(found).items():
            module = produce.__module__
            target = importlib.import_module(module)
            target.render_docx = capture(name)
            try:
                produce()
            finally:
                target.render_docx = original
            template, context = captured[name]
            if isinstance(template, bytes):
                path = workdir / f"{name}.docx"
                path.write_bytes(template)
            else:
                path = Path(template)
            ours, plain = measure_pair(
                lambda t=template, c=context: original(t, c),
                lambda p=path, c=context: plain_docxtpl(p, c),
                runs=runs,
            )
            end_to_end = measure(produce, runs=max(5, runs // 3))
            results[name] = {
                "govtool_median_ms": round(ours.median_ms, 2),
                "plain_docxtpl_median_ms": round(plain.median_ms, 2),
                "ratio": round(ours.median_ms / plain.median_ms, 2),
                "govtool_end_to_end_median_ms": round(end_to_end.median_ms, 2),
            }
            print(
                f"  {name:9s} govtool {ours.median_ms:6.1f} ms  plain {plain.median_ms:6.1f} ms"
                f"  ratio {ours.median_ms / plain.median_ms:.2f}"
            )
    return results


def _docx_producers(found: dict) -> dict[str, Any]:
    """Functions that render each document once, in govtool's own way."""
    from govtool.agreements import rendering
    from govtool.agreements.models import Agreement
    from govtool.bodies import documents
    from govtool.bodies.models import Meeting
    from govtool.catalogue import exchange
    from govtool.catalogue.models import CatalogueVersion
    from govtool.extensions import db

    agreement = db.session.get(Agreement, found["agreement_id"])
    version = agreement.versions[-1]
    meeting = db.session.get(Meeting, found["meeting_id"])
    versions = db.session.scalars(sa.select(CatalogueVersion).limit(100)).all()

    def agreement_docx():
        return rendering.render_version(version, draft=True)

    agreement_docx.__module__ = rendering.__name__

    def minutes_docx():
        return documents.minutes_docx(meeting)

    minutes_docx.__module__ = documents.__name__

    def register_docx():
        return exchange.to_docx(versions)

    register_docx.__module__ = exchange.__name__
    return {"agreement": agreement_docx, "minutes": minutes_docx, "register": register_docx}


def worker_memory(database_url: str, found: dict) -> dict[str, Any]:
    """Peak RSS (VmHWM) of one gunicorn worker after every page was served a few times."""
    from bench.load import free_port, start_gunicorn

    port = free_port()
    env = _server_env(database_url)
    process = start_gunicorn("govtool.wsgi:app", port, env, workers=1)
    try:
        opener = _login_opener(port, "admin")
        for _, _, path_of in PAGES:
            for _ in range(3):
                opener.open(f"http://127.0.0.1:{port}{path_of(found)}").read()
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout.split()
        peaks = {}
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM"):
                    peaks[pid] = int(line.split()[1]) // 1024
        return {"worker_peak_rss_mb": max(peaks.values()) if peaks else None}
    finally:
        process.terminate()
        process.wait(timeout=10)


def _server_env(database_url: str) -> dict[str, str]:
    from bench.cluster import server_env

    return server_env(database_url)


def _login_opener(port: int, role: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrf_token": token, "email": f"{role}@bench.example.org", "password": PASSWORD}
    ).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=data).read()
    return opener


def recreate_pg_database(url: str) -> None:
    admin_url = sa.engine.make_url(url).set(database="postgres")
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def load_benchmark(step_seconds: float, workdir: Path) -> dict[str, Any]:
    """Capacity of one server and of two behind haproxy, hello as the ceiling (bench/load.py)."""
    from bench.load import run_load

    return run_load(workdir, step_seconds)


def update_readme(results: dict) -> None:
    lines = ["<!-- results:start -->", f"Run of {results['date']} on this machine.", ""]
    for scale_key in ("scale_1", "scale_4"):
        if scale_key not in results:
            continue
        lines += [
            f"### Pages at {scale_key.replace('_', ' ')}",
            "",
            "| page | median ms | p95 ms | SQL | baseline p95 ms | ratio p95 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in results[scale_key]["pages"].items():
            lines.append(
                f"| {name} | {row['median_ms']} | {row['p95_ms']} | {row['statements']} "
                f"| {row['baseline_p95_ms']} | {row['ratio_p95']} |"
            )
        lines.append(f"\nSeeding took {results[scale_key]['seed_seconds']} s (SQLite).\n")
    if "scale_1" in results and "scale_4" in results:
        compared = results.get("scale_4_vs_1", {})
        lines += [
            "### Scale 4 against scale 1",
            "",
            "Measured again side by side: requests alternate between the scale-1 and the scale-4 "
            "database.",
            "",
            "| page | p95 scale 1 ms | p95 scale 4 ms | p95 ratio 4:1 | SQL 1 | SQL 4 |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in results["scale_1"]["pages"]:
            one, four = results["scale_1"]["pages"][name], results["scale_4"]["pages"][name]
            pair = compared.get(name) or {
                "small_p95_ms": one["p95_ms"],
                "large_p95_ms": four["p95_ms"],
                "ratio_p95": round(four["p95_ms"] / one["p95_ms"], 2),
            }
            lines.append(
                f"| {name} | {pair['small_p95_ms']} | {pair['large_p95_ms']} | "
                f"{pair['ratio_p95']} | {one['statements']} | {four['statements']} |"
            )
        lines.append("")
    if "docx" in results:
        lines += [
            "### DOCX rendering",
            "",
            "| document | govtool ms | plain docxtpl ms | ratio | govtool end to end ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for name, row in results["docx"].items():
            lines.append(
                f"| {name} | {row['govtool_median_ms']} | {row['plain_docxtpl_median_ms']}"
                f" | {row['ratio']} | {row['govtool_end_to_end_median_ms']} |"
            )
        lines.append("")
    if "load" in results:
        from bench.load import readme_lines

        lines += [*readme_lines(results["load"]), ""]
    if "memory" in results:
        lines.append(
            f"Peak RSS of one gunicorn worker at scale 4: "
            f"{results['memory']['worker_peak_rss_mb']} MB.\n"
        )
    lines.append("<!-- results:end -->")
    text = README.read_text() if README.exists() else "# Benchmarks\n\n"
    if "<!-- results:start -->" in text:
        head, rest = text.split("<!-- results:start -->", 1)
        tail = rest.split("<!-- results:end -->", 1)[1]
        text = head + "\n".join(lines) + tail
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    README.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,4")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--step-seconds", type=int, default=8, help="capacity run: per step")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    if not args.skip_load:
        from bench.load import require_tools

        require_tools()
    results: dict[str, Any] = {"date": dt.date.today().isoformat()}
    with tempfile.TemporaryDirectory(prefix="govtool-bench-") as tmp:
        workdir = Path(tmp)
        scale_urls = {}
        for scale in [int(s) for s in args.scales.split(",") if s.strip()]:
            url = f"sqlite:///{workdir / f'scale{scale}.sqlite3'}"
            app = make_app(url, str(workdir / "uploads"))
            print(f"seeding scale {scale} ...", flush=True)
            seconds = seed_database(app, scale)
            found = targets(app)
            settle_heap()
            print(f"  seeded in {seconds:.1f} s; pages:")
            results[f"scale_{scale}"] = {
                "seed_seconds": round(seconds, 1),
                "pages": page_benchmarks(app, url, found, args.runs),
            }
            scale_urls[scale] = (app, url, found)
            if scale == 1:
                print("docx:")
                with app.app_context():
                    results["docx"] = docx_benchmarks(app, found, args.runs, workdir)
        if 1 in scale_urls and 4 in scale_urls:
            print("scale 4 against scale 1 (alternating):")
            results["scale_4_vs_1"] = scale_comparison(scale_urls[1], scale_urls[4], args.runs)
        if not args.skip_memory and scale_urls:
            biggest = max(scale_urls)
            _, url, found = scale_urls[biggest]
            results["memory"] = {"scale": biggest, **worker_memory(url, found)}
            print(f"memory: {results['memory']}")
        if not args.skip_load:
            print("load test ...", flush=True)
            results["load"] = load_benchmark(args.step_seconds, workdir)
            print(json.dumps(results["load"], indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{results['date']}.json").write_text(json.dumps(results, indent=2, default=str))
    update_readme(results)
    print(f"written {RESULTS / (results['date'] + '.json')} and {README}")


if __name__ == "__main__":
    main()
