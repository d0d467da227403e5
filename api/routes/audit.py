"""The audit log (管理员, read-only: no route changes or deletes it) and search analytics (审核、管理员)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, PlainValidator, WithJsonSchema

from api.auth import AuthDep, audit
from kb.audit import AuditEvent, AuditFilter, Outcome, QueryStat
from kb.audit.analytics import DEFAULT_WEAK_SCORE

router = APIRouter(tags=["audit"])

CSV_LIMIT = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

ACTION_LABELS = {
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.password": "修改密码",
    "access.denied": "拒绝访问",
    "search": "检索",
    "search.page": "检索翻页",
    "entry.view": "查看条目",
    "entry.compare": "对比条目",
    "entry.import": "导入",
    "audit.export": "导出审计日志",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.password_reset": "重置密码",
    "token.create": "创建令牌",
    "token.revoke": "撤销令牌",
    "entry.export": "导出条目",
    "collection.create": "新建专题",
    "collection.update": "修改专题",
    "collection.delete": "删除专题",
    "collection.item_add": "专题添加案例",
    "collection.item_update": "修改教学要点",
    "collection.item_remove": "专题移除案例",
    "collection.reorder": "调整专题顺序",
    "collection.export": "导出专题",
}
OUTCOME_LABELS = {"success": "成功", "failure": "失败", "denied": "拒绝", "throttled": "限流"}


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_id: int | None
    action: str
    action_label: str
    target: str | None
    outcome: str
    client_ip: str | None
    request_id: str | None
    details: dict[str, Any]

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            id=e.id,
            at=e.at,
            actor=e.actor,
            actor_id=e.actor_id,
            action=e.action,
            action_label=ACTION_LABELS.get(e.action, e.action),
            target=e.target,
            outcome=e.outcome,
            client_ip=e.client_ip,
            request_id=e.request_id,
            details=e.details,
        )


class AuditPage(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[AuditEventOut]


class QueryStatOut(BaseModel):
    query: str = Field(description="规范化的查询文本（前 200 字）")
    count: int = Field(description="检索次数（只计第一页）")
    users: int = Field(description="不同用户数")
    last_at: datetime
    max_results: int
    best_score: float | None
    zero_results: int = Field(description="无结果的次数")
    matched: int = Field(description="最佳结果命中查询词或法律要素的次数")

    @classmethod
    def of(cls, s: QueryStat) -> QueryStatOut:
        return cls(**s.__dict__)


class QueryStats(BaseModel):
    since: datetime
    until: datetime
    items: list[QueryStatOut]


def _iso(value: object) -> datetime:
    """ISO 8601 only ("2026-11-01", "2026-11-01T08:00:00+08:00"); not pydantic's lax numbers-as-timestamps."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"时间应为 ISO 8601 格式（如 2026-11-01 或 2026-11-01T08:00:00+08:00），收到：{value}"
        raise ValueError(msg) from exc


IsoDateTime = Annotated[datetime, PlainValidator(_iso), WithJsonSchema({"type": "string", "format": "date-time"})]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _filter(
    user: str | None, action: list[str] | None, outcome: str | None, since: datetime | None, until: datetime | None
) -> AuditFilter:
    return AuditFilter(user=user or None, actions=action or [], outcome=outcome, since=_utc(since), until=_utc(until))


UserQ = Annotated[str | None, Query(max_length=64, description="用户名（精确）")]
ActionQ = Annotated[
    list[str] | None, Query(description="操作代码，可多个；以“.”结尾表示一类（如 auth. = 全部登录相关）")
]
OutcomeQ = Annotated[Outcome | None, Query(description="success | failure | denied | throttled")]
SinceQ = Annotated[IsoDateTime | None, Query(description="起始时间（含），ISO 8601；无时区按 UTC")]
UntilQ = Annotated[IsoDateTime | None, Query(description="截止时间（不含），ISO 8601；无时区按 UTC")]


@router.get("/audit", response_model=AuditPage, summary="审计日志（筛选、分页，最新在前）")
async def list_audit(
    ctx: AuthDep,
    user: UserQ = None,
    action: ActionQ = None,
    outcome: OutcomeQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> AuditPage:
    flt = _filter(user, action, outcome, since, until)
    total, events = await run_in_threadpool(
        lambda: ctx.audit.query(flt, offset=(page - 1) * page_size, limit=page_size)
    )
    return AuditPage(total=total, page=page, page_size=page_size, items=[AuditEventOut.of(e) for e in events])


def _cell(value: object) -> str:
    """A CSV cell that Excel will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_lines(events: Iterator[AuditEvent], chunk_chars: int = 64 * 1024) -> Iterator[str]:
    """The CSV in chunks of about 64 KB (one chunk per row would cost a trip through every middleware per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([
        "编号",
        "时间（UTC）",
        "用户",
        "操作",
        "操作代码",
        "对象",
        "结果",
        "客户端地址",
        "请求编号",
        "详情",
    ])
    for e in events:
        writer.writerow([
            e.id,
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            _cell(e.actor),
            ACTION_LABELS.get(e.action, e.action),
            e.action,
            _cell(e.target),
            OUTCOME_LABELS.get(e.outcome, e.outcome),
            _cell(e.client_ip),
            _cell(e.request_id),
            _cell(json.dumps(e.details, ensure_ascii=False)) if e.details else "",
        ])
        if buffer.tell() >= chunk_chars:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@router.get(
    "/audit.csv",
    summary="导出审计日志为 CSV（UTF-8 带 BOM，Excel 可直接打开）",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_audit(
    request: Request,
    ctx: AuthDep,
    user: UserQ = None,
    action: ActionQ = None,
    outcome: OutcomeQ = None,
    since: SinceQ = None,
    until: UntilQ = None,
) -> StreamingResponse:
    flt = _filter(user, action, outcome, since, until)
    await audit(
        request,
        "audit.export",
        target="audit.csv",
        details={"user": user, "action": action, "outcome": outcome, "since": str(since), "until": str(until)},
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    events = ctx.audit.iter_events(flt, limit=CSV_LIMIT)
    return StreamingResponse(
        _csv_lines(events),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )


def _window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    end = _utc(until) or datetime.now(UTC)
    start = _utc(since) or end - timedelta(days=30)
    return start, end


@router.get("/analytics/queries", response_model=QueryStats, summary="检索分析：最常见的查询（默认近 30 天）")
async def frequent_queries(
    ctx: AuthDep,
    since: SinceQ = None,
    until: UntilQ = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueryStats:
    start, end = _window(since, until)
    stats = await run_in_threadpool(lambda: ctx.analytics.top_queries(since=start, until=end, limit=limit))
    return QueryStats(since=start, until=end, items=[QueryStatOut.of(s) for s in stats])


@router.get(
    "/analytics/gaps",
    response_model=QueryStats,
    summary="检索分析：无结果或最佳结果未命中查询词/要素的查询（内容缺口）",
)
async def content_gaps(
    ctx: AuthDep,
    since: SinceQ = None,
    until: UntilQ = None,
    weak_score: Annotated[
        float, Query(ge=0, le=100, description="另将最高分低于此值的查询视为“结果不佳”（融合分数按名次计，默认不用）")
    ] = DEFAULT_WEAK_SCORE,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueryStats:
    start, end = _window(since, until)
    stats = await run_in_threadpool(
        lambda: ctx.analytics.gaps(since=start, until=end, weak_score=weak_score, limit=limit)
    )
    return QueryStats(since=start, until=end, items=[QueryStatOut.of(s) for s in stats])
