"""Fold ranked chunks into ranked entries: best passage, highlight spans, and the reasons an entry matched."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import Document, component, default_to_dict

from kb.components.query_normalizer import QueryAnalysis
from kb.highlight import best_window, find_spans
from kb.models import MatchReason, SearchHit

ENTRY_META = (
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
    "publish_date",
    "region",
    "stage",
    "charges",
    "outcomes",
    "provisions",
    "keywords",
    "error_type",
    "misused_power",
    "power_subject",
    "illustrative",
)


def match_reasons(meta: dict[str, Any], analysis: QueryAnalysis | None) -> list[MatchReason]:
    if analysis is None:
        return []
    reasons: list[MatchReason] = []
    for charge in analysis.charges:
        if charge in meta.get("charges", []):
            reasons.append(MatchReason("charge", charge, f"同罪名：{charge}"))
    for outcome in analysis.outcomes:
        if outcome in meta.get("outcomes", []):
            reasons.append(MatchReason("outcome", outcome, f"同处理结果：{outcome}"))
    for provision in analysis.provisions:
        if provision in meta.get("provisions", []):
            reasons.append(MatchReason("provision", provision, f"同引条文：{provision}"))
    if analysis.line and analysis.line == meta.get("line"):
        reasons.append(MatchReason("line", analysis.line, f"同检察类别：{analysis.line}"))
    terms = set(analysis.terms)
    for keyword in meta.get("keywords", []):
        if keyword in terms or keyword in analysis.text:
            reasons.append(MatchReason("keyword", keyword, f"关键词：{keyword}"))
    return reasons


def fold_chunks(
    documents: list[Document],
    analysis: QueryAnalysis | None,
    *,
    second_weight: float = 0.1,
) -> list[SearchHit]:
    """Entry score = best chunk score + `second_weight` × second-best (a case matching in two sections ranks higher)."""
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        groups.setdefault(str(doc.meta.get("entry_id", doc.id)), []).append(doc)
    hits: list[SearchHit] = []
    for entry_id, chunks in groups.items():
        chunks.sort(key=lambda d: d.score or 0.0, reverse=True)
        best = chunks[0]
        score = (best.score or 0.0) + second_weight * (chunks[1].score or 0.0 if len(chunks) > 1 else 0.0)
        meta = {k: best.meta[k] for k in ENTRY_META if k in best.meta}
        for extra in ("heading", "path"):
            if extra in best.meta:
                meta[extra] = best.meta[extra]
        hits.append(
            SearchHit(
                entry_id=entry_id,
                score=score,
                meta=meta,
                passage=best.content or "",  # the whole chunk until `add_passage` cuts the window
                section=str(best.meta.get("section", "body")),
                section_label=str(best.meta.get("section_label", "")),
                highlights=[],
                reasons=match_reasons(meta, analysis),
                chunk_ids=[d.id for d in chunks],
            )
        )
    hits.sort(key=lambda h: h.score, reverse=True)
    return hits


def add_passage(hit: SearchHit, terms: list[str], passage_chars: int = 240) -> SearchHit:
    """Cut the best window of the matching chunk and mark the query terms in it (done for the page shown only)."""
    passage, spans = best_window(hit.passage, find_spans(hit.passage, terms), passage_chars)
    return replace(hit, passage=passage, highlights=spans)


@component
class EntryFolder:
    def __init__(self, second_weight: float = 0.1, passage_chars: int = 240) -> None:
        if passage_chars < 40:
            msg = f"passage_chars must be >= 40, got {passage_chars}"
            raise ValueError(msg)
        self.second_weight = second_weight
        self.passage_chars = passage_chars

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, second_weight=self.second_weight, passage_chars=self.passage_chars)

    @component.output_types(hits=list[SearchHit])
    def run(self, documents: list[Document], analysis: QueryAnalysis | None = None) -> dict[str, list[SearchHit]]:
        return {"hits": fold_chunks(documents, analysis, second_weight=self.second_weight)}
