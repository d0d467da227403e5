"""Fixtures for the SQLite store tests: illustrative chunks (示例, written for these tests) with varied meta."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from kb.stores.sqlite import SqliteDocumentStore

CASES: list[tuple[str, str, dict[str, object]]] = [
    (
        "c1",
        "被告人张某趁被害人不备，盗窃其手机一部，价值人民币三千元。检察机关以盗窃罪提起公诉。",
        {"entry_id": "e1", "charges": ["盗窃罪"], "outcomes": ["起诉"], "line": "刑事检察", "year": 2021},
    ),
    (
        "c2",
        "被告人张某到案后如实供述，退赔被害人全部损失，取得谅解。",
        {"entry_id": "e1", "charges": ["盗窃罪"], "outcomes": ["起诉"], "line": "刑事检察", "year": 2021},
    ),
    (
        "c3",
        "被告人李某以虚构投资项目为名，骗取他人财物共计十万元，构成诈骗罪。",
        {"entry_id": "e2", "charges": ["诈骗罪"], "outcomes": ["起诉", "抗诉"], "line": "刑事检察", "year": 2022},
    ),
    (
        "c4",
        "某公司非法倾倒危险废物，造成环境污染，检察机关提起公益诉讼，要求赔偿生态环境损害。",
        {"entry_id": "e3", "outcomes": ["提起公益诉讼"], "line": "公益诉讼检察", "year": 2020, "illustrative": True},
    ),
    (
        "c5",
        "未成年人王某盗窃电动车一辆，检察机关依法作出附条件不起诉决定，并开展帮教。",
        {"entry_id": "e4", "charges": ["盗窃罪"], "outcomes": ["附条件不起诉"], "line": "刑事检察", "year": 2023},
    ),
    (
        "c6",
        "行政机关违法征收集体土地，检察机关发出检察建议，督促其依法纠正。",
        {"entry_id": "e5", "outcomes": ["检察建议"], "line": "行政检察", "year": 2019, "court": {"level": 2}},
    ),
    (
        "c7",
        "被告人赵某醉酒驾驶机动车，构成危险驾驶罪，检察机关作出相对不起诉决定。",
        {"entry_id": "e6", "charges": ["危险驾驶罪"], "outcomes": ["不起诉"], "line": "刑事检察", "year": 2024},
    ),
    (
        "c8",
        "Rock AND Roll near the river: an English note with NEAR and NOT as plain words.",
        {"entry_id": "e7", "line": "其他", "year": 2018, "publish_date": "2018-05-06"},
    ),
]


def case_documents(dim: int = 8, seed: int = 0) -> list[Document]:
    rng = np.random.default_rng(seed)
    return [
        Document(id=doc_id, content=text, meta=dict(meta), embedding=rng.standard_normal(dim).tolist())
        for doc_id, text, meta in CASES
    ]


@pytest.fixture
def make_cases() -> Callable[..., list[Document]]:
    return case_documents


@pytest.fixture
def store() -> Iterator[SqliteDocumentStore]:
    with SqliteDocumentStore() as s:
        yield s


@pytest.fixture
def file_store(tmp_path: Path) -> Iterator[SqliteDocumentStore]:
    with SqliteDocumentStore(tmp_path / "index.sqlite3") as s:
        yield s


@pytest.fixture
def case_store(file_store: SqliteDocumentStore) -> SqliteDocumentStore:
    file_store.write_documents(case_documents())
    return file_store
