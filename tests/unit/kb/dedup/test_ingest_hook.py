"""Duplicate detection as ingest runs it: a refused duplicate is a failed file, a near-duplicate a warning."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import ingest_paths, ingest_upload
from kb.service import KnowledgeBase
from tests.conftest import DEMO

DATA = Path(__file__).resolve().parents[3] / "data" / "dedup"


def test_ingest_refuses_identical_content_and_warns_about_a_retelling(kb: KnowledgeBase) -> None:
    first = ingest_paths(kb, [DEMO / "cases" / "criminal-001.md", DEMO / "cases" / "criminal-002.md"])
    assert first.ok and all(f.warnings == [] for f in first.files)

    text = (DEMO / "cases" / "criminal-001.md").read_text(encoding="utf-8")
    copy = text.replace("# 张某某盗窃案（示例）", "# 张某某手机店盗窃案（示例）").replace("示例刑-001", "示例刑-901")
    refused = ingest_upload(kb, copy.encode("utf-8"), "重复提交.md")
    assert refused.status == "failed" and refused.error is not None
    assert refused.error.code == "duplicate_entry"
    assert "内容完全相同" in refused.error.detail and "示例刑-001" in refused.error.detail
    assert refused.to_dict()["error"]["detail"] == refused.error.detail
    assert kb.records.counts()["entries_by_kind"]["case"] == 2  # nothing was written

    retold = ingest_paths(kb, [DATA / "paraphrases" / "p01.md"])
    report = retold.files[0]
    assert report.status == "created"  # a near-duplicate is imported, with a warning
    [warning] = report.to_dict()["warnings"]
    assert warning["code"] == "near_duplicate" and "疑似" in warning["detail"] and "示例刑-001" in warning["detail"]
    assert warning["candidate"]["number"] == "示例刑-001"
    assert warning["candidate"]["new_text"] and warning["candidate"]["existing_text"]

    again = ingest_paths(kb, [DEMO / "cases" / "criminal-001.md"])  # re-importing the same file is fine
    assert again.ok and again.files[0].status == "unchanged"
