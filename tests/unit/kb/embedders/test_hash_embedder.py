from __future__ import annotations

import numpy as np
import pytest

from kb.embedders.hashing import HashEmbedder, _token_vector


def test_deterministic_across_instances_and_token_cache() -> None:
    texts = ["张某盗窃他人财物，数额较大", "检察机关依法作出不起诉决定"]
    first = HashEmbedder().embed_passages(texts)
    _token_vector.cache_clear()
    second = HashEmbedder().embed_passages(texts)
    np.testing.assert_array_equal(first, second)
    # queries and passages share one space (no prefix)
    np.testing.assert_array_equal(HashEmbedder().embed_queries(texts[:1]), first[:1])


def test_similar_texts_score_higher_than_unrelated() -> None:
    embedder = HashEmbedder()
    passages = embedder.embed_passages([
        "被告人张某秘密窃取超市商品，数额较大，其行为构成盗窃罪。",
        "某县环境保护局怠于履行监管职责，检察机关向其发出诉前检察建议。",
        "李某醉酒驾驶机动车，血液酒精含量达到醉酒标准，构成危险驾驶罪。",
    ])
    scores = passages @ embedder.embed_queries(["盗窃超市商品 数额较大"])[0]
    assert scores.argmax() == 0
    assert scores[0] > 0.3 > max(scores[1], scores[2])
    assert (passages @ embedder.embed_queries(["醉酒驾驶机动车"])[0]).argmax() == 2


def test_unit_length_shape_and_empty_text() -> None:
    embedder = HashEmbedder(dim=32)
    vectors = embedder.embed_passages(["", "，。！", "盗窃"])
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[1])  # both have no token: the same fixed vector
    assert embedder.name == "hash:32" and embedder.dim == 32


def test_dim_is_checked() -> None:
    with pytest.raises(ValueError, match="dim"):
        HashEmbedder(dim=4)
