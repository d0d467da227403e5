"""The whole-facts match sweep behind docs/evaluation.md (2026-11-27): its weight in the default ranking.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/facts-match/sweep.py > bench-results/eval/facts-match/sweep.txt

Each row is the product's default pipeline with the whole-facts match (`FactsMatchRanker`: BM25 of a long query's
distinct tokens, names left out, against each candidate's whole 基本案情, fused as one more reciprocal-rank list)
at one weight; weight 0 is the pipeline without it. Columns: upstream-script nDCG@10 / nDCG@30 / P@5 / MAP of the
re-rank protocol and Recall@100 (ours) of the full protocol, per subset. The weight was chosen on the common queries;
the controversial ones are the held-out check. The first run counts the 基本案情 terms of every indexed judgment
once (kb.facts_terms) and stores them in the index's record database.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)


def main() -> None:
    dataset = load_lecard(DATA)
    default = CONFIGS[DEFAULT_CONFIG]
    configs = [replace(default, name=f"facts weight {w:g}", facts_weight=w) for w in WEIGHTS]
    configs.append(replace(CONFIGS["bm25"], name="bm25 + facts 1", facts_weight=1.0))
    with warm_index(LecardRun(data=DATA)) as kb:
        started = time.perf_counter()
        counted = kb.facts_terms.lookup((e, v) for e, v, _ in kb.records.iter_current())
        seconds = time.perf_counter() - started
        print(f"# facts terms of {len(counted)} judgments ready in {seconds:.0f} s", file=sys.stderr)
        print_sweep(LecardEvaluator(kb, dataset), configs)


if __name__ == "__main__":
    main()
