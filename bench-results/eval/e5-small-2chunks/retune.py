"""The pipeline's settings re-checked on e5-small, the product's default embedder (2026-11-27).

Every setting of the product pipeline was chosen on the use-m3 index. This sweep varies each one on the e5-small
index with two 基本案情 chunks per judgment (`kb eval lecard --embedder e5-small --dense-chunks 2 --build-only`).
Each row changes one setting of the product default (the first row); choices are made on the common queries, the
controversial ones are the held-out check. Both protocols; run from the repository root, about 10 minutes:

    python bench-results/eval/e5-small-2chunks/retune.py > bench-results/eval/e5-small-2chunks/retune.txt
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
        *(replace(product, name=f"long dense {w}", long_dense_weight=w) for w in (0.15, 0.5, 0.6, 1.0)),
        *(replace(product, name=f"facts weight {w}", facts_weight=w) for w in (0.5, 1.5, 2.0)),
        *(replace(product, name=f"second chunk {w}", second_weight=w) for w in (0.0, 0.2, 0.3)),
        *(replace(product, name=f"rrf k {k}", rrf_k=k) for k in (30, 120)),
        *(replace(product, name=f"inferred weight {w}", inferred_weight=w) for w in (1.5, 2.0, 5.0)),
        replace(product, name="outcome weight 0", outcome_weight=0.0),
        *(replace(product, name=f"{n} voters", infer_from=n) for n in (5, 20)),
    ]
    with warm_index(LecardRun(data=DATA, embedder="e5-small", dense_chunks=2)) as kb:
        print_sweep(LecardEvaluator(kb, dataset, EvalOptions()), configs)


if __name__ == "__main__":
    main()
