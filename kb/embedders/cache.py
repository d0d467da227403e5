"""A persistent embedding cache, so re-ingest and reindex never embed an unchanged text again.

`EmbeddingCache` is one SQLite file: rows keyed by (model name, SHA-256 of the exact model input, prefix included),
holding little-endian float32 blobs. WAL mode lets readers in other processes go on while one writes; inside a
process one connection is shared behind a lock. Lookups run in chunks so an IN list never nears SQLite's limit on
bound variables.

`CachedEmbedder` wraps any Embedder with it: it asks the wrapped embedder for the model inputs, looks them all up
in one go, embeds only the misses (each distinct input once) and stores them. A cache that fails at run time
(disk full, file locked for too long) is logged and bypassed: embedding still works, only slower.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from kb.embedders.base import Embedder, ProgressFn, Vectors, l2_normalize
from kb.errors import ConfigError

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# Keys per SELECT: far under SQLite's bound-variable limit (999 before 3.32, 32766 after).
LOOKUP_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    key BLOB NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
"""

Vector = npt.NDArray[np.float32]


def text_key(text: str) -> bytes:
    """The cache key of one model input: its SHA-256 digest (32 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def _chunks(items: Sequence[bytes], size: int) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class EmbeddingCache:
    """Vectors by (model, text) in a SQLite file. Thread-safe; several processes may share the file."""

    def __init__(self, path: str | Path, *, timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=timeout_s, check_same_thread=False, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            detail = f"无法打开向量缓存文件 {self.path}：{exc}"
            raise ConfigError(detail, path=str(self.path)) from exc
        try:
            self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version in (0, SCHEMA_VERSION):
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            detail = f"无法打开向量缓存文件 {self.path}：{exc}"
            raise ConfigError(detail, path=str(self.path)) from exc
        if version not in (0, SCHEMA_VERSION):
            detail = (
                f"向量缓存文件 {self.path} 的版本为 {version}，本程序只支持版本 {SCHEMA_VERSION}：请删除该文件后重试"
            )
            raise ConfigError(detail, path=str(self.path))

    def import_from(self, other: str | Path) -> int:
        """Copy the vectors of another cache file that this one lacks (e.g. the demo corpus's bundled cache)."""
        with self._lock:
            before = self._conn.total_changes
            self._conn.execute("ATTACH DATABASE ? AS other", (str(other),))
            try:
                self._conn.execute(
                    "INSERT OR IGNORE INTO embeddings SELECT model, key, dim, vector FROM other.embeddings"
                )
            finally:
                self._conn.execute("DETACH DATABASE other")
            return self._conn.total_changes - before

    def get_many(self, model: str, texts: Sequence[str]) -> dict[int, Vector]:
        """Cached vectors by position in `texts`; positions without one are absent."""
        positions: dict[bytes, list[int]] = {}
        for index, text in enumerate(texts):
            positions.setdefault(text_key(text), []).append(index)
        keys = list(positions)
        found: dict[int, Vector] = {}
        with self._lock:
            for chunk in _chunks(keys, LOOKUP_CHUNK):
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(
                    f"SELECT key, dim, vector FROM embeddings WHERE model = ? AND key IN ({marks})",
                    (model, *chunk),
                ).fetchall()
                for key, dim, blob in rows:
                    vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
                    if vector.shape != (dim,):
                        logger.warning("embedding cache %s: damaged row for model %s skipped", self.path, model)
                        continue
                    for index in positions[key]:
                        found[index] = vector
        return found

    def put_many(self, model: str, texts: Sequence[str], vectors: npt.ArrayLike) -> None:
        """Store one vector per text (replacing what was there), in one transaction."""
        array = np.asarray(vectors, dtype="<f4")
        if array.ndim != 2 or array.shape[0] != len(texts):
            msg = f"expected {len(texts)} vectors, got an array of shape {array.shape}"
            raise ValueError(msg)
        dim = array.shape[1]
        rows = [(model, text_key(text), dim, array[i].tobytes()) for i, text in enumerate(texts)]
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO embeddings (model, key, dim, vector) VALUES (?, ?, ?, ?)", rows
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def count(self, model: str | None = None) -> int:
        """Rows stored, for one model or for all."""
        with self._lock:
            if model is None:
                row = self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()
            else:
                row = self._conn.execute("SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,)).fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class CachedEmbedder:
    """An Embedder that embeds only what its cache lacks. Counters: `hits`, `misses`, `embedded`.

    `hits` counts inputs answered from the cache, `misses` inputs that were not in it, `embedded` the distinct
    inputs actually sent to the model (a text repeated within one call is embedded once). Queries are cached too
    unless `cache_queries` is False: re-running a query (paging, changing a filter) then skips the model.
    """

    def __init__(self, embedder: Embedder, cache: EmbeddingCache, *, cache_queries: bool = True) -> None:
        self.embedder = embedder
        self.cache = cache
        self.cache_queries = cache_queries
        self._counter_lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.embedded = 0

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        return self.embedder.query_inputs(texts)

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        return self.embedder.passage_inputs(texts)

    def embed_queries(self, texts: list[str]) -> Vectors:
        inputs = self.embedder.query_inputs(texts)
        if not self.cache_queries:
            return self.embedder.embed_inputs(inputs)
        return self.embed_inputs(inputs)

    def embed_passages(self, texts: list[str], progress: ProgressFn | None = None) -> Vectors:
        return self.embed_inputs(self.embedder.passage_inputs(texts), progress)

    def embed_inputs(self, inputs: Sequence[str], progress: ProgressFn | None = None) -> Vectors:
        dim = self.embedder.dim
        out = np.empty((len(inputs), dim), dtype=np.float32)
        if not inputs:
            return out
        try:
            found = self.cache.get_many(self.name, inputs)
        except sqlite3.Error as exc:
            logger.warning("embedding cache %s unreadable, embedding without it: %s", self.cache.path, exc)
            found = {}
        found = {i: v for i, v in found.items() if v.shape == (dim,)}
        for index, vector in found.items():
            out[index] = vector
        if found and progress is not None:
            progress(len(found))

        pending: dict[str, list[int]] = {}
        for index, text in enumerate(inputs):
            if index not in found:
                pending.setdefault(text, []).append(index)
        unique = list(pending)
        if unique:
            vectors = self.embedder.embed_inputs(unique, progress)
            for text, vector in zip(unique, vectors, strict=True):
                out[pending[text]] = vector
            duplicates = len(inputs) - len(found) - len(unique)
            if duplicates and progress is not None:
                progress(duplicates)
            try:
                self.cache.put_many(self.name, unique, vectors)
            except sqlite3.Error as exc:
                logger.warning("embedding cache %s not written (%s vectors): %s", self.cache.path, len(unique), exc)
        with self._counter_lock:
            self.hits += len(found)
            self.misses += len(inputs) - len(found)
            self.embedded += len(unique)
        logger.debug("embedder %s: %s cached, %s embedded", self.name, len(found), len(unique))
        return l2_normalize(out)

    def stats(self) -> dict[str, int]:
        with self._counter_lock:
            return {"hits": self.hits, "misses": self.misses, "embedded": self.embedded}

    def reset_stats(self) -> None:
        with self._counter_lock:
            self.hits = self.misses = self.embedded = 0
