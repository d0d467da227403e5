"""Searches arrange filters as exclusions (kb.stores.elasticsearch_filters.search_clauses): they must select exactly
the chunks that `filter_documents` selects, including chunks whose closed fields (kind, line, case_type) are
missing, lists, or values outside the known set, and after `update_by_filter` changes such a field."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from haystack import Document

from kb.stores.elasticsearch import ElasticsearchChunkStore
from tests.es.es_kb import drop_indices

pytestmark = pytest.mark.es

METAS: list[dict[str, Any]] = [
    {"kind": "case", "line": "刑事检察", "case_type": "指导性案例"},
    {"kind": "case", "line": "民事检察", "case_type": "典型案例"},
    {"kind": "guideline", "line": "刑事检察"},
    {"kind": "power_item", "line": "行政检察", "case_type": "典型案例"},
    {"kind": "law"},
    {"line": "公益诉讼检察"},  # no kind
    {"kind": ["case", "guideline"], "line": "刑事检察"},  # a list where one value is expected
    {"kind": "其他", "line": "未知检察", "case_type": "参考案例"},  # values outside the closed sets
    {"kind": None, "line": ["刑事检察", "民事检察"]},
    {"kind": "case", "line": "公益诉讼检察", "case_type": "警示案例", "charges": ["盗窃罪"]},
]

FILTERS: list[dict[str, Any] | None] = [
    None,
    {"field": "meta.kind", "operator": "==", "value": "case"},
    {"field": "meta.kind", "operator": "in", "value": ["case", "guideline"]},
    {"field": "meta.kind", "operator": "not in", "value": ["law"]},
    {"field": "meta.kind", "operator": "!=", "value": "case"},
    {"field": "meta.kind", "operator": "==", "value": "其他"},
    {"field": "meta.kind", "operator": "in", "value": ["case", "guideline", "power_item", "law"]},
    {"field": "meta.line", "operator": "==", "value": "刑事检察"},
    {"field": "meta.case_type", "operator": "in", "value": ["典型案例", "警示案例"]},
    {
        "operator": "AND",
        "conditions": [
            {"field": "meta.kind", "operator": "in", "value": ["case"]},
            {"field": "meta.line", "operator": "in", "value": ["刑事检察", "公益诉讼检察"]},
        ],
    },
    {
        "operator": "AND",
        "conditions": [
            {"field": "meta.kind", "operator": "not in", "value": ["law"]},
            {"operator": "NOT", "conditions": [{"field": "meta.charges", "operator": "==", "value": "盗窃罪"}]},
            {"field": "meta.line", "operator": "==", "value": "刑事检察"},
        ],
    },
    {
        "operator": "OR",
        "conditions": [
            {"field": "meta.kind", "operator": "==", "value": "law"},
            {"field": "meta.line", "operator": "==", "value": "民事检察"},
        ],
    },
]


def _documents() -> list[Document]:
    rng = np.random.default_rng(7)
    return [
        Document(
            id=f"d{i}",
            content=f"共同词 第{i}段",
            meta={**meta, "_tokens": f"共同词 段{i}"},
            embedding=rng.standard_normal(8).tolist(),
        )
        for i, meta in enumerate(METAS)
    ]


@pytest.fixture(scope="module")
def store(es_url: str) -> Iterator[ElasticsearchChunkStore]:
    index = "kb-test-search-filters"
    drop_indices(es_url, index)
    es = ElasticsearchChunkStore(hosts=es_url, index=index, embedding_dim=8)
    es.write_documents(_documents())
    yield es
    es.close()
    drop_indices(es_url, index)


def _selected(store: ElasticsearchChunkStore, filters: dict[str, Any] | None) -> tuple[set[str], set[str], set[str]]:
    want = {d.id for d in store.filter_documents(filters)}
    by_bm25 = {d.id for d in store.bm25_retrieval(["共同词"], filters=filters, top_k=50)}
    by_knn = {d.id for d in store.embedding_retrieval([1.0] * 8, filters=filters, top_k=50, num_candidates=100)}
    return want, by_bm25, by_knn


@pytest.mark.parametrize("filters", FILTERS, ids=[json.dumps(f, ensure_ascii=False)[:70] for f in FILTERS])
def test_search_filters_select_what_filter_documents_selects(
    store: ElasticsearchChunkStore, filters: dict[str, Any] | None
) -> None:
    want, by_bm25, by_knn = _selected(store, filters)
    assert by_bm25 == want and by_knn == want


def test_open_meta_follows_update_by_filter(es_url: str) -> None:
    index = "kb-test-search-filters-update"
    drop_indices(es_url, index)
    store = ElasticsearchChunkStore(hosts=es_url, index=index, embedding_dim=8)
    try:
        store.write_documents(_documents())
        store.update_by_filter({"field": "id", "operator": "in", "value": ["d5", "d7"]}, {"kind": "case"})
        store.update_by_filter({"field": "id", "operator": "==", "value": "d0"}, {"kind": ["case", "law"]})
        for filters in FILTERS:
            want, by_bm25, by_knn = _selected(store, filters)
            assert by_bm25 == want and by_knn == want, filters
        cases = {"field": "meta.kind", "operator": "==", "value": "case"}
        assert {"d0", "d5", "d7"} <= {d.id for d in store.bm25_retrieval(["共同词"], filters=cases, top_k=50)}
    finally:
        store.close()
        drop_indices(es_url, index)
