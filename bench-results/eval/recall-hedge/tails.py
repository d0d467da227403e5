"""Past the first 50 entries: which order of the rest finds the most golden judgments (2026-11-27).

Since the inferred charges order only the first 50 entries (kb/components/legal_element_ranker.py,
`inferred_reach`), the rest of a pasted fact text's list is free to follow another order without touching the first
pages. The product gives it the pipeline's order without the inferred boost. This script tries other unboosted
orders for the rest: other weights of the whole-facts match, of the dense list for long queries, BM25 alone, and
more chunks folded per entry. Only full Recall@100 can change (the re-rank pools' first 50 are the same). Choices on
the common queries. Run from the repository root on the built use-m3 evaluation index (about 2 minutes):

    python bench-results/eval/recall-hedge/tails.py > bench-results/eval/recall-hedge/tails.txt
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, SUBSETS, EvalConfig, LecardEvaluator, element_ranker, score

DATA = Path("../shared/data/lecard")
PRODUCT = CONFIGS[DEFAULT_CONFIG]
REACH = PRODUCT.inferred_reach
PLAIN = replace(PRODUCT, elements=False)
TAILS: dict[str, EvalConfig] = {
    "product: the pipeline without the inferred boost": PLAIN,
    "whole-facts match 0 (chunks only)": replace(PLAIN, facts_weight=0.0),
    "whole-facts match 0.5": replace(PLAIN, facts_weight=0.5),
    "whole-facts match 2": replace(PLAIN, facts_weight=2.0),
    "whole-facts match 3": replace(PLAIN, facts_weight=3.0),
    "long-query dense weight 0.15": replace(PLAIN, long_dense_weight=0.15),
    "long-query dense weight 0.6": replace(PLAIN, long_dense_weight=0.6),
    "long-query dense weight 1.0": replace(PLAIN, long_dense_weight=1.0),
    "BM25 only (with the whole-facts match)": replace(PLAIN, dense=False),
    "second chunk folded at 0.3": replace(PLAIN, second_weight=0.3),
    "three chunks folded": replace(PLAIN, top_n=3),
}


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        ranker = element_ranker(PRODUCT)
        heads: dict[str, list[str]] = {}
        retrieved = {}
        inferring = set()  # the queries with inferred charges: only their lists have a tail to reorder
        for q in queries:
            retrieved[q.qid] = evaluator.retrieve(q, filters=None, top_k=evaluator.library_depth(q))
            heads[q.qid] = evaluator.pids(evaluator.rank(retrieved[q.qid], PRODUCT))
            plain = evaluator.rank(retrieved[q.qid], PLAIN)
            if ranker.run(hits=plain, analysis=retrieved[q.qid].analysis)["inferred_charges"]:
                inferring.add(q.qid)
        product_rankings = {q.qid: evaluator._complete(heads[q.qid], q.qid, "full") for q in queries}
        recall = score(dataset, product_rankings, queries)
        print("order of the entries past the first 50 | full Recall@100 per subset")
        cells = " | ".join(f"{s} {recall[s]['ours']['recall@100']:.3f}" for s in SUBSETS)
        print(f"{'(the product, as kb eval runs it)':<50} {cells}", flush=True)
        for label, config in TAILS.items():
            rankings = dict(product_rankings)  # nothing inferred: the product's list is the pipeline's, whole
            for q in (q for q in queries if q.qid in inferring):
                head = heads[q.qid][:REACH]
                taken = set(head)
                rest = [p for p in evaluator.pids(evaluator.rank(retrieved[q.qid], config)) if p not in taken]
                rankings[q.qid] = evaluator._complete(head + rest, q.qid, "full")
            recall = score(dataset, rankings, queries)
            cells = " | ".join(f"{s} {recall[s]['ours']['recall@100']:.3f}" for s in SUBSETS)
            print(f"{label:<50} {cells}", flush=True)


if __name__ == "__main__":
    main()
