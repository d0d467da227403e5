"""Offline text embedders (e5-small, use-m3, sentence-transformers, hash) and their persistent cache.

Importing this package loads no model: models load in `warm_up()` or on first use.
"""

from __future__ import annotations

from kb.embedders.base import Embedder, ProgressFn, Vectors, l2_normalize
from kb.embedders.cache import CachedEmbedder, EmbeddingCache
from kb.embedders.factory import DEFAULT_SPEC, DISABLED_SPEC, build_embedder, is_dense_enabled, parse_spec
from kb.embedders.registry import clear_shared_embedders, get_shared_embedder, register_shared_embedder

__all__ = [
    "DEFAULT_SPEC",
    "DISABLED_SPEC",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "ProgressFn",
    "Vectors",
    "build_embedder",
    "clear_shared_embedders",
    "get_shared_embedder",
    "is_dense_enabled",
    "l2_normalize",
    "parse_spec",
    "register_shared_embedder",
]
