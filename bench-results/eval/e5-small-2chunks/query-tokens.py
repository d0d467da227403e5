"""How much of a pasted fact text e5-small embeds as the query: 32, 64, 128 (the product) or 256 tokens (2026-11-27).

e5-small's query embedding grows with the text (about 1 ms a token on the 2-core target), and the dense list weighs
only 0.3 for a long query. The product embeds the first 128 tokens (kb.embedders.factory). This sweep measures the
product pipeline built for e5-small with each limit on the e5-small index with two 基本案情 chunks per judgment, and
the median time of the 107 query embeddings. Choices on the common queries. Run from the repository root (about
4 minutes):

    python bench-results/eval/e5-small-2chunks/query-tokens.py > bench-results/eval/e5-small-2chunks/query-tokens.txt
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import LecardEvaluator, product_config
from api.evaluation.sweeps import print_sweep

DATA = Path("../shared/data/lecard")
LIMITS = (32, 64, 128, 256)


def main() -> None:
    dataset = load_lecard(DATA)
    config = product_config("e5-small")
    with warm_index(LecardRun(data=DATA, embedder="e5-small", dense_chunks=2)) as kb:
        model = kb.embedder.embedder  # type: ignore[union-attr]  # the E5Embedder inside the embedding cache
        for limit in LIMITS:
            model.max_query_tokens = limit
            timings = []
            for query in dataset.queries:
                started = time.perf_counter()
                model.embed_queries([query.text])
                timings.append((time.perf_counter() - started) * 1000)
            print(f"# {limit} query tokens: embedding median {statistics.median(timings):.0f} ms", flush=True)
            print_sweep(LecardEvaluator(kb, dataset), [config])


if __name__ == "__main__":
    main()
