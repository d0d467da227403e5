"""ElasticsearchChunkStore against the real server, checked side by side with the embedded SqliteDocumentStore on the
same illustrative chunks: filters (including the list rule), facets, BM25 scores, dense search, document freqs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from haystack.utils import Secret

from kb.components.es_bm25_retriever import EsBm25Retriever
from kb.components.es_embedding_retriever import EsEmbeddingRetriever
from kb.stores.elasticsearch import ElasticsearchChunkStore
from kb.stores.elasticsearch_mapping import SCHEMA_VERSION
from kb.stores.sqlite import SqliteDocumentStore
from tests.es.es_kb import drop_indices
from tests.unit.kb.stores.conftest import case_documents

pytestmark = pytest.mark.es

FILTERS: list[dict[str, Any]] = [
    {"field": "meta.charges", "operator": "==", "value": "盗窃罪"},  # list field: contains
    {"field": "meta.charges", "operator": "!=", "value": "盗窃罪"},  # does not contain (missing included)
    {"field": "meta.outcomes", "operator": "in", "value": ["抗诉", "检察建议"]},  # any overlap
    {"field": "meta.outcomes", "operator": "not in", "value": ["起诉"]},
    {"field": "meta.charges", "operator": "==", "value": None},
    {"field": "meta.charges", "operator": "in", "value": ["诈骗罪", None]},
    {"field": "meta.year", "operator": ">=", "value": 2021},
    {"field": "meta.year", "operator": "<", "value": 2021.5},
    {"field": "meta.illustrative", "operator": "==", "value": True},
    {"field": "meta.court.level", "operator": "==", "value": 2},
    {"field": "meta.publish_date", "operator": ">", "value": "2018-01-01"},
    {"field": "meta.year", "operator": ">", "value": None},
    {"field": "id", "operator": "in", "value": ["c1", "c7", "nope"]},
    {
        "operator": "AND",
        "conditions": [
            {"field": "meta.line", "operator": "==", "value": "刑事检察"},
            {"operator": "NOT", "conditions": [{"field": "meta.charges", "operator": "in", "value": ["诈骗罪"]}]},
        ],
    },
    {
        "operator": "OR",
        "conditions": [
            {"field": "meta.line", "operator": "==", "value": "行政检察"},
            {"field": "meta.year", "operator": "<=", "value": 2018},
        ],
    },
    {"operator": "OR", "conditions": []},
    {"operator": "AND", "conditions": []},
]


@pytest.fixture(scope="module")
def stores(es_url: str) -> Iterator[tuple[ElasticsearchChunkStore, SqliteDocumentStore]]:
    index = "kb-test-store-side-by-side"
    drop_indices(es_url, index)
    es = ElasticsearchChunkStore(hosts=es_url, index=index, embedding_dim=8)
    sqlite = SqliteDocumentStore(embedding_dim=8)
    for store in (es, sqlite):
        store.write_documents(case_documents())
    yield es, sqlite
    es.close()
    sqlite.close()
    drop_indices(es_url, index)


@pytest.mark.parametrize("filters", FILTERS, ids=[json.dumps(f, ensure_ascii=False)[:60] for f in FILTERS])
def test_filters_select_what_the_embedded_store_selects(
    stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore], filters: dict[str, Any]
) -> None:
    es, sqlite = stores
    assert [d.id for d in es.filter_documents(filters)] == [d.id for d in sqlite.filter_documents(filters)]
    assert es.count_documents_by_filter(filters) == sqlite.count_documents_by_filter(filters)


def test_documents_round_trip_with_full_meta_and_without_index_text(
    stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore],
) -> None:
    es, sqlite = stores
    for got, want in zip(es.filter_documents(), sqlite.filter_documents(), strict=True):
        assert got.id == want.id and got.content == want.content and got.meta == want.meta
        assert "_tokens" not in got.meta


def test_facet_counts_match(stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore]) -> None:
    es, sqlite = stores
    fields = ["charges", "outcomes", "line", "year", "illustrative"]
    assert es.facet_counts(fields) == sqlite.facet_counts(fields)
    scoped = {"field": "meta.line", "operator": "==", "value": "刑事检察"}
    assert es.facet_counts(fields, filters=scoped) == sqlite.facet_counts(fields, filters=scoped)
    within = ["c1", "c2", "c3", "c8"]
    assert es.facet_counts(fields, within_ids=within) == sqlite.facet_counts(fields, within_ids=within)
    assert es.facet_counts(fields, group_by=None) == sqlite.facet_counts(fields, group_by=None)
    assert es.facet_counts(fields, within_ids=[]) == {f: {} for f in fields}


@pytest.mark.parametrize(
    "query",
    [
        {"盗窃": 1.0, "检察机关": 1.0},
        ["诈骗", "诈骗", "公益诉讼"],
        "未成年人盗窃电动车",
        'Rock AND "Roll" NEAR river*',
        "(盗窃 OR 抢劫) AND NOT 不起诉 ^2 ~ title:x",
    ],
)
def test_bm25_ranks_and_scores_as_the_embedded_store(
    stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore], query: Any
) -> None:
    """Same terms, same BM25 (k1 1.2, b 0.75, Lucene idf, BM25F over body and title): same ranking; scores agree
    to a few per cent (Lucene stores document lengths in one lossy byte). Operators are plain words."""
    es, sqlite = stores
    got = es.bm25_retrieval(query, top_k=8)
    want = sqlite.bm25_retrieval(query, top_k=8)
    assert [d.id for d in got] == [d.id for d in want]
    for a, b in zip(got, want, strict=True):
        assert a.score == pytest.approx(b.score, rel=0.05)
        assert "_tokens" not in a.meta and a.embedding is None


def test_bm25_filters_and_empty_queries(stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore]) -> None:
    es, _ = stores
    only_2023 = {"field": "meta.year", "operator": "==", "value": 2023}
    assert [d.id for d in es.bm25_retrieval("盗窃", filters=only_2023)] == ["c5"]
    assert (
        es.bm25_retrieval("，。！") == [] and es.bm25_retrieval({}) == [] and es.bm25_retrieval("盗窃", top_k=0) == []
    )


def test_dense_search_finds_the_same_neighbours(stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore]) -> None:
    es, sqlite = stores
    for doc in sqlite.filter_documents():
        assert doc.embedding is not None
        got = es.embedding_retrieval(doc.embedding, top_k=3)
        want = sqlite.embedding_retrieval(doc.embedding, top_k=3)
        assert [d.id for d in got] == [d.id for d in want]
        assert got[0].score == pytest.approx(1.0, abs=1e-4)  # cosine, as the embedded store reports it
        assert [d.score for d in got] == pytest.approx([d.score for d in want], abs=1e-4)
    criminal = {"field": "meta.line", "operator": "==", "value": "刑事检察"}
    probe = sqlite.filter_documents({"field": "id", "operator": "==", "value": "c4"})[0].embedding
    assert probe is not None
    assert {d.meta["line"] for d in es.embedding_retrieval(probe, filters=criminal, top_k=5)} == {"刑事检察"}


def test_doc_freqs_for_the_query_normalizer(stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore]) -> None:
    es, sqlite = stores
    tokens = ["盗窃", "检察机关", "量子力学", "，"]
    assert es.doc_freqs(tokens) == sqlite.doc_freqs(tokens)


def test_tokens_are_analysed_as_whole_words(stores: tuple[ElasticsearchChunkStore, SqliteDocumentStore]) -> None:
    es, _ = stores
    analysed = es.client.indices.analyze(index=es.alias, field="tokens", text="附条件不起诉 盗窃罪")
    assert [t["token"] for t in analysed["tokens"]] == ["附条件不起诉", "盗窃罪"]
    assert es.bm25_retrieval(["起"]) == []  # no single characters in the index


def test_retrievers_run_and_serialise_without_secrets(es_url: str, es_index: str) -> None:
    store = ElasticsearchChunkStore(
        hosts=es_url.replace("http://", "http://kb:hunter2@"),
        index=es_index,
        username="kb",
        password=Secret.from_token("hunter2"),
        api_key=Secret.from_env_var("KB_ES__API_KEY", strict=False),
    )
    bm25, dense = EsBm25Retriever(document_store=store, top_k=3), EsEmbeddingRetriever(document_store=store, top_k=3)
    for component in (bm25, dense):
        data = component.to_dict()
        assert "hunter2" not in json.dumps(data)
        restored = type(component).from_dict(data)
        assert restored.document_store.alias == es_index
    assert bm25.run(query={"盗窃": 1.0})["documents"] == []
    with pytest.raises(TypeError):
        EsBm25Retriever(document_store=SqliteDocumentStore())  # type: ignore[arg-type]
    store.close()
    drop_indices(es_url, es_index)


def test_versioned_index_behind_the_alias(es_url: str, es_index: str, es_client: Elasticsearch) -> None:
    store = ElasticsearchChunkStore(hosts=es_url, index=es_index)
    try:
        assert store.count_documents() == 0
        behind = store.indices.behind_alias(es_client)
        assert len(behind) == 1 and behind[0].startswith(f"{es_index}-v1-")
        mapping = es_client.indices.get_mapping(index=es_index)[behind[0]]["mappings"]
        assert mapping["properties"]["tokens"]["analyzer"] == "whitespace"
        assert mapping["properties"]["embedding"]["index_options"]["type"] == "hnsw"
        assert mapping["properties"]["meta"]["properties"]["year"]["type"] == "integer"
        assert mapping["_meta"]["kb_schema"] == SCHEMA_VERSION
        assert mapping["_source"] == {"excludes": ["embedding"]}
        settings = es_client.indices.get_settings(index=behind[0])[behind[0]]["settings"]["index"]
        assert settings["number_of_shards"] == "1"
        store.delete_all_documents(recreate_index=True)  # a fresh index is swapped in, the old one deleted
        after = store.indices.behind_alias(es_client)
        assert (
            len(after) == 1 and after[0].startswith(f"{es_index}-v2-") and not es_client.indices.exists(index=behind[0])
        )
    finally:
        store.close()
        drop_indices(es_url, es_index)
