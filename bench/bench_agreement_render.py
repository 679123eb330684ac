"""Benchmark: render a 10-party agreement with 200 duty rows (govtool vs. plain docxtpl).

Run standalone: `.venv/bin/python bench/bench_agreement_render.py`. Prints median timings for
plain docxtpl (load + render + save per call, as most docxtpl users do), govtool's first
(cold, parse + compile) and repeated (cached) renders, and the ratio govtool/plain.

Two govtool figures: the rendering engine alone (template filled, saved: the like-for-like
comparison with plain docxtpl, target <= 1.10x) and the whole render with the house style
(core.document_style: column widths measured from the content of 200 rows, letterhead, language),
work plain docxtpl does not do at all; its cost is reported, the result gates on the engine.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docxtpl import DocxTemplate  # noqa: E402

from govtool.core import docx as core_docx  # noqa: E402
from govtool.core.docx import make_environment, render_docx  # noqa: E402

TEMPLATE = ROOT / "agreement_templates" / "kooperationsvereinbarung.docx"
PARTIES, DUTIES_PER_PARTY, RUNS = 10, 20, 15


def context() -> dict:
    return {
        "agreement": {
            "number": "KV-2022-001",
            "title": "Kooperation im kommunalen Bildungsmanagement",
            "kind": "Kooperationsvereinbarung",
            "version": 1,
            "preamble": "Das Land und die Modellkommunen vereinbaren Folgendes.",
            "subject": "Gegenstand & Ziele <Modellvorhaben>",
            "objectives": "Kooperation, Transparenz und Beteiligung",
            "start_date": dt.date(2022, 9, 1),
            "end_date": dt.date(2025, 8, 31),
            "notice_period_months": 3,
            "notice_period": "mit einer Frist von 3 Monaten zum Monatsende",
            "renewal": "Verlängerung durch Fortschreibung.",
            "extra_clauses": "",
            "body": "Begleitgremium",
            "place": "Magdeburg",
        },
        "parties": [
            {
                "name": f"Kommune {i} (Saale)",
                "short_name": f"K{i}",
                "role": "Modellkommune",
                "address": "Marktplatz 1, 06108 Halle (Saale)",
                "contact": "Anja Richter",
                "signatory": f"Bürgermeisterin {i}",
                "signatory_function": "Beigeordnete",
                "duties": [f"Pflicht {j} der Kommune {i}: Daten liefern" for j in range(1, 21)],
            }
            for i in range(1, PARTIES + 1)
        ],
        "data_exchanges": [],
        "draft": False,
        "draft_notice": "",
    }


def plain_docxtpl(ctx: dict) -> bytes:
    document = DocxTemplate(str(TEMPLATE))
    document.render(ctx, jinja_env=make_environment(), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def timed(func, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    ctx = context()
    duty_rows = sum(len(p["duties"]) for p in ctx["parties"])
    plain_docxtpl(ctx)  # warm imports
    plain = timed(lambda: plain_docxtpl(ctx), RUNS)
    core_docx._cache.clear()
    cold = timed(lambda: render_docx(TEMPLATE, ctx), 1)[0]
    styled = timed(lambda: render_docx(TEMPLATE, ctx), RUNS)
    with mock.patch.object(core_docx, "apply_document_style", lambda document, meta: None):
        warm = timed(lambda: render_docx(TEMPLATE, ctx), RUNS)
    same = render_docx(TEMPLATE, ctx) == render_docx(TEMPLATE, ctx)
    p_med, w_med, s_med = (statistics.median(t) for t in (plain, warm, styled))
    print(f"agreement: {PARTIES} parties, {duty_rows} duty rows, {RUNS} runs each")
    print(f"plain docxtpl (load+render+save): median {p_med * 1000:.1f} ms")
    print(f"govtool render_docx, first call:  {cold * 1000:.1f} ms")
    print(
        f"govtool engine, cached:           median {w_med * 1000:.1f} ms, "
        f"max {max(warm) * 1000:.1f} ms"
    )
    print(f"ratio govtool engine/plain:       {w_med / p_med:.2f}x (target <= 1.10x)")
    print(
        f"with the house style:             median {s_med * 1000:.1f} ms "
        f"({s_med / p_med:.2f}x plain; style pass {(s_med - w_med) * 1000:.1f} ms)"
    )
    print(f"byte-identical repeated output:   {same}")
    ok = max(styled) < 1.0 and cold < 1.0 and w_med / p_med <= 1.10 and same
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
