from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.parsers import parse_document
from ingest.router import read_path
from kb.dedup import DuplicateDetector, DuplicateEntry, detector_for
from kb.dedup.features import fingerprint
from kb.models import Entry
from kb.records import RecordStore
from tests.conftest import DEMO

DATA = Path(__file__).resolve().parents[3] / "data" / "dedup"
CASES = ("criminal-001.md", "criminal-002.md", "criminal-003.md", "criminal-004.md", "civil-003.md")


def _load(path: Path) -> Entry:
    return parse_document(read_path(path, max_bytes=10_000_000))[0]


@pytest.fixture
def records(tmp_path: Path) -> Iterator[RecordStore]:
    store = RecordStore(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    store.init_schema()
    store.upsert_many([_load(DEMO / "cases" / name) for name in CASES])
    yield store
    store.close()


def test_identical_content_under_another_title_is_refused_naming_the_existing_entry(records: RecordStore) -> None:
    original = _load(DEMO / "cases" / "criminal-001.md")
    copy = replace(original, title="张某某盗窃手机案（重复提交，示例）", number="示例刑-901", source="dup.md")
    detector = DuplicateDetector(records)
    with pytest.raises(DuplicateEntry) as caught:
        detector.ensure_unique([copy])
    assert "内容完全相同" in caught.value.detail and "张某某盗窃案（示例）" in caught.value.detail
    assert "示例刑-001" in caught.value.detail
    assert caught.value.context["existing_id"] == original.entry_id


def test_reimporting_the_same_entry_is_not_a_duplicate(records: RecordStore) -> None:
    original = _load(DEMO / "cases" / "criminal-001.md")
    check = DuplicateDetector(records).ensure_unique([original])[0]
    assert check.exact is None and check.near == []


def test_a_retelling_is_flagged_with_both_texts(records: RecordStore) -> None:
    retold = _load(DATA / "paraphrases" / "p01.md")
    check = DuplicateDetector(records).check(retold)
    assert check.exact is None
    assert [n.number for n in check.near] == ["示例刑-001"]
    near = check.near[0]
    assert near.score >= 0.5 and near.shared["parties"] == ["张某"]
    assert near.new_text.startswith("犯罪嫌疑人张某，十六周岁")
    assert near.existing_text.startswith("张某某，男，作案时十六周岁")
    assert "疑似与已有条目“张某某盗窃案（示例）”" in near.message(retold.title)
    assert set(near.to_dict()) >= {"entry_id", "score", "shared", "new_text", "existing_text"}


def test_a_different_case_of_the_same_charge_is_not_flagged(records: RecordStore) -> None:
    assert DuplicateDetector(records).check(_load(DATA / "negatives" / "n01.md")).near == []


def test_duplicates_inside_one_batch_are_found(records: RecordStore) -> None:
    new = _load(DATA / "negatives" / "n01.md")
    copy = replace(new, title="马某某超市盗窃案（另一份，示例）", number="示例对照-99")
    detector = DuplicateDetector(records)
    with pytest.raises(DuplicateEntry, match="马某某超市盗窃案"):
        detector.ensure_unique([new, copy])
    retold = _load(DATA / "paraphrases" / "p01.md")
    original = replace(_load(DEMO / "cases" / "criminal-001.md"), number="示例刑-801", title="新标题（示例）")
    records.delete(_load(DEMO / "cases" / "criminal-001.md").entry_id)
    checks = detector.check_many([original, retold])
    assert [n.title for n in checks[1].near] == ["新标题（示例）"]
    assert checks[1].near[0].existing_text  # from the batch, not the record


def test_the_detector_follows_the_record_store(records: RecordStore) -> None:
    detector = detector_for(records)
    assert detector_for(records) is detector
    retold = _load(DATA / "paraphrases" / "p01.md")
    assert detector.check(retold).near
    records.delete(_load(DEMO / "cases" / "criminal-001.md").entry_id)
    assert detector.check(retold).near == []
    records.upsert(_load(DEMO / "cases" / "criminal-001.md"))
    assert detector.check(retold).near


def test_checking_an_edit_excludes_the_entry_itself(records: RecordStore) -> None:
    original = _load(DEMO / "cases" / "criminal-001.md")
    edited = replace(original, keywords=[*original.keywords, "新增"])
    check = DuplicateDetector(records).check(edited, entry_id=original.entry_id)
    assert check.exact is None and check.near == []


def test_power_list_items_are_not_checked(records: RecordStore) -> None:
    item = Entry(kind="power_item", title="作出不起诉决定")
    assert DuplicateDetector(records).check_many([item, item])[0].exact is None


def test_a_check_takes_milliseconds_with_thousands_of_entries(records: RecordStore) -> None:
    detector = DuplicateDetector(records)
    detector.refresh()
    base = [fingerprint(_load(DEMO / "cases" / name)) for name in sorted(p.name for p in (DEMO / "cases").glob("*.md"))]
    for n in range(40):  # ~2,000 fingerprints; each copy with its own sums so they are not all candidates
        for fp in base:
            detector._index.put(replace(fp, entry_id=f"{fp.entry_id}-{n}", amounts=frozenset({n * 7919 + 1})))
    retold = _load(DATA / "paraphrases" / "p02.md")
    detector.check(retold)  # builds the matrix once
    started = time.perf_counter()
    for _ in range(10):
        detector.check(retold)
    per_check_ms = (time.perf_counter() - started) * 100
    assert per_check_ms < 50, per_check_ms
