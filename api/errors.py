"""One place that maps domain errors to HTTP statuses and RFC 9457 problem details (Chinese `detail`)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from haystack.core.errors import PipelineRuntimeError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.errors import EmptyFile, FileTooLarge, IngestError, UnsafeFileName, UnsupportedFormat
from kb.dedup.errors import DuplicateEntry
from kb.errors import (
    ConfigError,
    EmbedderUnavailable,
    EntryRetracted,
    InvalidQuery,
    KBError,
    NotFound,
    StoreUnavailable,
)
from kb.export.errors import InvalidExportFormat
from kb.runtime_settings import InvalidSetting
from kb.training.errors import CollectionForbidden, InvalidCollection
from kb.workflow import InvalidTransition, InvalidWorkflowInput, NoChange

logger = logging.getLogger(__name__)

STATUS: list[tuple[type[KBError], int]] = [
    (CollectionForbidden, 403),
    (DuplicateEntry, 409),
    (InvalidTransition, 409),
    (NoChange, 409),
    (EntryRetracted, 410),
    (InvalidWorkflowInput, 422),
    (InvalidSetting, 422),
    (InvalidCollection, 422),
    (InvalidExportFormat, 422),
    (NotFound, 404),
    (FileTooLarge, 413),
    (UnsupportedFormat, 415),
    (EmptyFile, 422),
    (UnsafeFileName, 422),
    (IngestError, 422),
    (InvalidQuery, 422),
    (StoreUnavailable, 503),
    (EmbedderUnavailable, 503),
    (ConfigError, 500),
]

HTTP_TITLES = {
    403: "无权访问",
    404: "未找到",
    405: "方法不允许",
    409: "冲突",
    410: "已撤回",
    413: "请求过大",
    422: "请求参数无效",
    500: "服务器内部错误",
}


def status_for(exc: KBError) -> int:
    return next((status for cls, status in STATUS if isinstance(exc, cls)), 500)


def problem(request: Request, *, status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"/errors/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        "request_id": getattr(request.state, "request_id", None),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _unwrap(exc: BaseException) -> BaseException:
    seen = 0
    while isinstance(exc, PipelineRuntimeError) and exc.__cause__ is not None and seen < 5:
        exc, seen = exc.__cause__, seen + 1
    return exc


async def kb_error_handler(request: Request, exc: KBError) -> JSONResponse:
    status = status_for(exc)
    if status >= 500:
        logger.error("request failed: %s", exc.code)
    context = {k: v for k, v in exc.context.items() if isinstance(v, str | int | float | bool | None)}
    return problem(request, status=status, code=exc.code, title=exc.title, detail=exc.detail, **context)


async def pipeline_error_handler(request: Request, exc: Exception) -> JSONResponse:
    inner = _unwrap(exc)
    if isinstance(inner, KBError):
        return await kb_error_handler(request, inner)
    return await unexpected_error_handler(request, inner if isinstance(inner, Exception) else exc)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
    where = "、".join(
        ".".join(e["loc"]) + ("（不支持的参数）" if e["type"] == "extra_forbidden" else "") for e in errors[:3]
    )
    return problem(
        request,
        status=422,
        code="validation_error",
        title="请求参数无效",
        detail=f"请求参数无效：{where}" if where else "请求参数无效",
        errors=errors,
    )


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    detail = {404: f"找不到该地址：{request.url.path}", 405: "该地址不支持此请求方法"}.get(status, str(exc.detail))
    response = problem(
        request, status=status, code=f"http_{status}", title=HTTP_TITLES.get(status, "请求错误"), detail=detail
    )
    for name, value in (exc.headers or {}).items():  # e.g. WWW-Authenticate on 401
        response.headers[name] = value
    if status == 405:  # every method of every route at this path (Starlette names only the first route's)
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    from api.permissions import api_routes  # the flattened route table (FastAPI includes routers lazily)

    methods: set[str] = set()
    for route in api_routes(request.app):
        if route.regex.match(request.url.path):
            methods.update(route.methods)
    return sorted(methods)


async def unexpected_error_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error on %s", request.url.path, exc_info=exc)
    return problem(
        request,
        status=500,
        code="internal_error",
        title="服务器内部错误",
        detail="服务器内部错误，请稍后重试；如果问题持续，请联系管理员并提供请求编号。",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(KBError, kb_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(PipelineRuntimeError, pipeline_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unexpected_error_handler)
