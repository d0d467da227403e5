"""Dense (cosine) retriever component over ElasticsearchChunkStore."""

from __future__ import annotations

from typing import Any

from haystack import Document, component
from haystack.document_stores.types import FilterPolicy

from kb.components.store_retriever import StoreEmbeddingRetriever
from kb.stores.elasticsearch import ElasticsearchChunkStore


@component
class EsEmbeddingRetriever(StoreEmbeddingRetriever):
    """Approximate (HNSW) cosine-similarity retrieval from an ElasticsearchChunkStore's vectors.

    Init parameters as kb.components.store_retriever.StoreEmbeddingRetriever, plus
    :param num_candidates: HNSW candidates per shard (None: 4 x top_k, at least 50); more is slower and more exact.
    """

    store_class = ElasticsearchChunkStore

    def __init__(
        self,
        document_store: ElasticsearchChunkStore,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        filter_policy: FilterPolicy = FilterPolicy.REPLACE,
        num_candidates: int | None = None,
    ) -> None:
        # Explicit base calls: Haystack's @component rebuilds the class, so zero-argument super() would not resolve.
        StoreEmbeddingRetriever.__init__(
            self, document_store, filters, top_k, scale_score, return_embedding, filter_policy
        )
        if num_candidates is not None and num_candidates <= 0:
            msg = f"num_candidates must be > 0, got {num_candidates}"
            raise ValueError(msg)
        self.num_candidates = num_candidates

    def init_parameters(self) -> dict[str, Any]:
        return {**StoreEmbeddingRetriever.init_parameters(self), "num_candidates": self.num_candidates}

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
            num_candidates=self.num_candidates,
        )
        return {"documents": docs}
