"""The Elasticsearch index layout: mapping, index settings, and Documents to `_source` and back.

One ES document per chunk:

    id            keyword (also the `_id`)
    content       the chunk text, stored for display, not indexed
    tokens        the BM25F text: the jieba-segmented body (`meta["_tokens"]`, the same terms as the SQLite store's
                  FTS index) followed by the title terms (`meta["_title_tokens"]`) written `title_weight` times, on
                  a `whitespace`-analysed text field (Haystack's default mapping would split Chinese into single
                  characters). Repeating the title is BM25F done at index time: a title term's frequency and the
                  title's length count `title_weight` times, exactly as the embedded store scores them, and a
                  query is a plain disjunction of `term` clauses on one field, which Lucene can skip through
                  (a `combined_fields` clause per term over two fields scored every matching chunk: 2-3x slower
                  at 100k chunks). Kept in `_source` (partial updates re-index from it) but never returned.
    open_meta     the names of the closed meta fields (CLOSED_META: kind, line, case_type) whose value is not one
                  of their known values (missing, a list, anything else): filters on closed fields are run as
                  exclusions (kb.stores.elasticsearch_filters.search_clauses) and need to know which chunks are
                  outside the closed set to stay exact
    meta.*        every META_KEYS value as keyword (year/version/chunk_index integer, illustrative boolean,
                  publish_date date); other meta strings map to keyword, `_`-prefixed meta is stored only
    embedding     dense_vector, dims from the embedder, HNSW, cosine; not kept in `_source` (a search that
                  returns 100 chunks would otherwise parse 100 vectors as JSON): read back from doc values
    seq           write order (filter_documents returns documents in the order they were written)

The mapping carries `_meta.kb_schema` and `_meta.title_weight`: a store whose SCHEMA_VERSION, title weight or
embedding size differs from the index asks for `kb reindex` (which builds a new index beside the old one) instead
of writing into a mismatched index.
"""

from __future__ import annotations

import base64
import math
import time
from collections.abc import Mapping
from typing import Any

from haystack import Document
from haystack.dataclasses import ByteStream, SparseEmbedding

from kb.errors import ConfigError
from kb.models import CASE_TYPES, LINES, META_KEYS, EntryKind
from kb.stores.documents import make_document
from kb.stores.sqlite_filters import INDEX_TEXT_KEYS
from kb.stores.sqlite_fts import index_terms

SCHEMA_VERSION = 3
INTEGER_META = frozenset({"year", "version", "chunk_index"})
BOOLEAN_META = frozenset({"illustrative"})
DATE_META = frozenset({"publish_date"})
# Chunk meta written by kb.chunking beyond META_KEYS.
EXTRA_KEYWORD_META = ("section_label", "path", "heading")
# _source fields that are never returned as part of a Document.
INTERNAL_FIELDS = ("tokens", "open_meta", "seq")
# Single-valued meta fields with a closed set of values (filters on them run as exclusions, see open_meta).
CLOSED_META: dict[str, frozenset[str]] = {
    "kind": frozenset(k.value for k in EntryKind),
    "line": frozenset(LINES),
    "case_type": frozenset(CASE_TYPES),
}
MAX_TITLE_WEIGHT = 10
# Where the vectors are read from (doc values: float32, as indexed).
VECTOR_FIELDS = ["embedding"]
VECTOR_INDEX_TYPES = ("hnsw", "int8_hnsw")


def meta_properties() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in (*META_KEYS, *EXTRA_KEYWORD_META):
        if key in INTEGER_META:
            props[key] = {"type": "integer"}
        elif key in BOOLEAN_META:
            props[key] = {"type": "boolean"}
        else:
            props[key] = {"type": "keyword"}
    for key in DATE_META:
        props[key] = {"type": "date", "format": "strict_date_optional_time||yyyy-MM||yyyy", "ignore_malformed": True}
    return props


def build_mapping(
    embedding_dim: int | None,
    *,
    title_weight: int = 2,
    similarity: str = "cosine",
    vector_index_type: str = "hnsw",
) -> dict[str, Any]:
    """The index mapping (passed to ElasticsearchDocumentStore as `custom_mapping`)."""
    if vector_index_type not in VECTOR_INDEX_TYPES:
        msg = f"vector_index_type must be one of {VECTOR_INDEX_TYPES}, got {vector_index_type!r}"
        raise ValueError(msg)
    vector: dict[str, Any] = {
        "type": "dense_vector",
        "index": True,
        "similarity": similarity,
        "index_options": {"type": vector_index_type, "m": 16, "ef_construction": 100},
    }
    if embedding_dim is not None:
        vector["dims"] = embedding_dim
    text = {"type": "text", "analyzer": "whitespace", "index_options": "freqs"}
    return {
        "_meta": {"kb_schema": SCHEMA_VERSION, "embedding_dim": embedding_dim, "title_weight": title_weight},
        "_source": {"excludes": ["embedding"]},
        "date_detection": False,
        "numeric_detection": False,
        "dynamic_templates": [
            {
                "private_meta": {
                    "path_match": "meta._*",
                    "mapping": {"type": "keyword", "index": False, "doc_values": False},
                }
            },
            {
                "meta_strings": {
                    "path_match": "meta.*",
                    "match_mapping_type": "string",
                    "mapping": {"type": "keyword", "ignore_above": 8191},
                }
            },
        ],
        "properties": {
            "id": {"type": "keyword"},
            "content": {"type": "text", "index": False},
            "tokens": text,
            "open_meta": {"type": "keyword"},
            "embedding": vector,
            "blob": {"type": "object", "enabled": False},
            "sparse_embedding": {"type": "object", "enabled": False},
            "seq": {"type": "long"},
            "meta": {"type": "object", "properties": meta_properties()},
        },
    }


