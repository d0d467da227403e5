"""use-m3's load cache: a restored model gives the original vectors, and a bad cache never breaks loading."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from kb.embedders import use_load_cache
from kb.embedders.use import UseEmbedder

TEXTS = [
    "未成年人盗窃附条件不起诉",
    "掩饰、隐瞒犯罪所得罪 \uff21\uff22\uff23\u3000\uff11\uff12万元",
    "  \t混合 English 与中文！ ",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return UseEmbedder().embed_passages(TEXTS)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models")
    UseEmbedder(load_cache_dir=folder).warm_up()  # first load writes the cache
    return folder


def _entry(folder: Path) -> Path:
    (entry,) = [p for p in folder.iterdir() if p.name.startswith("use-m3-")]
    return entry


def test_first_load_writes_one_complete_cache_entry(cache_dir: Path) -> None:
    entry = _entry(cache_dir)
    assert entry.name == f"use-m3-{use_load_cache.cache_key()}"
    assert {p.name for p in entry.iterdir()} == {"tokenizer.marshal", "backend.npz", "backend.json", "probe.npy"}
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_cached_model_gives_the_same_vectors(cache_dir: Path, reference: np.ndarray) -> None:
    restored = use_load_cache.load(cache_dir, threads=1)
    assert restored is not None
    embedder = UseEmbedder(load_cache_dir=cache_dir)
    embedder.warm_up()
    assert np.array_equal(embedder.embed_passages(TEXTS), reference)


def test_damaged_cache_is_ignored_and_the_model_still_loads(
    tmp_path: Path, reference: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    UseEmbedder(load_cache_dir=tmp_path).warm_up()
    entry = _entry(tmp_path)
    (entry / "tokenizer.marshal").write_bytes(b"\x00not marshal data")
    with caplog.at_level(logging.WARNING):
        assert use_load_cache.load(tmp_path, threads=1) is None
    assert "unusable" in caplog.text
    embedder = UseEmbedder(load_cache_dir=tmp_path)
    assert np.array_equal(embedder.embed_passages(TEXTS), reference)


def test_cache_that_does_not_reproduce_the_model_is_rejected(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    UseEmbedder(load_cache_dir=tmp_path).warm_up()
    probe = _entry(tmp_path) / "probe.npy"
    np.save(probe, np.load(probe) + 0.5)
    with caplog.at_level(logging.WARNING):
        assert use_load_cache.load(tmp_path, threads=1) is None
    assert "does not reproduce" in caplog.text


def test_unwritable_folder_only_costs_the_speed_up(tmp_path: Path, reference: np.ndarray) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    embedder = UseEmbedder(load_cache_dir=blocker / "models")
    assert np.array_equal(embedder.embed_passages(TEXTS), reference)


def test_missing_cache_loads_nothing(tmp_path: Path) -> None:
    assert use_load_cache.load(tmp_path / "absent", threads=1) is None


def test_key_changes_with_the_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = use_load_cache.cache_key()
    monkeypatch.setattr(use_load_cache.metadata, "version", lambda name: "99.0")
    assert use_load_cache.cache_key() != before
