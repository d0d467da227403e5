"""Upload and ingest: multipart files, a size limit per file, one result per file."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import PrincipalDep, audit
from api.deps import KBDep
from api.schemas import IngestResponse
from ingest.errors import FileTooLarge, IngestError
from ingest.pipeline import FileReport, IngestReport, ingest_upload

router = APIRouter(tags=["ingest"])

READ_CHUNK = 1024 * 1024
MAX_FILES = 50


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    """Read at most `limit` bytes; stop as soon as the file is larger, without reading the rest."""
    parts: list[bytes] = []
    size = 0
    while chunk := await upload.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            name = upload.filename or "未命名文件"
            msg = f"{name}：文件超过大小上限 {limit // (1024 * 1024)} MB"
            raise FileTooLarge(msg, source=name, limit_bytes=limit)
        parts.append(chunk)
    return b"".join(parts)


@router.post("/ingest", response_model=IngestResponse, summary="上传并导入文件（可多个）")
async def upload_and_ingest(
    request: Request,
    kb: KBDep,
    principal: PrincipalDep,
    files: Annotated[list[UploadFile], File(description="案例、指引、权力清单或法律法规文件")],
    kind: Annotated[
        Literal["law", "guideline"] | None,
        Form(description="文本文件按此类型导入：law（法律法规、司法解释）或 guideline（办案指引）；不填则自动识别"),
    ] = None,
) -> IngestResponse:
    """Uploaded entries are drafts (审核发布): they reach search when a reviewer publishes them."""
    if not files:
        msg = "没有收到文件，请选择至少一个文件上传"
        raise IngestError(msg)
    if len(files) > MAX_FILES:
        msg = f"一次最多上传 {MAX_FILES} 个文件，收到 {len(files)} 个"
        raise IngestError(msg, count=len(files))
    limit = kb.settings.max_upload_mb * 1024 * 1024
    report = IngestReport()
    for upload in files:
        name = upload.filename or "未命名文件"
        try:
            data = await _read_limited(upload, limit)
        except FileTooLarge as exc:
            report.files.append(FileReport(name=name, status="failed", error=exc))
            continue
        report.files.append(
            await run_in_threadpool(partial(ingest_upload, kb, data, name, actor=principal.name, kind=kind))
        )
    for f in report.files:
        await audit(
            request,
            "entry.import",
            target=f.name,
            outcome="failure" if f.status == "failed" else "success",
            details={
                "status": f.status,
                "entries": [e.id for e in f.entries],
                "error": f.error.code if f.error else None,
            },
        )
    if len(report.files) == 1 and isinstance(report.files[0].error, FileTooLarge):
        raise report.files[0].error
    return IngestResponse.model_validate({
        "ok": report.ok,
        "files": [f.to_dict() for f in report.files],
        "summary": report.summary(),
    })
