"""Faults that need the real server: a bulk request with failed items (mapping conflict), an index deleted behind
our back, a reindex interrupted halfway, an index built for another vector size. (Unreachable URL, wrong credentials
and a cluster that never answers are in tests/unit/kb/stores/test_elasticsearch_faults.py: they need no server.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient
from haystack import Document

from api.main import create_app
from kb.errors import ConfigError, StoreUnavailable
from kb.models import Entry, Section
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from kb.stores.elasticsearch import ElasticsearchChunkStore
from kb.stores.elasticsearch_errors import IndexMissing, IndexWriteError
from tests.es.es_kb import drop_indices, es_knowledge_base, es_store, new_index_name

pytestmark = pytest.mark.es

CHARGES = ["盗窃罪", "诈骗罪", "危险驾驶罪", "故意伤害罪"]


def _entries(n: int = 12) -> list[Entry]:
    out = []
    for i in range(n):
        charge = CHARGES[i % len(CHARGES)]
        facts = f"犯罪嫌疑人甲{i}涉嫌{charge}，检察机关审查后依法作出处理。" + "案情细节。" * (i % 3)
        out.append(
            Entry(
                kind="case",
                title=f"甲{i}{charge[:-1]}案（示例）",
                number=f"示例故障-{i:03d}",
                line="刑事检察",
                publish_date=f"20{10 + i:02d}-05-06",
                charges=[charge],
                sections=[Section("gist", "要旨", f"{charge}的认定要点{i}。"), Section("facts", "基本案情", facts)],
                illustrative=True,
            )
        )
    return out


@pytest.fixture
def small_kb(es_url: str, tmp_path: Path) -> Iterator[KnowledgeBase]:
    index = new_index_name("faults")
    kb = es_knowledge_base(es_url, tmp_path / "kb", index=index)
    kb.add_entries(_entries())
    assert kb.records.pending_count() == 0
    yield kb
    kb.close()
    drop_indices(es_url, index)


def _top(kb: KnowledgeBase, query: str = "盗窃罪 认定") -> list[str]:
    return [h.entry_id for h in kb.search(SearchRequest(query=query, page_size=10)).hits]


def _doc(doc_id: str, year: object, entry_id: str = "e1") -> Document:
    meta = {"entry_id": entry_id, "year": year, "chunk_index": 0, "_tokens": "盗窃 案件"}
    return Document(id=doc_id, content="盗窃案件", meta=meta, embedding=[0.1] * 8)


# --- a bulk request with some failed items --------------------------------------------------------------------------


def test_mapping_conflict_in_bulk_names_the_failed_items_and_rolls_back(es_url: str, es_index: str) -> None:
    store = ElasticsearchChunkStore(hosts=es_url, index=es_index, embedding_dim=8)
    try:
        good = [_doc(f"ok-{i}", 2020 + i) for i in range(4)]
        bad = _doc("bad-1", "not a number")
        with pytest.raises(IndexWriteError) as caught:
            store.write_documents([*good[:2], bad, *good[2:]])
        error = caught.value
        assert error.context["failed"] == 1 and error.context["total"] == 5 and error.context["ids"] == ["bad-1"]
        assert "拒绝了 1 个索引块（共 5 个）" in error.detail and "meta.year" in error.detail
        assert store.count_documents() == 0  # the four that were accepted are removed again
        assert store.write_documents(good) == 4
    finally:
        store.close()
        drop_indices(es_url, es_index)


def test_mapping_conflict_while_replacing_keeps_the_old_version(es_url: str, es_index: str) -> None:
    store = ElasticsearchChunkStore(hosts=es_url, index=es_index, embedding_dim=8)
    entry = {"field": "meta.entry_id", "operator": "==", "value": "e1"}
    try:
        old = [_doc("e1:1:0", 2020), _doc("e1:1:1", 2020)]
        store.replace_documents(entry, old)
        new = [_doc("e1:2:0", 2021), _doc("e1:2:1", "not a number"), _doc("e1:2:2", 2021)]
        with pytest.raises(IndexWriteError, match="共 3 个"):
            store.replace_documents(entry, new)
        assert sorted(d.id for d in store.filter_documents(entry)) == ["e1:1:0", "e1:1:1"]
    finally:
        store.close()
        drop_indices(es_url, es_index)


def test_a_refused_entry_stays_in_the_outbox_with_the_reason(small_kb: KnowledgeBase) -> None:
    store = es_store(small_kb)
    original = small_kb.chunks_for

    def chunks_with_a_bad_year(entry_id: str, version: int, entry: Entry) -> list[Document]:
        docs = original(entry_id, version, entry)
        docs[0].meta["year"] = "not a number"
        return docs

    small_kb.chunks_for = chunks_with_a_bad_year  # type: ignore[method-assign]
    before = store.count_documents()
    entry = _entries(1)[0]
    entry.sections.append(Section("facts", "基本案情", "补充事实。"))
    small_kb.add_entries([entry])
    pending = small_kb.records.pending()
    assert [p.entry_id for p in pending] == [entry.entry_id] and pending[0].attempts == 1
    assert store.count_documents() == before  # version 1's chunks still serve
    small_kb.chunks_for = original  # type: ignore[method-assign]
    assert small_kb.index_pending().failed == 0 and small_kb.records.pending_count() == 0


# --- an index deleted behind our back -------------------------------------------------------------------------------


def test_index_deleted_behind_our_back_is_recreated_and_reported(
    small_kb: KnowledgeBase, es_client: Elasticsearch
) -> None:
    store = es_store(small_kb)
    assert _top(small_kb)
    for name in store.indices.behind_alias(es_client):
        es_client.indices.delete(index=name)

    with pytest.raises(IndexMissing) as caught:
        small_kb.search(SearchRequest(query="盗窃罪"))
    assert isinstance(caught.value, StoreUnavailable)
    assert "不存在" in caught.value.detail and "kb reindex" in caught.value.detail

    health = store.store_health()
    assert health["needs_reindex"] is True and health["documents"] == 0 and health["ok"] is True
    assert small_kb.search(SearchRequest(query="盗窃罪")).hits == []  # empty, but no crash

    report = small_kb.reindex()
    assert report.failed == 0 and report.indexed == 12
    health = store.store_health()
    assert health["needs_reindex"] is False and health["documents"] == report.chunks
    assert _top(small_kb)


def test_health_after_a_deletion_reports_it_too(small_kb: KnowledgeBase, es_client: Elasticsearch) -> None:
    """/health may be the first to notice: the index it recreates is flagged as well."""
    store = es_store(small_kb)
    assert store.count_documents() > 0
    for name in store.indices.behind_alias(es_client):
        es_client.indices.delete(index=name)
    health = store.store_health()
    assert health["ok"] is True and health["needs_reindex"] is True and health["documents"] == 0


def test_api_reports_a_deleted_index_as_503_problem(small_kb: KnowledgeBase, es_client: Elasticsearch) -> None:
    store = es_store(small_kb)
    for name in store.indices.behind_alias(es_client):
        es_client.indices.delete(index=name)
    with TestClient(create_app(small_kb.settings, kb=small_kb)) as client:
        response = client.get("/api/search", params={"q": "盗窃罪"})
        assert response.status_code == 503
        body = response.json()
        assert body["code"] == "index_missing" and "kb reindex" in body["detail"]
        health = client.get("/api/health").json()
        assert health["store_detail"]["needs_reindex"] is True


def test_an_index_deleted_while_no_process_ran_is_flagged_at_the_next_start(
    small_kb: KnowledgeBase, es_client: Elasticsearch
) -> None:
    """No process saw the index before, so the store cannot tell; the knowledge base can (records, no index)."""
    store = es_store(small_kb)
    settings = small_kb.settings
    names = store.indices.behind_alias(es_client)
    small_kb.close()
    for name in names:
        es_client.indices.delete(index=name)
    restarted = KnowledgeBase(settings)
    try:
        problem = restarted.index_problem()
        assert problem is not None and "kb reindex" in problem and "12 个条目" in problem
        with TestClient(create_app(settings, kb=restarted)) as client:
            health = client.get("/api/health").json()
        assert health["status"] == "degraded" and health["store_detail"]["needs_reindex"] is True
        assert restarted.reindex().indexed == 12
        assert restarted.index_problem() is None
    finally:
        restarted.close()


# --- reindex: alias swap, interrupted halfway -------------------------------------------------------------------------


def test_reindex_swaps_the_alias_and_searches_keep_working_meanwhile(
    small_kb: KnowledgeBase, es_client: Elasticsearch
) -> None:
    store = es_store(small_kb)
    old_index = store.indices.behind_alias(es_client)
    baseline = _top(small_kb)
    seen_during: list[list[str]] = []
    original = store.replace_documents

    def replace_and_search(delete_filters: dict[str, Any], documents: list[Document]) -> None:
        original(delete_filters, documents)
        seen_during.append(_top(small_kb))  # the same KB searches while the new index is half built

    store.replace_documents = replace_and_search  # type: ignore[method-assign]
    report = small_kb.reindex()
    assert report.indexed == 12 and report.failed == 0
    assert seen_during and all(found == baseline for found in seen_during)
    new_index = store.indices.behind_alias(es_client)
    assert len(new_index) == 1 and new_index != old_index
    assert not any(es_client.indices.exists(index=name) for name in old_index)
    # the same entries; ties may order differently in a physically different index (Lucene breaks them by doc id)
    assert sorted(_top(small_kb)) == sorted(baseline)


def test_reindex_interrupted_halfway_leaves_the_old_index_serving_and_a_rerun_completes(
    small_kb: KnowledgeBase, es_url: str, es_client: Elasticsearch, tmp_path: Path
) -> None:
    store = es_store(small_kb)
    live = store.indices.behind_alias(es_client)
    baseline = _top(small_kb)

    # 1. a reindex that crashes after half the entries (the process dies: nothing is cleaned up)
    orphan = store.begin_rebuild()
    half = list(small_kb.records.iter_current())[:6]
    for entry_id, version, entry in half:
        docs = small_kb._embed(small_kb.chunks_for(entry_id, version, entry))
        store.replace_documents({"field": "meta.entry_id", "operator": "==", "value": entry_id}, docs)
    assert es_client.count(index=orphan)["count"] > 0
    store._rebuild = None  # the crashed process's state is gone
    assert store.indices.behind_alias(es_client) == live
    assert _top(small_kb) == baseline  # the old alias still serves everything

    # 2. a reindex that fails halfway (the cluster refuses a write): the live index is untouched
    calls = [0]
    original = store.replace_documents

    def failing_replace(delete_filters: dict[str, Any], documents: list[Document]) -> None:
        calls[0] += 1
        if calls[0] == 5:
            msg = "模拟：Elasticsearch 暂时不可用"
            raise StoreUnavailable(msg)
        original(delete_filters, documents)

    store.replace_documents = failing_replace  # type: ignore[method-assign]
    report = small_kb.reindex()
    assert report.failed > 0 and store.rebuilding is None
    assert store.indices.behind_alias(es_client) == live and _top(small_kb) == baseline
    store.replace_documents = original  # type: ignore[method-assign]

    # 3. a rerun (another process) completes and removes the leftovers
    rerun = es_knowledge_base(es_url, tmp_path / "kb", index=store.alias)
    try:
        report = rerun.reindex()
        assert report.failed == 0 and report.indexed == 12
        assert rerun.records.pending_count() == 0
        behind = es_store(rerun).indices.behind_alias(es_client)
        assert behind != live and not es_client.indices.exists(index=orphan)
        assert es_store(rerun).indices.versions(es_client) == behind  # no other versions left
        assert sorted(_top(rerun)) == sorted(baseline)
    finally:
        rerun.close()


def test_an_index_for_another_vector_size_asks_for_a_reindex(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    store = es_store(small_kb)
    other = es_knowledge_base(store.url, tmp_path / "kb", index=store.alias, embedder="hash:64")
    try:
        with pytest.raises(ConfigError, match="kb reindex"):
            other.search(SearchRequest(query="盗窃罪"))
        assert es_store(other).store_health()["needs_reindex"] is True
        assert other.reindex().failed == 0  # the new index is built for 64 dimensions and swapped in
        assert other.search(SearchRequest(query="盗窃罪")).hits
        assert es_store(other).store_health()["problem"] is None
    finally:
        other.close()
