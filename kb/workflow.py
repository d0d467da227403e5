"""The review-and-publish workflow of the case guidance center.

    draft ──submit──▶ submitted ──approve──▶ approved ──publish (in a batch)──▶ published ──retract──▶ retracted
      ▲                   │                      │
      └──────reject───────┴──────────────────────┘          (an edit or a re-import makes a new draft version)

Every step is one transaction: the state change, its event (who, when, comment) and, when the public version
changes, the index outbox row. The index therefore always follows the workflow: a publication queues the new public
version, a retraction queues the entry's removal, and a draft never reaches the index.

Four-eyes rule: whoever submitted a version may not approve or publish it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from kb.errors import EntryNotFound, KBError, NotFound
from kb.models import CASE_TYPES, Entry, EntryKind, Section
from kb.records import (
    STATUS_LABELS,
    BatchRow,
    EntryRow,
    OutboxRow,
    RecordStore,
    VersionRow,
    WorkflowEventRow,
)

ACTION_LABELS = {
    "import": "导入",
    "revise": "导入新版本",
    "edit": "修改",
    "submit": "提交审核",
    "approve": "审核通过",
    "reject": "退回修改",
    "publish": "发布",
    "retract": "撤回",
}
MAX_COMMENT = 2000
MAX_BATCH = 200
GUIDING_NUMBER = re.compile(r"检例第(\d+)号")


class InvalidTransition(KBError):
    """The entry is not in a state that allows this step (HTTP 409)."""

    code, title = "invalid_transition", "当前状态不允许此操作"


class NoChange(KBError):
    """An edit that changes nothing (HTTP 409)."""

    code, title = "no_change", "内容没有变化"


class InvalidWorkflowInput(KBError):
    """A missing comment or reason, a bad date, an empty batch (HTTP 422)."""

    code, title = "invalid_workflow_input", "请求参数无效"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WorkflowEvent:
    id: int
    entry_id: str
    version: int
    action: str
    from_status: str | None
    to_status: str
    actor: str | None
    comment: str | None
    batch_number: int | None
    created_at: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def batch_label(self) -> str | None:
        return f"第{self.batch_number}批" if self.batch_number else None


@dataclass(frozen=True)
class WorkflowItem:
    id: str
    kind: str
    title: str
    number: str | None
    case_type: str | None
    line: str | None
    status: str
    current_version: int
    published_version: int | None
    updated_at: str
    submitted_by: str | None
    retracted_reason: str | None
    retracted_at: str | None
    retracted_by: str | None
    last_event: WorkflowEvent | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class BatchEntry:
    id: str
    title: str
    number: str | None
    case_type: str | None
    version: int


@dataclass(frozen=True)
class Batch:
    id: int
    number: int
    title: str | None
    issuer: str
    published_on: str
    created_by: str | None
    created_at: str
    entries: list[BatchEntry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"第{self.number}批"


def _event(row: WorkflowEventRow) -> WorkflowEvent:
    return WorkflowEvent(
        row.id,
        row.entry_id,
        row.version,
        row.action,
        row.from_status,
        row.to_status,
        row.actor,
        row.comment,
        row.batch_number,
        row.created_at.isoformat(),
    )


def _item(row: EntryRow, last: WorkflowEventRow | None = None) -> WorkflowItem:
    return WorkflowItem(
        id=row.id,
        kind=row.kind,
        title=row.title,
        number=row.number,
        case_type=row.case_type,
        line=row.line,
        status=row.status,
        current_version=row.current_version,
        published_version=row.published_version,
        updated_at=row.updated_at.isoformat(),
        submitted_by=row.submitted_by,
        retracted_reason=row.retracted_reason,
        retracted_at=row.retracted_at.isoformat() if row.retracted_at else None,
        retracted_by=row.retracted_by,
        last_event=_event(last) if last is not None else None,
    )


def _clean(text: str | None, *, required: str | None = None) -> str | None:
    value = (text or "").strip()
    if len(value) > MAX_COMMENT:
        msg = f"意见不能超过 {MAX_COMMENT} 字（收到 {len(value)} 字）"
        raise InvalidWorkflowInput(msg, length=len(value))
    if not value and required:
        raise InvalidWorkflowInput(required)
    return value or None


class Workflow:
    """State changes, publication batches and the workflow's lists, over the record store's database."""

    def __init__(self, records: RecordStore) -> None:
        self.records = records
        self._session = sessionmaker(records.engine, expire_on_commit=False)

    # -- reading ---------------------------------------------------------------------------------------------------

    def entries(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        query: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, dict[str, int], list[WorkflowItem]]:
        """(total, count per state, one page) of entries, most recently changed first."""
        conditions: list[Any] = []
        if kind:
            conditions.append(EntryRow.kind == kind)
        if query and query.strip():
            pattern = f"%{query.strip()}%"
            conditions.append(or_(EntryRow.title.like(pattern), EntryRow.number.like(pattern)))
        with self._session() as session:
            per_status = dict(
                session.execute(
                    select(EntryRow.status, func.count()).where(*conditions).group_by(EntryRow.status)
                ).all()
            )
            counts = {key: int(per_status.get(key, 0)) for key in STATUS_LABELS}
            if status:
                conditions.append(EntryRow.status == status)
            total = int(session.scalar(select(func.count()).select_from(EntryRow).where(*conditions)) or 0)
            rows = session.scalars(
                select(EntryRow)
                .where(*conditions)
                .order_by(EntryRow.updated_at.desc(), EntryRow.id)
                .offset(offset)
                .limit(limit)
            ).all()
            last = self._last_events(session, [r.id for r in rows])
            return total, counts, [_item(r, last.get(r.id)) for r in rows]

    @staticmethod
    def _last_events(session: Session, ids: list[str]) -> dict[str, WorkflowEventRow]:
        if not ids:
            return {}
        newest = (
            select(func.max(WorkflowEventRow.id))
            .where(WorkflowEventRow.entry_id.in_(ids))
            .group_by(WorkflowEventRow.entry_id)
        )
        rows = session.scalars(select(WorkflowEventRow).where(WorkflowEventRow.id.in_(newest))).all()
        return {r.entry_id: r for r in rows}

    def item(self, entry_id: str) -> WorkflowItem:
        with self._session() as session:
            row = self._row(session, entry_id)
            return _item(row, self._last_events(session, [entry_id]).get(entry_id))

    def events(self, entry_id: str) -> list[WorkflowEvent]:
        with self._session() as session:
            self._row(session, entry_id)
            rows = session.scalars(
                select(WorkflowEventRow).where(WorkflowEventRow.entry_id == entry_id).order_by(WorkflowEventRow.id)
            ).all()
            return [_event(r) for r in rows]

    @staticmethod
    def _row(session: Session, entry_id: str) -> EntryRow:
        row = session.get(EntryRow, entry_id)
        if row is None:
            msg = f"条目不存在：{entry_id}"
            raise EntryNotFound(msg, entry_id=entry_id)
        return row

    # -- state changes ---------------------------------------------------------------------------------------------

    def submit(self, entry_id: str, actor: str, comment: str | None = None) -> WorkflowItem:
        note = _clean(comment)
        with self._session.begin() as session:
            row = self._expect(session, entry_id, {"draft"}, "提交审核")
            self._move(session, row, "submit", "submitted", actor, note)
            row.submitted_by = actor
        return self.item(entry_id)

    def approve(self, entry_id: str, actor: str, comment: str | None = None) -> WorkflowItem:
        note = _clean(comment)
        with self._session.begin() as session:
            row = self._expect(session, entry_id, {"submitted"}, "审核通过")
            self._four_eyes(row, actor, "审核")
            self._move(session, row, "approve", "approved", actor, note)
        return self.item(entry_id)

    def reject(self, entry_id: str, actor: str, comment: str | None) -> WorkflowItem:
        note = _clean(comment, required="退回修改须填写意见，说明需要修改的地方")
        with self._session.begin() as session:
            row = self._expect(session, entry_id, {"submitted", "approved"}, "退回修改")
            self._move(session, row, "reject", "draft", actor, note)
            row.submitted_by = None
        return self.item(entry_id)

    def retract(self, entry_id: str, actor: str, reason: str | None) -> WorkflowItem:
        why = _clean(reason, required="撤回须填写原因")
        with self._session.begin() as session:
            row = self._row(session, entry_id)
            if row.published_version is None or row.retracted_at is not None:
                state = "已撤回" if row.retracted_at is not None else "尚未发布"
                msg = f"“{row.title}”{state}，不能撤回"
                raise InvalidTransition(msg, entry_id=entry_id, state=row.status)
            now = _now()
            row.retracted_at, row.retracted_by, row.retracted_reason = now, actor, why
            self._move(session, row, "retract", "retracted", actor, why, version=row.published_version)
            session.add(OutboxRow(entry_id=entry_id, version=row.published_version, op="delete"))
        return self.item(entry_id)

    def edit(self, entry_id: str, actor: str, entry: Entry, comment: str | None = None) -> int:
        """Store `entry` (the working version with an editor's changes, see `apply_changes`) as a new draft version.

        Allowed on drafts and on published or retracted entries (a revision: the public version stays until the new
        one is published); a submitted or approved version is frozen until a reviewer rejects it. Returns the new
        version number; NoChange when the content is what is stored already. `comment` (修改说明) goes into the
        entry's history with the edit.
        """
        note = _clean(comment)
        with self._session.begin() as session:
            row = self._expect(session, entry_id, {"draft", "published", "retracted"}, "修改")
            digest = entry.content_hash()
            if digest == row.content_hash:
                msg = f"“{row.title}”的内容没有变化，未生成新版本"
                raise NoChange(msg, entry_id=entry_id)
            source = session.scalar(
                select(VersionRow.source).where(
                    VersionRow.entry_id == entry_id, VersionRow.version == row.current_version
                )
            )
            before = row.status
            version = row.current_version + 1
            RecordStore._fill_row(row, entry, version, digest)
            session.add(
                VersionRow(
                    entry_id=entry_id,
                    version=version,
                    content_hash=digest,
                    source=source,
                    data=entry.to_dict(),
                    created_at=_now(),
                )
            )
            row.status = "draft"
            row.submitted_by = None
            session.add(
                WorkflowEventRow(
                    entry_id=entry_id,
                    version=version,
                    action="edit",
                    from_status=before,
                    to_status="draft",
                    actor=actor,
                    comment=note,
                    created_at=_now(),
                )
            )
        return version

    # -- publication -------------------------------------------------------------------------------------------------

    def publish_batch(
        self,
        entry_ids: list[str],
        *,
        actor: str,
        issuer: str,
        published_on: str | None = None,
        title: str | None = None,
    ) -> Batch:
        """Publish approved entries as the next numbered batch; entries without a 编号 get one."""
        unique = list(dict.fromkeys(entry_ids))
        if not unique:
            msg = "发布批次至少需要一个条目"
            raise InvalidWorkflowInput(msg)
        if len(unique) > MAX_BATCH:
            msg = f"一个批次最多 {MAX_BATCH} 个条目，收到 {len(unique)} 个"
            raise InvalidWorkflowInput(msg, count=len(unique))
        body = (issuer or "").strip()
        if not body or len(body) > 100:
            msg = "请填写发布机关（100 字以内）"
            raise InvalidWorkflowInput(msg)
        day = _parse_day(published_on)
        with self._session.begin() as session:
            rows = [self._row(session, i) for i in unique]
            waiting = [r.title for r in rows if r.status != "approved"]
            if waiting:
                msg = "以下条目尚未审核通过，不能发布：" + "、".join(f"“{t}”" for t in waiting[:10])
                raise InvalidTransition(msg, titles=waiting)
            for row in rows:
                self._four_eyes(row, actor, "发布")
            number = int(session.scalar(select(func.max(BatchRow.number))) or 0) + 1
            batch = BatchRow(
                number=number,
                title=(title or "").strip() or None,
                issuer=body,
                published_on=day,
                created_by=actor,
                created_at=_now(),
            )
            session.add(batch)
            next_guiding = self._max_guiding_number(session) + 1
            for seq, row in enumerate(rows, start=1):
                version = session.scalar(
                    select(VersionRow).where(VersionRow.entry_id == row.id, VersionRow.version == row.current_version)
                )
                assert version is not None
                data = dict(version.data)
                if not data.get("number"):
                    if data.get("kind") == EntryKind.CASE and data.get("case_type") == CASE_TYPES[0]:
                        data["number"] = f"检例第{next_guiding}号"
                        next_guiding += 1
                    else:
                        data["number"] = f"第{number}批第{seq}号"
                data["batch"] = f"第{number}批"
                data["issuer"] = body
                data["publish_date"] = day
                version.data = data  # publication metadata; the content (and its hash) is what was approved
                version.published_at = _now()
                version.batch_number = number
                row.number = data["number"]
                row.publish_date = day
                row.published_version = row.current_version
                row.retracted_at = row.retracted_by = row.retracted_reason = None
                self._move(session, row, "publish", "published", actor, None, batch_number=number)
                session.add(OutboxRow(entry_id=row.id, version=row.current_version, op="upsert"))
        return self.batch(number)

    @staticmethod
    def _max_guiding_number(session: Session) -> int:
        numbers = session.scalars(select(EntryRow.number).where(EntryRow.number.like("检例第%号"))).all()
        found = [int(m.group(1)) for n in numbers if n and (m := GUIDING_NUMBER.fullmatch(n))]
        return max(found, default=0)

    def batches(self) -> list[Batch]:
        with self._session() as session:
            rows = session.scalars(select(BatchRow).order_by(BatchRow.number.desc())).all()
            return [self._batch(session, r) for r in rows]

    def batch(self, number: int) -> Batch:
        with self._session() as session:
            row = session.scalar(select(BatchRow).where(BatchRow.number == number))
            if row is None:
                msg = f"没有第{number}批"
                raise BatchNotFound(msg, number=number)
            return self._batch(session, row)

    @staticmethod
    def _batch(session: Session, row: BatchRow) -> Batch:
        versions = session.execute(
            select(VersionRow.entry_id, VersionRow.version, VersionRow.data)
            .where(VersionRow.batch_number == row.number)
            .order_by(VersionRow.id)
        ).all()
        entries = [
            BatchEntry(entry_id, str(data.get("title") or ""), data.get("number"), data.get("case_type"), version)
            for entry_id, version, data in versions
        ]
        return Batch(
            row.id,
            row.number,
            row.title,
            row.issuer,
            row.published_on,
            row.created_by,
            row.created_at.isoformat(),
            entries,
        )

    # -- helpers -----------------------------------------------------------------------------------------------------

    def _expect(self, session: Session, entry_id: str, allowed: set[str], action: str) -> EntryRow:
        row = self._row(session, entry_id)
        if row.status not in allowed:
            state = STATUS_LABELS.get(row.status, row.status)
            msg = f"“{row.title}”当前状态为「{state}」，不能{action}"
            raise InvalidTransition(msg, entry_id=entry_id, state=row.status)
        return row

    @staticmethod
    def _four_eyes(row: EntryRow, actor: str, action: str) -> None:
        if row.submitted_by is not None and row.submitted_by == actor:
            msg = f"“{row.title}”由您本人提交，须由其他审核人员{action}"
            raise InvalidTransition(msg, entry_id=row.id, rule="four_eyes")

    @staticmethod
    def _move(
        session: Session,
        row: EntryRow,
        action: str,
        to_status: str,
        actor: str,
        comment: str | None,
        *,
        version: int | None = None,
        batch_number: int | None = None,
    ) -> None:
        session.add(
            WorkflowEventRow(
                entry_id=row.id,
                version=version or row.current_version,
                action=action,
                from_status=row.status,
                to_status=to_status,
                actor=actor,
                comment=comment,
                batch_number=batch_number,
                created_at=_now(),
            )
        )
        row.status = to_status
        row.updated_at = _now()


class BatchNotFound(NotFound):
    code, title = "batch_not_found", "批次不存在"


def _parse_day(value: str | None) -> str:
    if not value:
        return date.today().isoformat()
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        msg = f"发布日期格式应为 YYYY-MM-DD，收到“{value}”"
        raise InvalidWorkflowInput(msg, value=value) from exc


EDITABLE = ("title", "keywords", "sections", "note")


def apply_changes(entry: Entry, changes: dict[str, Any]) -> Entry:
    """A copy of `entry` with the editable fields replaced. Elements extracted from the text (charges, outcomes,
    provisions) are the caller's to recompute when the sections changed (ingest does the extraction)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        msg = "不能修改这些字段：" + "、".join(sorted(unknown))
        raise InvalidWorkflowInput(msg, fields=sorted(unknown))
    updated = replace(entry, keywords=list(entry.keywords), sections=list(entry.sections))
    if "title" in changes:
        title = str(changes["title"] or "").strip()
        if not title or len(title) > 300:
            msg = "标题不能为空，且不超过 300 字"
            raise InvalidWorkflowInput(msg)
        updated.title = title
    if "keywords" in changes:
        updated.keywords = [str(k).strip() for k in changes["keywords"] or [] if str(k).strip()][:50]
    if "note" in changes:
        updated.note = (str(changes["note"]).strip() or None) if changes["note"] is not None else None
    if "sections" in changes:
        sections = []
        for raw in changes["sections"] or []:
            text = str(raw.get("text") or "").strip()
            if not text:
                continue
            sections.append(
                Section(
                    key=str(raw.get("key") or "body"),
                    heading=str(raw.get("heading") or ""),
                    text=text,
                    path=list(raw.get("path") or []),
                )
            )
        if not sections:
            msg = "条目至少需要一段正文"
            raise InvalidWorkflowInput(msg)
        updated.sections = sections
    return updated
