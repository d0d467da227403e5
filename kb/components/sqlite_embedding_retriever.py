"""Dense (cosine) retriever component over SqliteDocumentStore."""

from __future__ import annotations

from typing import Any

from haystack import Document, component

from kb.components.store_retriever import StoreEmbeddingRetriever
from kb.stores.sqlite import SqliteDocumentStore


@component
class SqliteEmbeddingRetriever(StoreEmbeddingRetriever):
    """Cosine-similarity retrieval from a SqliteDocumentStore's vectors (exact, numpy).

    Init parameters as kb.components.store_retriever.StoreEmbeddingRetriever; scale_score maps cosine to
    (cos + 1) / 2, return_embedding includes each document's vector.
    """

    store_class = SqliteDocumentStore

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
    ) -> dict[str, list[Document]]:
        """The documents whose vectors are closest to the query's, best first. None takes the init values."""
        resolved_filters, k, scale = self.resolve(filters, top_k, scale_score)
        docs = self.document_store.embedding_retrieval(
            query_embedding,
            filters=resolved_filters,
            top_k=k,
            scale_score=scale,
            return_embedding=self.return_embedding if return_embedding is None else return_embedding,
        )
        return {"documents": docs}
