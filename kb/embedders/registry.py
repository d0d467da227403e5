"""One loaded model per process, whoever asks for it.

The API, the indexing pipeline and the search pipeline all need the same embedder, and a model must be loaded
once, not once per Haystack component. `get_shared_embedder(spec, cache_path)` returns the same instance for the
same (spec, cache file): the model is built once per canonical spec, the cache opened once per file, and the
cached wrapper built once per pair. Components built from YAML (`from_dict`) go through it too, so they share the
model the application already loaded.
"""

from __future__ import annotations

import threading
from pathlib import Path

from kb.embedders.base import Embedder
from kb.embedders.cache import CachedEmbedder, EmbeddingCache
from kb.embedders.factory import build_embedder, parse_spec
from kb.errors import ConfigError

_lock = threading.Lock()
_models: dict[str, Embedder] = {}
_caches: dict[str, EmbeddingCache] = {}
_wrapped: dict[tuple[str, str], Embedder] = {}


def _cache_key(cache_path: str | Path) -> str:
    return str(cache_path) if str(cache_path) == ":memory:" else str(Path(cache_path).resolve())


def get_shared_embedder(spec: str, cache_path: str | Path | None = None) -> Embedder:
    """The process-wide embedder for `spec`, wrapped in the cache at `cache_path` when one is given.

    Raises ConfigError for an invalid spec or for "none" (there is nothing to share when dense search is off).
    """
    parsed = parse_spec(spec)
    if parsed.kind == "none":
        detail = "向量检索已关闭（embedder = none），不能创建向量模型"
        raise ConfigError(detail, setting="embedder", value=spec)
    with _lock:
        model = _models.get(parsed.canonical)
        if model is None:
            built = build_embedder(spec)
            assert built is not None
            model = _models[parsed.canonical] = built
        if cache_path is None:
            return model
        path_key = _cache_key(cache_path)
        wrapped = _wrapped.get((parsed.canonical, path_key))
        if wrapped is None:
            cache = _caches.get(path_key)
            if cache is None:
                cache = _caches[path_key] = EmbeddingCache(cache_path)
            wrapped = _wrapped[(parsed.canonical, path_key)] = CachedEmbedder(model, cache)
        return wrapped


def register_shared_embedder(embedder: Embedder) -> None:
    """Make `embedder` the shared instance for its name, e.g. one built with non-default options.

    A CachedEmbedder is registered for its cache file, and the model inside it for the bare spec.
    """
    canonical = parse_spec(embedder.name).canonical
    with _lock:
        if isinstance(embedder, CachedEmbedder):
            path_key = _cache_key(embedder.cache.path)
            _caches.setdefault(path_key, embedder.cache)
            _wrapped[(canonical, path_key)] = embedder
            _models[canonical] = embedder.embedder
        else:
            _models[canonical] = embedder


def clear_shared_embedders() -> None:
    """Forget every shared embedder and close the caches (tests, or a settings reload)."""
    with _lock:
        for cache in _caches.values():
            cache.close()
        _models.clear()
        _caches.clear()
        _wrapped.clear()
