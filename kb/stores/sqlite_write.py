"""The write side of the SQLite store: documents to column values, and the inserts/deletes of one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from kb.errors import ConfigError
from kb.stores import sqlite_fts as fts
from kb.stores.sqlite_filters import INDEX_TEXT_KEYS, SqlClause, iter_facets
from kb.stores.sqlite_schema import PreparedDocument, encode_extra, encode_vector
from kb.stores.sqlite_terms import encode_postings


@dataclass
class Delta:
    """What a committed write changed, for the in-memory indexes."""

    removed: list[int] = field(default_factory=list)
    vector_keys: list[int] = field(default_factory=list)
    vectors: list[bytes] = field(default_factory=list)
    term_rows: list[tuple[int, int, int, bytes]] = field(default_factory=list)
    cleared: bool = False
    generation: int = 0


def prepare_documents(documents: Sequence[Document]) -> list[PreparedDocument]:
    """Column values for each document, computed before taking the write lock (segmenting is the slow part)."""
    if not isinstance(documents, list | tuple) or any(not isinstance(d, Document) for d in documents):
        msg = "Please provide a list of Documents."
        raise ValueError(msg)
    prepared: list[PreparedDocument] = []
    for doc in documents:
        meta = {k: v for k, v in doc.meta.items() if k not in INDEX_TEXT_KEYS}
        if "_tokens" in doc.meta:
            tokens = index_text(doc.meta["_tokens"], doc.id)
        elif doc.content:
            from kb.text import segment  # jieba loads only when some content needs segmenting

            tokens = segment(doc.content)
        else:
            tokens = ""
        title_tokens = index_text(doc.meta.get("_title_tokens", ""), doc.id)
        body_terms, title_terms = fts.index_terms(tokens), fts.index_terms(title_tokens)
        vector, dim = encode_vector(doc.embedding, doc.id) if doc.embedding is not None else (None, None)
        blob, extra = encode_extra(doc)
        prepared.append(
            PreparedDocument(
                id=doc.id,
                content=doc.content,
                meta=dump_meta(meta, doc.id),
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


def check_dim(
    conn: sqlite3.Connection, prepared: Sequence[PreparedDocument], *, embedding_dim: int | None, path: str
) -> None:
    dims = {p.dim for p in prepared if p.dim is not None}
    if not dims:
        return
    stored = stored_dim(conn)
    expected = stored if stored is not None else embedding_dim
    if len(dims) > 1 or (expected is not None and dims != {expected}):
        found = "、".join(str(d) for d in sorted(dims))
        want = expected if expected is not None else sorted(dims)[0]
        msg = f"向量维度不一致：索引 {path} 需要 {want} 维，收到 {found} 维；更换向量模型后请运行 kb reindex"
        raise ConfigError(msg, path=path)
    if stored is None:
        conn.execute("INSERT OR REPLACE INTO kb_meta VALUES ('embedding_dim', ?)", (str(dims.pop()),))


def insert_documents(
    conn: sqlite3.Connection,
    delta: Delta,
    prepared: list[PreparedDocument],
    policy: DuplicatePolicy,
    *,
    embedding_dim: int | None,
    path: str,
) -> int:
    """Insert prepared documents, applying the duplicate policy (NONE means FAIL); returns how many were written."""
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
    check_dim(conn, docs, embedding_dim=embedding_dim, path=path)
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
    tid_of = term_ids(conn, {t for _, p in keyed for t in (*p.body_terms, *p.title_terms)})
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


def term_ids(conn: sqlite3.Connection, terms: set[str]) -> dict[str, int]:
    if not terms:
        return {}
    payload = json.dumps(sorted(terms), ensure_ascii=False)
    conn.execute("INSERT OR IGNORE INTO terms (term) SELECT value FROM json_each(?)", (payload,))
    rows = conn.execute("SELECT term, tid FROM terms WHERE term IN (SELECT value FROM json_each(?))", (payload,))
    return dict(rows.fetchall())


def delete_where(conn: sqlite3.Connection, delta: Delta, clause: SqlClause) -> int:
    rows = conn.execute(
        f"DELETE FROM docs WHERE pk IN (SELECT d.pk FROM docs AS d WHERE {clause.sql}) RETURNING pk",
        clause.params,
    ).fetchall()
    delta.removed.extend(r[0] for r in rows)
    return len(rows)


def stored_dim(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT value FROM kb_meta WHERE key = 'embedding_dim'").fetchone()
    return int(row[0]) if row else None


def index_text(value: Any, doc_id: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    msg = f"Document {doc_id!r}: _tokens/_title_tokens must be a string or a list of strings"
    raise ValueError(msg)


def dump_meta(meta: dict[str, Any], doc_id: str) -> str:
    try:
        return json.dumps(meta, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        msg = f"Document {doc_id!r}: meta must be JSON-serialisable ({exc})"
        raise ValueError(msg) from exc
