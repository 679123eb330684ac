"""The meeting page, the meeting's .ics and the body's public feed side by side (issue 15).

`python -m bench.bench_ics` seeds scale 1 into a SQLite file, then requests them in turn, one of
each per round, so that a slow moment of the machine hits all of them. Side by side in the same
run: the .ics and the public feed built on every request, Europe/Berlin's VTIMEZONE included (the
caches emptied before each, as before issue 15). Writes bench/results/ics-<date>.json; the goal:
.ics p95 <= meeting page p95.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bench.harness import Timing, percentile
from bench.run import (
    RESULTS,
    bench_config,
    seed_database,
    settle_heap,
    signed_in_client,
    targets,
)


def measure_alternating(
    calls: dict[str, Callable[[], object]], runs: int, warmup: int = 5
) -> dict[str, Timing]:
    """Median and p95 of each call, the calls taking turns (one of each per round)."""
    for _ in range(warmup):
        for call in calls.values():
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {
        name: Timing(statistics.median(values), percentile(values, 0.95), runs)
        for name, values in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()

    from govtool import create_app
    from govtool.bodies import invitations, public_calendar
    from govtool.extensions import db

    with tempfile.TemporaryDirectory(prefix="govtool-bench-ics-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'scale1.sqlite3'}"
        # The sign-in limit on (with room to spare): older checkouts answer the bench's sign-in
        # with 500 when rate limiting is off (core.throttle had no storage then).
        app = create_app(
            {
                **bench_config(url, str(Path(tmp) / "uploads")),
                "RATELIMIT_ENABLED": True,
                "GOVTOOL_LOGIN_LIMIT": "100000 per minute",
            }
        )
        print("seeding scale 1 ...", flush=True)
        seed_database(app, 1)
        found = targets(app)
        with app.app_context():  # the bench body publishes its calendar
            db.session.execute(
                sa.text("UPDATE bodies SET public_calendar = :yes WHERE id = :id"),
                {"yes": True, "id": found["body_id"]},
            )
            db.session.commit()
            meetings_in_feed = db.session.scalar(
                sa.text("SELECT count(*) FROM meetings WHERE body_id = :id"),
                {"id": found["body_id"]},
            )
        settle_heap()
        secretary = signed_in_client(app, "secretary")
        visitor = app.test_client()
        meeting = f"/meetings/{found['meeting_id']}"
        feed = f"/bodies/{found['body_id']}/public.ics"

        def get(client, path: str) -> Callable[[], object]:
            def call() -> object:
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                return response

            return call

        def uncached(call: Callable[[], object]) -> Callable[[], object]:
            # getattr: the same file also measures a checkout from before these caches
            caches = [
                getattr(invitations, "_timezone_ical", None),
                getattr(invitations, "ICS_FILES", None),
                getattr(public_calendar, "FEEDS", None),
            ]

            def built_per_request() -> object:
                for cache in caches:
                    if hasattr(cache, "cache_clear"):  # functools.cache
                        cache.cache_clear()
                    elif cache is not None:
                        cache.clear()
                return call()

            return built_per_request

        # Two sets, each alternating within itself: the requests as they are now, and the same
        # with the calendars built on every request (as before issue 15), each beside the page.
        now = measure_alternating(
            {
                "meeting page": get(secretary, meeting),
                "meeting .ics": get(secretary, f"{meeting}.ics"),
                "body feed": get(visitor, feed),
            },
            args.runs,
        )
        built = measure_alternating(
            {
                "meeting page": get(secretary, meeting),
                "meeting .ics, built per request": uncached(get(secretary, f"{meeting}.ics")),
                "body feed, built per request": uncached(get(visitor, feed)),
            },
            args.runs,
        )

    def table(timings: dict[str, Timing]) -> dict[str, dict]:
        page_p95 = timings["meeting page"].p95_ms
        rows = {
            name: {**t.as_dict(), "p95_vs_meeting_page": round(t.p95_ms / page_p95, 2)}
            for name, t in timings.items()
        }
        print(f"\n{'request':34s} {'median ms':>10s} {'p95 ms':>8s} {'p95/page':>9s}")
        for name, row in rows.items():
            print(
                f"{name:34s} {row['median_ms']:10.2f} {row['p95_ms']:8.2f} "
                f"{row['p95_vs_meeting_page']:9.2f}"
            )
        return rows

    rows = table(now)
    rows_built = table(built)
    result = {
        "date": dt.date.today().isoformat(),
        "runs": args.runs,
        "meetings_in_feed": meetings_in_feed,
        "paths": {"meeting": meeting, "feed": feed},
        "timings": rows,
        "timings_built_per_request": rows_built,
        "ics_p95_at_most_page_p95": rows["meeting .ics"]["p95_vs_meeting_page"] <= 1,
        "feed_p95_at_most_page_p95": rows["body feed"]["p95_vs_meeting_page"] <= 1,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"ics-{result['date']}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"written {out}")


if __name__ == "__main__":
    main()
