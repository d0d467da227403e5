"""Which ranking votes for a fact text's charges: the fused one (product) against variants (2026-11-27).

The product lets the query's fused library ranking (BM25, the dense list at 0.3 for a long query, the whole-facts
match) vote for the inferred charges. Each variant changes only the voters' ranking: BM25 without the dense list,
the dense list at 1.0 or 0.6, the dense list without BM25. The re-ranked list itself is the product's. Re-rank
protocol, choices on the common queries. Run from the repository root on a built evaluation index, about 2 minutes
per embedder:

    python bench-results/eval/charge-recognition/voters.py use-m3 > bench-results/eval/charge-recognition/voters-use-m3.txt
    python bench-results/eval/charge-recognition/voters.py e5-small > bench-results/eval/charge-recognition/voters-e5-small.txt
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import EvalConfig, EvalOptions, LecardEvaluator, product_config
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
# configuration-name suffix -> what changes in the voters' ranking
VOTERS: dict[str, dict[str, Any]] = {
    "@vote-bm25": {"dense": False},
    "@vote-dense1": {"long_dense_weight": None},
    "@vote-dense0.6": {"long_dense_weight": 0.6},
    "@vote-dense-only": {"bm25": False},
}


class VotersEvaluator(LecardEvaluator):
    def voters_config(self, config: EvalConfig) -> EvalConfig:
        suffix = next((s for s in VOTERS if config.name.endswith(s)), None)
        plain = super().voters_config(config)
        return plain if suffix is None else replace(plain, **VOTERS[suffix])


def main() -> None:
    embedder = sys.argv[1] if len(sys.argv) > 1 else "use-m3"
    dataset = load_lecard(DATA)
    product = product_config(embedder)
    configs = [product, *(replace(product, name=product.name + suffix) for suffix in VOTERS)]
    with warm_index(LecardRun(data=DATA, embedder=embedder)) as kb:
        print_sweep(VotersEvaluator(kb, dataset, EvalOptions()), configs, protocols=("rerank",))


if __name__ == "__main__":
    main()
