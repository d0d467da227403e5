"""The inferred-charge sweep behind docs/evaluation.md (2026-11-27): weight of the inferred charges × who votes.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/inferred-charge/sweep.py > bench-results/eval/inferred-charge/sweep.txt

Per query it retrieves once inside the pool and once over the whole index, then ranks with the product's
components (`LecardEvaluator.rank`) for each setting. Rows: the vote's top-1 charge accuracy against LeCaRD's
`crime` (analysis only), upstream-script figures per subset, and, for reference only, the query's real charges used
as the boost (an oracle: it shows how much a right charge is worth, it is not a configuration).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import LecardDataset, LecardQuery, load_lecard
from api.evaluation.runner import SUBSETS, EvalConfig, EvalOptions, LecardEvaluator, score
from api.evaluation.sweeps import upstream_cell
from kb.components.legal_element_ranker import infer_charges

DATA = Path("../shared/data/lecard")


def print_line(
    name: str, dataset: LecardDataset, rankings: dict[str, list[str]], queries: list[LecardQuery], width: int
) -> None:
    """One row: upstream nDCG@10 / nDCG@30 / P@5 / MAP for all, common and controversial queries."""
    scores = score(dataset, rankings, queries)
    print(f"{name:<{width}} " + " | ".join(upstream_cell(scores, subset) for subset in SUBSETS), flush=True)


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    kb = open_index(LecardRun(data=DATA))  # the index `kb eval lecard` builds by default
    try:
        kb.warm_up()
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        options = evaluator.options
        pool = {
            q.qid: evaluator.retrieve(q, filters=evaluator.pool_filter(q.qid), top_k=options.rerank_top_k)
            for q in queries
        }
        library = {q.qid: evaluator.retrieve(q, filters=None, top_k=evaluator.library_depth(q)) for q in queries}

        def ranking(qid: str, config: EvalConfig, analysis=None) -> list[str]:
            hits = evaluator.rank(pool[qid], config, analysis, library=library[qid])
            return evaluator._complete(evaluator.pids(hits), qid, "rerank")

        plain = EvalConfig("hybrid", long_dense_weight=0.3)
        for voters, source in (("ranked", pool), ("library", library)):
            right = 0
            for q in queries:
                votes = infer_charges(evaluator.rank(source[q.qid], plain), 10, 0.3)
                right += bool(votes) and next(iter(votes)) in q.charges
            print(f"top-1 voted charge is a LeCaRD charge, {voters} votes: {right}/{len(queries)}")
        print("upstream nDCG@10 / nDCG@30 / P@5 / MAP")
        for voters in ("ranked", "library"):
            for weight in (0.6, 1.5, 3.0, 10.0):
                config = EvalConfig("x", elements=True, long_dense_weight=0.3, inferred_weight=weight, vote_from=voters)
                rankings = {q.qid: ranking(q.qid, config) for q in queries}
                print_line(f"{voters} votes, weight {weight}", dataset, rankings, queries, 28)
        for weight in (0.6, 3.0, 10.0):  # oracle: the real charges as the query's charges, weighted like inferred ones
            config = EvalConfig("o", elements=True, long_dense_weight=0.3, charge_weight=weight)
            print_line(
                f"oracle charges, weight {weight}",
                dataset,
                {
                    q.qid: ranking(q.qid, config, replace(pool[q.qid].analysis, charges=list(q.charges)))
                    for q in queries
                },
                queries,
                28,
            )
    finally:
        kb.close()


if __name__ == "__main__":
    main()
