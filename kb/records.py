"""The system of record: entries and every version of them, their workflow history and publication batches, and
the index outbox, in SQL via SQLAlchemy.

The search index is derived from here. Ingest commits a version here first; the index outbox row written in the same
transaction says which versions still have to reach the index, so an index that is down loses nothing.

Workflow (kb.workflow moves entries between the states): `status` is the state of the entry's working version
(`current_version`): draft → submitted → approved → published, or retracted. `published_version` is the version the
public sees and the index holds; it stays in place while a revision is drafted and reviewed. An entry is *visible*
(searchable, readable by 检察官) when it has a published version and is not retracted. Only visible entries' published
versions are queued for the index; anything else is queued for removal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from kb.errors import EntryNotFound, EntryRetracted
from kb.models import Entry

logger = logging.getLogger(__name__)

WRITE_ATTEMPTS = 3  # a batch whose entries another writer stored meanwhile is read again and written again

UpsertStatus = Literal["created", "updated", "unchanged"]
STATUS_LABELS: dict[str, str] = {
    "draft": "草稿",
    "submitted": "待审核",
    "approved": "已审核",
    "published": "已发布",
    "retracted": "已撤回",
}


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class EntryRow(Base):
    __tablename__ = "entries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    natural_key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(Text)
    number: Mapped[str | None] = mapped_column(String(64), index=True)
    case_type: Mapped[str | None] = mapped_column(String(16), index=True)
    line: Mapped[str | None] = mapped_column(String(16), index=True)
    stage: Mapped[str | None] = mapped_column(String(32))
    power_subject: Mapped[str | None] = mapped_column(String(32))
    publish_date: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default="published")
    current_version: Mapped[int] = mapped_column(Integer)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    retracted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    retracted_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class VersionRow(Base):
    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    batch_number: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WorkflowEventRow(Base):
    """One step of an entry's workflow (import, revision, submit, approve, reject, publish, retract). Append-only."""

    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BatchRow(Base):
    """A publication batch (第N批): date, issuing body, and the entry versions published in it."""

    __tablename__ = "publication_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    issuer: Mapped[str] = mapped_column(Text)
    published_on: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


# Searchable and readable by everyone: published at least once and not retracted.
VISIBLE = EntryRow.published_version.is_not(None) & EntryRow.retracted_at.is_(None)


class OutboxRow(Base):
    """A version that still has to be written to (or removed from) the search index."""

    __tablename__ = "index_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8), default="upsert")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True)
class VersionInfo:
    version: int
    created_at: str
    content_hash: str
    source: str | None
    published_at: str | None = None
    batch_number: int | None = None

    @property
    def published(self) -> bool:
        return self.published_at is not None


@dataclass(frozen=True)
class Retraction:
    reason: str
    at: str
    by: str | None


@dataclass(frozen=True)
class StoredEntry:
    id: str
    version: int
    current_version: int
    status: str
    entry: Entry
    versions: list[VersionInfo]
    published_version: int | None = None
    retracted: Retraction | None = None


@dataclass(frozen=True)
class UpsertResult:
    entry_id: str
    version: int
    status: UpsertStatus
    title: str
    kind: str
    number: str | None
    workflow_status: str = "published"


