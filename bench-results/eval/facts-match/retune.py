"""The other ranking parameters re-checked with the whole-facts match on (docs/evaluation.md, 2026-11-27).

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/retune.py > bench-results/eval/facts-match/retune.txt

Each row is the default pipeline with one parameter changed: the inferred-charge weight, the dense weight of long
queries, the second-chunk fold, the named-charge weight, the outcome weight. Columns as in sweep.py. The common
queries decide; none was changed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")


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
    with warm_index(LecardRun(data=DATA)) as kb:
        print_sweep(LecardEvaluator(kb, dataset), configs)


if __name__ == "__main__":
    main()
