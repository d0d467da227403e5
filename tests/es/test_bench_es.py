"""`kb bench --store elasticsearch` on a tiny synthetic index: both stores, both kinds of query, and the ratios."""

from __future__ import annotations

import pytest
from elasticsearch import Elasticsearch

from api.bench import pasted_fact_texts
from api.bench_es import bench_side_by_side
from kb.config import EsSettings

pytestmark = pytest.mark.es


def test_side_by_side_times_typed_queries_and_pasted_fact_texts_on_both_stores(
    es_url: str, es_client: Elasticsearch
) -> None:
    lines: list[str] = []
    pair = bench_side_by_side(400, "hash:64", 1, EsSettings(url=es_url), lines.append)
    for name in ("sqlite", "elasticsearch"):
        row = pair[name]
        assert row["chunks"] == 400 and row["index_chunks_per_s"] > 0
        assert 0 < row["hybrid"]["p50_ms"] <= row["hybrid"]["p95_ms"]
        pasted = row["pasted_facts"]
        assert pasted["n"] == len(row["raw_ms"]["pasted_facts"]) == len(pasted_fact_texts())
        assert pasted["chunks_per_retriever"] == 1500
    assert {"hybrid_p50", "pasted_facts_p50", "pasted_facts_p95"} <= set(pair["ratio"])
    assert pair["ratio"]["pasted_facts_p50"] > 0
    assert not es_client.indices.get(index="kb-bench-400-*")  # the benchmark index is deleted afterwards
    assert any(line.startswith("elasticsearch 400:") and "pasted facts" in line for line in lines)
