from __future__ import annotations

import pytest

from kb.embedders import build_embedder, is_dense_enabled, parse_spec
from kb.embedders.base import Embedder
from kb.embedders.e5 import E5Embedder
from kb.embedders.hashing import HashEmbedder
from kb.embedders.use import UseEmbedder
from kb.errors import ConfigError, EmbedderUnavailable


@pytest.mark.parametrize(
    ("spec", "cls", "name"),
    [
        ("e5-small", E5Embedder, "e5-small"),
        ("  E5-Small ", E5Embedder, "e5-small"),
        ("use-m3", UseEmbedder, "use-m3"),
        ("hash", HashEmbedder, "hash:256"),
        ("hash:64", HashEmbedder, "hash:64"),
    ],
)
def test_build_known_specs(spec: str, cls: type, name: str) -> None:
    embedder = build_embedder(spec)
    assert isinstance(embedder, cls)
    assert embedder is not None and embedder.name == name
    typed: Embedder = embedder  # structural conformance, checked by mypy
    assert typed is embedder


def test_build_loads_nothing() -> None:
    embedder = build_embedder("e5-small")
    assert isinstance(embedder, E5Embedder)
    assert embedder._model is None


def test_none_disables_dense_search() -> None:
    assert build_embedder("none") is None
    assert build_embedder(" NONE ") is None
    assert not is_dense_enabled("none")
    assert is_dense_enabled("e5-small")


@pytest.mark.parametrize("spec", ["", "e5", "bge-m3", "openai", "hash:3", "hash:x", "sentence-transformers:", "st:  "])
def test_invalid_spec_raises_config_error_in_chinese(spec: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_embedder(spec)
    detail = info.value.detail
    assert "无效的向量模型配置" in detail
    for valid in ("e5-small", "use-m3", "sentence-transformers:", "hash", "none"):
        assert valid in detail
    assert info.value.context["value"] == spec


def test_sentence_transformers_spec_keeps_target_case() -> None:
    parsed = parse_spec("Sentence-Transformers: /srv/Models/BGE ")
    assert (parsed.kind, parsed.target, parsed.canonical) == ("st", "/srv/Models/BGE", "st:/srv/Models/BGE")
    assert parse_spec("st:BAAI/bge-small-zh-v1.5").canonical == "st:BAAI/bge-small-zh-v1.5"


def test_sentence_transformers_without_extra_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real_find_spec(name, *a),
    )
    with pytest.raises(EmbedderUnavailable) as info:
        build_embedder("sentence-transformers:/models/bge")
    assert "kb[st]" in info.value.detail


@pytest.mark.parametrize("spec", ["e5-small", "use-m3", "hash", "hash:32"])
def test_names_are_specs(spec: str) -> None:
    embedder = build_embedder(spec)
    assert embedder is not None
    rebuilt = build_embedder(embedder.name)
    assert rebuilt is not None and rebuilt.name == embedder.name
