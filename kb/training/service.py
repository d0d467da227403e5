"""`CollectionService`: create, read, change and order training collections (专题) and their items.

Visibility: a collection is personal (its owner only) unless `shared` is set, then everyone may read it. Only the
owner changes it. A collection someone may not see is reported as missing, so ids cannot be probed.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from kb.errors import EntryNotFound, EntryRetracted
from kb.records import RecordStore
from kb.training.errors import CollectionForbidden, CollectionItemNotFound, CollectionNotFound, InvalidCollection
from kb.training.tables import CollectionItemRow, CollectionRow, create_tables, now

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_NOTES = 20000
MAX_QUESTIONS = 50
MAX_QUESTION = 2000
MAX_ITEMS = 500


@dataclass(frozen=True)
class CollectionItem:
    id: int
    position: int  # 1-based
    entry_id: str
    version: int | None  # pinned version, or None for the current one
    teaching_notes: str
    discussion_questions: list[str]
    added_at: datetime
    # Resolved from the record store when read; None when the entry (or the pinned version) no longer exists.
    title: str | None = None
    number: str | None = None
    case_type: str | None = None

    @property
    def citation(self) -> str:
        return f"{self.entry_id}@{self.version}" if self.version else self.entry_id


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    owner_id: str
    shared: bool
    created_at: datetime
    updated_at: datetime
    items: list[CollectionItem] = field(default_factory=list)
    item_count: int = 0


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; every time we store is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _text(value: str, name: str, limit: int, *, required: bool = False) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        msg = f"{name}不能为空"
        raise InvalidCollection(msg, field=name)
    if len(cleaned) > limit:
        msg = f"{name}过长：{len(cleaned)} 字，上限 {limit} 字"
        raise InvalidCollection(msg, field=name)
    return cleaned


def _questions(values: list[str]) -> list[str]:
    cleaned = [q.strip() for q in values if q.strip()]
    if len(cleaned) > MAX_QUESTIONS:
        msg = f"讨论题过多：{len(cleaned)} 道，上限 {MAX_QUESTIONS} 道"
        raise InvalidCollection(msg, field="讨论题")
    for question in cleaned:
        _text(question, "讨论题", MAX_QUESTION)
    return cleaned


class CollectionService:
    """Collections stored next to the entries, in the record database of `records`."""

    def __init__(self, records: RecordStore) -> None:
        self.records = records
        self._session = sessionmaker(records.engine, expire_on_commit=False)

    def init_schema(self) -> None:
        create_tables(self.records.engine)

    # -- collections -----------------------------------------------------------------------------------------------

    def create(self, owner_id: str, title: str, description: str = "", *, shared: bool = False) -> Collection:
        row = CollectionRow(
            id=uuid.uuid4().hex,
            title=_text(title, "专题标题", MAX_TITLE, required=True),
            description=_text(description, "专题说明", MAX_DESCRIPTION),
            owner_id=owner_id,
            shared=shared,
            created_at=now(),
            updated_at=now(),
        )
        with self._session.begin() as session:
            session.add(row)
            session.flush()
            result = self._to_domain(row, with_items=False)
        logger.info("collection %s created", row.id)
        return result

    def list_visible(self, user_id: str, *, mine_only: bool = False) -> list[Collection]:
        """The user's own collections and (unless `mine_only`) the shared ones, most recently changed first."""
        counts = (
            select(CollectionItemRow.collection_id, func.count().label("n"))
            .group_by(CollectionItemRow.collection_id)
            .subquery()
        )
        visible = CollectionRow.owner_id == user_id
        if not mine_only:
            visible = or_(visible, CollectionRow.shared.is_(True))
        query = (
            select(CollectionRow, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.collection_id == CollectionRow.id)
            .where(visible)
            .order_by(CollectionRow.updated_at.desc(), CollectionRow.id)
        )
        with self._session() as session:
            rows = session.execute(query).all()
            return [self._to_domain(row, with_items=False, item_count=int(n)) for row, n in rows]

    def get(self, collection_id: str, user_id: str) -> Collection:
        with self._session() as session:
            row = self._visible(session, collection_id, user_id)
            return self._to_domain(row, with_items=True)

    def update(
        self,
        collection_id: str,
        user_id: str,
        *,
        title: str | None = None,
        description: str | None = None,
        shared: bool | None = None,
    ) -> Collection:
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            if title is not None:
                row.title = _text(title, "专题标题", MAX_TITLE, required=True)
            if description is not None:
                row.description = _text(description, "专题说明", MAX_DESCRIPTION)
            if shared is not None:
                row.shared = shared
            row.updated_at = now()
        return self.get(collection_id, user_id)

    def delete(self, collection_id: str, user_id: str) -> None:
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            session.delete(row)
        logger.info("collection %s deleted", collection_id)

    # -- items -----------------------------------------------------------------------------------------------------

    def add_item(
        self,
        collection_id: str,
        user_id: str,
        entry_id: str,
        *,
        version: int | None = None,
        teaching_notes: str = "",
        discussion_questions: list[str] | None = None,
        position: int | None = None,
    ) -> Collection:
        """Add an entry (optionally pinned to `version`) at `position` (1-based; default: at the end)."""
        self._check_entry(entry_id, version)
        notes = _text(teaching_notes, "教学要点", MAX_NOTES)
        questions = _questions(discussion_questions or [])
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            if any(item.entry_id == entry_id for item in row.items):
                msg = f"条目 {entry_id} 已在专题“{row.title}”中"
                raise InvalidCollection(msg, entry_id=entry_id)
            if len(row.items) >= MAX_ITEMS:
                msg = f"专题“{row.title}”已有 {MAX_ITEMS} 个条目，不能再添加"
                raise InvalidCollection(msg, collection_id=collection_id)
            item = CollectionItemRow(
                entry_id=entry_id,
                version=version,
                teaching_notes=notes,
                discussion_questions=questions,
                added_at=now(),
                position=0,
            )
            items = list(row.items)
            index = len(items) if position is None else max(0, min(position - 1, len(items)))
            items.insert(index, item)
            row.items = items
            _renumber(items)
            row.updated_at = now()
        return self.get(collection_id, user_id)

    def update_item(
        self,
        collection_id: str,
        user_id: str,
        item_id: int,
        *,
        version: int | None = None,
        unpin: bool = False,
        teaching_notes: str | None = None,
        discussion_questions: list[str] | None = None,
    ) -> Collection:
        """Change an item's notes, questions or pinned version (`unpin` follows the current version again)."""
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            item = _item(row, item_id)
            if version is not None:
                self._check_entry(item.entry_id, version)
                item.version = version
            elif unpin:
                item.version = None
            if teaching_notes is not None:
                item.teaching_notes = _text(teaching_notes, "教学要点", MAX_NOTES)
            if discussion_questions is not None:
                item.discussion_questions = _questions(discussion_questions)
            row.updated_at = now()
        return self.get(collection_id, user_id)

    def remove_item(self, collection_id: str, user_id: str, item_id: int) -> Collection:
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            item = _item(row, item_id)
            row.items.remove(item)
            _renumber(row.items)
            row.updated_at = now()
        return self.get(collection_id, user_id)

    def reorder(self, collection_id: str, user_id: str, item_ids: list[int]) -> Collection:
        """Put the items in the order of `item_ids`, which must name every item exactly once."""
        with self._session.begin() as session:
            row = self._owned(session, collection_id, user_id)
            current = {item.id: item for item in row.items}
            if len(item_ids) != len(set(item_ids)) or set(item_ids) != set(current):
                missing = sorted(set(current) - set(item_ids))
                unknown = sorted(set(item_ids) - set(current))
                msg = (
                    f"新顺序必须恰好列出专题“{row.title}”的全部 {len(current)} 个条目各一次"
                    f"（缺少 {missing or '无'}，多出或未知 {unknown or '无'}）"
                )
                raise InvalidCollection(msg, collection_id=collection_id)
            # Two passes keep positions unique at every flush (no unique constraint today, but cheap insurance).
            for offset, item_id in enumerate(item_ids):
                current[item_id].position = 10_000 + offset
            session.flush()
            for offset, item_id in enumerate(item_ids, start=1):
                current[item_id].position = offset
            row.updated_at = now()
        return self.get(collection_id, user_id)

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _check_entry(self, entry_id: str, version: int | None) -> None:
        if version is not None and version < 1:
            msg = f"版本号必须大于 0：{version}"
            raise InvalidCollection(msg, version=version)
        # Training material is published material: EntryNotFound (naming the id and version) for a draft or an
        # unpublished version, EntryRetracted for a retracted entry.
        self.records.get_published(entry_id, version)

    def _load(self, session: Session, collection_id: str) -> CollectionRow | None:
        return session.scalar(
            select(CollectionRow).options(selectinload(CollectionRow.items)).where(CollectionRow.id == collection_id)
        )

    def _visible(self, session: Session, collection_id: str, user_id: str) -> CollectionRow:
        row = self._load(session, collection_id)
        if row is None or not (row.owner_id == user_id or row.shared):
            msg = f"专题不存在或无权查看：{collection_id}"
            raise CollectionNotFound(msg, collection_id=collection_id)
        return row

    def _owned(self, session: Session, collection_id: str, user_id: str) -> CollectionRow:
        row = self._visible(session, collection_id, user_id)
        if row.owner_id != user_id:
            msg = f"专题“{row.title}”由他人创建并共享，只有创建者可以修改"
            raise CollectionForbidden(msg, collection_id=collection_id)
        return row

    def _to_domain(self, row: CollectionRow, *, with_items: bool, item_count: int | None = None) -> Collection:
        items = [self._resolve(item) for item in row.items] if with_items else []
        return Collection(
            id=row.id,
            title=row.title,
            description=row.description,
            owner_id=row.owner_id,
            shared=row.shared,
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
            items=items,
            item_count=len(items) if with_items else (item_count or 0),
        )

    def _resolve(self, item: CollectionItemRow) -> CollectionItem:
        title = number = case_type = None
        try:
            stored = self.records.get_published(item.entry_id, item.version)
            title, number, case_type = stored.entry.title, stored.entry.number, stored.entry.case_type
        except (EntryNotFound, EntryRetracted):
            logger.warning("collection item %s points at an entry no longer published: %s", item.id, item.entry_id)
        return CollectionItem(
            id=item.id,
            position=item.position,
            entry_id=item.entry_id,
            version=item.version,
            teaching_notes=item.teaching_notes,
            discussion_questions=[str(q) for q in item.discussion_questions or []],
            added_at=_aware(item.added_at),
            title=title,
            number=number,
            case_type=case_type,
        )


def _item(row: CollectionRow, item_id: int) -> CollectionItemRow:
    for item in row.items:
        if item.id == item_id:
            return item
    msg = f"专题“{row.title}”中没有条目 {item_id}"
    raise CollectionItemNotFound(msg, item_id=item_id)


def _renumber(items: list[CollectionItemRow]) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position
