"""The inferred charges' weight made to depend on the vote's confidence (2026-11-29).

The product boosts the charges its 10 nearest library cases vote for with one weight, 3.0, however sure the vote is.
With the query's real charge given as a filter, MAP is 0.665 against 0.644 on the common queries, so a harder
partition pays when the charge is right. This script replays the product's pool rankings (as study.py does) with a
weight chosen per query from the best inferred charge's share: a higher weight when the vote is near unanimous, a
lower one when it is split, or a weight proportional to the share. Run from the repository root on the built
evaluation index (about 3 minutes):

    python bench-results/eval/charge-recognition/confidence.py > bench-results/eval/charge-recognition/confidence.txt

Each row: the re-rank protocol's upstream nDCG@10 / nDCG@30 / P@5 / MAP per subset; choices are made on the common
queries. The last line lists the best inferred share of every query that infers a charge.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from study import DATA, PRODUCT, Study, kept, vote

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import SUBSETS, LecardEvaluator, score
from api.evaluation.sweeps import upstream_cell
from kb.components.legal_element_ranker import LegalElementRanker
from kb.elements.charge_refinement import refine_inferred_charges

Weight = Callable[[Mapping[str, float]], float]


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    rankers: dict[float, LegalElementRanker] = {}

    def ranker(weight: float) -> LegalElementRanker:
        if weight not in rankers:
            rankers[weight] = LegalElementRanker(
                charge_weight=PRODUCT.charge_weight, outcome_weight=PRODUCT.outcome_weight, inferred_weight=weight
            )
        return rankers[weight]

    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        study = Study(evaluator, queries)
        inferred = {
            q.qid: {}
            if study.named(q.qid)
            else refine_inferred_charges(q.text, kept(vote(study.library[q.qid], 10, lambda r: 1 / r)))
            for q in queries
        }

        def row(label: str, weight_of: Weight) -> None:
            rankings = {}
            for q in queries:
                shares = inferred[q.qid]
                weight = weight_of(shares) if shares else PRODUCT.inferred_weight
                ranked = ranker(weight).rerank(study.pool[q.qid], study.analysis[q.qid], shares)
                rankings[q.qid] = evaluator._complete(evaluator.pids(ranked), q.qid, "rerank")
            scores = score(evaluator.dataset, rankings, queries)
            print(f"{label:<22} " + " | ".join(upstream_cell(scores, subset) for subset in SUBSETS), flush=True)

        def top(shares: Mapping[str, float]) -> float:
            return max(shares.values())

        print("inferred weight | upstream nDCG@10 / nDCG@30 / P@5 / MAP")
        row("product: 3.0", lambda s: 3.0)
        for weight in (5.0, 10.0):
            row(f"{weight} for all", lambda s, w=weight: w)
        for threshold in (0.6, 0.7, 0.8, 0.9, 0.99):
            for high in (5.0, 10.0, 30.0):
                row(f"top ≥ {threshold}: {high}", lambda s, t=threshold, h=high: h if top(s) >= t else 3.0)
        for threshold in (0.4, 0.5):
            for low in (1.5, 1.0):
                row(f"top < {threshold}: {low}", lambda s, t=threshold, lo=low: lo if top(s) < t else 3.0)
        for factor in (3.0, 6.0, 10.0):
            row(f"{factor} × top share", lambda s, f=factor: f * top(s))
        print("best inferred shares:", sorted(round(top(s), 2) for s in inferred.values() if s))


if __name__ == "__main__":
    main()
