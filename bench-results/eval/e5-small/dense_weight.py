"""The long-query dense weight on the e5-small index: is use-m3's 0.3 right for the product's default embedder?

Run from the repository root on the built e5-small evaluation index (`kb eval lecard --embedder e5-small
--dense-chunks 1 --build-only`), about 4 minutes:

    python bench-results/eval/e5-small/dense_weight.py > bench-results/eval/e5-small/dense_weight.txt

Each row is the product pipeline with another dense weight for long queries (the weighted RRF of
kb/components/rrf_joiner.py; 0.3 is the default, chosen on use-m3). Choices are made on the common queries.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
WEIGHTS = (0.15, 0.3, 0.6, 1.0)


def main() -> None:
    dataset = load_lecard(DATA)
    with warm_index(LecardRun(data=DATA, embedder="e5-small", dense_chunks=1)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        product = CONFIGS[DEFAULT_CONFIG]
        configs = [replace(product, name=f"dense weight {w}", long_dense_weight=w) for w in WEIGHTS]
        print_sweep(evaluator, configs)


if __name__ == "__main__":
    main()
