"""The whole-facts match with idf from the candidate cases: tried, not kept (2026-11-27).

Within one charge the words that tell cases apart are not the globally rare ones: 盗窃 is rare in the library but
said by every candidate of a theft query, while 电动车 against 手机 decides which theft it is. Each row changes the
idf of the whole-facts match (kb/components/facts_ranker.py) for the candidates being ranked: "local" is BM25's idf
over the candidates' 基本案情 alone; "mix p" is the index idf times (local / mean local) ** p; "add w" keeps the
product's match and adds the local one as a second reciprocal-rank list at weight w. Re-rank protocol; choices on
the common queries. Run from the repository root on the built use-m3 evaluation index, about 3 minutes:

    python bench-results/eval/more-signals/local_idf.py > bench-results/eval/more-signals/local_idf.txt
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalConfig, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep
from kb.components.facts_ranker import FactsMatchRanker, QueryTerms
from kb.components.query_normalizer import QueryAnalysis
from kb.models import SearchHit


@dataclass(frozen=True)
class LocalIdf:
    mode: str  # "local" | "mix" | "add"
    power: float = 1.0  # "mix": the exponent of the local factor
    weight: float = 1.0  # "add": the weight of the local list


VARIANTS = {
    "local idf": LocalIdf("local"),
    "mix 0.5": LocalIdf("mix", power=0.5),
    "mix 1": LocalIdf("mix", power=1.0),
    "mix 2": LocalIdf("mix", power=2.0),
    "add local 0.5": LocalIdf("add", weight=0.5),
    "add local 1": LocalIdf("add", weight=1.0),
}
DATA = Path("../shared/data/lecard")


class LocalIdfFacts(FactsMatchRanker):
    """The whole-facts match whose idf comes (partly) from the candidates it ranks."""

    def __init__(self, variant: LocalIdf, weight: float) -> None:
        super().__init__(weight=weight)
        self.variant = variant

    def contributions(self, hits: list[SearchHit], analysis: QueryAnalysis) -> tuple[QueryTerms, dict[str, Any]]:
        """The product's facts match (`FactsMatchRanker.contributions`) with the query's idf replaced. The candidates'
        counts are read once here for the local document frequencies and again by the product's method."""
        assert self.counts is not None
        query = QueryTerms.from_idf(analysis.facts_idf)
        found = self.counts.lookup((h.entry_id, int(h.meta.get("version") or 0)) for h in hits)
        present = np.array([terms.counts_of(query.hashes) > 0 for terms in found.values()], dtype=bool)
        frequency = present.sum(axis=0) if len(present) else np.zeros(len(query.tokens))
        local = np.log(1 + (len(present) - frequency + 0.5) / (frequency + 0.5))
        mixed = self.variant.mode == "mix"
        idf = query.idf * (local / (local.mean() or 1.0)) ** self.variant.power if mixed else local
        return super().contributions(
            hits, replace(analysis, facts_idf=dict(zip(query.tokens, idf.tolist(), strict=True)))
        )


class BothFacts(FactsMatchRanker):
    """The product's whole-facts match, then the local-idf one as a second list."""

    def __init__(self, product: FactsMatchRanker, local: FactsMatchRanker) -> None:
        super().__init__(weight=product.weight)
        self.product = product
        self.local = local

    def run(self, hits: list[SearchHit], analysis: QueryAnalysis | None = None) -> dict[str, Any]:
        first = self.product.run(hits=hits, analysis=analysis)["hits"]
        return self.local.run(hits=first, analysis=analysis)


class LocalIdfEvaluator(LecardEvaluator):
    def facts_stage(self, config: EvalConfig) -> FactsMatchRanker:
        variant = VARIANTS.get(config.name)
        if variant is None:
            return super().facts_stage(config)
        if variant.mode == "add":
            local = LocalIdfFacts(variant, variant.weight).use(self.kb.facts_terms)
            return BothFacts(super().facts_stage(config), local)
        return LocalIdfFacts(variant, config.facts_weight).use(self.kb.facts_terms)


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    configs = [product, *(replace(product, name=name) for name in VARIANTS)]
    with warm_index(LecardRun(data=DATA)) as kb:
        print_sweep(LocalIdfEvaluator(kb, dataset, EvalOptions()), configs, protocols=("rerank",))


if __name__ == "__main__":
    main()
