"""Response and request bodies of the HTTP API (see the OpenAPI document at /docs)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from kb.models import SECTION_LABELS, SearchHit
from kb.provision_links import ArticleRef, article_count
from kb.records import StoredEntry
from kb.search_request import SearchResult


class RequestBody(BaseModel):
    """A JSON request body. A field the API does not know is refused (422, 请求参数无效：body.x（不支持的参数）), not
    ignored: {"query": …} for q was answered with the unsearched list, "days" for expires_in_days made a token that
    never expires, and a misspelt field of a PATCH changed nothing with 200."""

    model_config = ConfigDict(extra="forbid")


class Reason(BaseModel):
    kind: str = Field(description="charge | outcome | provision | line | keyword | facts | authority")
    value: str
    label: str = Field(description="说明，例如 同罪名：盗窃罪")


class EntrySummary(BaseModel):
    id: str
    kind: str
    title: str
    number: str | None = Field(default=None, description="编号")
    case_type: str | None = Field(default=None, description="案例类型")
    line: str | None = Field(default=None, description="检察类别")
    sub_line: str | None = None
    issuer: str | None = Field(default=None, description="发布机关")
    publish_date: str | None = None
    year: int | None = None
    region: str | None = None
    stage: str | None = Field(default=None, description="办案环节")
    charges: list[str] = Field(default_factory=list, description="罪名/案由")
    outcomes: list[str] = Field(default_factory=list, description="处理结果")
    factors: list[str] = Field(default_factory=list, description="决定因素（认罪认罚、自首、赔偿谅解等）")
    provisions: list[str] = Field(default_factory=list, description="引用条文")
    keywords: list[str] = Field(default_factory=list)
    power_subject: str | None = Field(default=None, description="行使主体")
    basis: str | None = Field(default=None, description="依据")
    note: str | None = None
    error_type: str | None = None
    misused_power: str | None = None
    illustrative: bool = False
    article_count: int | None = Field(default=None, description="法律法规的条文数（其他类型为 null）")

    @classmethod
    def from_stored(cls, stored: StoredEntry) -> EntrySummary:
        e = stored.entry
        return cls(
            id=stored.id,
            kind=e.kind,
            title=e.title,
            number=e.number,
            case_type=e.case_type,
            line=e.line,
            sub_line=e.sub_line,
            issuer=e.issuer,
            publish_date=e.publish_date,
            year=e.year,
            region=e.region,
            stage=e.stage,
            charges=e.charges,
            outcomes=e.outcomes,
            factors=e.factors,
            provisions=e.provisions,
            keywords=e.keywords,
            power_subject=e.power_subject,
            basis=e.basis,
            note=e.note,
            error_type=e.error_type,
            misused_power=e.misused_power,
            illustrative=e.illustrative,
            article_count=article_count(e),
        )


class Hit(EntrySummary):
    score: float
    section: str
    section_label: str
    passage: str
    highlights: list[tuple[int, int]] = Field(description="passage 中命中词的字符区间 [start, end)")
    reasons: list[Reason]
    heading: str | None = None
    path: list[str] = Field(default_factory=list)

    @classmethod
    def from_hit(cls, hit: SearchHit) -> Hit:
        m = hit.meta
        return cls(
            id=hit.entry_id,
            kind=str(m.get("kind", "case")),
            title=str(m.get("title", "")),
            number=m.get("number"),
            case_type=m.get("case_type"),
            line=m.get("line"),
            sub_line=m.get("sub_line"),
            issuer=m.get("issuer"),
            publish_date=m.get("publish_date"),
            year=m.get("year"),
            region=m.get("region"),
            stage=m.get("stage"),
            charges=list(m.get("charges", [])),
            outcomes=list(m.get("outcomes", [])),
            provisions=list(m.get("provisions", [])),
            keywords=list(m.get("keywords", [])),
            power_subject=m.get("power_subject"),
            error_type=m.get("error_type"),
            misused_power=m.get("misused_power"),
            illustrative=bool(m.get("illustrative", False)),
            score=round(hit.score, 6),
            section=hit.section,
            section_label=hit.section_label or SECTION_LABELS.get(hit.section, ""),
            passage=hit.passage,
            highlights=hit.highlights,
            reasons=[Reason(kind=r.kind, value=r.value, label=r.label) for r in hit.reasons],
            heading=m.get("heading"),
            path=list(m.get("path", [])),
        )


class FacetValue(BaseModel):
    value: str
    count: int


class InferredCharge(BaseModel):
    charge: str = Field(description="推断的罪名")
    share: float = Field(ge=0, le=1, description="该罪名在最相似案例中的得票占比（0–1，保留两位小数）")


class Analysis(BaseModel):
    tokens: list[str]
    charges: list[str]
    outcomes: list[str]
    provisions: list[str] = Field(default_factory=list)
    line: str | None
    long_query: bool
    inferred_charges: list[InferredCharge] = Field(
        default_factory=list,
        description=(
            "未指明罪名的长篇案情：按最相似案例推断的罪名（得票占比从高到低），同罪名案例已在排序中靠前；"
            "查询写明罪名或较短时为空"
        ),
    )
    inferred_notes: list[str] = Field(
        default_factory=list,
        description=(
            "推断罪名时依据案情对相似案例投票所作的校正，每条一句（如：案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断）；"
            "未作校正时为空"
        ),
    )
    inferred_reach: int | None = Field(
        default=None,
        ge=1,
        description=(
            "推断罪名只决定结果列表前若干条的顺序：此为其条数（自第 1 条起计，已除去排除的条目），其后按案情相似度排列；"
            "未推断罪名、推断罪名决定整个列表或按日期排序时为空"
        ),
    )


class SearchResponse(BaseModel):
    query: str
    total: int
    page: int
    page_size: int
    took_ms: float
    analysis: Analysis
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]

    @classmethod
    def from_result(cls, result: SearchResult) -> SearchResponse:
        return cls(
            query=result.query,
            total=result.total,
            page=result.page,
            page_size=result.page_size,
            took_ms=result.took_ms,
            analysis=Analysis(**result.analysis),
            hits=[Hit.from_hit(h) for h in result.hits],
            facets={k: [FacetValue(value=v, count=c) for v, c in values] for k, values in result.facets.items()},
        )


class SearchBody(RequestBody):
    q: str = Field(default="", description="关键词或案情描述")
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=10, ge=1, le=100)
    sort: Literal["relevance", "date"] = "relevance"
    filters: dict[str, list[str]] = Field(default_factory=dict)
    infer_charges: StrictBool = Field(  # true or false only, as the schema says (not 0, 1 or "yes")
        default=True,
        description="粘贴的案情未写明罪名时，是否按最相似类案推断罪名并将同罪名案例排在前面；false 时仅按案情相似度排列",
    )


class SectionOut(BaseModel):
    key: str
    label: str
    heading: str
    text: str
    path: list[str]


class VersionOut(BaseModel):
    version: int
    created_at: str
    content_hash: str
    source: str | None
    published: bool = Field(default=False, description="曾经发布（可作为 id@version 引用）")
    published_at: str | None = None
    batch_number: int | None = None


class RetractionOut(BaseModel):
    reason: str
    at: str
    by: str | None


class ProvisionLink(BaseModel):
    """One cited provision of an entry and the law article it resolves to (all null when it does not resolve)."""

    provision: str = Field(description="引用条文（规范化），如 《刑法》第一百三十三条之一")
    law_entry_id: str | None = Field(default=None, description="法律法规条目 ID")
    law_title: str | None = Field(default=None, description="法律法规名称")
    article: str | None = Field(default=None, description="条文序号，如 第一百三十三条之一")
    section_index: int | None = Field(default=None, description="条文在法律法规条目 sections 中的序号")
    text: str | None = Field(default=None, description="条文内容（至多 600 字，截断时以 … 结尾）")

    @classmethod
    def from_ref(cls, provision: str, ref: ArticleRef | None) -> ProvisionLink:
        if ref is None:
            return cls(provision=provision)
        return cls(
            provision=provision,
            law_entry_id=ref.law_entry_id,
            law_title=ref.law_title,
            article=ref.article,
            section_index=ref.section_index,
            text=ref.text,
        )


class CitedArticleOut(BaseModel):
    article: str = Field(description="条文序号，如 第二百六十四条")
    section_index: int = Field(description="条文在该法律法规条目 sections 中的序号")
    cases: list[EntrySummary] = Field(description="引用该条的已发布案例（指导性案例在前，再按编号）")


class CitationsResponse(BaseModel):
    articles: list[CitedArticleOut] = Field(description="被案例引用的条文，按条文顺序；非法律法规条目为空")


class EntryDetail(EntrySummary):
    version: int
    current_version: int = Field(description="最新版本（对只能阅读已发布条目的用户：已发布的版本）")
    published_version: int | None = Field(default=None, description="已发布（检索可见）的版本")
    versions: list[VersionOut]
    batch: str | None = None
    consequence: str | None = None
    source: str | None = None
    status: str
    retracted: RetractionOut | None = None
    sections: list[SectionOut]
    provision_links: list[ProvisionLink] = Field(
        default_factory=list, description="引用条文逐条对应的法律法规条文（与 provisions 一一对应、同序）"
    )

    @classmethod
    def from_stored(cls, stored: StoredEntry, *, public: bool = False) -> EntryDetail:
        """`public`: as a reader of published entries sees it: the working draft, if any, is not revealed."""
        summary = EntrySummary.from_stored(stored).model_dump()
        e = stored.entry
        versions = [v for v in stored.versions if v.published or not public]
        return cls(
            **summary,
            version=stored.version,
            current_version=(stored.published_version or stored.version) if public else stored.current_version,
            published_version=stored.published_version,
            versions=[
                VersionOut(
                    version=v.version,
                    created_at=v.created_at,
                    content_hash=v.content_hash,
                    source=v.source,
                    published=v.published,
                    published_at=v.published_at,
                    batch_number=v.batch_number,
                )
                for v in versions
            ],
            batch=e.batch,
            consequence=e.consequence,
            source=e.source,
            status="published" if public else stored.status,
            retracted=RetractionOut(**stored.retracted.__dict__) if stored.retracted else None,
            sections=[
                SectionOut(
                    key=s.key, label=SECTION_LABELS.get(s.key, s.heading), heading=s.heading, text=s.text, path=s.path
                )
                for s in e.sections
            ],
        )


class EntryList(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[EntrySummary]


class SimilarResponse(BaseModel):
    hits: list[Hit]


class RelatedResponse(BaseModel):
    guideline_articles: list[Hit]
    power_items: list[EntrySummary]


class CompareElement(BaseModel):
    field: str
    label: str
    values: list[list[str]]
    same: bool


class CompareResponse(BaseModel):
    entries: list[EntryDetail]
    elements: list[CompareElement]


class IngestEntry(BaseModel):
    id: str
    title: str
    kind: str
    number: str | None
    status: str
    version: int
    workflow_status: str = Field(default="published", description="审核发布状态：上传的条目为草稿（draft）")


class IngestError(BaseModel):
    code: str
    title: str
    detail: str


class IngestFile(BaseModel):
    name: str
    status: Literal["created", "updated", "unchanged", "failed"]
    entries: list[IngestEntry]
    error: IngestError | None
    warnings: list[dict[str, Any]] = Field(
        default_factory=list, description="提示（疑似重复：code=near_duplicate，candidate 含双方案情供对照）"
    )


class IngestResponse(BaseModel):
    ok: bool
    files: list[IngestFile]
    summary: dict[str, int]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    store: str
    store_ok: bool
    embedder: str | None
    entries: int
    chunks: int
    pending_index: int
    version: str
    store_detail: dict[str, Any] = Field(
        default_factory=dict, description="检索索引状态（Elasticsearch：集群状态、别名与索引）"
    )


class Stats(BaseModel):
    entries_by_kind: dict[str, int]
    by_line: dict[str, int]
    by_case_type: dict[str, int]
    versions: int
    chunks: int
    pending_index: int
    embedder: str | None
    store: str
    extra: dict[str, Any] = Field(default_factory=dict)
