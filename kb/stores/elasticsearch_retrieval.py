"""Retrieval of the Elasticsearch store: BM25F over the pre-segmented terms, kNN over the vectors, term statistics.

BM25: one `term` clause per query term (boost = the term's weight) on `tokens`, which holds the body terms and the
title terms `title_weight` times (kb.stores.elasticsearch_mapping): BM25F as the embedded store scores it, with no
query syntax. Filters are arranged as exclusions where they can be (kb.stores.elasticsearch_filters.search_clauses)
so that Lucene can skip through the disjunction. Dense: `knn` with the filter applied inside the HNSW search.
Equal scores are ordered by id here, on the client: Lucene breaks ties by internal doc id, which changes when segments
merge, so two identical searches could otherwise order (and page) tied chunks differently. A few spare hits are asked
for so that ties at the cut are settled by id too (an ES-side sort on [_score, id] cost more at 100k chunks).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from haystack import Document

from kb.errors import ConfigError, InvalidQuery
from kb.stores.elasticsearch_base import EsPlumbing
from kb.stores.elasticsearch_filters import search_clauses
from kb.stores.elasticsearch_mapping import INTERNAL_FIELDS
from kb.stores.sqlite_fts import index_terms, strongest, token_weights

BM25_SCALING_FACTOR = 8.0  # as the SQLite store: expit(score / 8)
SPARE = 8  # hits beyond top_k, so that equal scores at the cut are ordered by id
# HNSW candidates per shard, as a multiple of k. Measured at 100k chunks on the 2-core target (kNN alone, with a
# filter): 4 x k p50 25 ms / p95 36-40 ms, 2 x k 21-22 / 29-30; the fused list takes the top 100 of each side.
NUM_CANDIDATES_FACTOR = 2


class RetrievalMixin(EsPlumbing):
    def bm25_retrieval(
        self,
        query: str | Sequence[str] | Mapping[str, float],
        *,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
    ) -> list[Document]:
        """BM25 over the segmented text, as the SQLite store's `bm25_retrieval` (same terms, same score scale).

        :param query: raw text (segmented with kb.text.tokenize), a list of tokens, or a dict token -> weight.
        """
        if top_k <= 0:
            return []
        if isinstance(query, str):
            from kb.text import tokenize

            weights = token_weights(tokenize(query))
        else:
            weights = token_weights(query)
        if not weights:
            return []
        weights = strongest(weights, self.max_query_terms)
        should = [{"term": {"tokens": {"value": term, "boost": weight}}} for term, weight in weights.items()]
        bool_query: dict[str, Any] = {"should": should, "minimum_should_match": 1, **search_clauses(filters)}
        body = self._search(
            "检索",
            query={"bool": bool_query},
            size=top_k + SPARE,
            track_total_hits=False,
            source_excludes=list(INTERNAL_FIELDS),
            **(self._vector_fields() if return_embedding else {}),
        )

        def score(raw: float) -> float:
            return 1.0 / (1.0 + math.exp(-raw / BM25_SCALING_FACTOR)) if scale_score else raw

        hits = body["hits"]["hits"]
        return _best(self._hits_to_documents(hits, score=score, with_embedding=return_embedding), top_k)

    def doc_freqs(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many documents contain each token (0 when none does), and how many documents have text.

        For the query normalizer's term selection (as SqliteDocumentStore.doc_freqs): one term-vectors request on
        an artificial document. A token that splits into several terms gets its rarest term's frequency.
        """
        split = {token: index_terms(token) for token in tokens if isinstance(token, str)}
        terms = sorted({t for parts in split.values() for t in parts})
        if not terms:
            return {token: 0 for token in split}, self.count_documents()
        self._usable()
        response = self._run(
            "读取词频",
            lambda c: c.termvectors(
                index=self.alias,
                doc={"tokens": " ".join(terms)},
                fields=["tokens"],
                term_statistics=True,
                field_statistics=True,
                positions=False,
                offsets=False,
            ),
        )
        vectors = response.get("term_vectors", {}).get("tokens", {})
        found = {term: int(info.get("doc_freq", 0)) for term, info in vectors.get("terms", {}).items()}
        n_docs = int(vectors.get("field_statistics", {}).get("doc_count", 0))
        return {token: min((found.get(t, 0) for t in parts), default=0) for token, parts in split.items()}, n_docs

    def embedding_retrieval(
        self,
        query_embedding: Sequence[float] | npt.NDArray[np.floating[Any]],
        *,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        num_candidates: int | None = None,
    ) -> list[Document]:
        """Approximate (HNSW) cosine search; `score` is the cosine similarity, or (cos + 1) / 2 with scale_score."""
        vector = np.asarray(query_embedding, dtype=np.float32).reshape(-1)
        if vector.size == 0:
            msg = "query_embedding should be a non-empty list of floats."
            raise ValueError(msg)
        if not np.isfinite(vector).all() or not vector.any():
            msg = "查询向量无效（全为零或含 NaN）"
            raise InvalidQuery(msg)
        if top_k <= 0:
            return []
        self._ensure_initialized()
        dims = self.embedding_dim or (self._state.dims if self._state else None)
        if dims is not None and vector.size != dims:
            msg = f"查询向量为 {vector.size} 维，索引 {self.alias} 中的向量为 {dims} 维；请检查向量模型配置或重建索引"
            raise ConfigError(msg, index=self.alias)
        knn: dict[str, Any] = {
            "field": "embedding",
            "query_vector": vector.tolist(),
            "k": top_k + SPARE,
            "num_candidates": min(10_000, max(num_candidates or NUM_CANDIDATES_FACTOR * top_k, top_k, 50)),
        }
        clauses = search_clauses(filters)
        if clauses:
            knn["filter"] = {"bool": clauses}
        body = self._search(
            "向量检索",
            knn=knn,
            size=top_k + SPARE,
            source_excludes=list(INTERNAL_FIELDS),
            **(self._vector_fields() if return_embedding else {}),
        )

        def score(raw: float) -> float:  # Elasticsearch's cosine score is (1 + cos) / 2
            return raw if scale_score else 2.0 * raw - 1.0

        hits = body["hits"]["hits"]
        return _best(self._hits_to_documents(hits, score=score, with_embedding=return_embedding), top_k)


def _best(documents: list[Document], top_k: int) -> list[Document]:
    """The top_k documents by score, equal scores by id."""
    return sorted(documents, key=lambda d: (-(d.score or 0.0), d.id))[:top_k]
