from __future__ import annotations

import pytest

from kb.errors import EntryNotFound
from kb.models import Entry, Section
from kb.records import RecordStore


def _entry(text: str = "某日张某盗窃超市财物。") -> Entry:
    return Entry(kind="case", title="张某盗窃案", number="示例-1", sections=[Section("facts", "【基本案情】", text)])


@pytest.fixture
def records() -> RecordStore:
    store = RecordStore("sqlite:///:memory:")
    store.init_schema()
    return store


def test_schema_creation_is_idempotent(records: RecordStore) -> None:
    records.init_schema()
    records.init_schema()
    assert records.counts()["versions"] == 0


def test_same_content_is_unchanged_and_changed_content_is_a_new_version(records: RecordStore) -> None:
    first = records.upsert(_entry())
    again = records.upsert(_entry())
    changed = records.upsert(_entry("某日张某盗窃商场财物。"))
    assert (first.status, again.status, changed.status) == ("created", "unchanged", "updated")
    assert changed.version == 2
    stored = records.get(first.entry_id)
    assert stored.version == 2 and [v.version for v in stored.versions] == [1, 2]
    assert records.get(first.entry_id, 1).entry.sections[0].text == "某日张某盗窃超市财物。"


def test_every_change_is_queued_for_the_index(records: RecordStore) -> None:
    records.upsert(_entry())
    records.upsert(_entry())
    records.upsert(_entry("改动"))
    pending = records.pending()
    assert [p.version for p in pending] == [1, 2]
    records.mark_indexed([p.outbox_id for p in pending])
    assert records.pending_count() == 0


def test_upsert_many_is_all_or_nothing(records: RecordStore) -> None:
    class Broken(Entry):
        def content_hash(self) -> str:
            msg = "boom"
            raise RuntimeError(msg)

    good = Entry(kind="case", title="好的条目")
    with pytest.raises(RuntimeError):
        records.upsert_many([good, Broken(kind="case", title="坏的条目")])
    assert not records.exists(good.entry_id)


def test_missing_entry_and_version_have_chinese_errors(records: RecordStore) -> None:
    with pytest.raises(EntryNotFound, match="条目不存在"):
        records.get("nope")
    result = records.upsert(_entry())
    with pytest.raises(EntryNotFound, match="没有第 9 版"):
        records.get(result.entry_id, 9)


def test_list_filters_on_denormalised_columns(records: RecordStore) -> None:
    records.upsert(Entry(kind="power_item", title="不起诉决定", line="刑事检察", power_subject="检察长"))
    records.upsert(Entry(kind="power_item", title="支持起诉", line="民事检察", power_subject="检察官"))
    total, items = records.list_entries(kind="power_item", filters={"line": ["民事检察"]})
    assert total == 1 and items[0].entry.title == "支持起诉"


@pytest.mark.parametrize("same_content", [True, False])
def test_an_entry_another_process_stores_meanwhile_is_read_again(tmp_path, monkeypatch, same_content) -> None:  # type: ignore[no-untyped-def]
    """Two writers on one record database (a `kb ingest` while the server imports): the other one stores the same
    entry between this one's read and its write. The write is retried on what is there now, instead of failing on
    the entry's unique key."""
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    ours, theirs = RecordStore(url), RecordStore(url)
    ours.init_schema()
    other_text = "某日张某盗窃超市财物。" if same_content else "某日张某盗窃商场财物。"
    original = RecordStore._fill_row
    calls = {"n": 0}

    def fill_after_the_other_writer(row, entry, version, digest):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            monkeypatch.setattr(RecordStore, "_fill_row", staticmethod(original))
            theirs.upsert(_entry(other_text))  # commits while our transaction has read nothing there
        original(row, entry, version, digest)

    monkeypatch.setattr(RecordStore, "_fill_row", staticmethod(fill_after_the_other_writer))
    result = ours.upsert(_entry())
    stored = ours.get(result.entry_id)
    if same_content:
        assert result.status == "unchanged" and stored.current_version == 1
    else:
        assert result.status == "updated" and result.version == 2
        assert stored.entry.sections[0].text == "某日张某盗窃超市财物。"
    assert ours.counts()["versions"] == (1 if same_content else 2)
