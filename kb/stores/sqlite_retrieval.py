"""Retrieval for the SQLite store: BM25 (in memory or FTS5), cosine search, and filter key sets."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable, Hashable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from haystack import Document

from kb.errors import ConfigError, InvalidQuery
from kb.stores import sqlite_fts as fts
from kb.stores.sqlite_filters import Const, Node, SqlClause, matching_keys, parse_filters, sorted_unique, to_sql
from kb.stores.sqlite_memory import IndexSlot, IndexT, LruCache
from kb.stores.sqlite_schema import DOC_COLUMNS, read_generation, row_to_document
from kb.stores.sqlite_terms import TermIndex
from kb.stores.sqlite_vectors import VectorIndex

BM25_SCALING_FACTOR = 8.0  # as Haystack's in-memory store: expit(score / 8)
Engine = Literal["auto", "memory", "fts5"]
# In-memory hits beyond top_k that are fetched too, so that documents deleted between the search and the fetch
# (by a concurrent write the index has not seen yet) leave no hole in the results.
_SPARE = 8


class RetrievalMixin:
    """Search methods of SqliteDocumentStore; the store provides the attributes and methods declared here."""

    path: str
    title_weight: float
    max_query_terms: int
    _cache: LruCache
    _terms_slot: IndexSlot[TermIndex]
    _vectors_slot: IndexSlot[VectorIndex]

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _current(
        self, slot: IndexSlot[IndexT], loader: Callable[[], IndexT | None], *, wait: bool = True
    ) -> IndexT | None:
        raise NotImplementedError

    def _load_terms(self) -> TermIndex:
        raise NotImplementedError

    def _load_vectors(self) -> VectorIndex | None:
        raise NotImplementedError

    # --- read internals --------------------------------------------------------------------------------------------

    @staticmethod
    def _rows(conn: sqlite3.Connection, column: str, values: list[Any], *, return_embedding: bool) -> list[Any]:
        embedding, join = (
            ("v.embedding", "LEFT JOIN doc_vectors AS v ON v.pk = d.pk") if return_embedding else ("NULL", "")
        )
        sql = f"SELECT {DOC_COLUMNS}, {embedding} FROM docs AS d {join} WHERE {column} IN (SELECT value FROM json_each(?))"
        return conn.execute(sql, (json.dumps(values, ensure_ascii=False),)).fetchall()

    def _scored(self, hits: Sequence[tuple[int, float]], top_k: int, *, return_embedding: bool) -> list[Document]:
        """Documents for (pk, score) hits, in hit order, carrying the score; hits deleted meanwhile are dropped."""
        if not hits:
            return []
        with self._read() as conn:
            rows = {
                r[0]: r for r in self._rows(conn, "d.pk", [pk for pk, _ in hits], return_embedding=return_embedding)
            }
        found = [(pk, score) for pk, score in hits if pk in rows][:top_k]
        return [row_to_document(rows[pk], score=score, with_score=True) for pk, score in found]

    def _cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._read() as conn:
            full_key = (read_generation(conn), key)
        value = self._cache.get(full_key)
        if value is None:
            value = compute()
            self._cache.put(full_key, value)
        return value

    def _filtered_keys_for(self, filters: dict[str, Any]) -> npt.NDArray[np.int64]:
        tree = parse_filters(filters)
        return self._filtered_keys(tree) if tree is not None else self._filtered_keys(Const(True))

    def _filtered_keys(self, tree: Node) -> npt.NDArray[np.int64]:
        """Keys of the documents matching a filter, by set algebra over cached per-condition key sets."""
        with self._read() as conn:
            generation = read_generation(conn)
            try:
                tree_key: Hashable | None = (generation, "tree", tree)
                hash(tree_key)
            except TypeError:  # a filter value that is not hashable (cannot come from JSON, but be safe)
                tree_key = None
            if tree_key is not None:
                remembered: npt.NDArray[np.int64] | None = self._cache.get(tree_key)
                if remembered is not None:
                    return remembered

            def fetch(select: SqlClause) -> npt.NDArray[np.int64]:
                cache_key = (generation, select.sql, select.params)
                cached: npt.NDArray[np.int64] | None = self._cache.get(cache_key)
                if cached is None:
                    row = conn.execute(f"SELECT group_concat(pk) FROM ({select.sql})", select.params).fetchone()
                    cached = _parse_keys(row[0])
                    cached.setflags(write=False)
                    self._cache.put(cache_key, cached)
                return cached

            def universe() -> npt.NDArray[np.int64]:
                return fetch(SqlClause("SELECT pk FROM docs"))

            keys = matching_keys(tree, fetch, universe)
            keys.setflags(write=False)  # shared: the indexes remember what they derived from it by identity
            if tree_key is not None:
                self._cache.put(tree_key, keys)
            return keys

    # --- retrieval -----------------------------------------------------------------------------------------------

    def bm25_retrieval(
        self,
        query: str | Sequence[str] | Mapping[str, float],
        *,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        engine: Engine = "auto",
    ) -> list[Document]:
        """BM25 over the segmented text (plus `_title_tokens`, weighted `title_weight`).

        :param query: raw text (segmented with kb.text.tokenize), a list of tokens (repeats weigh more), or a dict
            token -> weight. Nothing in it can make the search fail; a query with no usable term returns [].
        :param engine: "memory" (the in-memory index, loaded if needed), "fts5" (FTS5's bm25(); weights are rounded
            to 1..5 copies of a term), or "auto": memory, except while another thread is loading it.
        :returns: up to `top_k` documents containing at least one query term, best first, with `score` = BM25
            (higher is better), or expit(score / 8) with `scale_score`.
        """
        if top_k <= 0:
            return []
        if isinstance(query, str):
            from kb.text import tokenize

            weights = fts.token_weights(tokenize(query))
        else:
            weights = fts.token_weights(query)
        if not weights:
            return []
        tree = parse_filters(filters)
        index = None if engine == "fts5" else self._current(self._terms_slot, self._load_terms, wait=engine == "memory")
        if index is None:
            hits = self._fts5_hits(weights, None if tree is None else to_sql(tree), top_k)
        else:
            hits = self._memory_hits(index, weights, tree, top_k)
        if scale_score:
            hits = [(pk, _expit(score / BM25_SCALING_FACTOR)) for pk, score in hits]
        return self._scored(hits, top_k, return_embedding=return_embedding)

    def _memory_hits(
        self, index: TermIndex, weights: dict[str, float], tree: Node | None, top_k: int
    ) -> list[tuple[int, float]]:
        with self._read() as conn:
            known = self._known_terms(conn, list(weights))
        if not known:
            return []
        terms = list(known)
        tids = np.array([known[t] for t in terms], dtype=np.int64)
        if len(terms) > self.max_query_terms:
            n = max(index.n_docs, 1)
            df = index.doc_freq(tids)
            rank = {t: weights[t] * math.log1p((n - f + 0.5) / (f + 0.5)) for t, f in zip(terms, df, strict=True)}
            kept = fts.strongest({t: weights[t] for t in terms}, self.max_query_terms, rank)
            terms = list(kept)
            tids = np.array([known[t] for t in terms], dtype=np.int64)
        allowed = self._filtered_keys(tree) if tree is not None else None
        keys, scores = index.search(tids, [weights[t] for t in terms], top_k + _SPARE, allowed)
        return [(int(k), float(s)) for k, s in zip(keys, scores, strict=True)]

    def doc_freqs(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many documents contain each token (0 when none does), and how many documents there are.

        For the query normalizer's term selection. A token that splits into several terms gets its rarest term's
        frequency. Loads the in-memory BM25 index if needed.
        """
        index = self._current(self._terms_slot, self._load_terms)
        if index is None:  # pragma: no cover - the loader always returns an index
            return {}, 0
        split = {token: fts.index_terms(token) for token in tokens if isinstance(token, str)}
        with self._read() as conn:
            known = self._known_terms(conn, sorted({t for terms in split.values() for t in terms}))
        tids = list(known.values())
        df_of_tid = dict(zip(tids, index.doc_freq(tids).tolist(), strict=True)) if tids else {}
        result: dict[str, int] = {}
        for token, terms in split.items():
            result[token] = min((df_of_tid.get(known.get(t, -1), 0) for t in terms), default=0)
        return result, index.n_docs

    @staticmethod
    def _known_terms(conn: sqlite3.Connection, terms: list[str]) -> dict[str, int]:
        rows = conn.execute(
            "SELECT term, tid FROM terms WHERE term IN (SELECT value FROM json_each(?))",
            (json.dumps(terms, ensure_ascii=False),),
        )
        return dict(rows.fetchall())

    def _fts5_hits(self, weights: dict[str, float], clause: SqlClause | None, top_k: int) -> list[tuple[int, float]]:
        expression = fts.match_expression(fts.strongest(weights, self.max_query_terms))
        if expression is None:
            return []
        sql = "SELECT f.rowid, bm25(docs_fts, ?, 1.0) AS r FROM docs_fts AS f WHERE docs_fts MATCH ?"
        params: list[Any] = [self.title_weight, expression]
        if clause is not None:
            sql += f" AND f.rowid IN (SELECT d.pk FROM docs AS d WHERE {clause.sql})"
            params.extend(clause.params)
        sql += " ORDER BY r, f.rowid LIMIT ?"
        params.append(top_k)
        with self._read() as conn:
            return [(int(pk), -float(rank)) for pk, rank in conn.execute(sql, params)]

    def embedding_retrieval(
        self,
        query_embedding: Sequence[float] | npt.NDArray[np.floating[Any]],
        *,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
    ) -> list[Document]:
        """Cosine similarity against the stored vectors (of the documents matching `filters`).

        :returns: up to `top_k` documents with an embedding, best first, with `score` = cosine similarity, or
            (cos + 1) / 2 with `scale_score`.
        """
        query = np.asarray(query_embedding, dtype=np.float32).reshape(-1)
        if query.size == 0:
            msg = "query_embedding should be a non-empty list of floats."
            raise ValueError(msg)
        if not np.isfinite(query).all() or not query.any():
            msg = "查询向量无效（全为零或含 NaN）"
            raise InvalidQuery(msg)
        if top_k <= 0:
            return []
        tree = parse_filters(filters)
        index = self._current(self._vectors_slot, self._load_vectors)
        if index is None:
            return []
        if query.size != index.dim:
            msg = (
                f"查询向量为 {query.size} 维，索引 {self.path} 中的向量为 {index.dim} 维；请检查向量模型配置或重建索引"
            )
            raise ConfigError(msg, path=self.path)
        allowed = self._filtered_keys(tree) if tree is not None else None
        keys, scores = index.search(query, top_k + _SPARE, allowed)
        hits = [(int(k), (float(s) + 1) / 2 if scale_score else float(s)) for k, s in zip(keys, scores, strict=True)]
        return self._scored(hits, top_k, return_embedding=return_embedding)


def _parse_keys(packed: str | None) -> npt.NDArray[np.int64]:
    """Sorted unique keys from group_concat's comma-separated text."""
    if not packed:
        return np.zeros(0, dtype=np.int64)
    return sorted_unique(np.array(packed.split(","), dtype=np.int64))


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
