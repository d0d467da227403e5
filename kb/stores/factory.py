"""Build the configured search index and its two retriever components."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.config import Settings


@dataclass
class IndexBackend:
    store: Any  # a Haystack DocumentStore with replace_documents, facet_counts, bm25/embedding retrieval
    bm25_retriever: Any
    embedding_retriever: Any


def build_index_backend(settings: Settings, *, embedding_dim: int | None) -> IndexBackend:
    if settings.store == "elasticsearch":
        from kb.stores.elasticsearch import build_es_backend

        backend: IndexBackend = build_es_backend(settings, embedding_dim=embedding_dim)
        return backend
    from kb.components.sqlite_bm25_retriever import SqliteBm25Retriever
    from kb.components.sqlite_embedding_retriever import SqliteEmbeddingRetriever
    from kb.stores.sqlite import SqliteDocumentStore

    settings.home.mkdir(parents=True, exist_ok=True)
    store = SqliteDocumentStore(settings.index_path, embedding_dim=embedding_dim)
    return IndexBackend(
        store=store,
        bm25_retriever=SqliteBm25Retriever(document_store=store),
        embedding_retriever=SqliteEmbeddingRetriever(document_store=store),
    )
