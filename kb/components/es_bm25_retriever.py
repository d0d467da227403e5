"""BM25 retriever component over ElasticsearchChunkStore (Elasticsearch)."""

from __future__ import annotations

from typing import Any

from haystack import Document, component

from kb.components.store_retriever import StoreRetriever
from kb.stores.elasticsearch import ElasticsearchChunkStore


@component
class EsBm25Retriever(StoreRetriever):
    """Keyword retrieval (BM25 over jieba-segmented text) from an ElasticsearchChunkStore.

    `query` is raw text, a list of tokens, or {token: weight} as the query normalizer produces it. Each term becomes
    one boosted term query on the whitespace-analysed field: user text is never parsed as query syntax.
    Init parameters as kb.components.store_retriever.StoreRetriever.
    """

    store_class = ElasticsearchChunkStore

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
