"""A charge classifier fit on the library's own entries, tried against the nearest-case vote (not kept).

Each charge's profile is the normalised mean tf-idf vector (jieba tokens of two or more characters, log tf) of the
基本案情 of the indexed judgments convicted of it; a query's charge scores are cosines to the profiles, turned into
shares by a softmax (temperature 0.02). The shares boost the pool ranking alone or fused with the vote of the
library's nearest cases (vote + λ × profile share). Run from the repository root on a built evaluation index:

    python bench-results/eval/inferred-charge/centroid.py > bench-results/eval/inferred-charge/centroid.txt

Tokenising the 9,047 judgments with facts and charges takes about 8 minutes on two cores.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import sparse
from sweep import print_line  # the script folder is on sys.path when run as a script

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import EvalConfig, EvalOptions, LecardEvaluator
from kb import text as kb_text
from kb.components.legal_element_ranker import infer_charges, inferred_boost
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
WEIGHT = 3.0


def token_counts(text: str) -> Counter[str]:
    return Counter(t for t in kb_text.tokenize(text) if len(t) > 1)


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    kb = open_index(LecardRun(data=DATA))
    try:
        kb.warm_up()
        docs = []
        for _, _, entry in kb.records.iter_current():
            facts = "\n".join(s.text for s in entry.sections if s.key == "facts")
            if facts and entry.charges:
                docs.append((token_counts(facts), list(entry.charges)))
        vocab: dict[str, int] = {}
        charges = sorted({c for _, cs in docs for c in cs})
        column = {c: i for i, c in enumerate(charges)}
        rows, cols, vals, lrows, lcols, lvals = [], [], [], [], [], []
        for i, (counts, cs) in enumerate(docs):
            for token, n in counts.items():
                rows.append(i)
                cols.append(vocab.setdefault(token, len(vocab)))
                vals.append(1 + math.log(n))
            for c in cs:
                lrows.append(i)
                lcols.append(column[c])
                lvals.append(1 / len(cs))
        x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))
        y = sparse.csr_matrix((lvals, (lrows, lcols)), shape=(len(docs), len(charges)))
        idf = np.log(len(docs) / np.asarray((x > 0).sum(0)).ravel())
        weighted = x.multiply(idf).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(1)).ravel()) + 1e-9
        profiles = (y.T @ (sparse.diags(1 / norms) @ weighted)).toarray()
        profiles /= np.linalg.norm(profiles, axis=1, keepdims=True) + 1e-9

        def profile_shares(text: str) -> dict[str, float]:
            vector = np.zeros(len(vocab))
            for token, n in token_counts(text).items():
                if token in vocab:
                    vector[vocab[token]] = 1 + math.log(n)
            vector *= idf
            cosines = profiles @ (vector / (np.linalg.norm(vector) + 1e-9))
            exp = np.exp((cosines - cosines.max()) / 0.02)
            shares = exp / exp.sum()
            return {charges[k]: float(shares[k]) for k in np.argsort(-shares)[:5]}

        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        plain = EvalConfig("hybrid", long_dense_weight=0.3)
        pool_hits: dict[str, list[SearchHit]] = {}
        votes: dict[str, dict[str, float]] = {}
        profile: dict[str, dict[str, float]] = {}
        right = 0
        for q in queries:
            pool = evaluator.retrieve(q, filters=evaluator.pool_filter(q.qid), top_k=evaluator.options.rerank_top_k)
            library = evaluator.retrieve(q, filters=None, top_k=evaluator.library_depth(q))
            pool_hits[q.qid] = evaluator.rank(pool, plain)
            votes[q.qid] = infer_charges(evaluator.rank(library, plain), 10, 0.0)
            profile[q.qid] = profile_shares(q.text)
            right += next(iter(profile[q.qid])) in q.charges
        print(f"top-1 profile charge is a LeCaRD charge: {right}/{len(queries)}")

        def boosted(qid: str, inferred: dict[str, float]) -> list[str]:
            kept = {c: s for c, s in inferred.items() if s >= 0.3}
            hits = [replace(h, score=h.score * inferred_boost(h.meta, kept, WEIGHT)) for h in pool_hits[qid]]
            hits.sort(key=lambda h: h.score, reverse=True)
            return evaluator._complete(evaluator.pids(hits), qid, "rerank")

        def normalised(shares: dict[str, float]) -> dict[str, float]:
            total = sum(shares.values()) or 1.0
            return {c: s / total for c, s in shares.items()}

        print("upstream nDCG@10 / nDCG@30 / P@5 / MAP, inferred weight 3.0")
        print_line("library vote", dataset, {q.qid: boosted(q.qid, votes[q.qid]) for q in queries}, queries, 24)
        print_line("charge profiles", dataset, {q.qid: boosted(q.qid, profile[q.qid]) for q in queries}, queries, 24)
        for lam in (0.5, 1.0):
            fused = {}
            for q in queries:
                both = set(votes[q.qid]) | set(profile[q.qid])
                mix = {c: votes[q.qid].get(c, 0.0) + lam * profile[q.qid].get(c, 0.0) for c in both}
                fused[q.qid] = boosted(q.qid, normalised(mix))
            print_line(f"vote + {lam} x profiles", dataset, fused, queries, 24)
    finally:
        kb.close()


if __name__ == "__main__":
    main()
