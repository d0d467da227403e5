"""DOCX/PDF export of an entry (any version) or a whole training collection, as a download."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.auth import audit
from api.deps import KBDep
from api.routes.collections import LOCAL_USER, CollectionsDep, UserIdDep
from kb.accounts.roles import Permission
from kb.export.service import FORMATS, ExportFile, export_collection, export_entry

router = APIRouter(tags=["export"])

FormatQuery = Annotated[Literal["docx", "pdf"], Query(alias="format", description="docx 或 pdf")]
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media: {} for media in FORMATS.values()},
        "description": "文件下载（附件，文件名见 Content-Disposition）",
    }
}


ANONYMOUS = "anonymous"


def reader_id(request: Request) -> str:
    """Who exports an entry, for the audit hook: the signed-in user, `anonymous` when the configuration lets
    anonymous readers in, the local user without an auth gate. (Collections need a person: `acting_user_id`.)"""
    if not hasattr(request.state, "principal"):
        return LOCAL_USER
    user = getattr(request.state.principal, "user", None)
    return str(user.id) if user is not None else ANONYMOUS


ReaderIdDep = Annotated[str, Depends(reader_id)]


def _download(file: ExportFile) -> Response:
    return Response(
        content=file.data,
        media_type=file.media_type,
        headers={"Content-Disposition": file.content_disposition, "Cache-Control": "no-store"},
    )


@router.get(
    "/entries/{entry_id}/export",
    response_class=Response,
    responses=DOWNLOAD,
    summary="导出条目（DOCX/PDF，可指定历史版本）",
)
async def export_entry_file(
    request: Request,
    entry_id: str,
    kb: KBDep,
    user_id: ReaderIdDep,
    fmt: FormatQuery = "pdf",
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    # Behind the gate, only editors and reviewers export drafts; an app built without the gate has one local user.
    principal = getattr(request.state, "principal", None)
    published_only = principal is not None and not principal.can(Permission.READ_UNPUBLISHED)
    file = await run_in_threadpool(
        lambda: export_entry(kb.records, entry_id, fmt, version=version, user_id=user_id, published_only=published_only)
    )
    await audit(request, "entry.export", target=file.target, details={"format": fmt, "file": file.filename})
    return _download(file)


@router.get(
    "/collections/{collection_id}/export",
    response_class=Response,
    responses=DOWNLOAD,
    summary="导出整个专题（DOCX/PDF）",
)
async def export_collection_file(
    request: Request, collection_id: str, service: CollectionsDep, user_id: UserIdDep, fmt: FormatQuery = "pdf"
) -> Response:
    file = await run_in_threadpool(lambda: export_collection(service, collection_id, fmt, user_id=user_id))
    await audit(request, "collection.export", target=file.target, details={"format": fmt, "file": file.filename})
    return _download(file)
