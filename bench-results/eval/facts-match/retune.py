"""The other ranking parameters re-checked with the whole-facts match on (docs/evaluation.md, 2026-11-27).

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/retune.py > bench-results/eval/facts-match/retune.txt

Each row is the default pipeline with one parameter changed: the inferred-charge weight, the dense weight of long
queries, the second-chunk fold, the named-charge weight, the outcome weight. Columns as in sweep.py. The common
queries decide; none was changed.
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
SUBSETS = ("all", "common", "controversial")


def main() -> None:
    dataset = load_lecard(DATA)
    d = CONFIGS[DEFAULT_CONFIG]
    configs = [
        replace(d, name="default"),
        replace(d, name="inferred 1.5", inferred_weight=1.5),
        replace(d, name="inferred 5", inferred_weight=5.0),
        replace(d, name="long dense 0.6", long_dense_weight=0.6),
        replace(d, name="long dense 0.15", long_dense_weight=0.15),
        replace(d, name="fold 0.3", second_weight=0.3),
        replace(d, name="charge 1.2 outcome 0.3", charge_weight=1.2),
        replace(d, name="outcome 0", outcome_weight=0.0),
    ]
    kb = open_index(LecardRun(data=DATA))
    try:
        kb.warm_up()
        evaluator = LecardEvaluator(kb, dataset)
        runs = {}
        for protocol in ("rerank", "full"):
            started = time.perf_counter()
            runs[protocol] = evaluator.run(dataset.queries, protocol=protocol, settings=("auto",), configs=configs)
            print(f"# {protocol}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
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
            print(f"{config.name:<24} " + " | ".join(cells), flush=True)
    finally:
        kb.close()


if __name__ == "__main__":
    main()
