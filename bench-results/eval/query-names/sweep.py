"""The query-name sweep behind docs/evaluation.md (2026-11-27): person and place names in a long query's terms.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/query-names/sweep.py > bench-results/eval/query-names/sweep.txt

Settings: names kept as ordinary terms (the product before this change), names left out entirely, and names left
out with the N most distinctive name tokens added back at weight F (the product now: N = 4, F = 0.3). Each setting
runs both protocols through `LecardEvaluator.run` with BM25 only and the default pipeline as it was then
(`hybrid+elements@no-facts`: before the whole-facts match). Rows: upstream-script
nDCG@10 / nDCG@30 / P@5 / MAP of the re-rank protocol, and Recall@100 of the full protocol (ours), per subset. The
setting was chosen on the common queries; the controversial ones are the held-out check.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIG_CHOICES, CONFIGS, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import HEADER, run_auto, sweep_row

DATA = Path("../shared/data/lecard")
SETTINGS: dict[str, EvalOptions] = {
    "names kept (before)": EvalOptions(drop_names=False),
    "names out": EvalOptions(name_terms=0),
    "names out, 4 back at 0.1": EvalOptions(name_terms=4, name_weight=0.1),
    "names out, 4 back at 0.3 (product)": EvalOptions(name_terms=4, name_weight=0.3),
    "names out, 8 back at 0.1": EvalOptions(name_terms=8, name_weight=0.1),
    "names out, 8 back at 0.3": EvalOptions(name_terms=8, name_weight=0.3),
}


def main() -> None:
    dataset = load_lecard(DATA)
    # the default pipeline as it was when the names were chosen, before the whole-facts match
    configs = [CONFIGS["bm25"], CONFIG_CHOICES["hybrid+elements@no-facts"]]
    with warm_index(LecardRun(data=DATA)) as kb:
        print(HEADER)
        for name, options in SETTINGS.items():
            started = time.perf_counter()
            runs = run_auto(LecardEvaluator(kb, dataset, options), configs)
            for config in configs:
                print(sweep_row(runs, config.name, label=f"{name} | {config.name}"), flush=True)
            print(f"# {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
