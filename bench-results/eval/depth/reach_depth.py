"""How deep the library search goes, again, now that the inferred charges order only the first 50 entries
(2026-11-28).

The first depth sweep (sweep.py) was made when the inferred charges' boost ordered the whole list: a deeper search
then also lifted more cases of a wrongly voted charge over the golden judgments. With the reach, what a deeper
search adds lands in the unboosted tail. This sweep runs the product pipeline with the library searched 1,000
(the product's depth for a pasted fact text), 1,500, 2,000 and 3,000 chunks per retriever. Run from the repository
root on the built use-m3 evaluation index (about 8 minutes):

    python bench-results/eval/depth/reach_depth.py > bench-results/eval/depth/reach_depth.txt

and on the e5-small index with two chunks per judgment (1,000 and 1,500 only, about 4 minutes):

    python bench-results/eval/depth/reach_depth.py e5-small > bench-results/eval/depth/reach_depth-e5-small.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import EvalOptions, LecardEvaluator, product_config
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
DEPTHS = (1000, 1500, 2000, 3000)


def main() -> None:
    embedder = sys.argv[1] if len(sys.argv) > 1 else "use-m3"
    depths = DEPTHS if embedder == "use-m3" else DEPTHS[:2]
    dataset = load_lecard(DATA)
    with warm_index(LecardRun(data=DATA, embedder=embedder)) as kb:
        for depth in depths:
            print(f"# {depth} chunks per retriever over the library", flush=True)
            print_sweep(LecardEvaluator(kb, dataset, EvalOptions(full_top_k=depth)), [product_config(embedder)])


if __name__ == "__main__":
    main()
