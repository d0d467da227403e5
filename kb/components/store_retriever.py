"""What every retriever component over one of our stores shares: arguments, checks, (de)serialisation, warm-up.

The four retrievers (BM25 and dense, on SQLite and on Elasticsearch) differ only in the store class they accept and
the store method `run` calls; the subclasses say just that.
"""

from __future__ import annotations

from typing import Any, ClassVar

from haystack import default_from_dict, default_to_dict
from haystack.document_stores.types import FilterPolicy, apply_filter_policy


class StoreRetriever:
    """Base of the retriever components. Subclasses set `store_class` and define a `run` decorated for Haystack."""

    store_class: ClassVar[type[Any]]

    def __init__(
        self,
        document_store: Any,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        filter_policy: FilterPolicy = FilterPolicy.REPLACE,
    ) -> None:
        if not isinstance(document_store, self.store_class):
            msg = f"document_store must be a {self.store_class.__name__}, got {type(document_store).__name__}"
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
        """Load the store's indexes or connect to the cluster now (Pipeline.warm_up calls this)."""
        self.document_store.warm_up()

    def init_parameters(self) -> dict[str, Any]:
        """Every init parameter, as `to_dict` writes them."""
        return {
            "document_store": self.document_store,
            "filters": self.filters,
            "top_k": self.top_k,
            "scale_score": self.scale_score,
            "filter_policy": self.filter_policy.value,
        }

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, **self.init_parameters())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        params = dict(data.get("init_parameters", {}))
        store = params.get("document_store")
        if isinstance(store, dict):
            params["document_store"] = cls.store_class.from_dict(store)
        if "filter_policy" in params:
            params["filter_policy"] = FilterPolicy.from_str(params["filter_policy"])
        return default_from_dict(cls, {**data, "init_parameters": params})

    def resolve(
        self, filters: dict[str, Any] | None, top_k: int | None, scale_score: bool | None
    ) -> tuple[dict[str, Any] | None, int, bool]:
        """Runtime arguments merged with the init values (None means "use the init value")."""
        k = self.top_k if top_k is None else top_k
        if k < 0:
            msg = f"top_k must be >= 0, got {k}"
            raise ValueError(msg)
        resolved_filters = apply_filter_policy(self.filter_policy, self.filters, filters)
        return resolved_filters, k, self.scale_score if scale_score is None else scale_score


class StoreEmbeddingRetriever(StoreRetriever):
    """Adds `return_embedding` for the dense retrievers."""

    def __init__(
        self,
        document_store: Any,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        filter_policy: FilterPolicy = FilterPolicy.REPLACE,
    ) -> None:
        super().__init__(document_store, filters, top_k, scale_score, filter_policy)
        self.return_embedding = return_embedding

    def init_parameters(self) -> dict[str, Any]:
        return {**super().init_parameters(), "return_embedding": self.return_embedding}
