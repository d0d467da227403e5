"""Entries: read (any version), list, similar cases, related guideline articles and power items, compare."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.auth import Principal, PrincipalDep, audit, may_read_unpublished
from api.deps import KBDep
from api.schemas import (
    CitationsResponse,
    CitedArticleOut,
    CompareElement,
    CompareResponse,
    EntryDetail,
    EntryList,
    EntrySummary,
    Hit,
    ProvisionLink,
    RelatedResponse,
    SimilarResponse,
)
from kb.errors import EntryNotFound, EntryRetracted, InvalidQuery
from kb.models import EntryKind
from kb.provision_links import case_order
from kb.records import StoredEntry
from kb.service import KnowledgeBase

router = APIRouter(tags=["entries"])

COMPARE_FIELDS = [
    ("charges", "罪名/案由"),
    ("outcomes", "处理结果"),
    ("factors", "决定因素"),
    ("provisions", "引用条文"),
    ("line", "检察类别"),
    ("case_type", "案例类型"),
    ("stage", "办案环节"),
    ("keywords", "关键词"),
    ("issuer", "发布机关"),
    ("year", "年份"),
    ("error_type", "错误类型"),
    ("misused_power", "涉及权力清单事项"),
]


@router.get("/entries", response_model=EntryList, summary="浏览条目（办案指引、权力清单、案例）")
async def list_entries(
    kb: KBDep,
    kind: Literal["case", "guideline", "power_item", "law"] | None = None,
    line: Annotated[list[str] | None, Query()] = None,
    stage: Annotated[list[str] | None, Query()] = None,
    case_type: Annotated[list[str] | None, Query()] = None,
    power_subject: Annotated[list[str] | None, Query()] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 50,
    sort: Literal["title", "date", "created"] = "title",
) -> EntryList:
    filters = {
        k: v
        for k, v in {"line": line, "stage": stage, "case_type": case_type, "power_subject": power_subject}.items()
        if v
    }
    total, items = await run_in_threadpool(
        kb.list_entries, kind=kind, filters=filters, page=page, page_size=page_size, sort=sort
    )
    return EntryList(total=total, page=page, page_size=page_size, items=[EntrySummary.from_stored(i) for i in items])


@router.get("/entries/{entry_id}", response_model=EntryDetail, summary="条目全文（可指定历史版本）")
async def read_entry(
    entry_id: str,
    request: Request,
    kb: KBDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> EntryDetail:
    stored = await run_in_threadpool(readable_entry, kb, principal, entry_id, version)
    await audit(request, "entry.view", target=stored.id, details={"version": stored.version})
    detail = EntryDetail.from_stored(stored, public=not may_read_unpublished(principal))
    links = await run_in_threadpool(kb.provision_links, stored.entry)
    detail.provision_links = [ProvisionLink.from_ref(provision, ref) for provision, ref in links]
    return detail


def readable_entry(kb: KnowledgeBase, principal: Principal, entry_id: str, version: int | None = None) -> StoredEntry:
    """The version the caller may read. Readers of published entries get the published version (by default) or an
    earlier published one; a never-published entry is 'not found' (never revealed) and a retracted one answers
    410 with the reason. Editors and reviewers read any version, the published one by default when there is one."""
    if not may_read_unpublished(principal):
        return kb.get_published_entry(entry_id, version)
    if version is None:
        stored = kb.get_entry(entry_id)
        if stored.published_version is not None and stored.published_version != stored.version:
            return kb.get_entry(entry_id, stored.published_version)
        return stored
    return kb.get_entry(entry_id, version)


@router.get("/entries/{entry_id}/similar", response_model=SimilarResponse, summary="类似案例")
async def similar_entries(
    entry_id: str, kb: KBDep, principal: PrincipalDep, top_k: Annotated[int, Query(ge=1, le=50)] = 5
) -> SimilarResponse:
    await run_in_threadpool(readable_entry, kb, principal, entry_id)
    hits = await run_in_threadpool(kb.similar, entry_id, top_k)
    return SimilarResponse(hits=[Hit.from_hit(h) for h in hits])


@router.get(
    "/entries/{entry_id}/cases",
    response_model=SimilarResponse,
    summary="涉及该指引条文或权力清单事项所规定决定的案例（关联的反方向）；法律法规：引用其条文的已发布案例",
)
async def cases_concerning(
    entry_id: str, kb: KBDep, principal: PrincipalDep, top_k: Annotated[int, Query(ge=1, le=50)] = 10
) -> SimilarResponse:
    await run_in_threadpool(readable_entry, kb, principal, entry_id)
    hits = await run_in_threadpool(kb.cases_concerning, entry_id, top_k)
    return SimilarResponse(hits=[Hit.from_hit(h) for h in hits])


@router.get(
    "/entries/{entry_id}/citations",
    response_model=CitationsResponse,
    summary="引用该法律法规各条文的已发布案例（引用条文的反方向）",
)
async def law_citations(
    entry_id: str,
    kb: KBDep,
    principal: PrincipalDep,
    article: Annotated[str | None, Query(max_length=40, description="只看一条，如 第二百六十四条")] = None,
) -> CitationsResponse:
    """For a law: its articles cited by published cases, in law order, each with the citing cases (指导性案例
    first). Any other entry has no articles of its own: an empty list."""
    stored = await run_in_threadpool(readable_entry, kb, principal, entry_id)
    if stored.entry.kind != EntryKind.LAW:
        return CitationsResponse(articles=[])
    cited = await run_in_threadpool(kb.citations, entry_id, article.strip() if article else None)
    summaries: dict[str, EntrySummary] = {}
    for item in cited:
        for case_id in item.case_ids:
            if case_id not in summaries:  # the index holds published versions: read those
                try:
                    found = await run_in_threadpool(kb.get_published_entry, case_id)
                except (EntryNotFound, EntryRetracted):  # changed since it was indexed
                    continue
                summaries[case_id] = EntrySummary.from_stored(found)
    articles = []
    for item in cited:
        cases = [summaries[i] for i in item.case_ids if i in summaries]
        cases.sort(key=lambda c: case_order(c.case_type, c.number, c.title))
        if cases:
            articles.append(CitedArticleOut(article=item.article, section_index=item.section_index, cases=cases))
    return CitationsResponse(articles=articles)


@router.get("/entries/{entry_id}/related", response_model=RelatedResponse, summary="适用的办案指引条文与权力清单事项")
async def related_entries(entry_id: str, kb: KBDep, principal: PrincipalDep) -> RelatedResponse:
    await run_in_threadpool(readable_entry, kb, principal, entry_id)
    related = await run_in_threadpool(kb.related, entry_id)
    power_items = []
    for hit in related["power_items"]:  # hits come from the index: published versions
        stored = await run_in_threadpool(kb.get_published_entry, hit.entry_id)
        power_items.append(EntrySummary.from_stored(stored))
    return RelatedResponse(
        guideline_articles=[Hit.from_hit(h) for h in related["guideline_articles"]], power_items=power_items
    )


@router.get("/compare", response_model=CompareResponse, summary="案例对比（2–4 件）")
async def compare_entries(
    request: Request, kb: KBDep, principal: PrincipalDep, ids: Annotated[list[str], Query()]
) -> CompareResponse:
    unique = list(dict.fromkeys(ids))
    if not 2 <= len(unique) <= 4:
        msg = f"对比需要 2 至 4 个不同的条目，收到 {len(unique)} 个"
        raise InvalidQuery(msg, count=len(unique))
    public = not may_read_unpublished(principal)
    details = [
        EntryDetail.from_stored(await run_in_threadpool(readable_entry, kb, principal, i), public=public)
        for i in unique
    ]
    await audit(request, "entry.compare", target=",".join(unique))
    elements = []
    for field, label in COMPARE_FIELDS:
        values: list[list[str]] = []
        for detail in details:
            raw = getattr(detail, field)
            values.append([str(v) for v in raw] if isinstance(raw, list) else ([str(raw)] if raw is not None else []))
        if not any(values):
            continue
        same = all(sorted(v) == sorted(values[0]) for v in values)
        elements.append(CompareElement(field=field, label=label, values=values, same=same))
    return CompareResponse(entries=details, elements=elements)
