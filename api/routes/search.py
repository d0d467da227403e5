"""类案检索: GET for links that can be shared, POST for long pasted case descriptions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.auth import audit_search
from api.deps import KBDep
from api.schemas import SearchBody, SearchResponse
from kb.search_request import SearchRequest

router = APIRouter(tags=["search"])

FilterValues = Annotated[list[str] | None, Query()]


@router.get("/search", response_model=SearchResponse, summary="检索案例、指引条文或权力清单事项")
async def search_get(
    request: Request,
    kb: KBDep,
    q: Annotated[str, Query(description="关键词或案情描述")] = "",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 10,
    sort: Literal["relevance", "date"] = "relevance",
    kind: FilterValues = None,
    line: FilterValues = None,
    sub_line: FilterValues = None,
    case_type: FilterValues = None,
    charges: FilterValues = None,
    outcomes: FilterValues = None,
    provisions: FilterValues = None,
    keywords: FilterValues = None,
    stage: FilterValues = None,
    issuer: FilterValues = None,
    year: FilterValues = None,
    region: FilterValues = None,
    error_type: FilterValues = None,
    misused_power: FilterValues = None,
    power_subject: FilterValues = None,
    infer_charges: Annotated[
        bool, Query(description="未写明罪名的案情是否按类案推断罪名优先排列；false 时仅按案情相似度排列")
    ] = True,
) -> SearchResponse:
    given = {
        "kind": kind,
        "line": line,
        "sub_line": sub_line,
        "case_type": case_type,
        "charges": charges,
        "outcomes": outcomes,
        "provisions": provisions,
        "keywords": keywords,
        "stage": stage,
        "issuer": issuer,
        "year": year,
        "region": region,
        "error_type": error_type,
        "misused_power": misused_power,
        "power_subject": power_subject,
    }
    filters = {k: v for k, v in given.items() if v}
    search = SearchRequest(
        query=q, filters=filters, page=page, page_size=page_size, sort=sort, infer_charges=infer_charges
    )
    result = await run_in_threadpool(kb.search, search)
    await audit_search(request, query=q, filters=filters, page=page, result=result)
    return SearchResponse.from_result(result)


@router.post("/search", response_model=SearchResponse, summary="检索（请求体，适合粘贴长篇案情）")
async def search_post(body: SearchBody, request: Request, kb: KBDep) -> SearchResponse:
    search = SearchRequest(
        query=body.q,
        filters=body.filters,
        page=body.page,
        page_size=body.page_size,
        sort=body.sort,
        infer_charges=body.infer_charges,
    )
    result = await run_in_threadpool(kb.search, search)
    await audit_search(request, query=body.q, filters=dict(body.filters), page=body.page, result=result)
    return SearchResponse.from_result(result)
