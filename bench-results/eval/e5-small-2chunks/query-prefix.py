"""A pasted fact text embedded by e5-small as a query or as a passage (2026-11-28).

multilingual-e5 is trained with "query: " before questions and "passage: " before the texts that answer them, and
its authors advise one prefix on both sides for symmetric tasks (two texts of the same kind compared). A pasted
fact text is compared with the 基本案情 of judgments: a symmetric task. The product embeds it with "query: "; this
sweep embeds the same first 128 tokens with "passage: ", the prefix the indexed chunks carry, and measures the
product pipeline built for e5-small on the e5-small index with two 基本案情 chunks per judgment, then dense alone.
Choices on the common queries. Run from the repository root (about 4 minutes):

    python bench-results/eval/e5-small-2chunks/query-prefix.py > bench-results/eval/e5-small-2chunks/query-prefix.txt
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, LecardEvaluator, product_config
from api.evaluation.sweeps import print_sweep
from kb.embedders.e5 import PASSAGE_PREFIX, E5Embedder

DATA = Path("../shared/data/lecard")


def as_passages(model: E5Embedder) -> None:
    """Queries from now on carry the passage prefix; their length limit stays the query's."""

    def passage_query_inputs(texts: Sequence[str]) -> list[str]:
        return [PASSAGE_PREFIX + model._truncate(text, is_query=True) for text in texts]

    model.query_inputs = passage_query_inputs  # type: ignore[method-assign]


def main() -> None:
    dataset = load_lecard(DATA)
    configs = [product_config("e5-small"), CONFIGS["dense"]]
    with warm_index(LecardRun(data=DATA, embedder="e5-small", dense_chunks=2)) as kb:
        model = kb.embedder.embedder  # type: ignore[union-attr]  # the E5Embedder inside the embedding cache
        print("# the product: 'query: ' + the first 128 tokens", flush=True)
        print_sweep(LecardEvaluator(kb, dataset), configs)
        as_passages(model)
        print("# 'passage: ' + the first 128 tokens", flush=True)
        print_sweep(LecardEvaluator(kb, dataset), configs)


if __name__ == "__main__":
    main()
