"""Haystack's own DocumentStore test suites, run against ElasticsearchChunkStore on the real test server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DocumentStore, DuplicatePolicy
from haystack.testing.document_store import (
    CountDocumentsByFilterTest,
    CountUniqueMetadataByFilterTest,
    DocumentStoreBaseExtendedTests,
    GetMetadataFieldMinMaxTest,
    GetMetadataFieldsInfoTest,
    GetMetadataFieldUniqueValuesTest,
)

from kb.stores.elasticsearch import ElasticsearchChunkStore
from kb.stores.elasticsearch_errors import IndexWriteError
from tests.es.es_kb import drop_indices

pytestmark = pytest.mark.es


def _same_embedding(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


class TestEsStoreHaystackSuite(
    DocumentStoreBaseExtendedTests,
    CountDocumentsByFilterTest,
    CountUniqueMetadataByFilterTest,
    GetMetadataFieldMinMaxTest,
    GetMetadataFieldsInfoTest,
    GetMetadataFieldUniqueValuesTest,
):
    @pytest.fixture
    def document_store(self, es_url: str, es_index: str) -> Iterator[ElasticsearchChunkStore]:
        store = ElasticsearchChunkStore(hosts=es_url, index=es_index, timeout_s=10)
        yield store
        store.close()
        drop_indices(es_url, es_index)

    @staticmethod
    def assert_documents_are_equal(received: list[Document], expected: list[Document]) -> None:
        """filter_documents returns documents in the order written; embeddings compare to 1e-6."""
        assert [d.id for d in received] == [d.id for d in expected]
        for got, want in zip(received, expected, strict=True):
            assert _same_embedding(got.embedding, want.embedding), got.id
            got_fields, want_fields = got.to_dict(flatten=False), want.to_dict(flatten=False)
            got_fields.pop("embedding")
            want_fields.pop("embedding")
            assert got_fields == want_fields

    def test_write_documents(self, document_store: DocumentStore) -> None:
        """Default policy (NONE) behaves as FAIL, and a batch with an existing id writes nothing at all."""
        first = Document(id="1", content="盗窃罪 案件")
        assert document_store.write_documents([first]) == 1
        with pytest.raises(DuplicateDocumentError):
            document_store.write_documents([Document(id="2", content="新文档"), Document(id="1", content="重复")])
        assert document_store.filter_documents() == [first]
        assert document_store.write_documents([Document(id="2", content="新文档")], DuplicatePolicy.NONE) == 1
        assert document_store.count_documents() == 2

    @staticmethod
    def test_get_metadata_fields_info_empty_collection(document_store: DocumentStore) -> None:
        """Overridden: our mapping declares every kb meta field up front (typed: year integer, illustrative
        boolean ...), so an empty index already reports them; Haystack's default mapping starts empty."""
        assert document_store.count_documents() == 0
        info = document_store.get_metadata_fields_info()  # type: ignore[attr-defined]
        assert info["year"] == {"type": "int"}
        assert info["illustrative"] == {"type": "boolean"}
        assert info["charges"] == {"type": "keyword"}
        assert "_embed_text" not in info

    @staticmethod
    def test_get_metadata_field_unique_values_distinct_types(document_store: DocumentStore) -> None:
        """Overridden: an Elasticsearch field has one type, so 1, "1", 1.0 and True cannot share a field. The
        first value maps `priority` as long; True does not fit, the batch is refused as a whole (IndexWriteError
        naming how many failed) and the documents it had created are removed again."""
        docs = [
            Document(content="Doc 1", meta={"priority": 1}),
            Document(content="Doc 2", meta={"priority": "1"}),
            Document(content="Doc 3", meta={"priority": 1.0}),
            Document(content="Doc 4", meta={"priority": True}),
        ]
        with pytest.raises(IndexWriteError, match="拒绝了 1 个索引块（共 4 个）") as caught:
            document_store.write_documents(docs)
        assert caught.value.context["failed"] == 1
        assert document_store.count_documents() == 0
