"""An index that lost its content while no process ran (file deleted): flagged, and `kb reindex` repairs it."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from kb.models import Entry, Section
from kb.service import KnowledgeBase
from tests.conftest import make_settings


def _entries() -> list[Entry]:
    return [
        Entry(
            kind="case",
            title=f"某{i}盗窃案（示例）",
            number=f"示例索引-{i}",
            line="刑事检察",
            charges=["盗窃罪"],
            sections=[Section("facts", "基本案情", f"犯罪嫌疑人某{i}盗窃电动车一辆，价值三千元。")],
            illustrative=True,
        )
        for i in range(3)
    ]


def test_a_deleted_index_file_is_flagged_and_reindex_repairs_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "kb")
    kb = KnowledgeBase(settings)
    kb.add_entries(_entries())
    assert kb.index_problem() is None
    kb.close()
    index = Path(settings.index_path)
    for path in index.parent.glob(index.name + "*"):  # the file, its WAL and any snapshot
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    kb = KnowledgeBase(settings)
    try:
        problem = kb.index_problem()
        assert problem is not None and "3 个条目" in problem and "kb reindex" in problem
        with TestClient(create_app(settings, kb=kb)) as client:
            health = client.get("/api/health").json()
        assert health["status"] == "degraded"
        assert health["store_detail"]["needs_reindex"] is True and "kb reindex" in health["store_detail"]["problem"]
        kb.reindex()
        assert kb.index_problem() is None
    finally:
        kb.close()


def test_an_empty_knowledge_base_has_no_problem(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "kb"))
    try:
        assert kb.index_problem() is None
    finally:
        kb.close()