@dataclass(frozen=True)
class PendingIndex:
    outbox_id: int
    entry_id: str
    version: int
    op: str
    attempts: int


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def create_record_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class RecordStore:
    """Entries with all their versions. `init_schema()` is idempotent."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_record_engine(url)
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def init_schema(self) -> None:
        from kb import facts_terms  # noqa: F401 - registers the derived table facts_terms (its module imports this one)

        Base.metadata.create_all(self.engine)
        _add_missing_columns(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------------------------

    def upsert(self, entry: Entry, *, publish: bool = True, actor: str | None = None) -> UpsertResult:
        """Store `entry`: a new entry, a new version of a changed one, or nothing when its content is unchanged."""
        return self.upsert_many([entry], publish=publish, actor=actor)[0]

    def upsert_many(
        self, entries: list[Entry], *, publish: bool = True, actor: str | None = None
    ) -> list[UpsertResult]:
        """All of `entries` in one transaction: either every one is stored or none is.

        `publish=True` (bulk loads of already published material: `kb ingest`, the demo corpus) makes each new
        version the published one at once. `publish=False` (uploads in the product) stores it as a draft for the
        review workflow; a published entry's public version stays as it was until the draft is published.
        """
        for attempt in range(1, WRITE_ATTEMPTS):
            try:
                return self._upsert_batch(entries, publish=publish, actor=actor)
            except IntegrityError:
                # Another writer on the same database (a `kb ingest` while the server imports) stored one of these
                # entries, or a version of it, between this transaction's read and its write. The transaction was
                # rolled back whole; reading again sees that entry and makes this one a new version (or nothing).
                logger.info("concurrent write to an entry of this batch; retrying (%s of %s)", attempt, WRITE_ATTEMPTS)
        return self._upsert_batch(entries, publish=publish, actor=actor)

    def _upsert_batch(self, entries: list[Entry], *, publish: bool, actor: str | None) -> list[UpsertResult]:
        with self._session.begin() as session:
            return [_upsert_in(session, entry, publish=publish, actor=actor) for entry in entries]

    @staticmethod
    def _fill_row(row: EntryRow, entry: Entry, version: int, digest: str) -> None:
        row.kind = entry.kind
        row.title = entry.title
        row.number = entry.number
        row.case_type = entry.case_type
        row.line = entry.line
        row.stage = entry.stage
        row.power_subject = entry.power_subject
        row.publish_date = entry.publish_date
        row.current_version = version
        row.content_hash = digest
        row.updated_at = _now()

    def delete(self, entry_id: str) -> None:
        with self._session.begin() as session:
            row = session.get(EntryRow, entry_id)
            if row is None:
                msg = f"条目不存在：{entry_id}"
                raise EntryNotFound(msg, entry_id=entry_id)
            session.delete(row)
            session.add(OutboxRow(entry_id=entry_id, version=row.current_version, op="delete"))

    # -- reading ---------------------------------------------------------------------------------------------------

    def get(self, entry_id: str, version: int | None = None) -> StoredEntry:
        with self._session() as session:
            row = session.get(EntryRow, entry_id)
            if row is None:
                msg = f"条目不存在：{entry_id}"
                raise EntryNotFound(msg, entry_id=entry_id)
            wanted = version or row.current_version
            versions = session.scalars(
                select(VersionRow).where(VersionRow.entry_id == entry_id).order_by(VersionRow.version)
            ).all()
            chosen = next((v for v in versions if v.version == wanted), None)
            if chosen is None:
                msg = f"条目 {entry_id} 没有第 {wanted} 版（现有 1–{row.current_version} 版）"
                raise EntryNotFound(
                    msg,
                    entry_id=entry_id,
                    version=wanted,
                )
            infos = [
                VersionInfo(
                    v.version,
                    v.created_at.isoformat(),
                    v.content_hash,
                    v.source,
                    v.published_at.isoformat() if v.published_at else None,
                    v.batch_number,
                )
                for v in versions
            ]
            return StoredEntry(
                id=entry_id,
                version=chosen.version,
                current_version=row.current_version,
                status=row.status,
                entry=Entry.from_dict(chosen.data),
                versions=infos,
                published_version=row.published_version,
                retracted=_retraction(row),
            )

    def get_published(self, entry_id: str, version: int | None = None) -> StoredEntry:
        """What the public may read: the published version by default, or an earlier version that was published.

        EntryNotFound for an entry that was never published (its existence is not revealed) and for a version that
        was not published; EntryRetracted, with the reason, for a retracted entry.
        """
        stored = self.get(entry_id)
        if stored.published_version is None:
            msg = f"条目不存在：{entry_id}"
            raise EntryNotFound(msg, entry_id=entry_id)
        if stored.retracted is not None:
            msg = f"该条目已于 {stored.retracted.at[:10]} 撤回，不再作为指导依据。撤回原因：{stored.retracted.reason}"
            raise EntryRetracted(msg, entry_id=entry_id, reason=stored.retracted.reason, at=stored.retracted.at)
        wanted = version or stored.published_version
        info = next((v for v in stored.versions if v.version == wanted), None)
        if info is None or not info.published:
            msg = f"条目 {entry_id} 没有已发布的第 {wanted} 版"
            raise EntryNotFound(msg, entry_id=entry_id, version=wanted)
        return stored if wanted == stored.version else self.get(entry_id, wanted)

    def exists(self, entry_id: str) -> bool:
        with self._session() as session:
            return session.get(EntryRow, entry_id) is not None

    def list_entries(
        self,
        *,
        kind: str | None = None,
        filters: dict[str, list[str]] | None = None,
        offset: int = 0,
        limit: int = 50,
        sort: str = "title",
    ) -> tuple[int, list[StoredEntry]]:
        """Published versions of visible entries (without their version history), filtered on the denormalised
        columns: the public listing of guidelines and power lists."""
        columns = {
            "line": EntryRow.line,
            "case_type": EntryRow.case_type,
            "stage": EntryRow.stage,
            "power_subject": EntryRow.power_subject,
            "number": EntryRow.number,
        }
        query = (
            select(EntryRow.id, EntryRow.published_version, EntryRow.status, VersionRow.data)
            .join(VersionRow, (VersionRow.entry_id == EntryRow.id) & (VersionRow.version == EntryRow.published_version))
            .where(VISIBLE)
        )
        count = select(func.count()).select_from(EntryRow).where(VISIBLE)
        if kind:
            query, count = query.where(EntryRow.kind == kind), count.where(EntryRow.kind == kind)
        for field, values in (filters or {}).items():
            column = columns.get(field)
            if column is not None and values:
                query, count = query.where(column.in_(values)), count.where(column.in_(values))
        order = {"date": EntryRow.publish_date.desc(), "created": EntryRow.created_at}.get(sort, EntryRow.title)
        query = query.order_by(order, EntryRow.id).offset(offset).limit(limit)
        with self._session() as session:
            total = session.scalar(count) or 0
            rows = session.execute(query).all()
        # One query for the page: a listing shows current versions and does not need their version history.
        items = [
            StoredEntry(
                id=entry_id,
                version=version,
                current_version=version,
                status=status,
                entry=Entry.from_dict(data),
                versions=[],
                published_version=version,
            )
            for entry_id, version, status, data in rows
        ]
        return total, items

    def iter_current(self, batch: int = 500) -> Iterator[tuple[str, int, Entry]]:
        """Every entry's working version, whatever its state (duplicate detection compares against these)."""
        return self._iter_versions(EntryRow.current_version, batch)

    def iter_published(self, batch: int = 500, *, kind: str | None = None) -> Iterator[tuple[str, int, Entry]]:
        """Every visible entry's published version (of one kind): what the index holds and a reindex writes."""
        return self._iter_versions(EntryRow.published_version, batch, visible_only=True, kind=kind)

    def published_versions(self, kind: str) -> list[tuple[str, int]]:
        """(id, published version) of every visible entry of `kind`, by id: a cheap signature of that part of the
        library (kb.provision_links rebuilds its law table when the one of laws changes)."""
        query = (
            select(EntryRow.id, EntryRow.published_version)
            .where(VISIBLE & (EntryRow.kind == kind))
            .order_by(EntryRow.id)
        )
        with self._session() as session:
            return [(str(i), int(v or 0)) for i, v in session.execute(query).all()]

    def _iter_versions(
        self, column: Any, batch: int, *, visible_only: bool = False, kind: str | None = None
    ) -> Iterator[tuple[str, int, Entry]]:
        last = ""
        while True:
            with self._session() as session:
                query = (
                    select(EntryRow.id, column, VersionRow.data)
                    .join(VersionRow, (VersionRow.entry_id == EntryRow.id) & (VersionRow.version == column))
                    .where(EntryRow.id > last)
                )
                if visible_only:
                    query = query.where(VISIBLE)
                if kind is not None:
                    query = query.where(EntryRow.kind == kind)
                rows = session.execute(query.order_by(EntryRow.id).limit(batch)).all()
            if not rows:
                return
            for entry_id, version, data in rows:
                yield entry_id, version, Entry.from_dict(data)
            last = rows[-1][0]

    def counts(self) -> dict[str, Any]:
        """The published library (visible entries: what the index holds) by kind, line and case type; the number of
        entries not visible (drafts under review, retracted); all versions."""
        with self._session() as session:
            by_kind = dict(
                session.execute(select(EntryRow.kind, func.count()).where(VISIBLE).group_by(EntryRow.kind)).all()
            )
            cases = (EntryRow.kind == "case") & VISIBLE
            by_line = dict(
                session.execute(select(EntryRow.line, func.count()).where(cases).group_by(EntryRow.line)).all()
            )
            by_type = dict(
                session.execute(
                    select(EntryRow.case_type, func.count()).where(cases).group_by(EntryRow.case_type)
                ).all()
            )
            hidden = session.scalar(select(func.count()).select_from(EntryRow).where(~VISIBLE)) or 0
            versions = session.scalar(select(func.count()).select_from(VersionRow)) or 0
        return {
            "entries_by_kind": {str(k): int(v) for k, v in by_kind.items()},
            "by_line": {str(k or "未分类"): int(v) for k, v in by_line.items()},
            "by_case_type": {str(k or "未分类"): int(v) for k, v in by_type.items()},
            "unpublished": int(hidden),
            "versions": int(versions),
        }

    # -- the index outbox -----------------------------------------------------------------------------------------

    def pending(self, limit: int = 1000) -> list[PendingIndex]:
        with self._session() as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id).limit(limit)).all()
            return [PendingIndex(r.id, r.entry_id, r.version, r.op, r.attempts) for r in rows]

    def pending_count(self) -> int:
        with self._session() as session:
            return int(session.scalar(select(func.count()).select_from(OutboxRow)) or 0)

    def mark_indexed(self, outbox_ids: list[int]) -> None:
        if not outbox_ids:
            return
        with self._session.begin() as session:
            session.query(OutboxRow).filter(OutboxRow.id.in_(outbox_ids)).delete(synchronize_session=False)

    def mark_failed(self, outbox_ids: list[int], error: str) -> None:
        if not outbox_ids:
            return
        with self._session.begin() as session:
            for row in session.scalars(select(OutboxRow).where(OutboxRow.id.in_(outbox_ids))):
                row.attempts += 1
                row.last_error = error[:2000]

    def enqueue_all(self) -> int:
        """Queue every visible entry's published version for indexing (used by reindex)."""
        with self._session.begin() as session:
            rows = session.execute(select(EntryRow.id, EntryRow.published_version).where(VISIBLE)).all()
            session.add_all(OutboxRow(entry_id=i, version=v, op="upsert") for i, v in rows)
        return len(rows)


