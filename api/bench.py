"""`kb bench`: ingest throughput, hybrid query latency at scale, memory, time to API ready.

Figures are medians and percentiles over repeated runs; raw per-query timings go to a JSON file so they can be
re-analysed. Synthetic chunks (kb.stores.synthetic) stand in for scale; queries are embedded by the real model.
Two kinds of query: typed ones (a few words; each retriever is asked for 100 chunks) and pasted fact texts (the
基本案情 of the demo's criminal cases, over 120 characters, so each retriever is asked for
`KB_LONG_QUERY_CANDIDATES` chunks and the whole-facts match runs).
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kb.config import EsSettings, Settings

SPP_CASES = Path("../shared/data/cn-guiding-cases/raw/spp_guiding")
REAL_QUERIES = [
    "未成年人盗窃附条件不起诉",
    "醉酒驾驶 不起诉",
    "帮信 银行卡 出租",
    "污染环境 公益诉讼 诉前检察建议",
    "虚假诉讼 民事抗诉",
    "非法吸收公众存款 认罪认罚 量刑建议",
    "检察官 超越权限 不批捕",
    "行政争议实质性化解",
]


DEMO_CASES = Path(__file__).parent.parent / "kb" / "data" / "demo" / "cases"
_FACTS_BLOCK = re.compile(r"【基本案情】\s*(.+?)\s*(?=【|\Z)", re.S)


def pasted_fact_texts(limit: int = 16) -> list[str]:
    """The 基本案情 of the demo's criminal cases: what a prosecutor pastes to find comparable cases."""
    texts: list[str] = []
    for path in sorted(DEMO_CASES.glob("criminal-*.md"))[:limit]:
        found = _FACTS_BLOCK.search(path.read_text(encoding="utf-8"))
        if found:
            texts.append(found.group(1))
    return texts


def time_pasted_facts(kb: Any, repeats: int) -> dict[str, Any]:
    """Latency of `kb.search` for pasted fact texts (unfiltered but for kind = case), and the depth they search."""
    from kb.search_request import SearchRequest

    texts = pasted_fact_texts()
    kb.search(SearchRequest(query=texts[0], filters={"kind": ["case"]}))  # warm the long-query path once
    timings: list[float] = []
    for _ in range(repeats):
        for text in texts:
            t = time.perf_counter()
            kb.search(SearchRequest(query=text, filters={"kind": ["case"]}))
            timings.append((time.perf_counter() - t) * 1000)
    return {
        **summarise(timings),
        "queries": len(texts),
        "median_chars": round(statistics.median(len(t) for t in texts)),
        "chunks_per_retriever": kb.search_depth(texts[0], 10),
        "raw_ms": timings,
    }


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 50), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "mean_ms": round(statistics.fmean(values), 2) if values else float("nan"),
    }


@dataclass
class BenchReport:
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    machine: dict[str, Any] = field(default_factory=dict)
    ingest: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    ready: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    # `--store elasticsearch`: per size, both stores from scratch side by side and the ratio (api.bench_es)
    side_by_side: dict[str, Any] = field(default_factory=dict)


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        # 1/5/15-minute load averages when the run started (and, under "load_at_end", when it ended): a run on a
        # busy machine is an upper bound, not the machine's speed
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
    }


BENCH_HOME = Path("var/bench")


def synthetic_home(n_chunks: int, dim: int) -> Path:
    """A data folder holding only a synthetic index, kept between runs (building 100k chunks takes minutes)."""
    home = BENCH_HOME / f"synthetic-{n_chunks}-{dim}"
    home.mkdir(parents=True, exist_ok=True)
    return home


