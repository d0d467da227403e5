"""SqliteDocumentStore: the embedded search index on one SQLite file — BM25 and cosine search, filters, facets.

Storage (see `sqlite_schema`) is transactional: writes go through one connection under a lock in `BEGIN IMMEDIATE`
transactions, so a batch is all-or-nothing, and `replace_documents` swaps an entry's chunks atomically. Reads use a
small pool of read-only connections: WAL lets them run during a write, and sqlite3 releases the GIL while SQLite
works, so concurrent requests use both cores.

Ranking runs in memory: the vectors (`sqlite_vectors`) and the BM25 postings (`sqlite_terms`) are loaded on first
use or by `warm_up()`, kept in step with this process's writes, and reloaded when the file's generation counter shows
that another process wrote to it. Until the BM25 index is loaded (e.g. while `warm_up()` runs in the background at
start-up) keyword queries are answered by FTS5's bm25() instead: same terms, slightly different scores, slower on
common terms.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
from haystack import Document, default_from_dict, default_to_dict
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from kb.errors import ConfigError, InvalidQuery, StoreUnavailable
from kb.stores import sqlite_fts as fts
from kb.stores.sqlite_filters import (
    INDEX_TEXT_KEYS,
    Const,
    Node,
    SqlClause,
    iter_facets,
    matching_keys,
    parse_filters,
    sorted_unique,
    to_sql,
    translate_filters,
)
from kb.stores.sqlite_schema import (
    DOC_COLUMNS,
    DROP_TABLES,
    SCHEMA_VERSION,
    TABLES,
    PreparedDocument,
    connect,
    encode_extra,
    encode_vector,
    row_to_document,
    split_statements,
)
from kb.stores.sqlite_stats import MetaStatsMixin
from kb.stores.sqlite_terms import DocTerms, TermIndex, encode_postings
from kb.stores.sqlite_vectors import VectorIndex

logger = logging.getLogger(__name__)

BM25_SCALING_FACTOR = 8.0  # as Haystack's in-memory store: expit(score / 8)
Engine = Literal["auto", "memory", "fts5"]
_MEMORY = ":memory:"
# In-memory hits beyond top_k that are fetched too, so that documents deleted between the search and the fetch
# (by a concurrent write the index has not seen yet) leave no hole in the results.
_SPARE = 8


class _Versioned(Protocol):
    generation: int


IndexT = TypeVar("IndexT", bound=_Versioned)


class _Slot(Generic[IndexT]):
    """One in-memory index and the lock that serialises its (re)loading."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.index: IndexT | None = None
        self.loading = threading.Lock()


@dataclass
class _Delta:
    """What a committed write changed, for the in-memory indexes."""

    removed: list[int] = field(default_factory=list)
    vector_keys: list[int] = field(default_factory=list)
    vectors: list[bytes] = field(default_factory=list)
    term_rows: list[tuple[int, int, int, bytes]] = field(default_factory=list)
    cleared: bool = False
    generation: int = 0


