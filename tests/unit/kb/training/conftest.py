"""A record store with a handful of demo cases (parsed by the real parsers), one per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.parsers import parse_document
from ingest.router import read_path
from kb.records import RecordStore
from kb.training.service import CollectionService
from tests.conftest import DEMO

CASES = ("criminal-001.md", "criminal-004.md", "criminal-018.md", "criminal-019.md", "civil-008.md", "civil-009.md")


@pytest.fixture
def records(tmp_path: Path) -> Iterator[RecordStore]:
    store = RecordStore(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    store.init_schema()
    for name in CASES:
        store.upsert_many(parse_document(read_path(DEMO / "cases" / name, max_bytes=10_000_000)))
    yield store
    store.close()


@pytest.fixture
def ids(records: RecordStore) -> dict[str, str]:
    """Demo 编号 (示例刑-001 …) → entry id."""
    _, items = records.list_entries(kind="case", limit=100)
    return {s.entry.number or "": s.id for s in items}


@pytest.fixture
def service(records: RecordStore) -> CollectionService:
    svc = CollectionService(records)
    svc.init_schema()
    return svc
