"""A pasted fact text's dense search shallower than its BM25 search: 100, 300 or 1,000 chunks (2026-11-27).

A long query asks each retriever for 1,000 chunks (`KB_LONG_QUERY_CANDIDATES`). On Elasticsearch the kNN request at
that depth is most of the search's time (bench-results/es-deep/), while the dense list weighs only 0.3 for a long
query. This sweep keeps BM25 at the product's depth over the library and asks the dense side for fewer chunks, in
the full protocol and in the library ranking that votes for the charges (the pools of the re-rank protocol are
searched whole, as before). Choices on the common queries. Run from the repository root on a built evaluation
index (about 1.5 minutes; an embedder name as the argument, use-m3 by default):

    python bench-results/eval/depth/dense_depth.py > bench-results/eval/depth/dense_depth.txt
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import LecardQuery, load_lecard
from api.evaluation.runner import LecardEvaluator, Retrieved, product_config
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
DENSE_DEPTHS = (100, 300, 1000)


class ShallowDense(LecardEvaluator):
    """The library searches ask the dense retriever for at most `dense_depth` chunks; BM25 as the product asks."""

    dense_depth = 1000

    def retrieve(
        self, query: LecardQuery, *, filters: dict[str, Any] | None, top_k: int, dense: bool = True
    ) -> Retrieved:
        if not dense or filters is not None or top_k <= self.dense_depth:
            return super().retrieve(query, filters=filters, top_k=top_k, dense=dense)
        bm25 = super().retrieve(query, filters=filters, top_k=top_k, dense=False)
        shallow = super().retrieve(query, filters=filters, top_k=self.dense_depth, dense=True)
        return Retrieved(analysis=bm25.analysis, bm25=bm25.bm25, dense=shallow.dense)


def main() -> None:
    embedder = sys.argv[1] if len(sys.argv) > 1 else "use-m3"
    dataset = load_lecard(DATA)
    with warm_index(LecardRun(data=DATA, embedder=embedder)) as kb:
        for depth in DENSE_DEPTHS:
            print(f"# dense {depth} chunks, BM25 as the product asks (1,000 for a pasted fact text)", flush=True)
            evaluator = ShallowDense(kb, dataset)
            evaluator.dense_depth = depth
            print_sweep(evaluator, [product_config(embedder)])


if __name__ == "__main__":
    main()
