"""A deterministic bag-of-words embedder with no model: for tests and CI speed only, not for retrieval quality.

Each text is segmented with `kb.text.tokenize` (the project's one analyzer), its token counts are damped
(1 + ln tf), and the resulting sparse bag-of-words vector is multiplied by a fixed Gaussian random matrix
(Johnson-Lindenstrauss): the column of token t is a standard-normal vector seeded by the BLAKE2b hash of t, so
the matrix never has to exist and every process, machine and run gets the same vectors. Cosine between two
embeddings approximates the cosine between their bags of words: texts sharing words score higher than unrelated
ones, which is all the tests need. It knows nothing about synonyms or meaning.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from kb.embedders.base import BaseEmbedder, Vectors

DEFAULT_DIM = 256
# Texts with no token at all (empty, punctuation only) still get a unit vector, the same one each time.
_EMPTY_TOKEN = "\x00empty"


@lru_cache(maxsize=100_000)
def _token_vector(token: str, dim: int) -> Vectors:
    seed = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
    vector = np.random.default_rng(seed).standard_normal(dim, dtype=np.float32)
    vector.flags.writeable = False
    return vector


class HashEmbedder(BaseEmbedder):
    """ "hash" or "hash:<dim>": bag-of-words random projection over kb.text tokens."""

    def __init__(self, *, dim: int = DEFAULT_DIM, batch_size: int = 256) -> None:
        super().__init__(batch_size=batch_size)
        if not 8 <= dim <= 4096:
            msg = f"dim must be between 8 and 4096, got {dim}"
            raise ValueError(msg)
        self._size = dim

    @property
    def name(self) -> str:
        return f"hash:{self._size}"

    def _load(self) -> int:
        return self._size

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        from kb.text import tokenize

        out = np.zeros((len(inputs), self._size), dtype=np.float32)
        for row, text in enumerate(inputs):
            counts = Counter(tokenize(text)) or Counter({_EMPTY_TOKEN: 1})
            for token, tf in counts.items():
                out[row] += (1.0 + math.log(tf)) * _token_vector(token, self._size)
        return out

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        return list(texts)

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        return list(texts)
