"""A/B on one index: the old BM25 body (combined_fields + filter context) vs the new (term + search_clauses)."""

import sys
import time

from api.bench import REAL_QUERIES
from kb.stores.elasticsearch import ElasticsearchChunkStore
from kb.stores.elasticsearch_filters import search_clauses, translate_filters
from kb.stores.sqlite_fts import strongest, token_weights
from kb.stores.synthetic import synthetic_queries
from kb.text import tokenize

url, alias, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = ElasticsearchChunkStore(hosts=url, index=alias, embedding_dim=384, timeout_s=30)
queries = REAL_QUERIES + [" ".join(q.tokens) for q in synthetic_queries(40, 384)]


def flt(i):
    c = [{"field": "meta.kind", "operator": "in", "value": ["case"]}]
    if i % 2:
        c.append({"field": "meta.line", "operator": "in", "value": ["刑事检察"]})
    return {"operator": "AND", "conditions": c}


def old(w, f):
    return {
        "bool": {
            "should": [{"combined_fields": {"query": t, "fields": ["tokens"], "boost": x}} for t, x in w.items()],
            "minimum_should_match": 1,
            "filter": [translate_filters(f)],
        }
    }


def new(w, f):
    return {
        "bool": {
            "should": [{"term": {"tokens": {"value": t, "boost": x}}} for t, x in w.items()],
            "minimum_should_match": 1,
            **search_clauses(f),
        }
    }


res = {"old": ([], []), "new": ([], [])}
for rep in range(reps + 1):
    for i, q in enumerate(queries):
        w = strongest(token_weights(tokenize(q)), 64)
        f = flt(i)
        for name, make in (("old", old), ("new", new)) if i % 2 == rep % 2 else (("new", new), ("old", old)):
            t = time.perf_counter()
            r = store.client.search(
                index=alias,
                query=make(w, f),
                size=18,
                track_total_hits=False,
                source_excludes=["tokens", "open_meta", "seq"],
            )
            dt = (time.perf_counter() - t) * 1000
            if rep:
                res[name][0].append(dt)
                res[name][1].append(r["took"])


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


for k, (lat, took) in res.items():
    client = f"client p50 {pct(lat, 0.5):.1f} p95 {pct(lat, 0.95):.1f}"
    print(k, f"{client} | server took p50 {pct(took, 0.5)} p95 {pct(took, 0.95)} (n={len(lat)})")
print(
    "ratio old/new p50 {:.2f} p95 {:.2f}".format(
        pct(res["old"][0], 0.5) / pct(res["new"][0], 0.5), pct(res["old"][0], 0.95) / pct(res["new"][0], 0.95)
    )
)
