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
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from haystack import Document, default_from_dict, default_to_dict
from haystack.document_stores.types import DuplicatePolicy

from kb.errors import ConfigError, StoreUnavailable
from kb.long_lived import freeze_long_lived
from kb.stores import sqlite_snapshot as snapshot
from kb.stores.sqlite_filters import (
    INDEX_TEXT_KEYS,
    SqlClause,
    iter_facets,
    translate_filters,
)
from kb.stores.sqlite_memory import IndexSlot, IndexT, LruCache, Versioned, apply_delta
from kb.stores.sqlite_retrieval import RetrievalMixin
from kb.stores.sqlite_schema import (
    DOC_COLUMNS,
    DROP_TABLES,
    SCHEMA_VERSION,
    TABLES,
    connect,
    read_generation,
    row_to_document,
    split_statements,
)
from kb.stores.sqlite_stats import MetaStatsMixin
from kb.stores.sqlite_terms import DocTerms, TermIndex
from kb.stores.sqlite_vectors import VectorIndex
from kb.stores.sqlite_write import (
    Delta,
    delete_where,
    dump_meta,
    insert_documents,
    prepare_documents,
    stored_dim,
)

logger = logging.getLogger(__name__)

BM25_SCALING_FACTOR = 8.0  # as Haystack's in-memory store: expit(score / 8)
Engine = Literal["auto", "memory", "fts5"]
_MEMORY = ":memory:"
# In-memory hits beyond top_k that are fetched too, so that documents deleted between the search and the fetch
# (by a concurrent write the index has not seen yet) leave no hole in the results.
_SPARE = 8


