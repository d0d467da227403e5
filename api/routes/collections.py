"""Training collections (专题): CRUD, items with teaching notes and discussion questions, order; warning-case filter.

Every route acts for `acting_user_id`. Someone else's personal collection answers 404 (no probing of ids); changing a
collection shared by someone else answers 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, StrictBool

from api.auth import audit
from api.deps import KBDep
from api.schemas import EntrySummary, RequestBody
from kb.accounts.errors import NotAuthenticated
from kb.training.service import Collection, CollectionItem, CollectionService
from kb.training.warning_cases import list_warning_cases

router = APIRouter(tags=["training"])

LOCAL_USER = "local"


def acting_user_id(request: Request) -> str:
    """Who acts: the signed-in user the auth gate resolved. Without a gate (an app built without auth) the single
    local user acts; behind the gate an anonymous caller is refused, so nobody shares the "local" collections.

    A seam: the application may point this at the accounts' `current_user` (dependency override or edit).
    """
    if not hasattr(request.state, "principal"):
        return LOCAL_USER
    user = getattr(request.state.principal, "user", None)
    if user is None:
        msg = "专题属于个人，请先登录"
        raise NotAuthenticated(msg)
    return str(user.id)


UserIdDep = Annotated[str, Depends(acting_user_id)]


def get_collections(request: Request, kb: KBDep) -> CollectionService:
    """The collection service of this app (its tables are created on first use)."""
    service: CollectionService | None = getattr(request.app.state, "collections", None)
    if service is None or service.records is not kb.records:
        service = CollectionService(kb.records)
        service.init_schema()
        request.app.state.collections = service
    return service


CollectionsDep = Annotated[CollectionService, Depends(get_collections)]


# -- bodies ------------------------------------------------------------------------------------------------------------


class CollectionCreate(RequestBody):
    title: str = Field(min_length=1, max_length=200, description="专题标题")
    description: str = Field(default="", max_length=5000, description="专题说明")
    shared: StrictBool = Field(default=False, description="共享给所有用户（培训讲师共享专题）")


class CollectionPatch(RequestBody):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    shared: StrictBool | None = None


class ItemCreate(RequestBody):
    entry_id: str = Field(min_length=1, max_length=32)
    version: int | None = Field(default=None, ge=1, description="固定引用的版本（id@version）；不填则始终用现行版本")
    teaching_notes: str = Field(default="", max_length=20000, description="教学要点")
    discussion_questions: list[str] = Field(default_factory=list, max_length=50, description="讨论题")
    position: int | None = Field(default=None, ge=1, description="插入位置（从 1 开始）；不填则追加到末尾")


class ItemPatch(RequestBody):
    version: int | None = Field(default=None, ge=1)
    unpin: StrictBool = Field(default=False, description="取消固定版本，改用现行版本")
    teaching_notes: str | None = Field(default=None, max_length=20000)
    discussion_questions: list[str] | None = Field(default=None, max_length=50)


class ItemOrder(RequestBody):
    item_ids: list[int] = Field(description="全部条目编号的新顺序（每个恰好一次）")


class CollectionItemOut(BaseModel):
    id: int
    position: int
    entry_id: str
    version: int | None = Field(description="固定的版本；null 表示现行版本")
    citation: str = Field(description="引用：id 或 id@version")
    teaching_notes: str
    discussion_questions: list[str]
    added_at: datetime
    title: str | None = Field(description="条目标题；null 表示条目已被删除")
    number: str | None
    case_type: str | None

    @classmethod
    def from_domain(cls, item: CollectionItem) -> CollectionItemOut:
        return cls(
            id=item.id,
            position=item.position,
            entry_id=item.entry_id,
            version=item.version,
            citation=item.citation,
            teaching_notes=item.teaching_notes,
            discussion_questions=item.discussion_questions,
            added_at=item.added_at,
            title=item.title,
            number=item.number,
            case_type=item.case_type,
        )


class CollectionSummaryOut(BaseModel):
    id: str
    title: str
    description: str
    owner_id: str
    shared: bool
    mine: bool
    item_count: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_domain(cls, c: Collection, user_id: str) -> CollectionSummaryOut:
        return cls(
            id=c.id,
            title=c.title,
            description=c.description,
            owner_id=c.owner_id,
            shared=c.shared,
            mine=c.owner_id == user_id,
            item_count=c.item_count,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class CollectionOut(CollectionSummaryOut):
    items: list[CollectionItemOut]

    @classmethod
    def from_full(cls, c: Collection, user_id: str) -> CollectionOut:
        summary = CollectionSummaryOut.from_domain(c, user_id)
        return cls(**summary.model_dump(), items=[CollectionItemOut.from_domain(i) for i in c.items])


class CollectionList(BaseModel):
    items: list[CollectionSummaryOut]


class WarningCaseFacets(BaseModel):
    error_type: dict[str, int] = Field(description="错误类型 → 件数")
    misused_power: dict[str, int] = Field(description="涉及权力清单事项 → 件数")


class WarningCaseList(BaseModel):
    total: int
    items: list[EntrySummary]
    facets: WarningCaseFacets


# -- routes ------------------------------------------------------------------------------------------------------------


@router.get("/collections", response_model=CollectionList, summary="我的专题与共享专题")
async def list_collections(
    service: CollectionsDep, user_id: UserIdDep, mine: Annotated[bool, Query(description="只列出我的专题")] = False
) -> CollectionList:
    found = await run_in_threadpool(service.list_visible, user_id, mine_only=mine)
    return CollectionList(items=[CollectionSummaryOut.from_domain(c, user_id) for c in found])


@router.post("/collections", response_model=CollectionOut, status_code=201, summary="新建专题")
async def create_collection(
    request: Request, body: CollectionCreate, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    created = await run_in_threadpool(service.create, user_id, body.title, body.description, shared=body.shared)
    await audit(request, "collection.create", target=f"collection:{created.id}", details={"title": body.title})
    return CollectionOut.from_full(created, user_id)


@router.get("/collections/{collection_id}", response_model=CollectionOut, summary="专题详情（含条目）")
async def read_collection(collection_id: str, service: CollectionsDep, user_id: UserIdDep) -> CollectionOut:
    return CollectionOut.from_full(await run_in_threadpool(service.get, collection_id, user_id), user_id)


@router.patch("/collections/{collection_id}", response_model=CollectionOut, summary="修改专题标题、说明或共享")
async def update_collection(
    request: Request, collection_id: str, body: CollectionPatch, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    changed = await run_in_threadpool(
        service.update,
        collection_id,
        user_id,
        title=body.title,
        description=body.description,
        shared=body.shared,
    )
    await audit(
        request, "collection.update", target=f"collection:{collection_id}", details=body.model_dump(exclude_none=True)
    )
    return CollectionOut.from_full(changed, user_id)


@router.delete("/collections/{collection_id}", status_code=204, summary="删除专题")
async def delete_collection(
    request: Request, collection_id: str, service: CollectionsDep, user_id: UserIdDep
) -> Response:
    await run_in_threadpool(service.delete, collection_id, user_id)
    await audit(request, "collection.delete", target=f"collection:{collection_id}")
    return Response(status_code=204)


@router.post(
    "/collections/{collection_id}/items", response_model=CollectionOut, status_code=201, summary="向专题添加案例"
)
async def add_collection_item(
    request: Request, collection_id: str, body: ItemCreate, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    changed = await run_in_threadpool(
        lambda: service.add_item(
            collection_id,
            user_id,
            body.entry_id,
            version=body.version,
            teaching_notes=body.teaching_notes,
            discussion_questions=body.discussion_questions,
            position=body.position,
        )
    )
    details = {"entry_id": body.entry_id, "version": body.version}
    await audit(request, "collection.item_add", target=f"collection:{collection_id}", details=details)
    return CollectionOut.from_full(changed, user_id)


@router.patch(
    "/collections/{collection_id}/items/{item_id}",
    response_model=CollectionOut,
    summary="修改教学要点、讨论题或固定版本",
)
async def update_collection_item(
    request: Request, collection_id: str, item_id: int, body: ItemPatch, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    changed = await run_in_threadpool(
        lambda: service.update_item(
            collection_id,
            user_id,
            item_id,
            version=body.version,
            unpin=body.unpin,
            teaching_notes=body.teaching_notes,
            discussion_questions=body.discussion_questions,
        )
    )
    details = {"item_id": item_id, **body.model_dump(exclude_none=True)}
    await audit(request, "collection.item_update", target=f"collection:{collection_id}", details=details)
    return CollectionOut.from_full(changed, user_id)


@router.delete("/collections/{collection_id}/items/{item_id}", response_model=CollectionOut, summary="从专题移除案例")
async def remove_collection_item(
    request: Request, collection_id: str, item_id: int, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    changed = await run_in_threadpool(service.remove_item, collection_id, user_id, item_id)
    await audit(request, "collection.item_remove", target=f"collection:{collection_id}", details={"item_id": item_id})
    return CollectionOut.from_full(changed, user_id)


@router.put("/collections/{collection_id}/order", response_model=CollectionOut, summary="调整专题中案例的顺序")
async def reorder_collection(
    request: Request, collection_id: str, body: ItemOrder, service: CollectionsDep, user_id: UserIdDep
) -> CollectionOut:
    changed = await run_in_threadpool(service.reorder, collection_id, user_id, body.item_ids)
    await audit(request, "collection.reorder", target=f"collection:{collection_id}", details={"order": body.item_ids})
    return CollectionOut.from_full(changed, user_id)


@router.get("/training/warning-cases", response_model=WarningCaseList, summary="警示案例（按错误类型、涉及权力筛选）")
async def warning_cases(
    kb: KBDep,
    error_type: Annotated[list[str] | None, Query(description="错误类型，可多选")] = None,
    misused_power: Annotated[list[str] | None, Query(description="涉及权力清单事项，可多选")] = None,
    line: Annotated[list[str] | None, Query(description="检察类别")] = None,
) -> WarningCaseList:
    found = await run_in_threadpool(
        lambda: list_warning_cases(kb.records, error_types=error_type, misused_powers=misused_power, line=line)
    )
    facets: dict[str, Any] = {"error_type": found.error_types, "misused_power": found.misused_powers}
    return WarningCaseList(
        total=found.total,
        items=[EntrySummary.from_stored(s) for s in found.items],
        facets=WarningCaseFacets(**facets),
    )
