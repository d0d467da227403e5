"""Dense (cosine) retriever component over ElasticsearchChunkStore."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict
from haystack.document_stores.types import FilterPolicy, apply_filter_policy

from kb.stores.elasticsearch import ElasticsearchChunkStore


@component
class EsEmbeddingRetriever:
    """Approximate (HNSW) cosine-similarity retrieval from an ElasticsearchChunkStore's vectors.

    :param document_store: the store to search.
    :param filters: filters applied to every query (Haystack filter syntax).
    :param top_k: how many documents to return.
    :param scale_score: map cosine similarity to 0..1 with (cos + 1) / 2.
    :param return_embedding: include each document's embedding in the results.
    :param num_candidates: HNSW candidates per shard (None: 4 x top_k, at least 50); more is slower and more exact.
    :param filter_policy: REPLACE (runtime filters replace init filters) or MERGE (both apply).
    """

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
        if not isinstance(document_store, ElasticsearchChunkStore):
            msg = f"document_store must be an ElasticsearchChunkStore, got {type(document_store).__name__}"
            raise TypeError(msg)
        if top_k <= 0:
            msg = f"top_k must be > 0, got {top_k}"
            raise ValueError(msg)
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k
        self.scale_score = scale_score
        self.return_embedding = return_embedding
        if num_candidates is not None and num_candidates <= 0:
            msg = f"num_candidates must be > 0, got {num_candidates}"
            raise ValueError(msg)
        self.num_candidates = num_candidates
        self.filter_policy = FilterPolicy.from_str(filter_policy) if isinstance(filter_policy, str) else filter_policy

    def warm_up(self) -> None:
        """Connect to the cluster now rather than on the first query (Pipeline.warm_up calls this)."""
        self.document_store.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            document_store=self.document_store,
            filters=self.filters,
            top_k=self.top_k,
            scale_score=self.scale_score,
            return_embedding=self.return_embedding,
            filter_policy=self.filter_policy.value,
            num_candidates=self.num_candidates,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EsEmbeddingRetriever:
        params = dict(data.get("init_parameters", {}))
        store = params.get("document_store")
        if isinstance(store, dict):
            params["document_store"] = ElasticsearchChunkStore.from_dict(store)
        if "filter_policy" in params:
            params["filter_policy"] = FilterPolicy.from_str(params["filter_policy"])
        return default_from_dict(cls, {**data, "init_parameters": params})

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
        resolved_filters = apply_filter_policy(self.filter_policy, self.filters, filters)
        k = self.top_k if top_k is None else top_k
        if k < 0:
            msg = f"top_k must be >= 0, got {k}"
            raise ValueError(msg)
        docs = self.document_store.embedding_retrieval(
            query_embedding,
            filters=resolved_filters,
            top_k=k,
            scale_score=self.scale_score if scale_score is None else scale_score,
            return_embedding=self.return_embedding if return_embedding is None else return_embedding,
            num_candidates=self.num_candidates,
        )
        return {"documents": docs}
