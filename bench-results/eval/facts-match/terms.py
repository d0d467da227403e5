"""Which query tokens the whole-facts match uses (docs/evaluation.md, 2026-11-27).

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/terms.py > bench-results/eval/facts-match/terms.txt

"all distinct" is the product: every distinct searchable token of the long query, names left out. "selected" keeps
only the tokens chosen for BM25 (the 48 most distinctive), at weight 1 and 2. Columns as in sweep.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")


class Ev(LecardEvaluator):
    """Configurations named selected* see only the selected terms in `facts_idf`."""

    def rank(self, retrieved, config, analysis=None, library=None):  # type: ignore[no-untyped-def]
        if config.name.startswith("selected"):
            used = analysis or retrieved.analysis
            sel = replace(used, facts_idf={t: w for t, w in used.facts_idf.items() if t in used.weights})
            return super().rank(retrieved, config, sel, library)
        return super().rank(retrieved, config, analysis, library)


def main() -> None:
    dataset = load_lecard(DATA)
    d = CONFIGS[DEFAULT_CONFIG]
    configs = [
        replace(d, name="all distinct w1"),
        replace(d, name="selected w1"),
        replace(d, name="selected w2", facts_weight=2.0),
    ]
    with warm_index(LecardRun(data=DATA)) as kb:
        print_sweep(Ev(kb, dataset), configs)


if __name__ == "__main__":
    main()
