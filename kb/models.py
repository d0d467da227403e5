"""The content model: entries (cases, guideline articles, power-list items), their sections and search hits.

Meta keys are English snake_case; Chinese appears only in values.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class EntryKind(StrEnum):
    CASE = "case"
    GUIDELINE = "guideline"  # one guideline document; each article is a section
    POWER_ITEM = "power_item"
    LAW = "law"  # 法律法规: a law, administrative regulation or judicial interpretation; each 条 is a section


# Chinese labels of the kinds, shown to users
KIND_LABELS: dict[str, str] = {
    "case": "案例",
    "guideline": "办案指引",
    "power_item": "权力清单事项",
    "law": "法律法规",
}


# 案例类型
CASE_TYPES = ("指导性案例", "典型案例", "警示案例", "参考案例")
# 检察类别 — the four lines
LINES = ("刑事检察", "民事检察", "行政检察", "公益诉讼检察")
# 行使主体
POWER_SUBJECTS = ("检察官", "部门负责人", "检察长", "检察委员会")


class SectionKey(StrEnum):
    """Canonical section names. Headings vary by year; parsers map them here."""

    KEYWORDS = "keywords"  # 关键词
    GIST = "gist"  # 要旨 / 裁判要点 / 裁判摘要
    FACTS = "facts"  # 基本案情
    PROCESS = "process"  # 检察机关履职过程 and its variants
    RESULT = "result"  # 裁判结果 / 处理结果
    REASONING = "reasoning"  # 裁判理由
    SIGNIFICANCE = "significance"  # 指导意义 / 典型意义
    PROVISIONS = "provisions"  # 相关规定 / 相关法条
    WARNING = "warning"  # 警示 (错误类型, 责任后果 …) in warning cases
    ARTICLE = "article"  # one article (条) of a guideline or a law
    ITEM = "item"  # the text of a power-list item
    BODY = "body"  # anything else


SECTION_LABELS: dict[str, str] = {
    "keywords": "关键词",
    "gist": "要旨",
    "facts": "基本案情",
    "process": "检察机关履职过程",
    "result": "处理结果",
    "reasoning": "裁判理由",
    "significance": "指导意义",
    "provisions": "相关规定",
    "warning": "警示",
    "article": "条文",
    "item": "事项",
    "body": "正文",
}


@dataclass
class Section:
    key: str  # a SectionKey value
    heading: str  # the heading as written in the source (e.g. 【检察机关履职情况】, 第十二条)
    text: str
    path: list[str] = field(default_factory=list)  # for guideline articles: [第一章 总则, 第一节 …]


@dataclass
class Entry:
    """One entry as parsed from a source, before it is stored. Every field is plain data (JSON-serialisable)."""

    kind: str  # an EntryKind value
    title: str
    number: str | None = None  # 编号: 检例第103号, 指导案例241号, or a batch number
    case_type: str | None = None  # 案例类型 (one of CASE_TYPES)
    line: str | None = None  # 检察类别 (one of LINES)
    sub_line: str | None = None  # 未成年人检察, 刑事执行检察, 控告申诉检察 …
    issuer: str | None = None  # 发布机关
    publish_date: str | None = None  # ISO yyyy-mm-dd
    batch: str | None = None  # 批次 (第N批)
    region: str | None = None  # 地区
    stage: str | None = None  # 办案环节 (审查逮捕, 审查起诉 …)
    keywords: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    charges: list[str] = field(default_factory=list)  # 罪名 (criminal) or 案由 (civil/administrative)
    outcomes: list[str] = field(default_factory=list)  # 处理结果
    factors: list[str] = field(default_factory=list)  # 决定因素 (认罪认罚, 自首, 赔偿谅解 …; kb.elements.factors)
    provisions: list[str] = field(default_factory=list)  # cited provisions, normalised (《刑法》第一百三十三条之一)
    error_type: str | None = None  # 错误类型 (warning cases)
    misused_power: str | None = None  # 涉及权力清单事项 (warning cases)
    consequence: str | None = None  # 责任后果 (warning cases)
    power_subject: str | None = None  # 行使主体 (power-list items)
    basis: str | None = None  # 依据 (power-list items)
    note: str | None = None  # 备注
    source: str | None = None  # file name it came from
    illustrative: bool = False  # 示例: written for demonstration, not an official text

    @property
    def natural_key(self) -> str:
        """What identifies the same entry across re-ingests: kind + 编号, or kind + title (+ list for power items).

        A law is identified by its normalised name (《中华人民共和国刑法》 and 刑法 are the same law), so a later
        version of the same law becomes a new version of the same entry."""
        if self.kind == EntryKind.LAW:
            from kb.elements.provisions import normalize_law_name

            return f"{self.kind}|{normalize_law_name(self.title)}"
        if self.number:
            return f"{self.kind}|{self.number}"
        if self.kind == EntryKind.POWER_ITEM:
            return f"{self.kind}|{self.basis or ''}|{self.title}|{self.line or ''}|{self.stage or ''}"
        return f"{self.kind}|{self.title}"

    @property
    def entry_id(self) -> str:
        return hashlib.sha1(self.natural_key.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        values = dict(data)
        values["sections"] = [Section(**s) for s in values.get("sections", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    def content_hash(self) -> str:
        payload = {k: v for k, v in self.to_dict().items() if k != "source"}
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def section(self, key: str) -> str:
        return "\n".join(s.text for s in self.sections if s.key == key)

    @property
    def year(self) -> int | None:
        return int(self.publish_date[:4]) if self.publish_date else None


# Chunk meta keys written to the search index. Every one is filterable; FACET_KEYS get counts.
META_KEYS = (
    "entry_id",
    "version",
    "kind",
    "title",
    "number",
    "case_type",
    "line",
    "sub_line",
    "issuer",
    "year",
    "region",
    "stage",
    "charges",
    "outcomes",
    "provisions",
    "keywords",
    "error_type",
    "misused_power",
    "power_subject",
    "section",
    "chunk_index",
    "illustrative",
)
LIST_META_KEYS = frozenset({"charges", "outcomes", "provisions", "keywords"})
FACET_KEYS = (
    "kind",
    "line",
    "case_type",
    "charges",
    "outcomes",
    "stage",
    "issuer",
    "year",
    "region",
    "error_type",  # 错误类型 (warning cases): trainers filter by it
    "misused_power",  # 涉及权力清单事项 (warning cases)
)


@dataclass
class MatchReason:
    kind: str  # charge | outcome | provision | line | keyword | facts | authority
    value: str
    label: str  # Chinese, shown to users: 同罪名：盗窃罪


@dataclass
class SearchHit:
    """One entry in a result list: chunks folded to their entry, with the best passage and why it matched."""

    entry_id: str
    score: float
    meta: dict[str, Any]  # the entry-level meta of the best chunk (kb.models.META_KEYS)
    passage: str
    section: str
    section_label: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    reasons: list[MatchReason] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