class SqliteDocumentStore(MetaStatsMixin):
    """A Haystack DocumentStore on one SQLite file (or in memory), with BM25 and dense retrieval.

    :param path: the database file (created with its parent directories), or ":memory:".
    :param embedding_dim: the vector size to enforce; None takes it from the first vector written.
    :param title_weight: BM25 weight of the `_title_tokens` text relative to the body text (weight 1).
    :param max_query_terms: longer queries keep the terms with the largest weight x idf.
    :param read_connections: read connections kept open for concurrent readers (file databases only).
    """

    def __init__(
        self,
        path: str | Path = _MEMORY,
        *,
        embedding_dim: int | None = None,
        title_weight: float = 2.0,
        max_query_terms: int = 64,
        read_connections: int = 4,
    ) -> None:
        if embedding_dim is not None and embedding_dim <= 0:
            msg = f"embedding_dim must be > 0, got {embedding_dim}"
            raise ValueError(msg)
        if title_weight < 0:
            msg = f"title_weight must be >= 0, got {title_weight}"
            raise ValueError(msg)
        if max_query_terms <= 0:
            msg = f"max_query_terms must be > 0, got {max_query_terms}"
            raise ValueError(msg)
        self.path = str(path)
        self.embedding_dim = embedding_dim
        self.title_weight = float(title_weight)
        self.max_query_terms = max_query_terms
        self.read_connections = max(1, read_connections)
        self._memory = self.path == _MEMORY
        self._lock = threading.RLock()  # the write connection (and, in memory, every read)
        self._apply_lock = threading.Lock()  # changes to the in-memory indexes; never held while taking self._lock
        self._pool: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._vectors_slot: _Slot[VectorIndex] = _Slot("vectors")
        self._terms_slot: _Slot[TermIndex] = _Slot("terms")
        self._cache = _LruCache(128)
        self._writers = 0  # write transactions of this process not yet reflected in the in-memory indexes
        self._closed = False
        self._conn = self._open()

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = connect(self.path, read_only=False, memory=self._memory)
        except sqlite3.Error as exc:
            msg = f"无法打开索引文件 {self.path}：{exc}"
            raise StoreUnavailable(msg, path=self.path) from exc
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._check_schema(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            msg = f"无法打开索引文件 {self.path}：{exc}"
            raise StoreUnavailable(msg, path=self.path) from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "kb_meta" not in tables:
            if tables:
                msg = f"文件 {self.path} 不是知识库索引（含有其他数据表：{'、'.join(sorted(tables)[:5])}）"
                raise ConfigError(msg, path=self.path)
            for statement in split_statements(TABLES):
                conn.execute(statement)
            conn.execute("INSERT INTO kb_meta VALUES ('schema_version', ?), ('generation', '0')", (SCHEMA_VERSION,))
        version = conn.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()
        if version is None or version[0] != SCHEMA_VERSION:
            found = version[0] if version else "未知"
            msg = f"索引文件 {self.path} 的版本为 {found}，本程序需要 {SCHEMA_VERSION}；请运行 kb reindex 重建索引"
            raise ConfigError(msg, path=self.path)
        stored = _stored_dim(conn)
        if self.embedding_dim is not None:
            if stored is not None and stored != self.embedding_dim:
                msg = (
                    f"索引文件 {self.path} 中的向量为 {stored} 维，配置为 {self.embedding_dim} 维；"
                    "更换向量模型后请运行 kb reindex 重建索引"
                )
                raise ConfigError(msg, path=self.path)
            conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('embedding_dim', ?)", (str(self.embedding_dim),))

    def close(self) -> None:
        """Close every connection. The store cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            while True:
                try:
                    self._pool.get_nowait().close()
                except queue.Empty:
                    break
            self._conn.close()

    def __enter__(self) -> SqliteDocumentStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            path=self.path,
            embedding_dim=self.embedding_dim,
            title_weight=self.title_weight,
            max_query_terms=self.max_query_terms,
            read_connections=self.read_connections,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SqliteDocumentStore:
        return default_from_dict(cls, data)

    def warm_up(self) -> None:
        """Load the BM25 postings and the vectors now rather than on the first query (safe to run in a thread)."""
        self._current(self._terms_slot, self._load_terms)
        self._current(self._vectors_slot, self._load_vectors)

    # --- connections and transactions ------------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        if self._closed:
            msg = f"索引 {self.path} 已关闭"
            raise StoreUnavailable(msg, path=self.path)
        if self._memory:
            with self._lock:
                try:
                    yield self._conn
                except sqlite3.OperationalError as exc:
                    msg = f"读取索引失败：{exc}"
                    raise StoreUnavailable(msg, path=self.path) from exc
            return
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            try:
                conn = connect(self.path, read_only=True, memory=False)
            except sqlite3.Error as exc:
                msg = f"无法读取索引文件 {self.path}：{exc}"
                raise StoreUnavailable(msg, path=self.path) from exc
        try:
            yield conn
        except sqlite3.OperationalError as exc:
            msg = f"读取索引 {self.path} 失败：{exc}"
            raise StoreUnavailable(msg, path=self.path) from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if self._closed or self._pool.qsize() >= self.read_connections:
                conn.close()
            else:
                self._pool.put(conn)

    @contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, _Delta]]:
        """BEGIN IMMEDIATE ... COMMIT on the write connection; the in-memory indexes follow after the commit."""
        delta = _Delta()
        with self._lock:
            if self._closed:
                msg = f"索引 {self.path} 已关闭"
                raise StoreUnavailable(msg, path=self.path)
            conn = self._conn
            self._writers += 1
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn, delta
                    conn.execute("UPDATE kb_meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
                    delta.generation = _generation(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                self._apply(delta)
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                hint = "另一进程正在写入，请稍后重试" if busy else str(exc)
                msg = f"写入索引 {self.path} 失败：{hint}"
                raise StoreUnavailable(msg, path=self.path) from exc
            finally:
                self._writers -= 1

    # --- in-memory indexes -----------------------------------------------------------------------------------------

    def _apply(self, delta: _Delta) -> None:
        with self._apply_lock:
            vectors, terms = self._vectors_slot.index, self._terms_slot.index
            if delta.cleared:
                self._vectors_slot.index = self._terms_slot.index = None
                return
            removed = np.asarray(delta.removed, dtype=np.int64)
            if vectors is not None and _in_step(vectors, delta.generation):
                vectors.remove(removed)
                if delta.vector_keys:
                    matrix = np.frombuffer(b"".join(delta.vectors), dtype="<f4").reshape(len(delta.vector_keys), -1)
                    vectors.add(np.asarray(delta.vector_keys, dtype=np.int64), matrix)
                _advance(vectors, delta.generation)
            if terms is not None and _in_step(terms, delta.generation):
                terms.remove(removed)
                if delta.term_rows:
                    terms.add(DocTerms.from_rows(delta.term_rows))
                _advance(terms, delta.generation)

    def _current(self, slot: _Slot[IndexT], loader: Callable[[], IndexT | None], *, wait: bool = True) -> IndexT | None:
        """The slot's index, (re)loaded if the file changed under it. With wait=False, None while another thread
        is loading it."""
        with self._read() as conn:
            generation = _generation(conn)
        index = slot.index
        if index is not None and (index.generation == generation or (self._writers and index.generation != -1)):
            return index
        if not slot.loading.acquire(blocking=wait):
            return None
        try:
            index = slot.index
            if index is not None and index.generation >= generation:
                return index
            loaded = loader()
            with self._apply_lock:
                current = slot.index
                if (
                    loaded is None
                    or current is None
                    or current.generation == -1
                    or current.generation < loaded.generation
                ):
                    slot.index = loaded
                return slot.index
        finally:
            slot.loading.release()

    def _load_vectors(self) -> VectorIndex | None:
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = _generation(conn)
            count = int(conn.execute("SELECT COUNT(*) FROM doc_vectors").fetchone()[0])
            if count == 0:
                conn.execute("COMMIT")
                return None
            keys = np.zeros(count, dtype=np.int64)
            matrix: npt.NDArray[np.float32] | None = None
            for i, (pk, blob) in enumerate(conn.execute("SELECT pk, embedding FROM doc_vectors ORDER BY pk")):
                row = np.frombuffer(blob, dtype="<f4")
                if matrix is None:
                    matrix = np.empty((count, len(row)), dtype=np.float32)
                keys[i] = pk
                matrix[i] = row
            conn.execute("COMMIT")
        assert matrix is not None
        logger.info("loaded %d vectors of dim %d from %s", count, matrix.shape[1], self.path)
        return VectorIndex.from_arrays(keys, matrix, generation)

    def _load_terms(self) -> TermIndex:
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = _generation(conn)
            rows = conn.execute("SELECT pk, body_len, title_len, postings FROM doc_terms ORDER BY pk").fetchall()
            conn.execute("COMMIT")
        index = TermIndex.build(DocTerms.from_rows(rows), title_weight=self.title_weight, generation=generation)
        logger.info("loaded BM25 postings of %d documents from %s", len(rows), self.path)
        return index

    # --- protocol: count, filter, write, delete ----------------------------------------------------------------

    def count_documents(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """Documents matching `filters` (semantics in kb.stores.sqlite_filters), in insertion order."""
        clause = translate_filters(filters)
        where, params = _where(clause)
        sql = (
            f"SELECT {DOC_COLUMNS}, v.embedding FROM docs AS d LEFT JOIN doc_vectors AS v ON v.pk = d.pk"
            f" {where} ORDER BY d.pk"
        )
        with self._read() as conn:
            return [row_to_document(row) for row in conn.execute(sql, params)]

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        clause = translate_filters(filters)
        where, params = _where(clause)
        with self._read() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM docs AS d {where}", params).fetchone()[0])

    def get_documents_by_id(self, document_ids: Sequence[str], *, return_embedding: bool = False) -> list[Document]:
        """The documents with these ids, in the order asked; unknown ids are left out."""
        wanted = list(dict.fromkeys(document_ids))
        if not wanted:
            return []
        with self._read() as conn:
            rows = self._rows(conn, "d.id", wanted, return_embedding=return_embedding)
        by_id = {row[1]: row for row in rows}
        return [row_to_document(by_id[i]) for i in wanted if i in by_id]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Write documents in one transaction. NONE means FAIL; with FAIL nothing is written if any id exists.

        `meta["_tokens"]` (and `meta["_title_tokens"]`), if present, are the index text instead of the segmented
        content (and title); they are not stored in meta.
        """
        prepared = self._prepare(documents)
        with self._transaction() as (conn, delta):
            return self._insert(conn, delta, prepared, policy)

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete documents by id; unknown ids are ignored."""
        if not document_ids:
            return
        with self._transaction() as (conn, delta):
            rows = conn.execute(
                "DELETE FROM docs WHERE id IN (SELECT value FROM json_each(?)) RETURNING pk",
                (json.dumps(list(document_ids), ensure_ascii=False),),
            ).fetchall()
            delta.removed.extend(r[0] for r in rows)

    def delete_all_documents(self, recreate_index: bool = True) -> None:
        """Remove every document.

        :param recreate_index: drop and recreate the tables (fast, the default), or delete the rows one by one.
        """
        with self._transaction() as (conn, delta):
            if recreate_index:
                for statement in split_statements(DROP_TABLES) + split_statements(TABLES):
                    conn.execute(statement)
            else:
                conn.execute("DELETE FROM docs")
                conn.execute("DELETE FROM terms")
            if self.embedding_dim is None:
                conn.execute("DELETE FROM kb_meta WHERE key = 'embedding_dim'")
            delta.cleared = True

    def delete_by_filter(self, filters: dict[str, Any]) -> int:
        """Delete the documents matching `filters` (which must not be empty); returns how many."""
        clause = _required(filters, "delete_by_filter")
        with self._transaction() as (conn, delta):
            return self._delete_where(conn, delta, clause)

    def replace_documents(self, delete_filters: dict[str, Any], documents: list[Document]) -> None:
        """Delete what `delete_filters` matches and write `documents` (OVERWRITE) in one transaction.

        Both happen or neither does: an entry's new version replaces its old chunks atomically.
        """
        clause = _required(delete_filters, "replace_documents")
        prepared = self._prepare(documents)
        with self._transaction() as (conn, delta):
            self._delete_where(conn, delta, clause)
            self._insert(conn, delta, prepared, DuplicatePolicy.OVERWRITE)

    def update_by_filter(self, filters: dict[str, Any], meta: dict[str, Any]) -> int:
        """Merge `meta` into the meta of every matching document; returns how many were updated.

        The index text cannot change in place: write the documents again to change `_tokens`.
        """
        clause = _required(filters, "update_by_filter")
        if not isinstance(meta, dict):
            msg = f"meta must be a dict, got {type(meta).__name__}"
            raise ValueError(msg)
        if any(key in meta for key in INDEX_TEXT_KEYS):
            msg = "update_by_filter cannot change _tokens/_title_tokens; write the documents again"
            raise ValueError(msg)
        with self._transaction() as (conn, _delta):
            rows = conn.execute(f"SELECT d.pk, d.meta FROM docs AS d WHERE {clause.sql}", clause.params).fetchall()
            for pk, meta_json in rows:
                merged = {**json.loads(meta_json), **meta}
                conn.execute("UPDATE docs SET meta = ? WHERE pk = ?", (_dump_meta(merged, str(pk)), pk))
                conn.execute("DELETE FROM doc_facets WHERE pk = ?", (pk,))
                conn.executemany(
                    "INSERT OR IGNORE INTO doc_facets (field, value, vtype, pk) VALUES (?, ?, ?, ?)",
                    [(f, v, t, pk) for f, v, t in iter_facets(merged)],
                )
            return len(rows)

    def optimize(self) -> None:
        """Merge the FTS5 segments, refresh the planner's statistics and truncate the WAL (after a bulk load)."""
        with self._transaction() as (conn, _delta):
            conn.execute("INSERT INTO docs_fts (docs_fts) VALUES ('optimize')")
        with self._lock:
            self._conn.execute("PRAGMA optimize")
            if not self._memory:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # --- write internals -----------------------------------------------------------------------------------------

    def _prepare(self, documents: list[Document]) -> list[PreparedDocument]:
        """Column values for each document, computed before taking the write lock (segmenting is the slow part)."""
        if not isinstance(documents, list | tuple) or any(not isinstance(d, Document) for d in documents):
            msg = "Please provide a list of Documents."
            raise ValueError(msg)
        prepared: list[PreparedDocument] = []
        for doc in documents:
            meta = {k: v for k, v in doc.meta.items() if k not in INDEX_TEXT_KEYS}
            if "_tokens" in doc.meta:
                tokens = _index_text(doc.meta["_tokens"], doc.id)
            elif doc.content:
                from kb.text import segment  # jieba loads only when some content needs segmenting

                tokens = segment(doc.content)
            else:
                tokens = ""
            title_tokens = _index_text(doc.meta.get("_title_tokens", ""), doc.id)
            body_terms, title_terms = fts.index_terms(tokens), fts.index_terms(title_tokens)
            vector, dim = encode_vector(doc.embedding, doc.id) if doc.embedding is not None else (None, None)
            blob, extra = encode_extra(doc)
            prepared.append(
                PreparedDocument(
                    id=doc.id,
                    content=doc.content,
                    meta=_dump_meta(meta, doc.id),
                    score=doc.score,
                    blob=blob,
                    extra=extra,
                    title_tokens=title_tokens,
                    tokens=tokens,
                    facets=list(dict.fromkeys(iter_facets(meta))),
                    vector=vector,
                    dim=dim,
                    body_terms=Counter(body_terms),
                    title_terms=Counter(title_terms),
                    body_len=len(body_terms),
                    title_len=len(title_terms),
                )
            )
        return prepared

    def _check_dim(self, conn: sqlite3.Connection, prepared: Sequence[PreparedDocument]) -> None:
        dims = {p.dim for p in prepared if p.dim is not None}
        if not dims:
            return
        stored = _stored_dim(conn)
        expected = stored if stored is not None else self.embedding_dim
        if len(dims) > 1 or (expected is not None and dims != {expected}):
            found = "、".join(str(d) for d in sorted(dims))
            want = expected if expected is not None else sorted(dims)[0]
            msg = f"向量维度不一致：索引 {self.path} 需要 {want} 维，收到 {found} 维；更换向量模型后请运行 kb reindex"
            raise ConfigError(msg, path=self.path)
        if stored is None:
            conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('embedding_dim', ?)", (str(dims.pop()),))

    def _insert(
        self, conn: sqlite3.Connection, delta: _Delta, prepared: list[PreparedDocument], policy: DuplicatePolicy
    ) -> int:
        if not prepared:
            return 0
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        batch: dict[str, PreparedDocument] = {}
        for p in prepared:
            if p.id in batch:
                if policy == DuplicatePolicy.FAIL:
                    msg = f"ID '{p.id}' appears twice in the batch."
                    raise DuplicateDocumentError(msg)
                if policy == DuplicatePolicy.SKIP:
                    continue
            batch[p.id] = p  # OVERWRITE: the last one wins
        existing = dict(
            conn.execute(
                "SELECT id, pk FROM docs WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(batch), ensure_ascii=False),),
            ).fetchall()
        )
        if existing:
            if policy == DuplicatePolicy.FAIL:
                msg = f"ID '{next(iter(existing))}' already exists."
                raise DuplicateDocumentError(msg)
            if policy == DuplicatePolicy.SKIP:
                batch = {i: p for i, p in batch.items() if i not in existing}
            else:
                old = list(existing.values())
                conn.execute("DELETE FROM docs WHERE pk IN (SELECT value FROM json_each(?))", (json.dumps(old),))
                delta.removed.extend(old)
        docs = list(batch.values())
        if not docs:
            return 0
        self._check_dim(conn, docs)
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'docs'").fetchone()
        start = (row[0] if row else 0) + 1
        keyed = list(zip(range(start, start + len(docs)), docs, strict=True))
        conn.executemany(
            "INSERT INTO docs (pk, id, content, meta, score, blob, extra, title_tokens, tokens)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(pk, p.id, p.content, p.meta, p.score, p.blob, p.extra, p.title_tokens, p.tokens) for pk, p in keyed],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO doc_facets (field, value, vtype, pk) VALUES (?, ?, ?, ?)",
            [(f, v, t, pk) for pk, p in keyed for f, v, t in p.facets],
        )
        tid_of = self._term_ids(conn, {t for _, p in keyed for t in (*p.body_terms, *p.title_terms)})
        term_rows = [
            (
                pk,
                p.body_len,
                p.title_len,
                encode_postings(
                    Counter({tid_of[t]: n for t, n in p.body_terms.items()}),
                    Counter({tid_of[t]: n for t, n in p.title_terms.items()}),
                ),
            )
            for pk, p in keyed
        ]
        conn.executemany("INSERT INTO doc_terms (pk, body_len, title_len, postings) VALUES (?, ?, ?, ?)", term_rows)
        delta.term_rows.extend(term_rows)
        vectors = [(pk, p.vector) for pk, p in keyed if p.vector is not None]
        if vectors:
            conn.executemany("INSERT INTO doc_vectors (pk, embedding) VALUES (?, ?)", vectors)
            delta.vector_keys.extend(pk for pk, _ in vectors)
            delta.vectors.extend(v for _, v in vectors)
        return len(docs)

    @staticmethod
    def _term_ids(conn: sqlite3.Connection, terms: set[str]) -> dict[str, int]:
        if not terms:
            return {}
        payload = json.dumps(sorted(terms), ensure_ascii=False)
        conn.execute("INSERT OR IGNORE INTO terms (term) SELECT value FROM json_each(?)", (payload,))
        rows = conn.execute("SELECT term, tid FROM terms WHERE term IN (SELECT value FROM json_each(?))", (payload,))
        return dict(rows.fetchall())

    def _delete_where(self, conn: sqlite3.Connection, delta: _Delta, clause: SqlClause) -> int:
        rows = conn.execute(
            f"DELETE FROM docs WHERE pk IN (SELECT d.pk FROM docs AS d WHERE {clause.sql}) RETURNING pk",
            clause.params,
        ).fetchall()
        delta.removed.extend(r[0] for r in rows)
        return len(rows)

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
            full_key = (_generation(conn), key)
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
            generation = _generation(conn)

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

            return matching_keys(tree, fetch, universe)

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

    # --- statistics for `kb bench` and health checks ---------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts and sizes: documents, vectors, terms, facet rows, file bytes, and which indexes are in memory."""
        with self._read() as conn:
            counts = {
                name: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for name, table in (
                    ("documents", "docs"),
                    ("vectors", "doc_vectors"),
                    ("terms", "terms"),
                    ("facet_rows", "doc_facets"),
                )
            }
            dim = _stored_dim(conn)
        size = 0
        if not self._memory:
            for suffix in ("", "-wal", "-shm"):
                file = Path(self.path + suffix)
                size += file.stat().st_size if file.exists() else 0
        return {
            **counts,
            "embedding_dim": dim,
            "file_bytes": size,
            "vectors_loaded": self._vectors_slot.index is not None,
            "terms_loaded": self._terms_slot.index is not None,
        }


class _LruCache:
    """A small LRU keyed by (generation, ...): a write changes the generation, so stale entries are never hit (they
    just age out). Holds filter key sets (facet filters repeat a lot) and whole-index facet counts."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def _parse_keys(packed: str | None) -> npt.NDArray[np.int64]:
    """Sorted unique keys from group_concat's comma-separated text."""
    if not packed:
        return np.zeros(0, dtype=np.int64)
    return sorted_unique(np.array(packed.split(","), dtype=np.int64))


def _generation(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM kb_meta WHERE key = 'generation'").fetchone()[0])


def _stored_dim(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT value FROM kb_meta WHERE key = 'embedding_dim'").fetchone()
    return int(row[0]) if row else None


def _in_step(index: _Versioned, generation: int) -> bool:
    """Whether a commit of `generation` should be applied: the index reflects exactly the commit before it.
    Otherwise a reload already saw it (nothing to do) or another process wrote in between (reload on next use)."""
    if index.generation == generation - 1:
        return True
    if index.generation < generation - 1:
        index.generation = -1
    return False


def _advance(index: _Versioned, generation: int) -> None:
    if index.generation != -1:
        index.generation = generation


def _where(clause: SqlClause | None) -> tuple[str, tuple[Any, ...]]:
    return ("", ()) if clause is None else (f"WHERE {clause.sql}", clause.params)


def _required(filters: dict[str, Any], method: str) -> SqlClause:
    clause = translate_filters(filters)
    if clause is None:
        msg = f"{method} needs non-empty filters; use delete_all_documents() to remove everything"
        raise ValueError(msg)
    return clause


def _index_text(value: Any, doc_id: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    msg = f"Document {doc_id!r}: _tokens/_title_tokens must be a string or a list of strings"
    raise ValueError(msg)


def _dump_meta(meta: dict[str, Any], doc_id: str) -> str:
    try:
        return json.dumps(meta, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        msg = f"Document {doc_id!r}: meta must be JSON-serialisable ({exc})"
        raise ValueError(msg) from exc


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
