"""`kb bench --store elasticsearch`: the embedded store and Elasticsearch side by side, at each size.

For each size both stores get the same synthetic chunks (kb.stores.synthetic), written from scratch in batches of
2000: index throughput counts the store's write time only (generating the chunks is excluded), then the index is
compacted (SQLite `optimize`, ES force-merge to one segment; timed separately). Query latency is measured with the
same queries, filters and repeats as `bench_queries`, through `KnowledgeBase.search` (query embedding included).
The Elasticsearch cluster is the one configured (KB_ES__URL ...); the benchmark index is deleted afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

from haystack import Document
from haystack.document_stores.types import DuplicatePolicy

from api.bench import REAL_QUERIES, rss_mb, summarise, time_pasted_facts
from kb.config import EsSettings, Settings

BATCH = 2000


def _batches(n_chunks: int, dim: int, seed: int = 0) -> Iterator[list[Document]]:
    from kb.stores.synthetic import synthetic_documents

    for start in range(0, n_chunks, BATCH):
        yield synthetic_documents(min(BATCH, n_chunks - start), dim, seed, start=start)


def _load(write: Callable[[list[Document], bool], object], n_chunks: int, dim: int) -> float:
    """Seconds spent in `write(batch, last)` over all batches."""
    spent = 0.0
    total = (n_chunks + BATCH - 1) // BATCH
    for i, batch in enumerate(_batches(n_chunks, dim)):
        t0 = time.perf_counter()
        write(batch, i == total - 1)
        spent += time.perf_counter() - t0
    return spent


def time_searches(kb: Any, model: Any, repeats: int) -> dict[str, Any]:
    """The query loop of `bench_queries`: real and synthetic queries, every other one filtered; then the pasted fact
    texts (`time_pasted_facts`)."""
    from kb.search_request import SearchRequest
    from kb.stores.synthetic import synthetic_queries

    dim = model.dim if model is not None else 384
    queries = REAL_QUERIES + [" ".join(q.tokens) for q in synthetic_queries(40, dim)]
    for q in queries[:5]:  # warm caches once
        kb.search(SearchRequest(query=q, filters={"kind": ["case"]}))
    hybrid: list[float] = []
    filtered: list[float] = []
    for _ in range(repeats):
        for i, q in enumerate(queries):
            filters = {"kind": ["case"], "line": ["刑事检察"]} if i % 2 else {"kind": ["case"]}
            t = time.perf_counter()
            kb.search(SearchRequest(query=q, filters=filters))
            (filtered if i % 2 else hybrid).append((time.perf_counter() - t) * 1000)
    pasted = time_pasted_facts(kb, repeats)
    return {
        "hybrid": summarise(hybrid + filtered),
        "hybrid_unfiltered": summarise(hybrid),
        "hybrid_filtered": summarise(filtered),
        "pasted_facts": pasted,
        "raw_ms": {"unfiltered": hybrid, "filtered": filtered, "pasted_facts": pasted.pop("raw_ms")},
    }


def _bench_sqlite(n_chunks: int, embedder: str, model: Any, repeats: int) -> dict[str, Any]:
    from kb.service import KnowledgeBase
    from kb.stores.sqlite import SqliteDocumentStore

    dim = model.dim if model is not None else 384
    home = Path(tempfile.mkdtemp(prefix=f"kb-bench-side-{n_chunks}-"))
    try:
        store = SqliteDocumentStore(home / "index.sqlite3", embedding_dim=dim)
        write_s = _load(lambda batch, _last: store.write_documents(batch, policy=DuplicatePolicy.SKIP), n_chunks, dim)
        t0 = time.perf_counter()
        store.optimize()
        optimize_s = time.perf_counter() - t0
        store.close()
        settings = Settings(_env_file=None, home=home, embedder=embedder)  # type: ignore[call-arg]
        kb = KnowledgeBase(settings, embedder=model) if model is not None else KnowledgeBase(settings)
        kb.warm_up()
        result = _row(n_chunks, write_s, optimize_s, time_searches(kb, model, repeats))
        result["index_mb"] = round((home / "index.sqlite3").stat().st_size / 1e6, 1)
        result["client_rss_mb"] = round(rss_mb(), 1)
        kb.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return result


def _bench_elasticsearch(n_chunks: int, embedder: str, model: Any, repeats: int, es: EsSettings) -> dict[str, Any]:
    from kb.service import KnowledgeBase
    from kb.stores.elasticsearch import ElasticsearchChunkStore

    dim = model.dim if model is not None else 384
    home = Path(tempfile.mkdtemp(prefix=f"kb-bench-es-{n_chunks}-"))
    index = f"kb-bench-{n_chunks}-{uuid4().hex[:6]}"
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        home=home,
        embedder=embedder,
        store="elasticsearch",
        es=es.model_copy(update={"index": index}),
    )
    kb = KnowledgeBase(settings, embedder=model) if model is not None else KnowledgeBase(settings)
    store = kb.store
    assert isinstance(store, ElasticsearchChunkStore)
    try:
        kb.warm_up()

        def write(batch: list[Document], last: bool) -> None:
            store.write_documents(batch, policy=DuplicatePolicy.SKIP, refresh=last)

        write_s = _load(write, n_chunks, dim)
        t0 = time.perf_counter()
        store.optimize()
        optimize_s = time.perf_counter() - t0
        result = _row(n_chunks, write_s, optimize_s, time_searches(kb, model, repeats))
        result.update(_es_sizes(store))
    finally:
        store.drop_all_indices()
        kb.close()
        shutil.rmtree(home, ignore_errors=True)
    return result


def _es_sizes(store: Any) -> dict[str, Any]:
    client = store.client
    stats = client.indices.stats(index=store.alias)["_all"]["primaries"]
    node = next(iter(client.nodes.stats(metric="jvm")["nodes"].values()))
    pid = next(iter(client.nodes.info(metric="process")["nodes"].values()))["process"]["id"]
    status = Path(f"/proc/{pid}/status")  # the test server runs on this machine
    server_rss = None
    if status.exists():
        line = next((ln for ln in status.read_text(encoding="utf-8").splitlines() if ln.startswith("VmRSS:")), None)
        server_rss = round(int(line.split()[1]) / 1024, 1) if line else None
    return {
        "index_mb": round(stats["store"]["size_in_bytes"] / 1e6, 1),
        "segments": stats.get("segments", {}).get("count"),
        "server_heap_used_mb": round(node["jvm"]["mem"]["heap_used_in_bytes"] / 1e6, 1),
        "server_heap_max_mb": round(node["jvm"]["mem"]["heap_max_in_bytes"] / 1e6, 1),
        "server_rss_mb": server_rss,
        "client_rss_mb": round(rss_mb(), 1),
    }


def _row(n_chunks: int, write_s: float, optimize_s: float, latency: dict[str, Any]) -> dict[str, Any]:
    return {
        "chunks": n_chunks,
        "write_s": round(write_s, 2),
        "index_chunks_per_s": round(n_chunks / write_s, 1) if write_s > 0 else None,
        "optimize_s": round(optimize_s, 2),
        **latency,
    }


def _ratio(es: Any, sqlite: Any) -> float | None:
    return round(es / sqlite, 2) if isinstance(es, int | float) and isinstance(sqlite, int | float) and sqlite else None


def bench_side_by_side(
    n_chunks: int, embedder: str, repeats: int, es: EsSettings, say: Callable[[str], None]
) -> dict[str, Any]:
    """Both stores at one size; `ratio` is Elasticsearch / embedded (throughput: > 1 is faster; latency: < 1)."""
    from kb.embedders.factory import build_embedder

    model = build_embedder(embedder)
    if model is not None:
        model.warm_up()
    sqlite = _bench_sqlite(n_chunks, embedder, model, repeats)
    say(
        f"sqlite {n_chunks}: {sqlite['index_chunks_per_s']} chunks/s, hybrid {sqlite['hybrid']}, "
        f"pasted facts {sqlite['pasted_facts']}"
    )
    elastic = _bench_elasticsearch(n_chunks, embedder, model, repeats, es)
    say(
        f"elasticsearch {n_chunks}: {elastic['index_chunks_per_s']} chunks/s, hybrid {elastic['hybrid']}, "
        f"pasted facts {elastic['pasted_facts']}"
    )
    ratio = {
        "index_chunks_per_s": _ratio(elastic["index_chunks_per_s"], sqlite["index_chunks_per_s"]),
        "hybrid_p50": _ratio(elastic["hybrid"]["p50_ms"], sqlite["hybrid"]["p50_ms"]),
        "hybrid_p95": _ratio(elastic["hybrid"]["p95_ms"], sqlite["hybrid"]["p95_ms"]),
        "pasted_facts_p50": _ratio(elastic["pasted_facts"]["p50_ms"], sqlite["pasted_facts"]["p50_ms"]),
        "pasted_facts_p95": _ratio(elastic["pasted_facts"]["p95_ms"], sqlite["pasted_facts"]["p95_ms"]),
    }
    say(f"ratio elasticsearch/sqlite {n_chunks}: {ratio}")
    return {"sqlite": sqlite, "elasticsearch": elastic, "ratio": ratio}
