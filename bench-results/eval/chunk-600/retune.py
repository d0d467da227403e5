"""The pipeline's settings re-checked on 600-character chunks (2026-11-28).

600-character chunks lost to 400 on every common measure with the settings chosen at 400 (docs/evaluation.md), while
BM25 and dense alone found more of the library with them. Without arguments this sweep varies each setting of the
product pipeline on the 600-character index, one at a time (the first row is the product's settings), to see whether
settings of their own win the loss back. With `--joint` it combines the settings that came closest alone: the second
chunk folded at 0.1 (the product) or 0.3, the long-query dense weight 0.3 (the product) or 0.15, and the whole-facts
match at 0.5, 1 (the product) or 1.5. Choices on the common queries; the controversial ones are the held-out check.
Build the index first (22 min), then run from the repository root (about 5 minutes each):

    KB_CHUNK_CHARS=600 kb eval lecard --data ../shared/data/lecard --protocol all --build-only --home var/eval/lecard-c600
    KB_CHUNK_CHARS=600 python bench-results/eval/chunk-600/retune.py > bench-results/eval/chunk-600/retune.txt
    KB_CHUNK_CHARS=600 python bench-results/eval/chunk-600/retune.py --joint > bench-results/eval/chunk-600/joint.txt
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalConfig, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
HOME = Path("var/eval/lecard-c600")


def one_at_a_time(product: EvalConfig) -> list[EvalConfig]:
    return [
        product,
        *(replace(product, name=f"long dense {w}", long_dense_weight=w) for w in (0.15, 0.5, 1.0)),
        *(replace(product, name=f"facts weight {w}", facts_weight=w) for w in (0.5, 0.75, 1.5)),
        *(replace(product, name=f"second chunk {w}", second_weight=w) for w in (0.0, 0.2, 0.3)),
        *(replace(product, name=f"rrf k {k}", rrf_k=k) for k in (30, 120)),
        *(replace(product, name=f"inferred weight {w}", inferred_weight=w) for w in (2.0, 5.0)),
        *(replace(product, name=f"{n} voters", infer_from=n) for n in (5, 20)),
    ]


def combined(product: EvalConfig) -> list[EvalConfig]:
    return [
        replace(
            product,
            name=f"second {second} dense {dense} facts {facts}",
            second_weight=second,
            long_dense_weight=dense,
            facts_weight=facts,
        )
        for second, dense, facts in itertools.product((0.1, 0.3), (0.3, 0.15), (0.5, 1.0, 1.5))
    ]


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    configs = combined(product) if "--joint" in sys.argv[1:] else one_at_a_time(product)
    with warm_index(LecardRun(data=DATA, home=HOME)) as kb:
        print_sweep(LecardEvaluator(kb, dataset, EvalOptions()), configs)


if __name__ == "__main__":
    main()