def bench_ingest(source: Path, limit: int, embedder: str, say: Callable[[str], None]) -> dict[str, Any]:
    """Ingest `limit` files twice into fresh homes: without embeddings, then with `embedder` and a cold cache."""
    from ingest.pipeline import expand_paths, ingest_paths
    from kb.service import KnowledgeBase

    files = list(expand_paths([source]))[:limit]
    result: dict[str, Any] = {"source": str(source), "files": len(files)}
    for label, spec in (("bm25_only", "none"), ("with_embedding", embedder)):
        home = Path(tempfile.mkdtemp(prefix="kb-bench-ingest-"))
        try:
            kb = KnowledgeBase(Settings(_env_file=None, home=home, embedder=spec))  # type: ignore[call-arg]
            kb.warm_up()
            embed_seconds = 0.0

            def timed(original: Callable[..., Any] = kb.index_pending, **kwargs: Any) -> Any:
                nonlocal embed_seconds
                report = original(**kwargs)
                embed_seconds += report.embed_seconds
                return report

            kb.index_pending = timed  # type: ignore[method-assign]
            started = time.perf_counter()
            report = ingest_paths(kb, files)
            elapsed = time.perf_counter() - started
            chunks = kb.store.count_documents()
            kb.close()
        finally:
            shutil.rmtree(home, ignore_errors=True)
        row = {
            "seconds": round(elapsed, 2),
            "chunks": chunks,
            "entries": sum(len(f.entries) for f in report.files),
            "chunks_per_s": round(chunks / elapsed, 1),
            "embed_seconds": round(embed_seconds, 2),
        }
        if spec != "none" and embed_seconds > 0:
            row["overhead_over_embedder"] = round((elapsed - embed_seconds) / embed_seconds, 4)
        result[label] = row
        say(f"ingest {label}: {row}")
    return result


def bench_queries(n_chunks: int, embedder: str, repeats: int, say: Callable[[str], None]) -> dict[str, Any]:
    from kb.embedders.factory import build_embedder
    from kb.search_request import SearchRequest
    from kb.service import KnowledgeBase
    from kb.stores.synthetic import build_synthetic_store, synthetic_queries

    model = build_embedder(embedder)
    dim = model.dim if model is not None else 384
    home = synthetic_home(n_chunks, dim)
    t0 = time.perf_counter()
    store = build_synthetic_store(home / "index.sqlite3", n_chunks, dim=dim)
    build_s = time.perf_counter() - t0
    store.close()
    size_mb = (home / "index.sqlite3").stat().st_size / 1e6
    settings = Settings(_env_file=None, home=home, embedder=embedder)  # type: ignore[call-arg]
    t0 = time.perf_counter()
    kb = KnowledgeBase(settings, embedder=model) if model is not None else KnowledgeBase(settings)
    kb.warm_up()
    ready_s = time.perf_counter() - t0
    synthetic = [" ".join(q.tokens) for q in synthetic_queries(40, dim)]
    queries = REAL_QUERIES + synthetic
    for q in queries[:5]:  # warm caches once
        kb.search(SearchRequest(query=q, filters={"kind": ["case"]}))
    hybrid: list[float] = []
    embed: list[float] = []
    filtered: list[float] = []
    for _ in range(repeats):
        for i, q in enumerate(queries):
            if model is not None:
                t = time.perf_counter()
                model.embed_queries([q])
                embed.append((time.perf_counter() - t) * 1000)
            filters = {"kind": ["case"], "line": ["刑事检察"]} if i % 2 else {"kind": ["case"]}
            t = time.perf_counter()
            kb.search(SearchRequest(query=q, filters=filters))
            ms = (time.perf_counter() - t) * 1000
            (filtered if i % 2 else hybrid).append(ms)
    pasted = time_pasted_facts(kb, repeats)
    result = {
        "chunks": n_chunks,
        "build_s": round(build_s, 1),
        "index_mb": round(size_mb, 1),
        "open_and_warm_s": round(ready_s, 2),
        "hybrid": summarise(hybrid + filtered),
        "hybrid_unfiltered": summarise(hybrid),
        "hybrid_filtered": summarise(filtered),
        "query_embedding": summarise(embed),
        "pasted_facts": pasted,
        "rss_mb": round(rss_mb(), 1),
        "raw_ms": {
            "unfiltered": hybrid,
            "filtered": filtered,
            "embedding": embed,
            "pasted_facts": pasted.pop("raw_ms"),
        },
    }
    kb.close()
    say(
        f"query {n_chunks}: hybrid {result['hybrid']} pasted facts {result['pasted_facts']} "
        f"embedding {result['query_embedding']} rss {result['rss_mb']} MB"
    )
    return result


