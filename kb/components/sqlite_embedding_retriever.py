"""Dense (cosine) retriever component over SqliteDocumentStore."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from kb.stores.sqlite import SqliteDocumentStore


@component
class SqliteEmbeddingRetriever:
    def __init__(self, document_store: SqliteDocumentStore, filters: dict[str, Any] | None = None, top_k: int = 10) -> None:
        if not isinstance(document_store, SqliteDocumentStore):
            msg = "document_store must be a SqliteDocumentStore"
            raise TypeError(msg)
        if top_k <= 0:
            msg = f"top_k must be > 0, got {top_k}"
            raise ValueError(msg)
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, document_store=self.document_store.to_dict(), filters=self.filters, top_k=self.top_k)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SqliteEmbeddingRetriever:
        params = data["init_parameters"]
        params["document_store"] = SqliteDocumentStore.from_dict(params["document_store"])
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(
        self, query_embedding: list[float], filters: dict[str, Any] | None = None, top_k: int | None = None
    ) -> dict[str, list[Document]]:
        docs = self.document_store.embedding_retrieval(
            query_embedding, filters=filters if filters is not None else self.filters, top_k=top_k or self.top_k
        )
        return {"documents": docs}
