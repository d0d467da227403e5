"""KB_EMBED_SECTIONS / KB_EMBED_MAX_CHUNKS on both backends: only the chosen chunks get a vector, BM25 keeps all.

The demo cases and guidelines are ingested with vectors for the first 基本案情 chunk of each case only (a guideline
has no 基本案情, so its first chunk). Dense retrieval can then return only those chunks; BM25 still returns the
chunks of every section.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kb.service import KnowledgeBase
from tests.conftest import DEMO, make_settings
from tests.es.conftest import es_url  # noqa: F401 - the harness's health check, for the elasticsearch variant
from tests.es.es_kb import drop_indices, es_knowledge_base, new_index_name

SELECTION = {"embed_sections": "facts", "embed_max_chunks": 1}


def _ingest(kb: KnowledgeBase) -> None:
    from ingest.pipeline import ingest_paths

    report = ingest_paths(kb, [DEMO / "cases", DEMO / "guidelines"])
    assert report.ok, [f.to_dict() for f in report.files if f.status == "failed"]


@pytest.fixture(scope="module")
def sqlite_selective_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("selective"), **SELECTION))
    _ingest(kb)
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def elasticsearch_selective_kb(es_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:  # noqa: F811
    index = new_index_name("selective")
    kb = es_knowledge_base(es_url, tmp_path_factory.mktemp("es-selective"), index=index, **SELECTION)
    _ingest(kb)
    yield kb
    kb.close()
    drop_indices(es_url, index)


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.es)])
def selective_kb(request: pytest.FixtureRequest) -> KnowledgeBase:
    kb: KnowledgeBase = request.getfixturevalue(f"{request.param}_selective_kb")
    return kb


def _entries(kb: KnowledgeBase) -> dict[str, str]:
    """entry id -> kind of every current entry."""
    return {entry_id: entry.kind for entry_id, _, entry in kb.records.iter_current()}


def _vector_chunks(kb: KnowledgeBase, entry_id: str) -> list[str]:
    """The sections of the entry's chunks that dense retrieval can return (those with a vector)."""
    assert kb.embedder is not None
    vector = kb.embedder.embed_queries(["基本案情 检察机关"])[0].tolist()
    entry_filter = {"field": "meta.entry_id", "operator": "==", "value": entry_id}
    docs = kb.backend.embedding_retriever.run(query_embedding=vector, filters=entry_filter, top_k=100)["documents"]
    return [str(doc.meta.get("section")) for doc in docs]


def test_only_the_first_facts_chunk_of_a_case_has_a_vector(selective_kb: KnowledgeBase) -> None:
    kinds = _entries(selective_kb)
    cases = [entry_id for entry_id, kind in kinds.items() if kind == "case"]
    assert len(cases) >= 20
    for entry_id in cases:
        chunks = selective_kb.chunks_for(entry_id, 1, selective_kb.records.get(entry_id).entry)
        has_facts = any(doc.meta.get("section") == "facts" for doc in chunks)
        assert len(chunks) > 1
        assert _vector_chunks(selective_kb, entry_id) == (["facts"] if has_facts else [chunks[0].meta["section"]])


def test_an_entry_without_the_chosen_sections_keeps_its_first_chunk(selective_kb: KnowledgeBase) -> None:
    guidelines = [entry_id for entry_id, kind in _entries(selective_kb).items() if kind == "guideline"]
    assert guidelines
    for entry_id in guidelines:
        assert len(_vector_chunks(selective_kb, entry_id)) == 1


def test_keyword_search_still_sees_every_chunk(selective_kb: KnowledgeBase) -> None:
    """BM25 restricted to one case returns chunks of every section, the ones without a vector included."""
    checked = 0
    for entry_id, kind in _entries(selective_kb).items():
        if kind != "case":
            continue
        stored = selective_kb.records.get(entry_id)
        others = [s for s in stored.entry.sections if s.key not in ("facts", "keywords") and len(s.text) > 40]
        if not others:
            continue
        terms = selective_kb.normalizer.analyze(others[-1].text[:60]).weights
        entry_filter = {"field": "meta.entry_id", "operator": "==", "value": entry_id}
        docs = selective_kb.backend.bm25_retriever.run(query=terms, filters=entry_filter, top_k=100)["documents"]
        assert others[-1].key in {doc.meta.get("section") for doc in docs}, entry_id
        assert others[-1].key not in _vector_chunks(selective_kb, entry_id)
        checked += 1
    assert checked >= 20