def index_settings(shards: int = 1) -> dict[str, Any]:
    """One shard by default: BM25 statistics are then global, as in the embedded store."""
    return {"number_of_shards": shards, "auto_expand_replicas": "0-1", "refresh_interval": "1s"}


def index_text(value: Any, doc_id: str) -> str:
    """Pre-segmented text as whitespace-separated terms, normalised exactly as the SQLite store's terms."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        text = " ".join(value)
    else:
        msg = f"Document {doc_id!r}: _tokens/_title_tokens must be a string or a list of strings"
        raise ValueError(msg)
    return " ".join(index_terms(text))


class SequenceClock:
    """Increasing write-order numbers (nanoseconds since the epoch, bumped on collisions)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now = time.time_ns()
        self._last = now if now > self._last else self._last + 1
        return self._last


def bm25f_text(body: str, title: str, title_weight: int) -> str:
    """The `tokens` field: the body terms, then the title terms `title_weight` times (BM25F at index time)."""
    return " ".join(part for part in (body, *([title] * title_weight)) if part)


def open_meta(meta: Mapping[str, Any]) -> list[str]:
    """The CLOSED_META fields whose value is not a single known value."""
    return [key for key, known in CLOSED_META.items() if not (isinstance(meta.get(key), str) and meta[key] in known)]


def to_source(doc: Document, seq: int, embedding_dim: int | None, title_weight: int = 2) -> dict[str, Any]:
    """The `_source` of one Document. Segments `content` with jieba when `_tokens` is missing."""
    meta = {k: v for k, v in doc.meta.items() if k not in INDEX_TEXT_KEYS}
    if "_tokens" in doc.meta:
        tokens = index_text(doc.meta["_tokens"], doc.id)
    elif doc.content:
        from kb.text import segment  # jieba loads only when some content needs segmenting

        tokens = index_text(segment(doc.content), doc.id)
    else:
        tokens = ""
    title = doc.meta.get("_title_tokens")
    title_terms = index_text(title, doc.id) if title else ""
    source: dict[str, Any] = {
        "id": doc.id,
        "meta": meta,
        "tokens": bm25f_text(tokens, title_terms, title_weight),
        "open_meta": open_meta(meta),
        "seq": seq,
    }
    if doc.content is not None:
        source["content"] = doc.content
    if doc.embedding is not None:
        vector = [float(x) for x in doc.embedding]
        if embedding_dim is not None and len(vector) != embedding_dim:
            msg = (
                f"向量维度不一致：索引需要 {embedding_dim} 维，文档 {doc.id} 的向量为 {len(vector)} 维；"
                "更换向量模型后请运行 kb reindex"
            )
            raise ConfigError(msg, document=doc.id)
        if not all(math.isfinite(x) for x in vector):
            msg = f"Document {doc.id!r}: embedding contains NaN or infinity"
            raise ValueError(msg)
        if any(vector):  # cosine similarity cannot index a zero vector; such a chunk is found by BM25 only
            source["embedding"] = vector
    if doc.blob is not None:
        source["blob"] = {
            "data": base64.b64encode(doc.blob.data).decode("ascii"),
            "mime_type": doc.blob.mime_type,
            "meta": doc.blob.meta,
        }
    if doc.sparse_embedding is not None:
        source["sparse_embedding"] = doc.sparse_embedding.to_dict()
    return source


def hit_vector(hit: Mapping[str, Any]) -> list[float] | None:
    """The embedding of a search hit requested with `docvalue_fields=["embedding"]`, if it has one."""
    values = (hit.get("fields") or {}).get("embedding")
    return [float(x) for x in values[0]] if values else None


def from_source(
    source: Mapping[str, Any], *, score: float | None = None, embedding: list[float] | None = None
) -> Document:
    blob = source.get("blob")
    sparse = source.get("sparse_embedding")
    return make_document(  # a search turns ~100 hits into Documents: skip Haystack's mutation tracking
        id=str(source["id"]),
        content=source.get("content"),
        meta=dict(source.get("meta") or {}),
        embedding=embedding,
        blob=ByteStream(
            data=base64.b64decode(blob["data"]), mime_type=blob.get("mime_type"), meta=blob.get("meta") or {}
        )
        if blob
        else None,
        sparse_embedding=SparseEmbedding.from_dict(sparse) if sparse else None,
        score=score,
    )
