"""Shared fixtures: a knowledge base in a temporary folder, and one loaded with the demo corpus per session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.config import Settings
from kb.models import Entry, EntryKind, Section
from kb.service import KnowledgeBase

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).parent.parent / "kb" / "data" / "demo"
# argon2id at its cheapest: the tests hash many passwords; production cost is the AuthSettings default.
FAST_AUTH = {"argon2_memory_kib": 1024, "argon2_time_cost": 1, "argon2_parallelism": 1}


def make_settings(home: Path, **overrides: Any) -> Settings:
    # Anonymous callers read and search, as with `./run serve`, so API tests that do not sign in keep working; the
    # security tests (tests/unit/api/test_auth*.py, test_permissions.py) pass their own `auth` with it off.
    values: dict[str, Any] = {
        "home": home,
        "embedder": "hash",
        "store": "sqlite",
        "auth": {**FAST_AUTH, "anonymous_role": "检察官"},
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def citing_case(title: str, number: str, provisions: list[str], case_type: str = "典型案例") -> Entry:
    """An illustrative case (示例) citing `provisions`, with one 基本案情 sentence: for the provision-link tests."""
    return Entry(
        kind=EntryKind.CASE.value,
        title=title,
        number=number,
        case_type=case_type,
        provisions=provisions,
        illustrative=True,
        sections=[Section(key="facts", heading="【基本案情】", text=f"{title}的基本案情（示例）。")],
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "kb")


@pytest.fixture
def kb(settings: Settings) -> Iterator[KnowledgeBase]:
    instance = KnowledgeBase(settings)
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def demo_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    """The demo corpus ingested once (hash embedder: fast and deterministic)."""
    from ingest.pipeline import ingest_paths

    home = tmp_path_factory.mktemp("demo-kb")
    instance = KnowledgeBase(make_settings(home))
    report = ingest_paths(instance, [DEMO / "cases", DEMO / "guidelines", DEMO / "power_list", DEMO / "laws"])
    assert report.ok, [f.to_dict() for f in report.files if f.status == "failed"]
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def golden_queries() -> list[dict[str, Any]]:
    data = json.loads((DATA / "golden_queries.json").read_text(encoding="utf-8"))
    queries: list[dict[str, Any]] = data["queries"]
    return queries
