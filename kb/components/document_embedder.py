"""Passage-side embedding of documents as a Haystack component.

Each document is embedded from `meta["_embed_text"]` when the indexer put one there (title + section + chunk), else
from its content. Documents come back as copies carrying the embedding; the inputs are not modified. The model is
shared exactly as in `KbTextEmbedder`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from haystack import Document, component, default_from_dict, default_to_dict

from kb.components.text_embedder import check_spec, describe_embedder
from kb.embedders import Embedder, get_shared_embedder

logger = logging.getLogger(__name__)

EMBED_TEXT_KEY = "_embed_text"


@component
class KbDocumentEmbedder:
    """Adds passage embeddings to documents. Output: {"documents": list[Document]}."""

    def __init__(
        self, embedder_spec: str = "e5-small", cache_path: str | None = None, embed_text_key: str = EMBED_TEXT_KEY
    ) -> None:
        """
        :param embedder_spec: "e5-small", "use-m3", "sentence-transformers:<dir or name>" or "hash[:dim]".
        :param cache_path: SQLite embedding cache file; with it, re-indexing an unchanged text costs no model call.
        :param embed_text_key: meta key holding the text to embed in place of the content.
        """
        if not embed_text_key:
            msg = "embed_text_key must be a non-empty meta key"
            raise ValueError(msg)
        self.embedder_spec = check_spec(embedder_spec, type(self).__name__)
        self.cache_path = str(cache_path) if cache_path is not None else None
        self.embed_text_key = embed_text_key
        self._embedder: Embedder | None = None

    @classmethod
    def from_embedder(cls, embedder: Embedder, embed_text_key: str = EMBED_TEXT_KEY) -> KbDocumentEmbedder:
        """A component that uses `embedder` (e.g. the application's loaded model) instead of the registry's."""
        spec, cache_path = describe_embedder(embedder)
        instance = cls(embedder_spec=spec, cache_path=cache_path, embed_text_key=embed_text_key)
        instance._embedder = embedder
        return instance

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_shared_embedder(self.embedder_spec, Path(self.cache_path) if self.cache_path else None)
        return self._embedder

    def warm_up(self) -> None:
        self.embedder.warm_up()

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self, embedder_spec=self.embedder_spec, cache_path=self.cache_path, embed_text_key=self.embed_text_key
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KbDocumentEmbedder:
        return default_from_dict(cls, data)

    def text_to_embed(self, document: Document) -> str:
        value = document.meta.get(self.embed_text_key)
        if isinstance(value, str) and value.strip():
            return value
        return document.content or ""

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        if not isinstance(documents, list) or any(not isinstance(doc, Document) for doc in documents):
            msg = "KbDocumentEmbedder expects a list of Documents; to embed a query use KbTextEmbedder"
            raise TypeError(msg)
        if not documents:
            return {"documents": []}
        vectors = self.embedder.embed_passages([self.text_to_embed(doc) for doc in documents])
        embedded = [replace(doc, embedding=vector.tolist()) for doc, vector in zip(documents, vectors, strict=True)]
        logger.debug("embedded %s documents with %s", len(embedded), self.embedder.name)
        return {"documents": embedded}
