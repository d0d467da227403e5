from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from haystack import Pipeline
from haystack.core.serialization_security import allow_deserialization_module

from kb.components.text_embedder import KbTextEmbedder
from kb.embedders import CachedEmbedder, EmbeddingCache, clear_shared_embedders, get_shared_embedder
from kb.embedders.hashing import HashEmbedder
from kb.errors import ConfigError


@pytest.fixture(autouse=True)
def _clean_registry() -> Iterator[None]:
    clear_shared_embedders()
    yield
    clear_shared_embedders()


def test_to_dict() -> None:
    component = KbTextEmbedder(embedder_spec="hash:32", cache_path="/var/kb/embeddings.sqlite3")
    assert component.to_dict() == {
        "type": "kb.components.text_embedder.KbTextEmbedder",
        "init_parameters": {"embedder_spec": "hash:32", "cache_path": "/var/kb/embeddings.sqlite3"},
    }


def test_from_dict() -> None:
    data = {
        "type": "kb.components.text_embedder.KbTextEmbedder",
        "init_parameters": {"embedder_spec": "use-m3", "cache_path": None},
    }
    component = KbTextEmbedder.from_dict(data)
    assert (component.embedder_spec, component.cache_path) == ("use-m3", None)


def test_defaults() -> None:
    component = KbTextEmbedder()
    assert (component.embedder_spec, component.cache_path) == ("e5-small", None)


@pytest.mark.parametrize(("spec", "message"), [("none", "向量检索已关闭"), ("glove", "无效的向量模型配置")])
def test_bad_spec_is_a_config_error(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        KbTextEmbedder(embedder_spec=spec)


def test_run_embeds_the_query(tmp_path: Path) -> None:
    component = KbTextEmbedder(embedder_spec="hash:32", cache_path=str(tmp_path / "emb.sqlite3"))
    component.warm_up()
    result = component.run(text="盗窃罪 数额较大")
    embedding = result["embedding"]
    assert isinstance(embedding, list) and len(embedding) == 32 and isinstance(embedding[0], float)
    assert np.linalg.norm(embedding) == pytest.approx(1.0, rel=1e-6)
    expected = HashEmbedder(dim=32).embed_queries(["盗窃罪 数额较大"])[0]
    np.testing.assert_allclose(embedding, expected, rtol=1e-6)


def test_run_rejects_non_strings() -> None:
    with pytest.raises(TypeError, match="KbDocumentEmbedder"):
        KbTextEmbedder(embedder_spec="hash").run(text=["not", "a", "string"])  # type: ignore[arg-type]


def test_components_share_the_registry_model(tmp_path: Path) -> None:
    path = str(tmp_path / "emb.sqlite3")
    first = KbTextEmbedder(embedder_spec="hash", cache_path=path)
    second = KbTextEmbedder.from_dict(first.to_dict())
    assert first.embedder is second.embedder is get_shared_embedder("hash", path)


def test_from_embedder_uses_the_given_instance(tmp_path: Path) -> None:
    cached = CachedEmbedder(HashEmbedder(dim=16), EmbeddingCache(tmp_path / "own.sqlite3"))
    component = KbTextEmbedder.from_embedder(cached)
    assert component.embedder is cached
    assert component.to_dict()["init_parameters"] == {
        "embedder_spec": "hash:16",
        "cache_path": str(tmp_path / "own.sqlite3"),
    }
    component.run(text="醉驾")
    assert cached.stats()["embedded"] == 1


def test_pipeline_yaml_round_trip() -> None:
    allow_deserialization_module("kb.*")
    pipeline = Pipeline()
    pipeline.add_component("query_embedder", KbTextEmbedder(embedder_spec="hash:32"))
    restored = Pipeline.loads(pipeline.dumps())
    result = restored.run({"query_embedder": {"text": "非法拘禁"}})
    assert len(result["query_embedder"]["embedding"]) == 32
