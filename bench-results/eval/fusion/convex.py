"""Score fusion instead of reciprocal-rank fusion for the BM25 and dense chunk lists (2026-11-28).

The product fuses the two chunk lists by weighted reciprocal rank (kb/components/rrf_joiner.py): only ranks count,
so a chunk far ahead of the next on BM25 gains no more than one just ahead. Studies of hybrid retrieval (Bruch et
al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023) find a convex combination of normalised scores
at least as good and less sensitive to its one parameter. Each list's scores are normalised per query (BM25 by its
best score, dense by min-max over the list), a chunk missing from a list counts 0 there, and

    fused = scale / 61 × ((1 - alpha) × bm25 + alpha × dense)

`scale` puts the fused scores on the reciprocal-rank scale the rest of the pipeline expects: the whole-facts match
adds 1 / (60 + rank) to an entry's score, so `scale` is also how much the chunk evidence counts against it.
Everything after the fusion is the product's (folding, the whole-facts match, the element re-ranking and its
vote, which is fused the same way). Run from the repository root on the built use-m3 evaluation index (about 12
minutes):

    python bench-results/eval/fusion/convex.py > bench-results/eval/fusion/convex.txt

Choices on the common queries; the controversial ones are the held-out check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from haystack import Document

import api.evaluation.runner as runner
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
PRODUCT = CONFIGS[DEFAULT_CONFIG]
Fusion = Callable[[list[tuple[list[Document], float]], int], list[Document]]


def normalised(documents: list[Document], *, min_max: bool) -> dict[str, float]:
    scores = {d.id: float(d.score or 0.0) for d in documents}
    if not scores:
        return {}
    top, bottom = max(scores.values()), (min(scores.values()) if min_max else 0.0)
    span = top - bottom
    return {i: (s - bottom) / span if span > 0 else 1.0 for i, s in scores.items()}


def convex(alpha: float, scale: float) -> Fusion:
    """A fusion with weighted_rrf's signature: the first list is BM25, the second (if any) dense."""

    def fuse(ranked_lists: list[tuple[list[Document], float]], k: int = 60) -> list[Document]:
        if len(ranked_lists) < 2:
            return runner_rrf(ranked_lists, k)
        (bm25_docs, _), (dense_docs, _) = ranked_lists[:2]
        bm25 = normalised(bm25_docs, min_max=False)
        dense = normalised(dense_docs, min_max=True)
        docs = {d.id: d for d in dense_docs}
        docs.update({d.id: d for d in bm25_docs})
        fused = []
        for doc_id, doc in docs.items():
            value = (1 - alpha) * bm25.get(doc_id, 0.0) + alpha * dense.get(doc_id, 0.0)
            object.__setattr__(doc, "score", scale / 61 * value)
            fused.append(doc)
        fused.sort(key=lambda d: d.score, reverse=True)
        return fused

    return fuse


runner_rrf = runner.weighted_rrf


def main() -> None:
    dataset = load_lecard(DATA)
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        print("# the product: weighted reciprocal-rank fusion (dense 0.3 for a long query)", flush=True)
        print_sweep(evaluator, [PRODUCT])
        for alpha in (0.1, 0.2, 0.3, 0.5):
            for scale in (1.0, 2.0, 4.0):
                runner.weighted_rrf = convex(alpha, scale)  # type: ignore[assignment]
                print(f"# convex fusion, alpha {alpha}, scale {scale}", flush=True)
                print_sweep(evaluator, [replace(PRODUCT, name=f"convex a={alpha} s={scale}")])
        runner.weighted_rrf = runner_rrf


if __name__ == "__main__":
    main()
