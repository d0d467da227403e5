"""The kNN request of a pasted fact text at fewer HNSW candidates: time and agreement with the exact top k (2026-11-27).

The store asks `knn` for 2 x k candidates (`NUM_CANDIDATES_FACTOR`, chosen at a typed query's k = 108). At a pasted
fact text's k = 1,008 that is 2,016. On a 30k-chunk synthetic index (hash:384 vectors, force-merged, on the test
server), 1, 1.25, 1.5 and 2 x k: median server `took` (no source fetched) and the share of the exact cosine top k
(numpy over the same vectors) that the request returns, two passes over the 16 demo fact texts. Run from the
repository root with a server (`kb dev es-start` prints its URL), about 2 minutes:

    python bench-results/es-deep/num_candidates.py URL > bench-results/es-deep/num_candidates.txt
"""

from __future__ import annotations

import statistics
import sys

import numpy as np
from probe_index import synthetic_index  # type: ignore[import-not-found]

from api.bench import pasted_fact_texts

CHUNKS = 30_000
K = 1008
FACTORS = (1.0, 1.25, 1.5, 2.0)


def main() -> None:
    with synthetic_index(sys.argv[1], CHUNKS) as (store, model, written):
        ids = [d.id for d in written]
        matrix = np.asarray([d.embedding for d in written], dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        queries = [np.asarray(model.embed_queries([t])[0], dtype=np.float32) for t in pasted_fact_texts()]
        exact = [{ids[i] for i in np.argsort(-(matrix @ (q / np.linalg.norm(q))))[:K]} for q in queries]
        print(f"{CHUNKS} synthetic chunks, k = {K}, {len(queries)} fact texts x 2 passes, kNN request, no source")
        for factor in FACTORS:
            took, agreement = [], []
            for _ in range(2):
                for query, best in zip(queries, exact, strict=True):
                    knn = {
                        "field": "embedding",
                        "query_vector": query.tolist(),
                        "k": K,
                        "num_candidates": int(factor * K),
                    }
                    response = store.client.search(index=store.alias, knn=knn, size=K, source=False)
                    took.append(response["took"])
                    agreement.append(len({h["_id"] for h in response["hits"]["hits"]} & best) / K)
            print(
                f"num_candidates {factor} x k: server took median {statistics.median(took):.0f} ms, "
                f"share of the exact top {K}: {statistics.mean(agreement):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
