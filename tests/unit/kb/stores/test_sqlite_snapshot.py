"""Index snapshots: a restart reads the finished BM25 and vector indexes instead of rebuilding them from the rows."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import numpy as np
import pytest
from haystack import Document

from kb.stores import sqlite_snapshot as snapshot
from kb.stores.sqlite import SqliteDocumentStore
from tests.unit.kb.stores.conftest import case_documents

QUERIES = ["盗窃", "醉酒驾驶", "公益诉讼 环境", "虚构投资"]


@pytest.fixture(autouse=True)
def small_indexes_get_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "MIN_DOCUMENTS", 0)


def answers(store: SqliteDocumentStore) -> list[list[tuple[str, float]]]:
    rng = np.random.default_rng(7)
    out = []
    for query in QUERIES:
        hits = store.bm25_retrieval(query, top_k=5, engine="memory")
        out.append([(d.id, round(d.score or 0.0, 5)) for d in hits])
    for _ in range(3):
        hits = store.embedding_retrieval(rng.standard_normal(8).tolist(), top_k=5)
        out.append([(d.id, round(d.score or 0.0, 5)) for d in hits])
    return out


def loaded_from_snapshot(store: SqliteDocumentStore) -> dict[str, int]:
    return dict(store._snapshot_generation)


def test_a_restart_loads_the_snapshot_and_answers_the_same(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as first:
        first.write_documents(case_documents())
        first.warm_up()  # loads from the rows, then writes the snapshot
        expected = answers(first)
    assert (snapshot.snapshot_dir(path) / "terms.bin").is_file()
    assert (snapshot.snapshot_dir(path) / "vectors.bin").is_file()

    def fail(name: str) -> NoReturn:
        msg = f"{name} were rebuilt from the rows"
        raise AssertionError(msg)

    with SqliteDocumentStore(path, embedding_dim=8) as second:
        second._load_terms_from_rows = lambda: fail("terms")  # type: ignore[method-assign]
        second._load_vectors_from_rows = lambda: fail("vectors")  # type: ignore[method-assign]
        second.warm_up()
        assert answers(second) == expected


def test_writes_after_the_snapshot_are_seen_and_saved_on_close(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as store:
        store.write_documents(case_documents())
        store.warm_up()
        store.delete_documents(["c7"])
        store.write_documents([Document(id="n1", content="被告人酒后驾驶电动车肇事。", embedding=[1.0] * 8)])
    with SqliteDocumentStore(path, embedding_dim=8) as again:
        again.warm_up()
        assert loaded_from_snapshot(again)  # the snapshot written on close matched the file
        from_snapshot = answers(again)
        assert "c7" not in {d.id for d in again.bm25_retrieval("醉酒驾驶", top_k=10, engine="memory")}
    snapshot.remove(path)
    with SqliteDocumentStore(path, embedding_dim=8) as from_rows:
        from_rows.warm_up()
        assert not loaded_from_snapshot(from_rows)
        # The same as a full load: the snapshot holds the compacted index (an index updated in place keeps the
        # average length of its last rebuild until the next one, so its scores can differ in the last digits).
        assert answers(from_rows) == from_snapshot


def test_a_write_by_another_process_makes_the_snapshot_stale(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as store:
        store.write_documents(case_documents())
        store.warm_up()
    with SqliteDocumentStore(path, embedding_dim=8) as writer:  # never loads its indexes: writes no snapshot
        writer.write_documents([Document(id="n2", content="新增的盗窃案件材料。", embedding=[0.5] * 8)])
    with SqliteDocumentStore(path, embedding_dim=8) as reader:
        reader.warm_up()
        assert "n2" in {d.id for d in reader.bm25_retrieval("盗窃", top_k=10, engine="memory")}


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated"])
def test_a_damaged_snapshot_is_ignored(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as store:
        store.write_documents(case_documents())
        store.warm_up()
        expected = answers(store)
    for name in ("terms.bin", "vectors.bin"):
        file = snapshot.snapshot_dir(path) / name
        data = file.read_bytes()
        file.write_bytes(
            {"empty": b"", "garbage": b"\x00not a snapshot" * 10, "truncated": data[: len(data) // 2]}[damage]
        )
    with SqliteDocumentStore(path, embedding_dim=8) as again:
        again.warm_up()
        assert answers(again) == expected


def test_a_rebuilt_index_file_does_not_use_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as store:
        store.write_documents(case_documents())
        store.warm_up()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with SqliteDocumentStore(path, embedding_dim=8) as fresh:  # same path, same generation count, new store_id
        fresh.write_documents([Document(id="only", content="唯一的文档：诈骗。", embedding=[1.0] * 8)])
        fresh.warm_up()
        assert [d.id for d in fresh.bm25_retrieval("盗窃", top_k=5, engine="memory")] == []


def test_small_indexes_are_not_snapshotted_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "MIN_DOCUMENTS", 5000)
    path = tmp_path / "index.sqlite3"
    with SqliteDocumentStore(path, embedding_dim=8) as store:
        store.write_documents(case_documents())
        store.warm_up()
    assert not (snapshot.snapshot_dir(path) / "terms.bin").exists()
