"""Fakes shared by the embedder tests (a plain module: pytest puts this folder on sys.path)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from kb.embedders.base import BaseEmbedder


class CountingEmbedder(BaseEmbedder):
    """A tiny deterministic embedder that records every input it is asked to embed.

    Its name is a valid spec ("hash:8") so it can stand in wherever a spec is derived from the name.
    """

    def __init__(self, *, batch_size: int = 4) -> None:
        super().__init__(batch_size=batch_size)
        self.calls: list[list[str]] = []
        self.loads = 0

    @property
    def name(self) -> str:
        return "hash:8"

    @property
    def embedded(self) -> list[str]:
        return [text for call in self.calls for text in call]

    def _load(self) -> int:
        self.loads += 1
        return 8

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        self.calls.append(list(inputs))
        out = np.zeros((len(inputs), 8), dtype=np.float32)
        for row, text in enumerate(inputs):
            for ch in text:
                out[row, ord(ch) % 8] += 1.0
            out[row, 7] += 0.5  # never all-zero
        return out * 3.0  # deliberately not normalised: the base class must do it

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        return ["q:" + text for text in texts]

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        return ["p:" + text for text in texts]
