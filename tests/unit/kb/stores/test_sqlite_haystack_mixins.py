"""Haystack's own DocumentStore test suites, run against SqliteDocumentStore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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

from kb.stores.sqlite import SqliteDocumentStore


def _same_embedding(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * max(1.0, abs(y)) for x, y in zip(a, b, strict=True))


class TestSqliteStoreHaystackSuite(
    DocumentStoreBaseExtendedTests,
    CountDocumentsByFilterTest,
    CountUniqueMetadataByFilterTest,
    GetMetadataFieldsInfoTest,
    GetMetadataFieldMinMaxTest,
    GetMetadataFieldUniqueValuesTest,
):
    @pytest.fixture(params=["memory", "file"])
    def document_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteDocumentStore]:
        path = ":memory:" if request.param == "memory" else tmp_path / "index.sqlite3"
        store = SqliteDocumentStore(path)
        yield store
        store.close()

    @staticmethod
    def assert_documents_are_equal(received: list[Document], expected: list[Document]) -> None:
        """Vectors are stored as float32, so embeddings compare to 1e-6; every other field must be identical."""
        assert [d.id for d in received] == [d.id for d in expected]
        for got, want in zip(received, expected, strict=True):
            assert _same_embedding(got.embedding, want.embedding), got.id
            got_fields, want_fields = got.to_dict(flatten=False), want.to_dict(flatten=False)
            got_fields.pop("embedding")
            want_fields.pop("embedding")
            assert got_fields == want_fields

    def test_write_documents(self, document_store: DocumentStore) -> None:
        """Default policy (NONE) behaves as FAIL, and a failing batch writes nothing at all."""
        first = Document(id="1", content="盗窃罪 案件")
        assert document_store.write_documents([first]) == 1
        with pytest.raises(DuplicateDocumentError):
            document_store.write_documents([Document(id="2", content="新文档"), Document(id="1", content="重复")])
        assert document_store.filter_documents() == [first]
        assert document_store.write_documents([Document(id="2", content="新文档")], DuplicatePolicy.NONE) == 1
        assert document_store.count_documents() == 2
