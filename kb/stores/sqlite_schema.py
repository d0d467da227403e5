"""Schema, connections and row conversion of the SQLite store.

Tables:

- `docs(pk, id, content, meta, score, blob, extra, title_tokens, tokens)` — one row per Document. `pk` is an
  AUTOINCREMENT key, so a key is never reused: the vector index relies on that. `tokens`/`title_tokens` hold the
  space-separated index text (kb.text.segment of the content, or the caller's `_tokens`/`_title_tokens`).
- `docs_fts(title_tokens, tokens)` — FTS5 over `docs` as an external-content table (the text is stored once, in
  `docs`), kept in step by triggers. unicode61 keeps a run of Han characters together, so jieba's segmentation
  decides what a term is.
- `terms(tid, term)` and `doc_terms(pk, body_len, title_len, postings)` — each document's term frequencies (see
  `sqlite_terms`), from which the in-memory BM25 index is built.
- `doc_vectors(pk, embedding)` — float32 little-endian vectors, apart from `docs` so loading them reads only them.
- `doc_facets(field, value, vtype, pk)` — every scalar meta value and list element; the primary key
  `(field, value, pk)` answers equality/`in` filters and facet counts, the `(pk, field, vtype)` index (which also
  holds `value`, as part of the primary key) deletes, groups, and reads a few documents' facets without a lookup.
- `kb_meta(key, value)` — schema version, embedding dimension, and a generation counter bumped by every write, which
  tells an in-memory vector index that another process changed the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from haystack import Document
from haystack.dataclasses import ByteStream, SparseEmbedding

from kb.stores.documents import make_document

SCHEMA_VERSION = "1"

TABLES = """
CREATE TABLE IF NOT EXISTS kb_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    content TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    score REAL,
    blob BLOB,
    extra TEXT,
    title_tokens TEXT NOT NULL DEFAULT '',
    tokens TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS doc_vectors (pk INTEGER PRIMARY KEY, embedding BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS doc_facets (
    field TEXT NOT NULL,
    value NOT NULL,
    vtype TEXT NOT NULL,
    pk INTEGER NOT NULL,
    PRIMARY KEY (field, value, pk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_facets_pk ON doc_facets (pk, field, vtype);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    title_tokens, tokens, content='docs', content_rowid='pk', tokenize='unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS terms (tid INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS doc_terms (
    pk INTEGER PRIMARY KEY,
    body_len INTEGER NOT NULL,
    title_len INTEGER NOT NULL,
    postings BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
    INSERT INTO docs_fts (rowid, title_tokens, tokens) VALUES (new.pk, new.title_tokens, new.tokens);
END;
CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
    INSERT INTO docs_fts (docs_fts, rowid, title_tokens, tokens)
        VALUES ('delete', old.pk, old.title_tokens, old.tokens);
    DELETE FROM doc_facets WHERE pk = old.pk;
    DELETE FROM doc_vectors WHERE pk = old.pk;
    DELETE FROM doc_terms WHERE pk = old.pk;
END;
"""

DROP_TABLES = """
DROP TRIGGER IF EXISTS docs_ai;
DROP TRIGGER IF EXISTS docs_ad;
DROP TABLE IF EXISTS docs_fts;
DROP TABLE IF EXISTS doc_terms;
DROP TABLE IF EXISTS terms;
DROP TABLE IF EXISTS doc_facets;
DROP TABLE IF EXISTS doc_vectors;
DROP TABLE IF EXISTS docs;
"""

# Columns read to build a Document; `embedding` comes from a LEFT JOIN on doc_vectors (NULL when not asked for).
DOC_COLUMNS = "d.pk, d.id, d.content, d.meta, d.score, d.blob, d.extra"


def read_generation(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT value FROM kb_meta WHERE key = 'generation'").fetchone()[0])


def split_statements(script: str) -> list[str]:
    """The statements of a DDL script (a trigger body holds semicolons, so a trigger ends at its `END;`)."""
    statements: list[str] = []
    buffer = ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        in_trigger = buffer.lstrip().upper().startswith("CREATE TRIGGER")
        stripped = line.strip().upper()
        if (in_trigger and stripped == "END;") or (not in_trigger and stripped.endswith(";")):
            statements.append(buffer.strip())
            buffer = ""
    return statements


def connect(database: str, *, read_only: bool, memory: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), usable from any thread."""
    conn = sqlite3.connect(database, check_same_thread=False, isolation_level=None, timeout=10.0)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache per connection
    if not memory:
        conn.execute("PRAGMA mmap_size = 1073741824")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        if not memory:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


@dataclass
class PreparedDocument:
    """A Document turned into column values, computed outside the write lock."""

    id: str
    content: str | None
    meta: str
    score: float | None
    blob: bytes | None
    extra: str | None
    title_tokens: str
    tokens: str
    facets: list[tuple[str, Any, str]]
    vector: bytes | None
    dim: int | None
    body_terms: Counter[str]
    title_terms: Counter[str]
    body_len: int
    title_len: int


def encode_vector(embedding: Any, doc_id: str) -> tuple[bytes, int]:
    vector = np.asarray(embedding, dtype="<f4")
    if vector.ndim != 1 or vector.size == 0:
        msg = f"Document {doc_id!r}: embedding must be a non-empty list of floats, got shape {vector.shape}"
        raise ValueError(msg)
    if not np.isfinite(vector).all():
        msg = f"Document {doc_id!r}: embedding contains NaN or infinity"
        raise ValueError(msg)
    return vector.tobytes(), int(vector.size)


def decode_vector(blob: bytes) -> list[float]:
    values: list[float] = np.frombuffer(blob, dtype="<f4").tolist()
    return values


def encode_extra(document: Document) -> tuple[bytes | None, str | None]:
    """The blob bytes and a JSON object with what else a Document carries (blob mime type/meta, sparse embedding)."""
    extra: dict[str, Any] = {}
    data: bytes | None = None
    if document.blob is not None:
        data = bytes(document.blob.data)
        extra["blob_mime_type"] = document.blob.mime_type
        extra["blob_meta"] = document.blob.meta
    if document.sparse_embedding is not None:
        extra["sparse_embedding"] = document.sparse_embedding.to_dict()
    return data, (json.dumps(extra, ensure_ascii=False) if extra else None)


def row_to_document(row: tuple[Any, ...], *, score: float | None = None, with_score: bool = False) -> Document:
    """A Document from (pk, id, content, meta, score, blob, extra, embedding)."""
    _pk, doc_id, content, meta_json, stored_score, blob_data, extra_json, embedding = row
    blob = sparse = None
    if extra_json:
        extra = json.loads(extra_json)
        if blob_data is not None:
            blob = ByteStream(data=blob_data, meta=extra.get("blob_meta") or {}, mime_type=extra.get("blob_mime_type"))
        if extra.get("sparse_embedding"):
            sparse = SparseEmbedding.from_dict(extra["sparse_embedding"])
    return make_document(
        id=doc_id,
        content=content,
        blob=blob,
        meta=json.loads(meta_json),
        score=score if with_score else stored_score,
        embedding=decode_vector(embedding) if embedding is not None else None,
        sparse_embedding=sparse,
    )
