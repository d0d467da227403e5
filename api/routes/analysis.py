"""类案比对: a pasted case against its similar cases (elements side by side, outcome distribution, divergence), and
the divergences collected for the guidance center (分歧线索)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.auth import PrincipalDep, audit
from api.deps import KBDep
from api.schemas import RequestBody
from kb.analysis import CaseAnalysis, analyze_case, compare_elements
from kb.divergences import DivergenceLog
from kb.errors import EntryNotFound, EntryRetracted, InvalidQuery
from kb.service import KnowledgeBase

router = APIRouter(tags=["analysis"])


class AnalysisFilters(RequestBody):
    line: list[str] | None = Field(default=None, max_length=4)
    case_type: list[str] | None = Field(default=None, max_length=4)


class AnalysisIn(RequestBody):
    text: str = Field(max_length=20_000, description="待比对的案情（粘贴案件事实）")
    top_k: int = Field(default=20, ge=5, le=50)
    filters: AnalysisFilters | None = None


class QueryElementsOut(BaseModel):
    charges: list[str] = Field(description="案情中识别出的罪名；未写明罪名时为由最相似类案推断的罪名")
    charges_inferred: bool = Field(default=False, description="charges 是推断的（案情未写明罪名）")
    inferred_notes: list[str] = Field(
        default_factory=list,
        description="推断罪名时依据案情对相似案例投票所作的校正，每条一句（如：案情所述伤情为轻微伤，未达轻伤，不按故意伤害罪推断）",
    )
    outcomes: list[str]
    factors: list[str]
    provisions: list[str]
    line: str | None


class CaseOut(BaseModel):
    id: str
    title: str
    number: str | None
    case_type: str | None
    line: str | None
    year: int | None
    passage: str
    similarity: float = Field(description="0–1，与嵌入模型无关（见 kb/analysis.py）")
    authority: str = Field(description="指导性 / 典型 / 参考")
    authority_weight: float
    charges: list[str]
    outcomes: list[str]
    factors: list[str]
    provisions: list[str]


class ComparisonCell(BaseModel):
    id: str
    values: list[str]
    shared: list[str]
    missing: list[str] = Field(description="查询案情有、该案没有")
    extra: list[str] = Field(description="该案有、查询案情没有")


class ComparisonRow(BaseModel):
    field: str
    label: str
    query: list[str]
    cases: list[ComparisonCell]


class OutcomeOut(BaseModel):
    outcome: str
    count: int
    weight: float
    share: float
    case_ids: list[str]


class DistributionOut(BaseModel):
    basis: str
    total_weight: float
    outcomes: list[OutcomeOut]


class GroupOut(BaseModel):
    outcome: str
    case_ids: list[str]


class DivergenceOut(BaseModel):
    flagged: bool
    threshold: float
    detail: str
    groups: list[GroupOut]


class CitingCaseOut(BaseModel):
    id: str
    title: str
    number: str | None


class SuggestedProvisionOut(BaseModel):
    law_entry_id: str
    law_title: str
    article: str = Field(description="条文序号，如 第二百六十四条")
    section_index: int = Field(description="该条在法律条目中的段落序号（链接锚点 #sec-N）")
    text: str = Field(description="条文内容（至多 300 字）")
    score: float = Field(description="融合得分（加权倒数排名融合，仅用于排序）")
    cited_by: list[CitingCaseOut] = Field(description="引用该条的类案")
    charges: list[str] = Field(description="识别出的、由该条规定的罪名")
    direct_rank: int | None = Field(default=None, description="直接检索法律条文时的名次")


class AnalysisOut(BaseModel):
    query: QueryElementsOut
    cases: list[CaseOut]
    comparison: list[ComparisonRow]
    distribution: DistributionOut
    divergence: DivergenceOut
    suggested_provisions: list[SuggestedProvisionOut] = Field(
        default_factory=list, description="可能适用的条文（类案引用、罪名对应条文与条文检索的融合排序，前 10 条）"
    )


class DivergenceCase(BaseModel):
    id: str
    title: str | None = Field(description="已不可读（撤回等）时为空")
    number: str | None = None
    outcomes: list[str] = Field(default_factory=list)


class DivergenceItem(BaseModel):
    id: int
    created_at: str
    actor: str | None
    query_excerpt: str
    charges: list[str]
    case_ids: list[str]
    outcomes: list[str]
    max_similarity: float
    seen: int = Field(description="同一案情被分析的次数")
    cases: list[DivergenceCase] = Field(default_factory=list, description="case_ids 对应的案例（标题、编号、处理结果）")


class DivergenceList(BaseModel):
    total: int
    items: list[DivergenceItem]


def _log(request: Request) -> DivergenceLog:
    log: DivergenceLog | None = getattr(request.app.state, "divergences", None)
    if log is None:
        log = request.app.state.divergences = DivergenceLog(request.app.state.kb.records.engine)
    return log


def _out(result: CaseAnalysis) -> AnalysisOut:
    q = result.query
    cases = [
        CaseOut(
            id=c.entry_id,
            title=c.entry.title,
            number=c.entry.number,
            case_type=c.entry.case_type,
            line=c.entry.line,
            year=c.entry.year,
            passage=c.passage,
            similarity=c.similarity,
            authority=c.authority,
            authority_weight=c.authority_weight,
            charges=list(c.entry.charges),
            outcomes=list(c.entry.outcomes),
            factors=list(c.entry.factors),
            provisions=list(c.entry.provisions),
        )
        for c in result.cases
    ]
    basis = f"前 {len(result.cases)} 件类案，按相似度与权威性加权（指导性×3、典型×2、参考×1）"
    d = result.divergence
    return AnalysisOut(
        query=QueryElementsOut(
            charges=q.values("charges"),
            charges_inferred=not q.charges and bool(q.inferred_charges),
            inferred_notes=q.inferred_notes,
            outcomes=q.outcomes,
            factors=q.factors,
            provisions=q.provisions,
            line=q.line,
        ),
        cases=cases,
        comparison=[ComparisonRow.model_validate(row) for row in compare_elements(q, result.cases)],
        distribution=DistributionOut(
            basis=basis,
            total_weight=result.total_weight,
            outcomes=[OutcomeOut(**share.__dict__) for share in result.distribution],
        ),
        divergence=DivergenceOut(
            flagged=d.flagged,
            threshold=d.threshold,
            detail=d.detail,
            groups=[GroupOut(outcome=o, case_ids=ids) for o, ids in d.groups],
        ),
        suggested_provisions=[
            SuggestedProvisionOut(
                law_entry_id=p.law_entry_id,
                law_title=p.law_title,
                article=p.article,
                section_index=p.section_index,
                text=p.text,
                score=p.score,
                cited_by=[CitingCaseOut(id=c.entry_id, title=c.title, number=c.number) for c in p.cited_by],
                charges=p.charges,
                direct_rank=p.direct_rank,
            )
            for p in result.provisions
        ],
    )


def _analyze(kb: KnowledgeBase, body: AnalysisIn) -> CaseAnalysis:
    filters: dict[str, list[str]] = body.filters.model_dump(exclude_none=True) if body.filters else {}
    return analyze_case(kb, body.text, top_k=body.top_k, filters=filters)


@router.post("/analysis", response_model=AnalysisOut, summary="类案比对：要素对比、处理结果分布与分歧提示")
async def analyze(body: AnalysisIn, request: Request, kb: KBDep, principal: PrincipalDep) -> AnalysisOut:
    text = body.text.strip()
    if not text:
        msg = "请粘贴需要比对的案情"
        raise InvalidQuery(msg)
    result = await run_in_threadpool(_analyze, kb, body.model_copy(update={"text": text}))
    d = result.divergence
    details: dict[str, Any] = {"cases": len(result.cases), "divergence": d.flagged, "chars": len(text)}
    await audit(request, "analysis.run", details=details)
    if d.flagged:
        ids = [i for _, group in d.groups for i in group]
        outcomes = [o for o, _ in d.groups]
        log = _log(request)
        await run_in_threadpool(
            lambda: log.record(
                text,
                charges=result.query.values("charges"),
                case_ids=ids,
                outcomes=outcomes,
                max_similarity=d.max_similarity,
                actor=principal.name,
            )
        )
    return _out(result)


@router.get("/analysis/divergences", response_model=DivergenceList, summary="分歧线索：处理结果不一致的高度相似类案")
async def divergences(
    request: Request,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DivergenceList:
    log = _log(request)
    total, items = await run_in_threadpool(log.page, offset=(page - 1) * page_size, limit=page_size)
    kb: KnowledgeBase = request.app.state.kb

    def described(case_id: str) -> DivergenceCase:
        try:
            entry = kb.get_published_entry(case_id).entry
        except (EntryNotFound, EntryRetracted):
            return DivergenceCase(id=case_id, title=None)
        return DivergenceCase(id=case_id, title=entry.title, number=entry.number, outcomes=list(entry.outcomes))

    def build() -> list[DivergenceItem]:
        return [DivergenceItem(**item.__dict__, cases=[described(i) for i in item.case_ids]) for item in items]

    return DivergenceList(total=total, items=await run_in_threadpool(build))