_READY_PROBE = """
import json, sys, time
from pathlib import Path
from fastapi.testclient import TestClient
from api.main import create_app
from kb.config import Settings
settings = Settings(_env_file=None, home=Path(sys.argv[1]), embedder=sys.argv[2])
started = time.perf_counter()
with TestClient(create_app(settings)) as client:
    status = client.get("/api/health").json()["status"]
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": round(seconds, 2), "health": status}))
"""


def bench_api_ready(n_chunks: int, embedder: str, say: Callable[[str], None]) -> dict[str, Any]:
    """Seconds from create_app to the first healthy /api/health in a fresh process, with `n_chunks` indexed.

    Python's imports are excluded (the probe imports first, then starts the clock); everything the server does
    at start is included: the jieba dictionary, the embedding model, the indexes. Twice: without the index snapshot
    (the first start after another process wrote the index: the in-memory indexes are rebuilt from the rows and the
    snapshot is written; no model load cache either, so use-m3 parses its tokenizer) and with both (every later
    restart).
    """
    import subprocess
    import sys

    from kb.embedders.factory import build_embedder
    from kb.stores import sqlite_snapshot
    from kb.stores.synthetic import build_synthetic_store

    model = build_embedder(embedder)
    dim = model.dim if model is not None else 384
    home = synthetic_home(n_chunks, dim)
    build_synthetic_store(home / "index.sqlite3", n_chunks, dim=dim).close()
    result: dict[str, Any] = {"chunks": n_chunks, "process": "fresh, imports excluded"}
    sqlite_snapshot.remove(home / "index.sqlite3")
    shutil.rmtree(home / "models", ignore_errors=True)
    for label in ("without_snapshot", "with_snapshot"):
        done = subprocess.run(
            [sys.executable, "-c", _READY_PROBE, str(home), embedder], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            msg = f"API 就绪测试失败：{done.stderr.strip()[-500:]}"
            raise RuntimeError(msg)
        result[label] = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = result["with_snapshot"]["seconds"]
    say(f"api ready: {result}")
    return result


def run_bench(
    *,
    sizes: list[int],
    embedder: str,
    ingest_limit: int,
    repeats: int,
    out_dir: Path,
    say: Callable[[str], None],
    store: str = "sqlite",
    es: EsSettings | None = None,
) -> BenchReport:
    report = BenchReport(machine=_machine())
    source = SPP_CASES if SPP_CASES.is_dir() else Path(__file__).parent.parent / "kb" / "data" / "demo" / "cases"
    if ingest_limit > 0:
        report.ingest = bench_ingest(source, ingest_limit, embedder, say)
    for n in sizes:
        result = bench_queries(n, embedder, repeats, say)
        report.raw[f"query_{n}"] = result.pop("raw_ms")
        report.query[str(n)] = result
    if store == "elasticsearch":
        from api.bench_es import bench_side_by_side

        for n in sizes:
            pair = bench_side_by_side(n, embedder, repeats, es or EsSettings(), say)
            for name in ("sqlite", "elasticsearch"):
                report.raw[f"side_by_side_{name}_{n}"] = pair[name].pop("raw_ms")
            report.side_by_side[str(n)] = pair
    if sizes:
        report.ready = bench_api_ready(max(sizes), embedder, say)
    report.machine["load_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = out_dir / f"bench-{stamp}.json"
    path.write_text(json.dumps(report.__dict__, ensure_ascii=False, indent=1), encoding="utf-8")
    say(f"raw results: {path}")
    return report
