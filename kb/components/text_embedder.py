"""Query-side embedding as a Haystack component.

The model is not owned by the component: `warm_up()` takes the process-wide instance from
`kb.embedders.get_shared_embedder(embedder_spec, cache_path)`, so every component and the application share one
loaded model. `KbTextEmbedder.from_embedder(instance)` uses an instance the caller already holds instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from haystack import component, default_from_dict, default_to_dict

from kb.embedders import CachedEmbedder, Embedder, get_shared_embedder, parse_spec
from kb.errors import ConfigError


def check_spec(spec: str, component_name: str) -> str:
    """Validate a spec for an embedding component: ConfigError for an unknown spec and for "none"."""
    if parse_spec(spec).kind == "none":
        detail = f"向量检索已关闭（embedder = none），不应创建 {component_name}：请在管道中省略向量检索分支"
        raise ConfigError(detail, setting="embedder", value=spec)
    return spec


def describe_embedder(embedder: Embedder) -> tuple[str, str | None]:
    """(spec, cache path) that rebuild an equivalent embedder through the shared registry."""
    cache_path = str(embedder.cache.path) if isinstance(embedder, CachedEmbedder) else None
    return embedder.name, cache_path


@component
class KbTextEmbedder:
    """Embeds one query with the query prefix. Output: {"embedding": list[float]} (L2-normalised)."""

    def __init__(self, embedder_spec: str = "e5-small", cache_path: str | None = None) -> None:
        """
        :param embedder_spec: "e5-small", "use-m3", "sentence-transformers:<dir or name>" or "hash[:dim]".
        :param cache_path: SQLite embedding cache file; None embeds every query afresh.
        """
        self.embedder_spec = check_spec(embedder_spec, type(self).__name__)
        self.cache_path = str(cache_path) if cache_path is not None else None
        self._embedder: Embedder | None = None

    @classmethod
    def from_embedder(cls, embedder: Embedder) -> KbTextEmbedder:
        """A component that uses `embedder` (e.g. the application's loaded model) instead of the registry's."""
        spec, cache_path = describe_embedder(embedder)
        instance = cls(embedder_spec=spec, cache_path=cache_path)
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
        return default_to_dict(self, embedder_spec=self.embedder_spec, cache_path=self.cache_path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KbTextEmbedder:
        return default_from_dict(cls, data)

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict[str, list[float]]:
        if not isinstance(text, str):
            msg = f"KbTextEmbedder expects a string; to embed documents use KbDocumentEmbedder (got {type(text)})"
            raise TypeError(msg)
        vector = self.embedder.embed_queries([text])[0]
        return {"embedding": vector.tolist()}
