"""Timing and SQL-statement counting for in-process page benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event


@dataclass
class StatementCounter:
    count: int = 0
    statements: list[str] | None = None


@contextmanager
def count_statements(engine: sa.Engine, keep: bool = False) -> Iterator[StatementCounter]:
    """Count SQL statements sent through `engine` inside the block."""
    counter = StatementCounter(statements=[] if keep else None)

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        counter.count += 1
        if counter.statements is not None:
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


@dataclass
class Timing:
    median_ms: float
    p95_ms: float
    runs: int

    def as_dict(self) -> dict[str, float]:
        return {
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "runs": self.runs,
        }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(call: Callable[[], object], runs: int = 30, warmup: int = 3) -> Timing:
    """Median and p95 wall time of `call` in milliseconds."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(statistics.median(samples), percentile(samples, 0.95), runs)


def measure_pair(
    call: Callable[[], object], baseline: Callable[[], object], runs: int = 100, warmup: int = 5
) -> tuple[Timing, Timing]:
    """Time `call` and `baseline` alternately, so that drift on the machine (another process, CPU
    frequency, a collection) lands on both sides of the ratio instead of on one of them."""
    for _ in range(warmup):
        call()
        baseline()
    samples: list[float] = []
    base_samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline()
        base_samples.append((time.perf_counter() - started) * 1000)
    return (
        Timing(statistics.median(samples), percentile(samples, 0.95), runs),
        Timing(statistics.median(base_samples), percentile(base_samples, 0.95), runs),
    )
