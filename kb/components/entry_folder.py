"""Fold ranked chunks into ranked entries: best passage, highlight spans, and the reasons an entry matched."""

from __future__ import annotations

from collections.abc import Mapping
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


def _chunk_score(doc: Document, section_weights: Mapping[str, float] | None) -> float:
    score = doc.score or 0.0
    if section_weights:
        score *= section_weights.get(str(doc.meta.get("section", "body")), 1.0)
    return score


# Sections that list things (关键词, 相关规定) rather than tell the case: a poor passage to show for a hit.
LIST_SECTIONS = frozenset({"keywords", "provisions"})


def shown_chunk(chunks: list[Document], analysis: QueryAnalysis | None) -> Document:
    """The chunk whose text a hit shows: its best chunk, unless that one is a list of keywords or cited provisions
    and another matched chunk tells the case (a query that cites provisions is shown the provisions it matched)."""
    best = chunks[0]
    section = str(best.meta.get("section", "body"))
    if section not in LIST_SECTIONS or (section == "provisions" and analysis is not None and analysis.provisions):
        return best
    return next((d for d in chunks[1:] if str(d.meta.get("section", "body")) not in LIST_SECTIONS), best)


def fold_chunks(
    documents: list[Document],
    analysis: QueryAnalysis | None,
    *,
    second_weight: float = 0.1,
    top_n: int = 2,
    section_weights: Mapping[str, float] | None = None,
) -> list[SearchHit]:
    """Entry score = best chunk score + `second_weight` × the sum of the next `top_n - 1` chunk scores.

    The default (top_n=2) is "max plus a little of the second": a case matching in two sections ranks higher.
    A larger `top_n` with `second_weight` near 1 approaches the sum of chunk scores. `section_weights` (section key
    -> factor, default 1) scale chunk scores before folding, e.g. to favour 基本案情 chunks. The passage is the best
    chunk's (`shown_chunk`: a narrative one rather than a list of keywords or provisions); the score is not changed.
    """
    groups: dict[str, list[Document]] = {}
    for doc in documents:
        groups.setdefault(str(doc.meta.get("entry_id", doc.id)), []).append(doc)
    hits: list[SearchHit] = []
    for entry_id, chunks in groups.items():
        scored = sorted(((_chunk_score(d, section_weights), d) for d in chunks), key=lambda p: p[0], reverse=True)
        chunks = [d for _, d in scored]
        best = chunks[0]
        shown = shown_chunk(chunks, analysis)
        score = scored[0][0] + second_weight * sum(s for s, _ in scored[1 : max(top_n, 1)])
        meta = {k: best.meta[k] for k in ENTRY_META if k in best.meta}
        for extra in ("heading", "path"):
            if extra in shown.meta:
                meta[extra] = shown.meta[extra]
        hits.append(
            SearchHit(
                entry_id=entry_id,
                score=score,
                meta=meta,
                passage=shown.content or "",  # the whole chunk until `add_passage` cuts the window
                section=str(shown.meta.get("section", "body")),
                section_label=str(shown.meta.get("section_label", "")),
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
    def __init__(
        self,
        second_weight: float = 0.1,
        passage_chars: int = 240,
        top_n: int = 2,
        section_weights: dict[str, float] | None = None,
    ) -> None:
        if passage_chars < 40:
            msg = f"passage_chars must be >= 40, got {passage_chars}"
            raise ValueError(msg)
        if top_n < 1 or second_weight < 0:
            msg = f"top_n must be >= 1 and second_weight >= 0, got {top_n}, {second_weight}"
            raise ValueError(msg)
        self.second_weight = second_weight
        self.passage_chars = passage_chars
        self.top_n = top_n
        self.section_weights = dict(section_weights) if section_weights else None

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            second_weight=self.second_weight,
            passage_chars=self.passage_chars,
            top_n=self.top_n,
            section_weights=self.section_weights,
        )

    @component.output_types(hits=list[SearchHit])
    def run(self, documents: list[Document], analysis: QueryAnalysis | None = None) -> dict[str, list[SearchHit]]:
        hits = fold_chunks(
            documents,
            analysis,
            second_weight=self.second_weight,
            top_n=self.top_n,
            section_weights=self.section_weights,
        )
        return {"hits": hits}
