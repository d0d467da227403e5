"""Both shipped embedders at once: e5-small's dense list fused with use-m3's (tried, not kept, 2026-11-27).

The two evaluation indexes hold the same chunks under the same ids (same ingest path, same selection of two 基本案情
chunks per judgment), so a query's e5-small dense list can join the use-m3 index's lists. The two dense lists are
merged by reciprocal rank (weights below) into the one dense list the pipeline fuses with BM25; everything else is
the product pipeline. The rows: use-m3 alone (the product), e5-small's list alone in its place, and the merges.
Run from the repository root with both indexes built (bench-results/eval/e5-small-2chunks/), about 9 minutes:

    python bench-results/eval/more-signals/two_embedders.py > bench-results/eval/more-signals/two_embedders.txt
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import LecardQuery, load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator, Retrieved
from api.evaluation.sweeps import print_sweep
from kb.components.rrf_joiner import weighted_rrf

DATA = Path("../shared/data/lecard")
# (use-m3 weight, e5-small weight) of the merged dense list; (1, 0) is the product with use-m3
MERGES = ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 2.0))


class TwoEmbedderEvaluator(LecardEvaluator):
    """Retrieves from the use-m3 index; the dense list is merged with the e5-small index's dense list."""

    def __init__(self, *args: Any, other: LecardEvaluator, weights: tuple[float, float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.other = other
        self.weights = weights

    def retrieve(
        self, query: LecardQuery, *, filters: dict[str, Any] | None, top_k: int, dense: bool = True
    ) -> Retrieved:
        first = super().retrieve(query, filters=filters, top_k=top_k, dense=dense)
        own, other = self.weights
        if not dense or other == 0:
            return first
        second = self.other.retrieve(query, filters=filters, top_k=top_k, dense=True).dense
        lists = [(first.dense, own), (second, other)] if own else [(second, other)]
        return Retrieved(analysis=first.analysis, bm25=first.bm25, dense=weighted_rrf(lists))


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    configs = [product, replace(product, name="hybrid+elements@facts1.5", facts_weight=1.5)]
    with (
        warm_index(LecardRun(data=DATA)) as use_kb,
        warm_index(LecardRun(data=DATA, embedder="e5-small")) as e5_kb,
    ):
        other = LecardEvaluator(e5_kb, dataset, EvalOptions())
        for weights in MERGES:
            evaluator = TwoEmbedderEvaluator(use_kb, dataset, EvalOptions(), other=other, weights=weights)
            print(f"# dense list: use-m3 × {weights[0]}, e5-small × {weights[1]}", flush=True)
            print_sweep(evaluator, configs)


if __name__ == "__main__":
    main()
