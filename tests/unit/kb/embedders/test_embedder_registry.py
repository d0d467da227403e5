from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from embedder_fakes import CountingEmbedder

from kb.embedders import (
    CachedEmbedder,
    EmbeddingCache,
    clear_shared_embedders,
    get_shared_embedder,
    register_shared_embedder,
)
from kb.embedders.hashing import HashEmbedder
from kb.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    clear_shared_embedders()
    yield
    clear_shared_embedders()


def test_same_spec_same_instance(tmp_path: Path) -> None:
    plain = get_shared_embedder("hash")
    assert get_shared_embedder(" HASH:256 ") is plain
    cached = get_shared_embedder("hash", tmp_path / "a.sqlite3")
    assert isinstance(cached, CachedEmbedder) and cached.embedder is plain
    assert get_shared_embedder("hash", str(tmp_path / "a.sqlite3")) is cached
    other = get_shared_embedder("hash", tmp_path / "b.sqlite3")
    assert isinstance(other, CachedEmbedder) and other is not cached and other.embedder is plain
    assert get_shared_embedder("hash:32") is not plain


def test_none_and_unknown_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="向量检索已关闭"):
        get_shared_embedder("none")
    with pytest.raises(ConfigError, match="无效的向量模型配置"):
        get_shared_embedder("word2vec")


def test_registered_instance_is_shared(tmp_path: Path) -> None:
    model = CountingEmbedder()
    register_shared_embedder(model)
    assert get_shared_embedder("hash:8") is model
    cached = CachedEmbedder(HashEmbedder(dim=8), EmbeddingCache(tmp_path / "c.sqlite3"))
    register_shared_embedder(cached)
    assert get_shared_embedder("hash:8", tmp_path / "c.sqlite3") is cached
