"""The workflow in the system of record: what reaches the index at each step, and databases from before it existed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from kb.errors import EntryNotFound, EntryRetracted
from kb.models import Entry, Section
from kb.records import RecordStore
from kb.service import KnowledgeBase
from kb.workflow import InvalidTransition, NoChange, apply_changes
from tests.conftest import make_settings


def _entry(
    title: str = "赵某帮助信息网络犯罪活动案（示例）", facts: str = "赵某出售本人银行卡三张，供他人转移诈骗资金。"
) -> Entry:
    return Entry(
        kind="case",
        title=title,
        case_type="典型案例",
        line="刑事检察",
        sections=[
            Section("facts", "【基本案情】", facts),
            Section("gist", "【要旨】", "明知他人利用信息网络实施犯罪仍提供帮助。"),
        ],
        illustrative=True,
    )


def _published_through_review(kb: KnowledgeBase, entry_id: str) -> None:
    kb.workflow.submit(entry_id, "editor")
    kb.workflow.approve(entry_id, "reviewer")
    kb.workflow.publish_batch([entry_id], actor="reviewer", issuer="示例检察院", published_on="2026-01-15")
    kb.index_pending()


def test_the_index_holds_exactly_the_published_versions(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "kb"))
    try:
        (result,) = kb.add_entries([_entry()], publish=False, actor="editor")
        assert result.workflow_status == "draft" and kb.records.pending_count() == 0
        assert kb.store.count_documents() == 0
        assert kb.index_problem() is None  # an empty index is right while nothing is published
        assert kb.records.counts()["entries_by_kind"] == {} and kb.records.counts()["unpublished"] == 1
        _published_through_review(kb, result.entry_id)
        chunks = kb.store.count_documents()
        assert chunks > 0
        public = kb.get_published_entry(result.entry_id)
        assert public.entry.publish_date == "2026-01-15" and public.entry.number == "第1批第1号"

        # A revision is drafted: the index keeps version 1 until version 2 is published.
        revised = apply_changes(public.entry, {"title": "赵某帮助信息网络犯罪活动案（修订，示例）"})
        assert kb.workflow.edit(result.entry_id, "editor", revised) == 2
        kb.index_pending()
        versions = {d.meta["version"] for d in kb.store.filter_documents()}
        assert versions == {1} and kb.get_published_entry(result.entry_id).version == 1
        with pytest.raises(EntryNotFound):
            kb.get_published_entry(result.entry_id, 2)
        with pytest.raises(NoChange):
            kb.workflow.edit(result.entry_id, "editor", revised)
        _published_through_review(kb, result.entry_id)
        assert {d.meta["version"] for d in kb.store.filter_documents()} == {2}

        kb.workflow.retract(result.entry_id, "reviewer", "示例撤回原因")
        kb.index_pending()
        assert kb.store.count_documents() == 0
        with pytest.raises(EntryRetracted, match="示例撤回原因"):
            kb.get_published_entry(result.entry_id)
        kb.reindex()  # a rebuild from the record leaves retracted entries out too
        assert kb.store.count_documents() == 0
        with pytest.raises(InvalidTransition):
            kb.workflow.retract(result.entry_id, "reviewer", "再次撤回")
    finally:
        kb.close()


def test_bulk_loads_publish_at_once(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path / "kb"))
    try:
        (result,) = kb.add_entries([_entry()])
        stored = kb.get_published_entry(result.entry_id)
        assert stored.status == "published" and stored.versions[0].published and kb.store.count_documents() > 0
        assert [e.action for e in kb.workflow.events(result.entry_id)] == ["import"]
    finally:
        kb.close()


def test_a_database_from_before_the_workflow_is_upgraded_in_place(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    old = RecordStore(url)
    old.init_schema()
    result = old.upsert(_entry())
    with old.engine.begin() as conn:  # what a database written by the previous release looks like
        for column in ("published_version", "submitted_by", "retracted_at", "retracted_by", "retracted_reason"):
            conn.execute(text(f"ALTER TABLE entries DROP COLUMN {column}"))
        for column in ("published_at", "batch_number"):
            conn.execute(text(f"ALTER TABLE entry_versions DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE workflow_events"))
    old.close()

    upgraded = RecordStore(url)
    upgraded.init_schema()
    upgraded.init_schema()  # idempotent
    stored = upgraded.get_published(result.entry_id)
    assert stored.published_version == 1 and stored.versions[0].published
    assert [entry_id for entry_id, _, _ in upgraded.iter_published()] == [result.entry_id]
    upgraded.close()
