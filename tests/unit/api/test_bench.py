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
    assert report.ready["without_snapshot"]["health"] == report.ready["with_snapshot"]["health"] == "ok"
    assert report.ready["seconds"] == report.ready["with_snapshot"]["seconds"] > 0
    assert len(report.machine["load_at_start"]) == len(report.machine["load_at_end"]) == 3
    written = json.loads(next((tmp_path / "out").glob("bench-*.json")).read_text(encoding="utf-8"))
    assert written["query"]["400"]["hybrid"] == query["hybrid"]
    assert any(line.startswith("raw results:") for line in lines)
