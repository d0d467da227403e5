"""The pipeline's settings re-checked after the fact-text charge checks (2026-11-27).

Each row changes one setting of the product default (the first row). Re-rank protocol only; choices are made on the
common queries. Run from the repository root on the built evaluation index, about 4 minutes:

    python bench-results/eval/charge-checks/retune.py > bench-results/eval/charge-checks/retune.txt
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
    configs = [
        product,
        *(replace(product, name=f"facts weight {w}", facts_weight=w) for w in (0.5, 1.5, 2.0)),
        *(replace(product, name=f"second chunk {w}", second_weight=w) for w in (0.2, 0.3)),
        *(replace(product, name=f"rrf k {k}", rrf_k=k) for k in (30, 120)),
        *(replace(product, name=f"long dense {w}", long_dense_weight=w) for w in (0.15, 0.5)),
        *(replace(product, name=f"inferred weight {w}", inferred_weight=w) for w in (1.5, 2.0)),
        replace(product, name="outcome weight 0", outcome_weight=0.0),
        replace(product, name="20 voters", infer_from=20),
    ]
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        print_sweep(evaluator, configs, protocols=("rerank",))


if __name__ == "__main__":
    main()
