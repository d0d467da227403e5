"""Any sentence-transformers model from a local directory (or the local Hugging Face cache): the production path.

Needs the optional extra `st` (sentence-transformers and torch), imported only when the model loads. Hub access is
off by default: HF_HUB_OFFLINE=1 and TRANSFORMERS_OFFLINE=1 are set unless the operator set them, and the model is
opened with `local_files_only` while HF_HUB_OFFLINE is on. A deployment that can reach a model mirror sets
HF_HUB_OFFLINE=0 (and HF_ENDPOINT) explicitly.

Query and passage prompts come from the model's own configuration (`prompts` "query" and "document"/"passage" in
config_sentence_transformers.json, as bge and e5 models declare them). The prompt is part of the model input, so it
is part of the cache key. The model's tokenizer truncates at its `max_seq_length`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy.typing as npt

from kb.embedders.base import BaseEmbedder
from kb.errors import EmbedderUnavailable

_TRUTHY = {"1", "true", "yes", "on"}


class SentenceTransformersEmbedder(BaseEmbedder):
    """ "sentence-transformers:<model dir or name>", named "st:<model dir or name>"."""

    def __init__(self, model: str, *, device: str = "cpu", batch_size: int = 32) -> None:
        super().__init__(batch_size=batch_size)
        if not model.strip():
            msg = "model must be a model directory or name, got an empty string"
            raise ValueError(msg)
        self.model = model.strip()
        self.device = device
        self._model: Any = None
        self._query_prompt = ""
        self._passage_prompt = ""

    @property
    def name(self) -> str:
        return f"st:{self.model}"

    def _load(self) -> int:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        offline = os.environ["HF_HUB_OFFLINE"].strip().lower() in _TRUTHY
        # "BAAI/bge-small-zh-v1.5" is a hub name (looked up in the local cache); "/srv/models/bge" or "./bge" a path.
        location = os.path.expanduser(self.model)
        if self.model.startswith(("/", ".", "~")) and not Path(location).is_dir():
            detail = f"sentence-transformers 模型目录不存在：{self.model}"
            raise EmbedderUnavailable(detail, embedder=self.name)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            detail = f"未安装 sentence-transformers，无法加载向量模型 {self.model}：请安装可选依赖 pip install 'kb[st]'"
            raise EmbedderUnavailable(detail, embedder=self.name) from exc
        try:
            model = SentenceTransformer(location, device=self.device, local_files_only=offline)
        except Exception as exc:
            where = "（离线模式：只读本地目录和本地缓存）" if offline else ""
            detail = f"无法加载 sentence-transformers 模型 {self.model}{where}：{exc}"
            raise EmbedderUnavailable(detail, embedder=self.name) from exc
        prompts: dict[str, str] = dict(getattr(model, "prompts", None) or {})
        self._query_prompt = prompts.get("query", "")
        self._passage_prompt = prompts.get("document") or prompts.get("passage") or ""
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            detail = f"无法确定 sentence-transformers 模型 {self.model} 的向量维度"
            raise EmbedderUnavailable(detail, embedder=self.name)
        self._model = model
        return int(dim)

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        # prompt="" because the prompt is already in the inputs (and a default_prompt_name must not add another).
        return self._model.encode(  # type: ignore[no-any-return]
            inputs,
            prompt="",
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def query_inputs(self, texts: Sequence[str]) -> list[str]:
        self.warm_up()
        return [self._query_prompt + text for text in texts]

    def passage_inputs(self, texts: Sequence[str]) -> list[str]:
        self.warm_up()
        return [self._passage_prompt + text for text in texts]
