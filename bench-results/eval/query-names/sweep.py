"""The query-name sweep behind docs/evaluation.md (2026-11-27): person and place names in a long query's terms.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/query-names/sweep.py > bench-results/eval/query-names/sweep.txt

Settings: names kept as ordinary terms (the product before this change), names left out entirely, and names left
out with the N most distinctive name tokens added back at weight F (the product now: N = 4, F = 0.3). Each setting
runs both protocols through `LecardEvaluator.run` with BM25 only and the default pipeline. Rows: upstream-script
nDCG@10 / nDCG@30 / P@5 / MAP of the re-rank protocol, and Recall@100 of the full protocol (ours), per subset. The
setting was chosen on the common queries; the controversial ones are the held-out check.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator, score

DATA = Path("../shared/data/lecard")
SETTINGS: dict[str, EvalOptions] = {
    "names kept (before)": EvalOptions(drop_names=False),
    "names out": EvalOptions(name_terms=0),
    "names out, 4 back at 0.1": EvalOptions(name_terms=4, name_weight=0.1),
    "names out, 4 back at 0.3 (product)": EvalOptions(name_terms=4, name_weight=0.3),
    "names out, 8 back at 0.1": EvalOptions(name_terms=8, name_weight=0.1),
    "names out, 8 back at 0.3": EvalOptions(name_terms=8, name_weight=0.3),
}
SUBSETS = ("all", "common", "controversial")


def main() -> None:
    dataset = load_lecard(DATA)
    configs = [CONFIGS["bm25"], CONFIGS[DEFAULT_CONFIG]]
    kb = open_index(LecardRun(data=DATA))
    try:
        kb.warm_up()
        print("setting | config | rerank upstream nDCG@10 / nDCG@30 / P@5 / MAP and full Recall@100, per subset")
        for name, options in SETTINGS.items():
            started = time.perf_counter()
            evaluator = LecardEvaluator(kb, dataset, options)
            runs = {
                protocol: evaluator.run(dataset.queries, protocol=protocol, settings=("auto",), configs=configs)
                for protocol in ("rerank", "full")
            }
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
                print(f"{name:<36} {config.name:<16} " + " | ".join(cells), flush=True)
            print(f"# {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        kb.close()


if __name__ == "__main__":
    main()
