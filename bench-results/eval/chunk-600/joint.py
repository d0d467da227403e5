"""600-character chunks with the best single settings combined (2026-11-28), after `retune.py` changed one at a time.

`retune.py` found no single setting that wins back on 600-character chunks what they lose to 400 on the common
queries (best common MAP 0.626, second chunk 0.3, against 0.644 at 400). This grid combines the settings that came
closest: the second chunk folded at 0.1 (the product) or 0.3, the long-query dense weight 0.3 (the product) or 0.15,
and the whole-facts match at 0.5, 1 (the product) or 1.5. Choices on the common queries; the controversial ones are
the held-out check. On the index `retune.py` names (about 4 minutes):

    KB_CHUNK_CHARS=600 python bench-results/eval/chunk-600/joint.py > bench-results/eval/chunk-600/joint.txt
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
HOME = Path("var/eval/lecard-c600")


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    configs = [
        replace(
            product,
            name=f"second {second} dense {dense} facts {facts}",
            second_weight=second,
            long_dense_weight=dense,
            facts_weight=facts,
        )
        for second, dense, facts in itertools.product((0.1, 0.3), (0.3, 0.15), (0.5, 1.0, 1.5))
    ]
    with warm_index(LecardRun(data=DATA, home=HOME)) as kb:
        print_sweep(LecardEvaluator(kb, dataset, EvalOptions()), configs)


if __name__ == "__main__":
    main()
