"""Review and publication (审核发布): the workflow lists, edits as new versions, state changes, publication batches.

Every state change is audited and then brought into the search index at once (`index_pending`), so search always
shows exactly the published, not retracted versions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.auth import Principal, PrincipalDep, audit
from api.deps import KBDep
from api.schemas import EntryDetail, RequestBody
from ingest.parsers.common import enrich_case
from kb.dedup import detector_for
from kb.models import EntryKind
from kb.service import KnowledgeBase
from kb.workflow import Batch, WorkflowEvent, WorkflowItem, apply_changes

router = APIRouter(tags=["workflow"])

StatusName = Literal["draft", "submitted", "approved", "published", "retracted"]


class EventOut(BaseModel):
    id: int
    entry_id: str
    version: int
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    actor: str | None
    comment: str | None
    batch_label: str | None
    created_at: str

    @classmethod
    def of(cls, event: WorkflowEvent) -> EventOut:
        return cls(
            id=event.id,
            entry_id=event.entry_id,
            version=event.version,
            action=event.action,
            action_label=event.action_label,
            from_status=event.from_status,
            to_status=event.to_status,
            actor=event.actor,
            comment=event.comment,
            batch_label=event.batch_label,
            created_at=event.created_at,
        )


class RetractedOut(BaseModel):
    reason: str
    at: str
    by: str | None


class WorkflowItemOut(BaseModel):
    id: str
    kind: str
    title: str
    number: str | None
    case_type: str | None
    line: str | None
    status: str
    status_label: str
    current_version: int
    published_version: int | None
    retracted: RetractedOut | None
    updated_at: str
    submitted_by: str | None
    last_event: EventOut | None

    @classmethod
    def of(cls, item: WorkflowItem) -> WorkflowItemOut:
        retracted = None
        if item.retracted_at is not None:
            retracted = RetractedOut(reason=item.retracted_reason or "", at=item.retracted_at, by=item.retracted_by)
        return cls(
            id=item.id,
            kind=item.kind,
            title=item.title,
            number=item.number,
            case_type=item.case_type,
            line=item.line,
            status=item.status,
            status_label=item.status_label,
            current_version=item.current_version,
            published_version=item.published_version,
            retracted=retracted,
            updated_at=item.updated_at,
            submitted_by=item.submitted_by,
            last_event=EventOut.of(item.last_event) if item.last_event else None,
        )


class WorkflowList(BaseModel):
    total: int
    page: int
    page_size: int
    counts: dict[str, int] = Field(description="各状态的条目数（不受状态筛选影响）")
    items: list[WorkflowItemOut]


class WorkflowDetail(BaseModel):
    item: WorkflowItemOut
    entry: EntryDetail = Field(description="工作版本（最新版本）")
    events: list[EventOut]
    near_duplicates: list[dict[str, Any]] = Field(description="疑似重复的已有条目（并排对照用）")


class SectionIn(RequestBody):
    key: str = Field(default="body", max_length=32)
    heading: str = Field(default="", max_length=200)
    text: str = Field(max_length=200_000)
    path: list[str] = Field(default_factory=list, max_length=10)


class EntryEdit(RequestBody):
    title: str | None = Field(default=None, max_length=300)
    keywords: list[str] | None = Field(default=None, max_length=50)
    sections: list[SectionIn] | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=5000, description="条目的备注字段")
    comment: str | None = Field(default=None, max_length=2000, description="修改说明（记入流转记录，不属于条目内容）")


class CommentIn(RequestBody):
    comment: str | None = Field(default=None, max_length=2000)


class ReasonIn(RequestBody):
    reason: str = Field(max_length=2000)


class BatchIn(RequestBody):
    entry_ids: list[str] = Field(min_length=1, max_length=200)
    issuer: str = Field(max_length=100)
    published_on: str | None = Field(default=None, description="YYYY-MM-DD，默认今天")
    title: str | None = Field(default=None, max_length=200)


class BatchEntryOut(BaseModel):
    id: str
    title: str
    number: str | None
    case_type: str | None
    version: int


class BatchOut(BaseModel):
    id: int
    number: int
    label: str
    title: str | None
    issuer: str
    published_on: str
    created_by: str | None
    created_at: str
    entries: list[BatchEntryOut]

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(
            id=batch.id,
            number=batch.number,
            label=batch.label,
            title=batch.title,
            issuer=batch.issuer,
            published_on=batch.published_on,
            created_by=batch.created_by,
            created_at=batch.created_at,
            entries=[BatchEntryOut(**e.__dict__) for e in batch.entries],
        )


class BatchList(BaseModel):
    items: list[BatchOut]


# -- reading ---------------------------------------------------------------------------------------------------------


@router.get("/workflow/entries", response_model=WorkflowList, summary="审核发布：按状态列出条目")
async def list_workflow(
    kb: KBDep,
    status: StatusName | None = None,
    kind: Literal["case", "guideline", "power_item", "law"] | None = None,
    q: Annotated[str | None, Query(max_length=200, description="标题或编号包含")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WorkflowList:
    total, counts, items = await run_in_threadpool(
        kb.workflow.entries, status=status, kind=kind, query=q, offset=(page - 1) * page_size, limit=page_size
    )
    return WorkflowList(
        total=total, page=page, page_size=page_size, counts=counts, items=[WorkflowItemOut.of(i) for i in items]
    )


def _detail(kb: KnowledgeBase, entry_id: str) -> WorkflowDetail:
    stored = kb.get_entry(entry_id)
    check = detector_for(kb.records).check(stored.entry, entry_id=entry_id)
    return WorkflowDetail(
        item=WorkflowItemOut.of(kb.workflow.item(entry_id)),
        entry=EntryDetail.from_stored(stored),
        events=[EventOut.of(e) for e in kb.workflow.events(entry_id)],
        near_duplicates=[near.to_dict() for near in check.near],
    )


@router.get("/workflow/entries/{entry_id}", response_model=WorkflowDetail, summary="审核发布：条目的工作版本与流转记录")
async def read_workflow_entry(entry_id: str, kb: KBDep) -> WorkflowDetail:
    return await run_in_threadpool(_detail, kb, entry_id)


# -- changing --------------------------------------------------------------------------------------------------------


def _edit(kb: KnowledgeBase, entry_id: str, actor: str, changes: dict[str, Any], comment: str | None) -> int:
    stored = kb.get_entry(entry_id)
    entry = apply_changes(stored.entry, changes)
    if entry.kind == EntryKind.CASE and "sections" in changes:
        entry = enrich_case(entry, overrides=("line",))  # the elements follow the edited text, as at import
    detector_for(kb.records).ensure_unique([entry], entry_ids=[entry_id])  # identical to another entry: 409
    return kb.workflow.edit(entry_id, actor, entry, comment)


@router.put("/workflow/entries/{entry_id}", response_model=WorkflowDetail, summary="修改条目（生成新的草稿版本）")
async def edit_workflow_entry(
    entry_id: str, body: EntryEdit, request: Request, kb: KBDep, principal: PrincipalDep
) -> WorkflowDetail:
    changes = body.model_dump(exclude_unset=True)
    comment = changes.pop("comment", None)
    if "sections" in changes and changes["sections"] is not None:
        changes["sections"] = [s.model_dump() for s in body.sections or []]
    try:
        version = await run_in_threadpool(_edit, kb, entry_id, principal.name, changes, comment)
    except Exception as exc:
        await audit(request, "entry.edit", target=entry_id, outcome="failure", details={"error": type(exc).__name__})
        raise
    await audit(request, "entry.edit", target=entry_id, details={"version": version, "fields": sorted(changes)})
    return await run_in_threadpool(_detail, kb, entry_id)


async def _step(
    request: Request, kb: KnowledgeBase, principal: Principal, entry_id: str, action: str, text: str | None
) -> WorkflowItemOut:
    steps = {
        "submit": kb.workflow.submit,
        "approve": kb.workflow.approve,
        "reject": kb.workflow.reject,
        "retract": kb.workflow.retract,
    }
    try:
        item = await run_in_threadpool(steps[action], entry_id, principal.name, text)
    except Exception as exc:
        details = {"error": getattr(exc, "code", type(exc).__name__)}
        await audit(request, f"entry.{action}", target=entry_id, outcome="failure", details=details)
        raise
    if action == "retract":
        await run_in_threadpool(kb.index_pending)
    details = {"version": item.current_version, "status": item.status, "comment": text}
    await audit(request, f"entry.{action}", target=entry_id, details=details)
    return WorkflowItemOut.of(item)


@router.post("/workflow/entries/{entry_id}/submit", response_model=WorkflowItemOut, summary="提交审核")
async def submit_entry(
    entry_id: str, request: Request, kb: KBDep, principal: PrincipalDep, body: CommentIn | None = None
) -> WorkflowItemOut:
    return await _step(request, kb, principal, entry_id, "submit", body.comment if body else None)


@router.post("/workflow/entries/{entry_id}/approve", response_model=WorkflowItemOut, summary="审核通过")
async def approve_entry(
    entry_id: str, request: Request, kb: KBDep, principal: PrincipalDep, body: CommentIn | None = None
) -> WorkflowItemOut:
    return await _step(request, kb, principal, entry_id, "approve", body.comment if body else None)


@router.post("/workflow/entries/{entry_id}/reject", response_model=WorkflowItemOut, summary="退回修改（须填写意见）")
async def reject_entry(
    entry_id: str, body: CommentIn, request: Request, kb: KBDep, principal: PrincipalDep
) -> WorkflowItemOut:
    return await _step(request, kb, principal, entry_id, "reject", body.comment)


@router.post(
    "/workflow/entries/{entry_id}/retract", response_model=WorkflowItemOut, summary="撤回已发布条目（须填写原因）"
)
async def retract_entry(
    entry_id: str, body: ReasonIn, request: Request, kb: KBDep, principal: PrincipalDep
) -> WorkflowItemOut:
    return await _step(request, kb, principal, entry_id, "retract", body.reason)


# -- batches ---------------------------------------------------------------------------------------------------------


@router.get("/batches", response_model=BatchList, summary="发布批次")
async def list_batches(kb: KBDep) -> BatchList:
    batches = await run_in_threadpool(kb.workflow.batches)
    return BatchList(items=[BatchOut.of(b) for b in batches])


@router.get("/batches/{number}", response_model=BatchOut, summary="一个发布批次及其条目")
async def read_batch(number: Annotated[int, Path(ge=1, le=1_000_000)], kb: KBDep) -> BatchOut:
    return BatchOut.of(await run_in_threadpool(kb.workflow.batch, number))


@router.post("/batches", response_model=BatchOut, status_code=201, summary="发布一批已审核的条目（第N批）")
async def publish_batch(body: BatchIn, request: Request, kb: KBDep, principal: PrincipalDep) -> BatchOut:
    def publish() -> Batch:
        return kb.workflow.publish_batch(
            body.entry_ids,
            actor=principal.name,
            issuer=body.issuer,
            published_on=body.published_on,
            title=body.title,
        )

    try:
        batch = await run_in_threadpool(publish)
    except Exception as exc:
        details = {"error": getattr(exc, "code", type(exc).__name__), "entries": body.entry_ids}
        await audit(request, "batch.publish", outcome="failure", details=details)
        raise
    await run_in_threadpool(kb.index_pending)
    details = {"entries": [e.id for e in batch.entries], "numbers": [e.number for e in batch.entries]}
    await audit(request, "batch.publish", target=batch.label, details=details)
    return BatchOut.of(batch)
