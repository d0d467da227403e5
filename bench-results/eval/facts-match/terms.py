"""Which query tokens the whole-facts match uses (docs/evaluation.md, 2026-11-27).

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/terms.py > bench-results/eval/facts-match/terms.txt

"all distinct" is the product: every distinct searchable token of the long query, names left out. "selected" keeps
only the tokens chosen for BM25 (the 48 most distinctive), at weight 1 and 2. Columns as in sweep.py.
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


class Ev(LecardEvaluator):
    """Configurations named selected* see only the selected terms in `facts_idf`."""

    def rank(self, retrieved, config, analysis=None, library=None):  # type: ignore[no-untyped-def]
        if config.name.startswith("selected"):
            used = analysis or retrieved.analysis
            sel = replace(used, facts_idf={t: w for t, w in used.facts_idf.items() if t in used.weights})
            return super().rank(retrieved, config, sel, library)
        return super().rank(retrieved, config, analysis, library)


def main() -> None:
    dataset = load_lecard(DATA)
    d = CONFIGS[DEFAULT_CONFIG]
    configs = [
        replace(d, name="all distinct w1"),
        replace(d, name="selected w1"),
        replace(d, name="selected w2", facts_weight=2.0),
    ]
    kb = open_index(LecardRun(data=DATA))
    try:
        kb.warm_up()
        evaluator = Ev(kb, dataset)
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
