from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from embedder_fakes import CountingEmbedder

from kb.embedders import CachedEmbedder, Embedder, EmbeddingCache
from kb.embedders.cache import LOOKUP_CHUNK, text_key
from kb.errors import ConfigError


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[EmbeddingCache]:
    with EmbeddingCache(tmp_path / "sub" / "emb.sqlite3") as opened:
        yield opened


def _vectors(n: int, dim: int = 4, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def test_put_and_get_round_trip(cache: EmbeddingCache) -> None:
    vectors = _vectors(3)
    cache.put_many("m", ["甲", "乙", "丙"], vectors)
    found = cache.get_many("m", ["乙", "丁", "甲", "乙"])
    assert sorted(found) == [0, 2, 3]
    np.testing.assert_array_equal(found[0], vectors[1])
    np.testing.assert_array_equal(found[2], vectors[0])
    np.testing.assert_array_equal(found[3], vectors[1])
    assert found[0].dtype == np.float32


def test_models_are_separate_and_keys_are_exact(cache: EmbeddingCache) -> None:
    cache.put_many("e5-small", ["passage: 甲"], _vectors(1))
    assert cache.get_many("use-m3", ["passage: 甲"]) == {}
    assert cache.get_many("e5-small", ["query: 甲", "passage: 甲 ", "passage: 甲"]).keys() == {2}
    assert text_key("passage: 甲") != text_key("query: 甲")
    assert len(text_key("x")) == 32


def test_put_replaces_and_counts(cache: EmbeddingCache) -> None:
    cache.put_many("m", ["a", "b"], _vectors(2, seed=1))
    newer = _vectors(1, seed=2)
    cache.put_many("m", ["a"], newer)
    np.testing.assert_array_equal(cache.get_many("m", ["a"])[0], newer[0])
    cache.put_many("n", ["a"], _vectors(1, dim=8))
    assert (cache.count(), cache.count("m"), cache.count("n")) == (3, 2, 1)


def test_lookups_larger_than_one_chunk(cache: EmbeddingCache) -> None:
    texts = [f"第{i}段" for i in range(LOOKUP_CHUNK * 2 + 37)]
    vectors = _vectors(len(texts))
    cache.put_many("m", texts, vectors)
    found = cache.get_many("m", [*texts, "未缓存"])
    assert len(found) == len(texts)
    np.testing.assert_array_equal(np.stack([found[i] for i in range(len(texts))]), vectors)


def test_persists_across_reopen_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "emb.sqlite3"
    with EmbeddingCache(path) as first:
        first.put_many("m", ["甲"], _vectors(1))
    with EmbeddingCache(path) as second:
        assert second.get_many("m", ["甲"]).keys() == {0}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_put_checks_vector_count(cache: EmbeddingCache) -> None:
    with pytest.raises(ValueError, match="expected 2 vectors"):
        cache.put_many("m", ["a", "b"], _vectors(3))


def test_threads_share_one_cache(cache: EmbeddingCache) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for round_ in range(20):
                texts = [f"{worker}-{round_}-{i}" for i in range(10)]
                cache.put_many("m", texts, _vectors(10, seed=worker))
                assert len(cache.get_many("m", texts)) == 10
        except BaseException as exc:  # re-raised in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert cache.count("m") == 4 * 20 * 10


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "emb.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="无法打开向量缓存文件"):
        EmbeddingCache(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "emb.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version=99")
    with pytest.raises(ConfigError, match="版本为 99"):
        EmbeddingCache(path)


# --- CachedEmbedder -----------------------------------------------------------------------------------------------


def test_cached_embedder_is_an_embedder(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached: Embedder = CachedEmbedder(counting, cache)  # structural conformance, checked by mypy
    assert (cached.name, cached.dim) == ("hash:8", 8)


def test_second_pass_embeds_nothing(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache)
    texts = ["甲乙", "丙丁", "戊己"]
    first = cached.embed_passages(texts)
    assert counting.embedded == ["p:甲乙", "p:丙丁", "p:戊己"]
    assert cached.stats() == {"hits": 0, "misses": 3, "embedded": 3}
    second = cached.embed_passages(texts)
    assert len(counting.embedded) == 3
    assert cached.stats() == {"hits": 3, "misses": 3, "embedded": 3}
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(second, axis=1), 1.0, rtol=1e-6)


def test_only_changed_texts_are_embedded(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache)
    cached.embed_passages(["一", "二", "三"])
    counting.calls.clear()
    vectors = cached.embed_passages(["一", "二（修订）", "三", "四"])
    assert counting.embedded == ["p:四", "p:二（修订）"] or sorted(counting.embedded) == ["p:二（修订）", "p:四"]
    np.testing.assert_array_equal(vectors[1], counting.embed_passages(["二（修订）"])[0])


def test_reingest_in_a_new_process_never_reembeds(tmp_path: Path) -> None:
    path = tmp_path / "emb.sqlite3"
    chunks = [f"第{i}条 检察机关应当依法履职" for i in range(25)]
    run1 = CountingEmbedder()
    with EmbeddingCache(path) as cache:
        CachedEmbedder(run1, cache).embed_passages(chunks)
    assert len(run1.embedded) == 25
    run2 = CountingEmbedder()  # a fresh model and a fresh connection, as after a restart
    with EmbeddingCache(path) as cache:
        cached = CachedEmbedder(run2, cache)
        cached.embed_passages(chunks)
    assert run2.embedded == []
    assert cached.hits == 25 and cached.embedded == 0


def test_duplicates_in_one_call_are_embedded_once(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache)
    steps: list[int] = []
    vectors = cached.embed_passages(["同", "异", "同", "同"], progress=steps.append)
    assert sorted(counting.embedded) == ["p:同", "p:异"]
    assert sum(steps) == 4
    np.testing.assert_array_equal(vectors[0], vectors[3])
    assert cached.stats() == {"hits": 0, "misses": 4, "embedded": 2}


def test_progress_includes_hits(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache)
    cached.embed_passages(["a", "b"])
    steps: list[int] = []
    cached.embed_passages(["a", "b", "c", "d", "e", "f", "g"], progress=steps.append)
    assert steps == [2, 4, 1]


def test_queries_and_passages_do_not_collide(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache)
    cached.embed_passages(["盗窃"])
    cached.embed_queries(["盗窃"])
    assert counting.embedded == ["p:盗窃", "q:盗窃"]
    cached.embed_queries(["盗窃"])
    assert len(counting.embedded) == 2


def test_queries_can_bypass_the_cache(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cached = CachedEmbedder(counting, cache, cache_queries=False)
    cached.embed_queries(["盗窃"])
    cached.embed_queries(["盗窃"])
    assert counting.embedded == ["q:盗窃", "q:盗窃"]
    assert cache.count() == 0


def test_wrong_dimension_in_cache_is_a_miss(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    cache.put_many("hash:8", ["p:甲"], _vectors(1, dim=5))
    CachedEmbedder(counting, cache).embed_passages(["甲"])
    assert counting.embedded == ["p:甲"]
    assert cache.get_many("hash:8", ["p:甲"])[0].shape == (8,)


def test_broken_cache_is_bypassed(
    counting: CountingEmbedder, cache: EmbeddingCache, caplog: pytest.LogCaptureFixture
) -> None:
    cached = CachedEmbedder(counting, cache)
    cache.close()
    vectors = cached.embed_passages(["甲", "乙"])
    assert vectors.shape == (2, 8)
    assert len(counting.embedded) == 2
    assert "unreadable" in caplog.text and "not written" in caplog.text


def test_empty_input(counting: CountingEmbedder, cache: EmbeddingCache) -> None:
    assert CachedEmbedder(counting, cache).embed_passages([]).shape == (0, 8)
    assert counting.calls == []
