"""The whole-facts match's own settings (docs/evaluation.md, 2026-11-27): the fusion constant k and BM25's k1 and b.

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/params.py > bench-results/eval/facts-match/params.txt

Each row is the default pipeline with one `FactsMatchRanker` setting changed (the evaluation builds the ranker
through `api.evaluation.runner.FactsMatchRanker`, replaced here by a factory that adds the setting). Columns as in
sweep.py. The common queries decide; the defaults (k 60, k1 1.2, b 0.75) stayed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import api.evaluation.runner as runner
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import HEADER, run_auto, sweep_row
from kb.components.facts_ranker import FactsMatchRanker

DATA = Path("../shared/data/lecard")
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "k30": {"rrf_k": 30},
    "k120": {"rrf_k": 120},
    "k1 2.0": {"k1": 2.0},
    "k1 0.9": {"k1": 0.9},
    "b 0.5": {"b": 0.5},
    "b 0.9": {"b": 0.9},
}
current: dict[str, Any] = {}


def factory(weight: float) -> FactsMatchRanker:
    return FactsMatchRanker(weight=weight, **current)


def main() -> None:
    runner.FactsMatchRanker = factory  # type: ignore[assignment,misc]
    dataset = load_lecard(DATA)
    config = CONFIGS[DEFAULT_CONFIG]
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        print(HEADER)
        for name, settings in VARIANTS.items():
            current.clear()
            current.update(settings)
            runs = run_auto(evaluator, [config])
            print(sweep_row(runs, config.name, label=name), flush=True)


if __name__ == "__main__":
    main()
