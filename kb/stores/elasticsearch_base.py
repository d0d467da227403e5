"""Plumbing shared by the Elasticsearch store and its mixins: one client call with errors translated, the
recovery of an index deleted behind our back, the index searches and writes go to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from elasticsearch import Elasticsearch
from haystack import Document

from kb.errors import ConfigError, KBError
from kb.stores.elasticsearch_errors import IndexMissing, is_index_not_found, translate_error
from kb.stores.elasticsearch_indices import IndexState, VersionedAlias
from kb.stores.elasticsearch_mapping import VECTOR_FIELDS, SequenceClock, from_source, hit_vector

logger = logging.getLogger(__name__)

T = TypeVar("T")


class EsPlumbing:
    """Attributes are set by ElasticsearchChunkStore.__init__."""

    _index: str
    _client: Elasticsearch | None
    url: str
    timeout_s: float
    write_timeout_s: float
    embedding_dim: int | None
    title_weight: int
    max_query_terms: int
    indices: VersionedAlias
    _lock: threading.RLock
    _state: IndexState | None
    _rebuild: str | None
    _seen_index: bool
    _clock: SequenceClock

    if TYPE_CHECKING:  # provided by ElasticsearchChunkStore / Haystack's ElasticsearchDocumentStore

        @property
        def client(self) -> Elasticsearch: ...

        def _ensure_initialized(self) -> None: ...

        def count_documents(self) -> int: ...

    @property
    def alias(self) -> str:
        return self._index

    def _translate(self, exc: Exception, action: str) -> KBError:
        if isinstance(exc, KBError):
            return exc
        return translate_error(exc, url=self.url, timeout_s=self.timeout_s, action=action)

    def _run(self, action: str, call: Callable[[Elasticsearch], T], *, write: bool = False) -> T:
        """Run one client call with errors translated; a vanished index is recreated and reported."""
        self._ensure_initialized()
        client = self.client if not write else self.client.options(request_timeout=self.write_timeout_s)
        try:
            return call(client)
        except Exception as exc:
            if is_index_not_found(exc):
                raise self._recover_missing_index(exc) from exc
            raise self._translate(exc, action) from exc

    def _recover_missing_index(self, exc: Exception) -> KBError:
        """The index behind the alias was deleted by someone else: put an empty one there, flagged for reindex."""
        with self._lock:
            try:
                client = self.client.options(request_timeout=self.write_timeout_s)
                if not self.indices.behind_alias(client) and not client.indices.exists(index=self.alias):
                    self.indices.create(client, with_alias=True, needs_reindex=True)
                    logger.error("index behind alias %s was missing; recreated it empty", self.alias)
                self._state = None
            except Exception as inner:
                return self._translate(inner, "重建索引")
        msg = (
            f"Elasticsearch 索引 {self.alias} 不存在（可能已被删除）。已重新创建空索引，"
            "请运行 kb reindex 从记录库重建检索索引；在此之前检索结果不完整。"
        )
        return IndexMissing(msg, index=self.alias, needs_reindex=True)

    def _usable(self) -> None:
        """Refuse to read or write a mismatched index (another schema or vector size): that needs a reindex."""
        self._ensure_initialized()
        state = self._state
        if state is not None and state.problem and self._rebuild is None:
            raise ConfigError(state.problem, index=self.alias)

    def _vector_fields(self, index: str | None = None) -> dict[str, Any]:
        """`docvalue_fields` for reading vectors back, once the index has a vector size (ES fails the request on a
        dense_vector field whose size is not known yet, i.e. before the first vector when embedding_dim is None)."""
        if self.embedding_dim is not None or (self._state is not None and self._state.dims is not None):
            return {"docvalue_fields": VECTOR_FIELDS}
        mapping = self._run("读取映射", lambda c: c.indices.get_mapping(index=index or self.alias))
        sizes = [b["mappings"].get("properties", {}).get("embedding", {}).get("dims") for b in dict(mapping).values()]
        if not sizes or any(size is None for size in sizes):
            return {}
        if self._state is not None and index is None:
            self._state.dims = sizes[0]  # known from now on: no more mapping reads
        return {"docvalue_fields": VECTOR_FIELDS}

    def _target(self) -> str:
        return self._rebuild or self.alias

    def _search(self, action: str, **body: Any) -> dict[str, Any]:
        """A search through the alias (the live index, also during a rebuild)."""
        self._usable()
        return self._search_in(self.alias, action, **body)

    def _search_in(self, index: str, action: str, **body: Any) -> dict[str, Any]:
        response = self._run(action, lambda c: c.search(index=index, **body))
        return dict(response.body)

    def _bulk(self, action: str, operations: list[dict[str, Any]], *, refresh: Any) -> dict[str, Any]:
        response = self._run(action, lambda c: c.bulk(operations=operations, refresh=refresh), write=True)
        return dict(response.body)

    def _hits_to_documents(
        self, hits: list[dict[str, Any]], *, score: Callable[[float], float] | None, with_embedding: bool
    ) -> list[Document]:
        out = []
        for hit in hits:
            value = hit.get("_score")
            doc_score = score(float(value)) if score is not None and value is not None else None
            vector = hit_vector(hit) if with_embedding else None
            out.append(from_source(hit["_source"], score=doc_score, embedding=vector))
        return out
