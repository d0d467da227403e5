from __future__ import annotations

import dataclasses

import pytest

from kb.errors import EntryNotFound
from kb.records import RecordStore
from kb.training.errors import CollectionForbidden, CollectionItemNotFound, CollectionNotFound, InvalidCollection
from kb.training.service import CollectionService


def test_create_and_read_back(service: CollectionService) -> None:
    created = service.create("alice", "  醉驾不起诉专题（示例）  ", "用于新任检察官培训")
    assert created.title == "醉驾不起诉专题（示例）"  # trimmed
    assert not created.shared and created.owner_id == "alice" and created.items == []
    again = service.get(created.id, "alice")
    assert again.title == created.title and again.created_at == created.created_at


def test_init_schema_is_idempotent(records: RecordStore, service: CollectionService) -> None:
    service.create("alice", "A")
    CollectionService(records).init_schema()
    assert len(service.list_visible("alice")) == 1


def test_items_keep_order_notes_questions_and_pinned_version(service: CollectionService, ids: dict[str, str]) -> None:
    c = service.create("alice", "专题")
    service.add_item(
        c.id, "alice", ids["示例刑-004"], teaching_notes="要点：挪车距离", discussion_questions=["是否起诉？", " "]
    )
    service.add_item(c.id, "alice", ids["示例刑-018"], version=1)
    c = service.add_item(c.id, "alice", ids["示例刑-001"], position=1)
    assert [i.entry_id for i in c.items] == [ids["示例刑-001"], ids["示例刑-004"], ids["示例刑-018"]]
    assert [i.position for i in c.items] == [1, 2, 3]
    second = c.items[1]
    assert second.teaching_notes == "要点：挪车距离" and second.discussion_questions == ["是否起诉？"]
    assert second.title == "王某危险驾驶案（示例）" and second.number == "示例刑-004"
    assert c.items[2].version == 1 and c.items[2].citation == f"{ids['示例刑-018']}@1"
    assert c.items[0].version is None and c.items[0].citation == ids["示例刑-001"]


def test_reorder_update_and_remove(service: CollectionService, ids: dict[str, str]) -> None:
    c = service.create("alice", "专题")
    for number in ("示例刑-001", "示例刑-004", "示例刑-018"):
        c = service.add_item(c.id, "alice", ids[number])
    a, b, d = (i.id for i in c.items)
    c = service.reorder(c.id, "alice", [d, a, b])
    assert [i.id for i in c.items] == [d, a, b] and [i.position for i in c.items] == [1, 2, 3]
    c = service.update_item(c.id, "alice", a, teaching_notes="新的要点", discussion_questions=["一", "二"], version=1)
    changed = next(i for i in c.items if i.id == a)
    assert (
        changed.teaching_notes == "新的要点" and changed.discussion_questions == ["一", "二"] and changed.version == 1
    )
    c = service.update_item(c.id, "alice", a, unpin=True)
    assert next(i for i in c.items if i.id == a).version is None
    c = service.remove_item(c.id, "alice", d)
    assert [i.id for i in c.items] == [a, b] and [i.position for i in c.items] == [1, 2]


def test_reorder_must_name_every_item_once(service: CollectionService, ids: dict[str, str]) -> None:
    c = service.create("alice", "专题")
    c = service.add_item(c.id, "alice", ids["示例刑-001"])
    c = service.add_item(c.id, "alice", ids["示例刑-004"])
    a, b = (i.id for i in c.items)
    for wrong in ([a], [a, a], [a, b, 999]):
        with pytest.raises(InvalidCollection, match="全部 2 个条目"):
            service.reorder(c.id, "alice", wrong)


def test_invalid_input_is_refused_in_chinese(service: CollectionService, ids: dict[str, str]) -> None:
    with pytest.raises(InvalidCollection, match="专题标题不能为空"):
        service.create("alice", "   ")
    with pytest.raises(InvalidCollection, match="过长"):
        service.create("alice", "题" * 201)
    c = service.create("alice", "专题")
    with pytest.raises(EntryNotFound, match="nope"):
        service.add_item(c.id, "alice", "nope")
    with pytest.raises(EntryNotFound, match="第 9 版"):
        service.add_item(c.id, "alice", ids["示例刑-001"], version=9)
    service.add_item(c.id, "alice", ids["示例刑-001"])
    with pytest.raises(InvalidCollection, match="已在专题"):
        service.add_item(c.id, "alice", ids["示例刑-001"])
    with pytest.raises(InvalidCollection, match="讨论题过多"):
        service.add_item(c.id, "alice", ids["示例刑-004"], discussion_questions=["问"] * 51)
    with pytest.raises(CollectionItemNotFound):
        service.remove_item(c.id, "alice", 424242)


def test_personal_collections_are_invisible_to_others(service: CollectionService, ids: dict[str, str]) -> None:
    c = service.create("alice", "个人专题")
    for action in (
        lambda: service.get(c.id, "bob"),
        lambda: service.update(c.id, "bob", title="改"),
        lambda: service.delete(c.id, "bob"),
        lambda: service.add_item(c.id, "bob", ids["示例刑-001"]),
    ):
        with pytest.raises(CollectionNotFound):
            action()
    assert service.list_visible("bob") == []


def test_shared_collections_are_readable_but_only_the_owner_changes_them(
    service: CollectionService, ids: dict[str, str]
) -> None:
    c = service.create("trainer", "共享专题", shared=True)
    mine = service.create("bob", "我的专题")
    assert service.get(c.id, "bob").title == "共享专题"
    assert {x.id for x in service.list_visible("bob")} == {c.id, mine.id}
    assert {x.id for x in service.list_visible("bob", mine_only=True)} == {mine.id}
    with pytest.raises(CollectionForbidden, match="只有创建者可以修改"):
        service.add_item(c.id, "bob", ids["示例刑-001"])
    with pytest.raises(CollectionForbidden):
        service.delete(c.id, "bob")
    service.update(c.id, "trainer", shared=False)
    with pytest.raises(CollectionNotFound):
        service.get(c.id, "bob")


def test_listing_counts_items_and_sorts_by_last_change(service: CollectionService, ids: dict[str, str]) -> None:
    first = service.create("alice", "一")
    second = service.create("alice", "二")
    service.add_item(first.id, "alice", ids["示例刑-001"])
    listed = service.list_visible("alice")
    assert [c.id for c in listed] == [first.id, second.id]
    assert [c.item_count for c in listed] == [1, 0]


def test_deleting_a_collection_deletes_its_items(service: CollectionService, ids: dict[str, str]) -> None:
    c = service.create("alice", "专题")
    service.add_item(c.id, "alice", ids["示例刑-001"])
    service.delete(c.id, "alice")
    with pytest.raises(CollectionNotFound):
        service.get(c.id, "alice")
    from sqlalchemy import func, select

    from kb.training.tables import CollectionItemRow

    with service.records.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CollectionItemRow)).scalar() == 0


def test_an_item_whose_entry_was_deleted_stays_with_no_title(
    records: RecordStore, service: CollectionService, ids: dict[str, str]
) -> None:
    c = service.create("alice", "专题")
    service.add_item(c.id, "alice", ids["示例刑-001"])
    records.delete(ids["示例刑-001"])
    item = service.get(c.id, "alice").items[0]
    assert item.title is None and item.entry_id == ids["示例刑-001"]
    assert dataclasses.asdict(item)["number"] is None
