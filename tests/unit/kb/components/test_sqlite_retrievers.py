"""SqliteBm25Retriever and SqliteEmbeddingRetriever: serialisation, run, and use inside a Haystack Pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from haystack import Document, Pipeline, component
from haystack.core.serialization import allow_deserialization_module
from haystack.document_stores.types import FilterPolicy

from kb.components.sqlite_bm25_retriever import SqliteBm25Retriever
from kb.components.sqlite_embedding_retriever import SqliteEmbeddingRetriever
from kb.stores.sqlite import SqliteDocumentStore

DOCS = [
    Document(id="a", content="被告人盗窃手机一部", meta={"line": "刑事检察", "year": 2021}, embedding=[1.0, 0.0, 0.0]),
    Document(
        id="b", content="被告人虚构事实骗取财物", meta={"line": "刑事检察", "year": 2023}, embedding=[0.0, 1.0, 0.0]
    ),
    Document(
        id="c", content="检察机关提起公益诉讼", meta={"line": "公益诉讼检察", "year": 2022}, embedding=[0.0, 0.0, 1.0]
    ),
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    with SqliteDocumentStore(tmp_path / "index.sqlite3") as s:
        s.write_documents(DOCS)
        yield s


@component
class _Terms:
    """Stands in for the query normalizer: emits {token: weight}."""

    @component.output_types(terms=dict[str, float])
    def run(self, text: str) -> dict[str, Any]:
        return {"terms": {t: 1.0 for t in text.split()}}


class TestBm25Retriever:
    def test_to_dict_lists_every_init_parameter(self, store: SqliteDocumentStore) -> None:
        retriever = SqliteBm25Retriever(store, filters={"field": "meta.year", "operator": ">", "value": 2000}, top_k=3)
        assert retriever.to_dict() == {
            "type": "kb.components.sqlite_bm25_retriever.SqliteBm25Retriever",
            "init_parameters": {
                "document_store": store.to_dict(),
                "filters": {"field": "meta.year", "operator": ">", "value": 2000},
                "top_k": 3,
                "scale_score": False,
                "filter_policy": "replace",
            },
        }

    def test_from_dict(self, store: SqliteDocumentStore) -> None:
        allow_deserialization_module("kb.*")
        data = SqliteBm25Retriever(store, top_k=2, scale_score=True, filter_policy=FilterPolicy.MERGE).to_dict()
        again = SqliteBm25Retriever.from_dict(data)
        assert again.to_dict() == data
        assert again.filter_policy is FilterPolicy.MERGE
        assert [d.id for d in again.run(query="盗窃")["documents"]] == ["a"]

    def test_run(self, store: SqliteDocumentStore) -> None:
        retriever = SqliteBm25Retriever(store, top_k=5)
        assert next(d.id for d in retriever.run(query="被告人 盗窃")["documents"]) == "a"
        assert [d.id for d in retriever.run(query=["骗取"])["documents"]] == ["b"]
        assert next(d.id for d in retriever.run(query={"被告人": 1.0, "骗取": 3.0})["documents"]) == "b"
        assert retriever.run(query="被告人", top_k=1)["documents"][0].score is not None
        assert len(retriever.run(query="被告人", top_k=0)["documents"]) == 0
        scaled = retriever.run(query="被告人", scale_score=True)["documents"]
        assert all(0 < (d.score or 0) < 1 for d in scaled)

    def test_filter_policies(self, store: SqliteDocumentStore) -> None:
        init = {"field": "meta.line", "operator": "==", "value": "刑事检察"}
        runtime = {"field": "meta.year", "operator": ">=", "value": 2022}
        replace = SqliteBm25Retriever(store, filters=init)
        merge = SqliteBm25Retriever(store, filters=init, filter_policy=FilterPolicy.MERGE)
        assert {d.id for d in replace.run(query="被告人 检察机关", filters=runtime)["documents"]} == {"b", "c"}
        assert {d.id for d in merge.run(query="被告人 检察机关", filters=runtime)["documents"]} == {"b"}
        assert {d.id for d in replace.run(query="被告人 检察机关")["documents"]} == {"a", "b"}

    def test_rejects_bad_arguments(self, store: SqliteDocumentStore) -> None:
        with pytest.raises(TypeError):
            SqliteBm25Retriever(object())  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="top_k"):
            SqliteBm25Retriever(store, top_k=0)
        with pytest.raises(ValueError, match="top_k"):
            SqliteBm25Retriever(store).run(query="x", top_k=-1)

    def test_in_a_pipeline_fed_with_weighted_terms(self, store: SqliteDocumentStore) -> None:
        pipe = Pipeline()
        pipe.add_component("terms", _Terms())
        pipe.add_component("bm25", SqliteBm25Retriever(store, top_k=2))
        pipe.connect("terms.terms", "bm25.query")
        pipe.warm_up()
        result = pipe.run({"terms": {"text": "公益诉讼 检察机关"}})
        assert [d.id for d in result["bm25"]["documents"]] == ["c"]


class TestEmbeddingRetriever:
    def test_to_dict_and_from_dict(self, store: SqliteDocumentStore) -> None:
        allow_deserialization_module("kb.*")
        retriever = SqliteEmbeddingRetriever(store, top_k=2, return_embedding=True)
        data = retriever.to_dict()
        assert data["type"] == "kb.components.sqlite_embedding_retriever.SqliteEmbeddingRetriever"
        assert data["init_parameters"] == {
            "document_store": store.to_dict(),
            "filters": None,
            "top_k": 2,
            "scale_score": False,
            "return_embedding": True,
            "filter_policy": "replace",
        }
        assert SqliteEmbeddingRetriever.from_dict(data).to_dict() == data

    def test_run(self, store: SqliteDocumentStore) -> None:
        retriever = SqliteEmbeddingRetriever(store, top_k=2)
        docs = retriever.run(query_embedding=[0.9, 0.1, 0.0])["documents"]
        assert [d.id for d in docs] == ["a", "b"]
        assert docs[0].embedding is None
        with_vectors = retriever.run(query_embedding=[0.0, 0.0, 1.0], return_embedding=True, top_k=1)["documents"]
        assert with_vectors[0].id == "c" and with_vectors[0].embedding == [0.0, 0.0, 1.0]
        filtered = retriever.run(
            query_embedding=[0.9, 0.1, 0.0], filters={"field": "meta.line", "operator": "==", "value": "公益诉讼检察"}
        )["documents"]
        assert [d.id for d in filtered] == ["c"]
        scaled = retriever.run(query_embedding=[1.0, 0.0, 0.0], scale_score=True, top_k=1)["documents"][0]
        assert scaled.score == pytest.approx(1.0)

    def test_in_a_pipeline(self, store: SqliteDocumentStore) -> None:
        pipe = Pipeline()
        pipe.add_component("dense", SqliteEmbeddingRetriever(store, top_k=1))
        result = pipe.run({"dense": {"query_embedding": [0.0, 1.0, 0.0]}})
        assert [d.id for d in result["dense"]["documents"]] == ["b"]
