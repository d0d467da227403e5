"""Decision factors (自首, 坦白, 赔偿谅解 …) as one more boost after the element ranker: tried, not kept (2026-11-27).

LeCaRD grades a candidate by its key circumstances as well as its charge, so a case that shares the query's
factors might belong higher within its charge. Each row multiplies the product pipeline's score by
1 + w × overlap, where overlap is the share of the query's factors (`extract_factors` on the fact text) the case
has ("share") or their Jaccard index ("jaccard"); the case's factors are either the ones stored at import (every
narrative section, "all") or those of its 基本案情 alone ("facts", the same kind of text as the query). A query
without a factor is left as it is (49 of the 107 have one). Re-rank protocol; choices on the common queries. Run
from the repository root on the built use-m3 evaluation index, about 5 minutes:

    python bench-results/eval/more-signals/factors.py > bench-results/eval/more-signals/factors.txt
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalConfig, EvalOptions, LecardEvaluator, Retrieved
from api.evaluation.sweeps import print_sweep
from kb.components.query_normalizer import QueryAnalysis
from kb.elements.factors import extract_factors
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
WEIGHTS = (0.1, 0.3, 0.6)


class FactorBoostEvaluator(LecardEvaluator):
    """The product ranking, then the factor boost of `variants` (config name -> weight, source, overlap)."""

    def __init__(self, *args: Any, variants: dict[str, tuple[float, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.variants = variants
        self.factors: dict[str, dict[str, set[str]]] = {"all": {}, "facts": {}}
        for entry_id, _, entry in self.kb.records.iter_current():
            self.factors["all"][entry_id] = set(entry.factors)
            self.factors["facts"][entry_id] = set(extract_factors(entry.section("facts")))

    def rank(
        self,
        retrieved: Retrieved,
        config: EvalConfig,
        analysis: QueryAnalysis | None = None,
        library: Retrieved | None = None,
    ) -> list[SearchHit]:
        hits = super().rank(retrieved, config, analysis, library)
        # only after the element ranker: the unboosted ranking that votes for the inferred charges stays as it is
        variant = self.variants.get(config.name) if config.elements else None
        query_factors = set(extract_factors((analysis or retrieved.analysis).text)) if variant else set()
        if variant is None or not query_factors:
            return hits
        weight, source, overlap = variant
        boosted = [
            replace(h, score=h.score * (1 + weight * self._overlap(query_factors, h.entry_id, source, overlap)))
            for h in hits
        ]
        return sorted(boosted, key=lambda h: h.score, reverse=True)

    def _overlap(self, query: set[str], entry_id: str, source: str, overlap: str) -> float:
        case = self.factors[source].get(entry_id, set())
        if overlap == "share":
            return len(query & case) / len(query)
        return len(query & case) / len(query | case)


def main(weights: Sequence[float] = WEIGHTS) -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    variants = {
        f"factors {source} {overlap} {w}": (w, source, overlap)
        for source in ("all", "facts")
        for overlap in ("share", "jaccard")
        for w in weights
    }
    configs = [product, *(replace(product, name=name) for name in variants)]
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = FactorBoostEvaluator(kb, dataset, EvalOptions(), variants=variants)
        print_sweep(evaluator, configs, protocols=("rerank",))


if __name__ == "__main__":
    main()
