"""The whole-facts match sweep behind docs/evaluation.md (2026-11-27): its weight in the default ranking.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/facts-match/sweep.py > bench-results/eval/facts-match/sweep.txt

Each row is the product's default pipeline with the whole-facts match (`FactsMatchRanker`: BM25 of a long query's
distinct tokens, names left out, against each candidate's whole 基本案情, fused as one more reciprocal-rank list)
at one weight; weight 0 is the pipeline without it. Columns: upstream-script nDCG@10 / nDCG@30 / P@5 / MAP of the
re-rank protocol and Recall@100 (ours) of the full protocol, per subset. The weight was chosen on the common queries;
the controversial ones are the held-out check. The first run counts the 基本案情 terms of every indexed judgment
once (kb.facts_terms) and stores them in the index's record database.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator, score

DATA = Path("../shared/data/lecard")
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)
SUBSETS = ("all", "common", "controversial")


def main() -> None:
    dataset = load_lecard(DATA)
    default = CONFIGS[DEFAULT_CONFIG]
    configs = [replace(default, name=f"facts weight {w:g}", facts_weight=w) for w in WEIGHTS]
    configs.append(replace(CONFIGS["bm25"], name="bm25 + facts 1", facts_weight=1.0))
    kb = open_index(LecardRun(data=DATA))
    try:
        kb.warm_up()
        started = time.perf_counter()
        counted = kb.facts_terms.lookup((e, v) for e, v, _ in kb.records.iter_current())
        print(
            f"# facts terms of {len(counted)} judgments ready in {time.perf_counter() - started:.0f} s", file=sys.stderr
        )
        evaluator = LecardEvaluator(kb, dataset)
        runs = {}
        for protocol in ("rerank", "full"):
            started = time.perf_counter()
            runs[protocol] = evaluator.run(dataset.queries, protocol=protocol, settings=("auto",), configs=configs)
            print(f"# {protocol}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        print("config | rerank upstream nDCG@10 / nDCG@30 / P@5 / MAP and full Recall@100, per subset")
        for config in configs:
            rerank = score(dataset, runs["rerank"]["auto"].by_config[config.name], dataset.queries)
            full = score(dataset, runs["full"]["auto"].by_config[config.name], dataset.queries)
            cells = []
            for subset in SUBSETS:
                up = rerank[subset]["upstream"]
                recall = full[subset]["ours"]["recall@100"]
                cells.append(
                    f"{subset} {up['ndcg@10']:.3f} / {up['ndcg@30']:.3f} / {up['p@5']:.3f} / {up['map']:.3f}"
                    f" R@100 {recall:.3f}"
                )
            print(f"{config.name:<18} " + " | ".join(cells), flush=True)
    finally:
        kb.close()


if __name__ == "__main__":
    main()
