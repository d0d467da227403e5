"""Where a pasted fact text's time goes on Elasticsearch: the kNN request at the deep search's k (2026-11-27).

A pasted fact text asks each retriever for 1,000 chunks (1,008 with the spare hits). On a 30k-chunk synthetic index
(hash:384, force-merged, on the test server): the kNN request alone, with 2 x k candidates as the store asks, three
passes over the 16 demo fact texts; median server `took` and client wall time, with the source as the store fetches
it, with no source, and without the chunk text; and at a typed query's k (108). Run from the repository root with a
server (`kb dev es-start` prints its URL), about 2 minutes:

    python bench-results/es-deep/knn_depth.py URL > bench-results/es-deep/knn_depth.txt
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from probe_index import synthetic_index  # type: ignore[import-not-found]

from api.bench import pasted_fact_texts
from kb.stores.elasticsearch_mapping import INTERNAL_FIELDS

CHUNKS = 30_000
PASSES = 3


def timed(client: Any, alias: str, vectors: list[list[float]], label: str, k: int, **source: Any) -> None:
    took, wall = [], []
    for _ in range(PASSES):
        for vector in vectors:
            started = time.perf_counter()
            knn = {"field": "embedding", "query_vector": vector, "k": k, "num_candidates": 2 * k}
            response = client.search(index=alias, knn=knn, size=k, **source)
            wall.append((time.perf_counter() - started) * 1000)
            took.append(response["took"])
    print(f"{label:<45} server took median {statistics.median(took):.0f} ms, client {statistics.median(wall):.0f} ms")


def main() -> None:
    with synthetic_index(sys.argv[1], CHUNKS) as (store, model, _):
        vectors = [model.embed_queries([t])[0].tolist() for t in pasted_fact_texts()]
        print(f"{CHUNKS} synthetic chunks, {len(vectors)} fact texts x {PASSES} passes, kNN request only")
        internal = list(INTERNAL_FIELDS)
        timed(store.client, store.alias, vectors, "k=1008, source as the store asks", 1008, source_excludes=internal)
        timed(store.client, store.alias, vectors, "k=1008, no source", 1008, source=False)
        timed(store.client, store.alias, vectors, "k=1008, source without the chunk text", 1008,
              source_excludes=[*internal, "content"])  # fmt: skip
        timed(
            store.client, store.alias, vectors, "k=108 (a typed query), source as asked", 108, source_excludes=internal
        )


if __name__ == "__main__":
    main()
