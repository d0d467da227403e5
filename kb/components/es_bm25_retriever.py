"""BM25 retriever component over ElasticsearchChunkStore (Elasticsearch)."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict
from haystack.document_stores.types import FilterPolicy, apply_filter_policy

from kb.stores.elasticsearch import ElasticsearchChunkStore


@component
class EsBm25Retriever:
    """Keyword retrieval (BM25 over jieba-segmented text) from an ElasticsearchChunkStore.

    `query` is raw text, a list of tokens, or {token: weight} as the query normalizer produces it. Each term becomes
    one boosted `term` query on the whitespace-analysed field: user text is never parsed as query syntax.

    :param document_store: the store to search.
    :param filters: filters applied to every query (Haystack filter syntax).
    :param top_k: how many documents to return.
    :param scale_score: map scores to 0..1 with expit(score / 8).
    :param filter_policy: REPLACE (runtime filters replace init filters) or MERGE (both apply).
    """

    def __init__(
        self,
        document_store: ElasticsearchChunkStore,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        filter_policy: FilterPolicy = FilterPolicy.REPLACE,
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
            filter_policy=self.filter_policy.value,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EsBm25Retriever:
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
        query: dict[str, float] | list[str] | str,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
    ) -> dict[str, list[Document]]:
        """Documents matching the query, best first. None arguments take the values given at init."""
        resolved_filters = apply_filter_policy(self.filter_policy, self.filters, filters)
        k = self.top_k if top_k is None else top_k
        if k < 0:
            msg = f"top_k must be >= 0, got {k}"
            raise ValueError(msg)
        docs = self.document_store.bm25_retrieval(
            query,
            filters=resolved_filters,
            top_k=k,
            scale_score=self.scale_score if scale_score is None else scale_score,
        )
        return {"documents": docs}
