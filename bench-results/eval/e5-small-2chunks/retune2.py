"""Second round on e5-small: the settings that gained alone in `retune.py`, combined (2026-11-27).

`retune.py` found two single changes better on all four re-rank measures of the common queries: the whole-facts
match at weight 1.5, and the long-query dense weight at 0.15 (five voters gained on three). This round starts
from facts weight 1.5 and adds one more change per row. Choices on the common queries; both protocols. Run from the
repository root on the built e5-small index with two chunks, about 6 minutes:

    python bench-results/eval/e5-small-2chunks/retune2.py > bench-results/eval/e5-small-2chunks/retune2.txt
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    facts = replace(product, name="facts 1.5", facts_weight=1.5)
    configs = [
        product,
        replace(product, name="facts 1.25", facts_weight=1.25),
        facts,
        replace(facts, name="facts 1.5, long dense 0.15", long_dense_weight=0.15),
        replace(facts, name="facts 1.5, long dense 0.2", long_dense_weight=0.2),
        replace(facts, name="facts 1.5, 5 voters", infer_from=5),
        replace(facts, name="facts 1.5, dense 0.15, 5 voters", long_dense_weight=0.15, infer_from=5),
        replace(facts, name="facts 1.5, inferred 1.5", inferred_weight=1.5),
        replace(facts, name="facts 1.5, rrf k 120", rrf_k=120),
        replace(facts, name="facts 1.5, second 0.2", second_weight=0.2),
    ]
    with warm_index(LecardRun(data=DATA, embedder="e5-small", dense_chunks=2)) as kb:
        print_sweep(LecardEvaluator(kb, dataset, EvalOptions()), configs)


if __name__ == "__main__":
    main()
