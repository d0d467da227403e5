"""SQL tables of the training collections, in the record database, on their own metadata (created idempotently).

Items point at entries by id (and optionally a pinned version) without a foreign key: the entries table lives on
another metadata, and a collection must survive an entry's deletion (the export then says the entry is gone).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def now() -> datetime:
    return datetime.now(UTC)


class TrainingBase(DeclarativeBase):
    pass


class CollectionRow(TrainingBase):
    __tablename__ = "training_collections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[str] = mapped_column(String(64), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    items: Mapped[list[CollectionItemRow]] = relationship(
        back_populates="collection",
        order_by="CollectionItemRow.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CollectionItemRow(TrainingBase):
    __tablename__ = "training_collection_items"
    __table_args__ = (UniqueConstraint("collection_id", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("training_collections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int | None] = mapped_column(Integer)  # None: always the current version
    teaching_notes: Mapped[str] = mapped_column(Text, default="")  # 教学要点
    discussion_questions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # 讨论题
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    collection: Mapped[CollectionRow] = relationship(back_populates="items")


def create_tables(engine: Engine) -> None:
    """Create the training tables when missing (safe to call on every start)."""
    TrainingBase.metadata.create_all(engine)
