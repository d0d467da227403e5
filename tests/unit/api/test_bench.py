"""`kb bench` end to end on a tiny synthetic index: every figure the closing notes quote is present and sane."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api import bench


def test_bench_writes_every_figure_and_the_raw_timings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "BENCH_HOME", tmp_path / "homes")
    lines: list[str] = []
    report = bench.run_bench(
        sizes=[400], embedder="hash:64", ingest_limit=0, repeats=1, out_dir=tmp_path / "out", say=lines.append
    )
    query = report.query["400"]
    assert query["chunks"] == 400
    assert 0 < query["hybrid"]["p50_ms"] <= query["hybrid"]["p95_ms"]
    assert query["hybrid"]["n"] == len(report.raw["query_400"]["unfiltered"]) + len(report.raw["query_400"]["filtered"])
    pasted = query["pasted_facts"]
    assert pasted["queries"] == len(bench.pasted_fact_texts()) >= 10
    assert pasted["median_chars"] > 120  # long enough to be a pasted fact text
    assert pasted["chunks_per_retriever"] == 1500  # the deep search of KB_LONG_QUERY_CANDIDATES
    assert pasted["n"] == len(report.raw["query_400"]["pasted_facts"]) == pasted["queries"]
    assert 0 < pasted["p50_ms"] <= pasted["p95_ms"]
    assert report.ready["without_snapshot"]["health"] == report.ready["with_snapshot"]["health"] == "ok"
    assert report.ready["seconds"] == report.ready["with_snapshot"]["seconds"] > 0
    assert len(report.machine["load_at_start"]) == len(report.machine["load_at_end"]) == 3
    written = json.loads(next((tmp_path / "out").glob("bench-*.json")).read_text(encoding="utf-8"))
    assert written["query"]["400"]["hybrid"] == query["hybrid"]
    assert any(line.startswith("raw results:") for line in lines)


def test_the_pasted_fact_texts_are_the_demo_cases_facts_without_the_next_section() -> None:
    texts = bench.pasted_fact_texts()
    assert texts and all(120 < len(t) < 2000 for t in texts)
    assert not any("【" in t for t in texts)
