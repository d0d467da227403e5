"""Build a synthetic index of N chunks behind ALIAS on the ES server at URL (optionally int8_hnsw), force-merged."""

import sys
import time

from haystack.document_stores.types import DuplicatePolicy

from kb.stores.elasticsearch import ElasticsearchChunkStore
from kb.stores.synthetic import synthetic_documents

url = sys.argv[1]
n = int(sys.argv[2])
alias = sys.argv[3]
store = ElasticsearchChunkStore(
    hosts=url,
    index=alias,
    embedding_dim=384,
    timeout_s=30,
    vector_index_type=(sys.argv[4] if len(sys.argv) > 4 else "hnsw"),
)
t0 = time.time()
for start in range(0, n, 2000):
    store.write_documents(
        synthetic_documents(min(2000, n - start), 384, 0, start=start),
        policy=DuplicatePolicy.SKIP,
        refresh=start + 2000 >= n,
    )
    print(start, round(time.time() - t0), flush=True)
t1 = time.time()
store.optimize()
print("optimize", round(time.time() - t1), flush=True)
print(store.count_documents())
