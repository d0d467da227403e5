"""BM25 retriever component over SqliteDocumentStore."""

from __future__ import annotations

from typing import Any

from haystack import Document, component

from kb.components.store_retriever import StoreRetriever
from kb.stores.sqlite import SqliteDocumentStore


@component
class SqliteBm25Retriever(StoreRetriever):
    """Keyword retrieval (BM25 over jieba-segmented text) from a SqliteDocumentStore.

    `query` is raw text, a list of tokens, or {token: weight} as the query normalizer produces it.
    Init parameters (kb.components.store_retriever.StoreRetriever): document_store, filters, top_k,
    scale_score (expit(score / 8)), filter_policy (REPLACE or MERGE).
    """

    store_class = SqliteDocumentStore

    @component.output_types(documents=list[Document])
    def run(
        self,
        query: dict[str, float] | list[str] | str,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
    ) -> dict[str, list[Document]]:
        """Documents matching the query, best first. None arguments take the values given at init."""
        resolved_filters, k, scale = self.resolve(filters, top_k, scale_score)
        docs = self.document_store.bm25_retrieval(query, filters=resolved_filters, top_k=k, scale_score=scale)
        return {"documents": docs}
