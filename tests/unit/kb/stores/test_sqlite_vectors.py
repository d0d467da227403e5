"""kb.stores.sqlite_vectors: the parallel score product and the remembered filter positions."""

from __future__ import annotations

import numpy as np

from kb.stores import sqlite_vectors
from kb.stores.sqlite_vectors import VectorIndex, dot_rows


def test_block_parallel_scores_equal_the_plain_product() -> None:
    rng = np.random.default_rng(3)
    rows = rng.standard_normal((sqlite_vectors._PARALLEL_ROWS + 1001, 16)).astype(np.float32)
    query = rng.standard_normal(16).astype(np.float32)
    assert np.allclose(dot_rows(rows, query), rows @ query, atol=1e-5)
    assert np.allclose(dot_rows(rows[:10], query), rows[:10] @ query, atol=1e-5)


def test_filtered_search_remembers_positions_only_for_frozen_key_arrays() -> None:
    rng = np.random.default_rng(5)
    keys = np.arange(10, 1010, dtype=np.int64)
    index = VectorIndex.from_arrays(keys, rng.standard_normal((1000, 8)).astype(np.float32))
    query = rng.standard_normal(8).astype(np.float32)
    allowed = keys[::3].copy()
    scratch_result = index.search(query, 5, allowed)
    assert len(index._allowed_positions._items) == 0  # a writable array may change: not remembered
    allowed.setflags(write=False)
    first = index.search(query, 5, allowed)
    second = index.search(query, 5, allowed)
    assert len(index._allowed_positions._items) == 1
    for a, b in ((first, second), (first, scratch_result)):
        assert a[0].tolist() == b[0].tolist()
    assert set(first[0].tolist()) <= set(allowed.tolist())
    index.remove(np.array([int(first[0][0])]))  # a new snapshot: the remembered positions no longer apply
    assert int(first[0][0]) not in index.search(query, 5, allowed)[0].tolist()
