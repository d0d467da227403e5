"""How many terms a long query keeps for BM25: 48 (the product) against more (2026-11-27).

A pasted fact text has far more distinct tokens than the BM25 side searches with: the query analysis keeps the 48
with the highest tf·idf (plus 4 name tokens at low weight), and the SQLite store caps any query at 64 terms. An
early check on 62 queries (BM25 alone, before the whole-facts match) gained from more terms. This sweep measures
the product pipeline with 48, 64, 96 and 128 terms, the store's cap raised to match. Choices on the common queries;
both protocols. Run from the repository root on the built use-m3 evaluation index, about 5 minutes:

    python bench-results/eval/query-terms/sweep.py > bench-results/eval/query-terms/sweep.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
TERMS = (48, 64, 96, 128)


def main() -> None:
    dataset = load_lecard(DATA)
    embedder = sys.argv[1] if len(sys.argv) > 1 else "use-m3"
    configs = [CONFIGS[DEFAULT_CONFIG], CONFIGS["bm25"]]
    with warm_index(LecardRun(data=DATA, embedder=embedder)) as kb:
        store = kb.backend.store
        for terms in TERMS:
            store.max_query_terms = max(64, terms)  # type: ignore[attr-defined]
            print(f"# {terms} query terms (store cap {store.max_query_terms})", flush=True)  # type: ignore[attr-defined]
            print_sweep(LecardEvaluator(kb, dataset, EvalOptions(max_terms=terms)), configs)


if __name__ == "__main__":
    main()
