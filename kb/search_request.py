"""What a search asks for and what it returns, independent of HTTP and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from kb.errors import InvalidFilter
from kb.models import FACET_KEYS, LIST_META_KEYS, META_KEYS, SearchHit

FILTER_FIELDS = frozenset(META_KEYS) - {"chunk_index", "version", "title"}
INT_FIELDS = frozenset({"year"})
BOOL_FIELDS = frozenset({"illustrative"})


@dataclass
class SearchRequest:
    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 10
    sort: Literal["relevance", "date"] = "relevance"
    exclude_ids: list[str] = field(default_factory=list)
    # False: no charges are inferred from the nearest cases for a pasted fact text, so the list follows case
    # similarity alone (for comparisons driven by an issue rather than the charge; docs/evaluation.md, guiding cases)
    infer_charges: bool = True

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.page_size <= 100:
            msg = f"分页参数无效：page={self.page}, page_size={self.page_size}（page ≥ 1，page_size 为 1–100）"
            raise InvalidFilter(msg)
        for name in self.filters:
            if name not in FILTER_FIELDS:
                allowed = "、".join(sorted(FILTER_FIELDS))
                msg = f"不支持的筛选字段：{name}。可用字段：{allowed}"
                raise InvalidFilter(msg, field=name)


def _typed(field_name: str, value: str) -> Any:
    if field_name in INT_FIELDS:
        try:
            return int(value)
        except ValueError as exc:
            msg = f"筛选字段 {field_name} 需要整数，收到：{value}"
            raise InvalidFilter(msg, field=field_name) from exc
    if field_name in BOOL_FIELDS:
        return value.lower() in {"1", "true", "yes", "是"}
    return value


def to_haystack_filters(filters: dict[str, list[str]]) -> dict[str, Any] | None:
    """Values of one field are OR-ed ("in"; for list fields: any overlap), fields are AND-ed."""
    conditions = []
    for name, values in sorted(filters.items()):
        clean = [v for v in values if str(v).strip()]
        if not clean:
            continue
        typed = [_typed(name, str(v)) for v in clean]
        conditions.append({"field": f"meta.{name}", "operator": "in", "value": typed})
    if not conditions:
        return None
    if len(conditions) == 1:
        return conditions[0]
    return {"operator": "AND", "conditions": conditions}


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    page_size: int
    took_ms: float
    analysis: dict[str, Any]
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    # (part text, its nearest cases) for each numbered part of a pasted fact text the part vote searched, the
    # excluded entries taken out: 类案比对 votes again with them (kb.analysis). Not part of the API's answer.
    part_votes: list[tuple[str, list[SearchHit]]] = field(default_factory=list)


def facets_from_hits(hits: list[SearchHit], keys: tuple[str, ...] = FACET_KEYS) -> dict[str, list[tuple[str, int]]]:
    """Entry counts per facet value over a candidate list."""
    counts: dict[str, dict[str, int]] = {k: {} for k in keys}
    for hit in hits:
        for key in keys:
            value = hit.meta.get(key)
            values = value if key in LIST_META_KEYS and isinstance(value, list) else [value]
            for v in values:
                if v is None or v == "":
                    continue
                counts[key][str(v)] = counts[key].get(str(v), 0) + 1
    return {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for k, c in counts.items()}