def _upsert_in(session: Session, entry: Entry, *, publish: bool, actor: str | None) -> UpsertResult:
    digest = entry.content_hash()
    entry_id = entry.entry_id
    row = session.get(EntryRow, entry_id)
    if row is not None and row.content_hash == digest:
        return UpsertResult(entry_id, row.current_version, "unchanged", row.title, row.kind, row.number, row.status)
    version = 1 if row is None else row.current_version + 1
    status: UpsertStatus = "created" if row is None else "updated"
    before = None if row is None else row.status
    if row is None:
        row = EntryRow(id=entry_id, natural_key=entry.natural_key, created_at=_now())
        session.add(row)
    RecordStore._fill_row(row, entry, version, digest)
    now = _now()
    session.add(
        VersionRow(
            entry_id=entry_id,
            version=version,
            content_hash=digest,
            source=entry.source,
            data=entry.to_dict(),
            created_at=now,
            published_at=now if publish else None,
        )
    )
    row.submitted_by = None
    if publish:
        row.status = "published"
        row.published_version = version
        row.retracted_at = row.retracted_by = row.retracted_reason = None
        session.add(OutboxRow(entry_id=entry_id, version=version, op="upsert"))
    else:
        row.status = "draft"
    session.add(
        WorkflowEventRow(
            entry_id=entry_id,
            version=version,
            action="import" if before is None else "revise",
            from_status=before,
            to_status=row.status,
            actor=actor,
            created_at=now,
        )
    )
    session.flush()
    return UpsertResult(entry_id, version, status, entry.title, entry.kind, entry.number, row.status)


def _retraction(row: EntryRow) -> Retraction | None:
    if row.retracted_at is None:
        return None
    return Retraction(row.retracted_reason or "", row.retracted_at.isoformat(), row.retracted_by)


def _add_missing_columns(engine: Engine) -> None:
    """`create_all` makes missing tables but never alters existing ones: add the nullable columns that later
    releases introduced. An entry stored before the workflow existed was published: it keeps being visible."""
    inspector = inspect(engine)
    with engine.begin() as conn:
        tables: list[Table] = [EntryRow.__table__, VersionRow.__table__]  # type: ignore[list-item]
        for table in tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                if not column.nullable:  # pragma: no cover - every later column is nullable
                    msg = f"cannot add the required column {table.name}.{column.name} to an existing table"
                    raise RuntimeError(msg)
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
                logger.info("record store: added column %s.%s", table.name, column.name)
                if table.name == "entries" and column.name == "published_version":
                    conn.execute(
                        text("UPDATE entries SET published_version = current_version WHERE status = 'published'")
                    )
                if table.name == "entry_versions" and column.name == "published_at":
                    conn.execute(text("UPDATE entry_versions SET published_at = created_at"))
