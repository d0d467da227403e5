"""How deep the library search goes: the evaluation's 1,500 chunks per retriever against the product's 100 (2026-11-27).

When this sweep was made, the product's search asked each retriever for max(100, 2 × page × page size) chunks
(`KnowledgeBase.candidates`), while the evaluation asked for 1,500 over the whole library (`EvalOptions.full_top_k`),
both for the full protocol and for the library ranking whose first cases vote for a fact text's charges in the
re-rank protocol. This sweep runs the product pipeline at 100, 200, 500 and 1,500 chunks. Since then a pasted fact
text searches 1,000 chunks deep in the product (`KB_LONG_QUERY_CANDIDATES`), and the evaluation follows the product.
Run from the repository root on a built evaluation index, about 5 minutes:

    python bench-results/eval/depth/sweep.py > bench-results/eval/depth/sweep.txt

Other depths after the embedder (2026-11-28, once the inferred charges ordered only the first 50 entries, so that
what a deeper search adds lands in the unboosted tail; 8 and 4 minutes):

    python bench-results/eval/depth/sweep.py use-m3 1000 1500 2000 3000 > bench-results/eval/depth/reach_depth.txt
    python bench-results/eval/depth/sweep.py e5-small 1000 1500 > bench-results/eval/depth/reach_depth-e5-small.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import EvalOptions, LecardEvaluator, product_config
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
DEPTHS = (100, 200, 500, 1500)


def main() -> None:
    embedder = sys.argv[1] if len(sys.argv) > 1 else "use-m3"
    depths = tuple(int(a) for a in sys.argv[2:]) or DEPTHS
    dataset = load_lecard(DATA)
    with warm_index(LecardRun(data=DATA, embedder=embedder)) as kb:
        for depth in depths:
            print(f"# {depth} chunks per retriever over the library", flush=True)
            print_sweep(LecardEvaluator(kb, dataset, EvalOptions(full_top_k=depth)), [product_config(embedder)])


if __name__ == "__main__":
    main()
