"""Legal-element re-ranking: entries that share the query's 罪名/案由 and 处理结果 move up.

Shared charge matters most in published case-retrieval benchmarks, so it carries the largest weight. The boost is
multiplicative on the fused score and proportional to the share of the query's elements the entry has.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from haystack import component, default_to_dict

from kb.components.query_normalizer import QueryAnalysis
from kb.models import SearchHit


def element_boost(meta: dict[str, Any], analysis: QueryAnalysis, charge_weight: float, outcome_weight: float) -> float:
    boost = 1.0
    if analysis.charges:
        shared = len(set(analysis.charges) & set(meta.get("charges", [])))
        boost += charge_weight * shared / len(analysis.charges)
    if analysis.outcomes:
        shared = len(set(analysis.outcomes) & set(meta.get("outcomes", [])))
        boost += outcome_weight * shared / len(analysis.outcomes)
    return boost


@component
class LegalElementRanker:
    def __init__(self, charge_weight: float = 0.6, outcome_weight: float = 0.3) -> None:
        if charge_weight < 0 or outcome_weight < 0:
            msg = f"weights must be >= 0, got {charge_weight}, {outcome_weight}"
            raise ValueError(msg)
        self.charge_weight = charge_weight
        self.outcome_weight = outcome_weight

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, charge_weight=self.charge_weight, outcome_weight=self.outcome_weight)

    @component.output_types(hits=list[SearchHit])
    def run(self, hits: list[SearchHit], analysis: QueryAnalysis | None = None) -> dict[str, list[SearchHit]]:
        if analysis is None:
            return {"hits": hits}
        ranked = [
            replace(h, score=h.score * element_boost(h.meta, analysis, self.charge_weight, self.outcome_weight))
            for h in hits
        ]
        ranked.sort(key=lambda h: h.score, reverse=True)
        return {"hits": ranked}