class SqliteDocumentStore(RetrievalMixin, MetaStatsMixin):
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
        self._vectors_slot: IndexSlot[VectorIndex] = IndexSlot("vectors")
        self._terms_slot: IndexSlot[TermIndex] = IndexSlot("terms")
        self._cache = LruCache(128)
        self._writers = 0  # write transactions of this process not yet reflected in the in-memory indexes
        self._closed = False
        self._store_id = ""
        self._snapshot_generation: dict[str, int] = {}  # generation of the snapshot on disk, per index
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
        stored = stored_dim(conn)
        if self.embedding_dim is not None:
            if stored is not None and stored != self.embedding_dim:
                msg = (
                    f"索引文件 {self.path} 中的向量为 {stored} 维，配置为 {self.embedding_dim} 维；"
                    "更换向量模型后请运行 kb reindex 重建索引"
                )
                raise ConfigError(msg, path=self.path)
            conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('embedding_dim', ?)", (str(self.embedding_dim),))
        # Names this index file for the index snapshots (a file rebuilt at the same path gets a new one).
        conn.execute("INSERT OR IGNORE INTO kb_meta VALUES ('store_id', ?)", (uuid.uuid4().hex,))
        self._store_id = str(conn.execute("SELECT value FROM kb_meta WHERE key = 'store_id'").fetchone()[0])

    def close(self) -> None:
        """Close every connection (after saving index snapshots that writes moved on). Unusable afterwards."""
        if not self._closed:
            self._save_snapshots(only_if_changed=True)
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
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, Delta]]:
        """BEGIN IMMEDIATE ... COMMIT on the write connection; the in-memory indexes follow after the commit."""
        delta = Delta()
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
                    delta.generation = read_generation(conn)
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

    def _apply(self, delta: Delta) -> None:
        with self._apply_lock:
            apply_delta(delta, self._vectors_slot, self._terms_slot)

    def _current(
        self, slot: IndexSlot[IndexT], loader: Callable[[], IndexT | None], *, wait: bool = True
    ) -> IndexT | None:
        """The slot's index, (re)loaded if the file changed under it. With wait=False, None while another thread
        is loading it."""
        with self._read() as conn:
            generation = read_generation(conn)
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
            freeze_long_lived()  # an index is kept until the next reload: no collection need walk it
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

    # --- snapshots (kb.stores.sqlite_snapshot) -------------------------------------------------------------------

    def _save_snapshots(self, *, only_if_changed: bool) -> None:
        """Write the loaded indexes' snapshots; a failure only costs the next start a slower load."""
        if self._memory:
            return
        try:
            with self._read() as conn:
                generation = read_generation(conn)
        except StoreUnavailable:
            return
        terms, vectors = self._terms_slot.index, self._vectors_slot.index
        if terms is not None and self._snapshot_due("terms", terms, generation, only_if_changed):
            self._save_snapshot("terms", lambda: snapshot.save_terms(self.path, self._store_id, terms))
            self._snapshot_generation["terms"] = generation
        if vectors is not None and self._snapshot_due("vectors", vectors, generation, only_if_changed):
            self._save_snapshot("vectors", lambda: snapshot.save_vectors(self.path, self._store_id, vectors))
            self._snapshot_generation["vectors"] = generation

    def _snapshot_due(self, name: str, index: Versioned, generation: int, only_if_changed: bool) -> bool:
        if index.generation != generation:  # stale, or another process wrote meanwhile: the next load rebuilds
            return False
        return not only_if_changed or self._snapshot_generation.get(name) != generation

    def _load_vectors(self) -> VectorIndex | None:
        if not self._memory:
            with self._read() as conn:
                generation = read_generation(conn)
            found = snapshot.load_vectors(self.path, self._store_id, generation, dim=self.embedding_dim)
            if found is not None:
                self._snapshot_generation["vectors"] = generation
                logger.info("loaded %d vectors from the snapshot of %s", len(found), self.path)
                return found
        loaded = self._load_vectors_from_rows()
        if loaded is not None and not self._memory:
            self._save_snapshot("vectors", lambda: snapshot.save_vectors(self.path, self._store_id, loaded))
        return loaded

    def _save_snapshot(self, name: str, save: Callable[[], None]) -> None:
        try:
            with self._apply_lock:  # no delta is applied to the index while it is being written out
                save()
        except OSError as exc:
            logger.warning("could not write the %s snapshot of %s: %s", name, self.path, exc)

    def _load_vectors_from_rows(self) -> VectorIndex | None:
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = read_generation(conn)
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
        return VectorIndex.from_arrays(keys, matrix, generation, copy=False)

    def _load_terms(self) -> TermIndex:
        if not self._memory:
            with self._read() as conn:
                generation = read_generation(conn)
            found = snapshot.load_terms(self.path, self._store_id, generation, title_weight=self.title_weight)
            if found is not None:
                self._snapshot_generation["terms"] = generation
                logger.info("loaded BM25 postings of %d documents from the snapshot of %s", found.n_docs, self.path)
                return found
        loaded = self._load_terms_from_rows()
        if not self._memory:
            self._save_snapshot("terms", lambda: snapshot.save_terms(self.path, self._store_id, loaded))
        return loaded

    def _load_terms_from_rows(self) -> TermIndex:
        with self._read() as conn:
            conn.execute("BEGIN")
            generation = read_generation(conn)
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
        prepared = prepare_documents(documents)
        with self._transaction() as (conn, delta):
            return insert_documents(conn, delta, prepared, policy, embedding_dim=self.embedding_dim, path=self.path)

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
            return delete_where(conn, delta, clause)

    def replace_documents(self, delete_filters: dict[str, Any], documents: list[Document]) -> None:
        """Delete what `delete_filters` matches and write `documents` (OVERWRITE) in one transaction.

        Both happen or neither does: an entry's new version replaces its old chunks atomically.
        """
        clause = _required(delete_filters, "replace_documents")
        prepared = prepare_documents(documents)
        with self._transaction() as (conn, delta):
            delete_where(conn, delta, clause)
            insert_documents(
                conn, delta, prepared, DuplicatePolicy.OVERWRITE, embedding_dim=self.embedding_dim, path=self.path
            )

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
                conn.execute("UPDATE docs SET meta = ? WHERE pk = ?", (dump_meta(merged, str(pk)), pk))
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
            dim = stored_dim(conn)
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


def _where(clause: SqlClause | None) -> tuple[str, tuple[Any, ...]]:
    return ("", ()) if clause is None else (f"WHERE {clause.sql}", clause.params)


def _required(filters: dict[str, Any], method: str) -> SqlClause:
    clause = translate_filters(filters)
    if clause is None:
        msg = f"{method} needs non-empty filters; use delete_all_documents() to remove everything"
        raise ValueError(msg)
    return clause
