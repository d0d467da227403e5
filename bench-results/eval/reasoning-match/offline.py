"""Does a judgment's reasoning section order cases of one charge better than its facts? (offline, 2026-11-28)

LeCaRD's annotators graded candidates by key circumstances as well as the charge. A judgment's 基本案情 tells the
whole course of events; its reasoning (本院认为…, LeCaRD's `cpfxgc`) names the circumstances the court found
decisive (入户, 多次, 数额巨大, 致人轻伤 …). This study orders the 30 labelled candidates of every query by BM25 of
the query's distinct tokens against each section, alone and added to the charge signal, the way
facts-match/offline.py studied the whole-facts match. Rows with "oracle" use the query's LeCaRD charges, so that
the order within a charge is what is compared; they are for reading only. Run from the repository root (no index
needed; about 4 minutes the first time, which segments every candidate's reasoning into
var/eval/lecard/reasoning-offline.pkl):

    python bench-results/eval/reasoning-match/offline.py > bench-results/eval/reasoning-match/offline.txt
"""

from __future__ import annotations

import math
import pickle
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from api.evaluation.lecard import LecardQuery, iter_candidates, load_lecard
from kb import text as kb_text
from kb.elements.names import is_inside_name, name_words

sys.path.insert(0, str(Path(__file__).parent.parent / "facts-match"))
from offline import Scorer, report_order, searchable

DATA = Path("../shared/data/lecard")
FACTS_CACHE = Path("var/eval/lecard/facts-offline.pkl")  # written by bench-results/eval/facts-match/offline.py
CACHE = Path("var/eval/lecard/reasoning-offline.pkl")


class Bm25:
    def __init__(self, docs: dict[str, list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        df: Counter[str] = Counter()
        for tokens in docs.values():
            df.update(set(tokens))
        n = len(docs)
        self.idf = {t: math.log(1 + (n + 1) / (c + 1)) for t, c in df.items()}
        self.average = sum(len(t) for t in docs.values()) / n
        self.counts = {pid: Counter(tokens) for pid, tokens in docs.items()}
        self.lengths = {pid: len(tokens) for pid, tokens in docs.items()}
        self.k1, self.b = k1, b

    def __call__(self, query: Sequence[str], pid: str) -> float:
        tf = self.counts.get(pid)
        if not tf:
            return 0.0
        norm = self.k1 * (1 - self.b + self.b * self.lengths[pid] / self.average)
        return sum(self.idf.get(t, 0.0) * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in query if tf.get(t))


def main() -> None:
    dataset = load_lecard(DATA)
    if not FACTS_CACHE.exists():
        sys.exit("run bench-results/eval/facts-match/offline.py first (it caches every candidate's 基本案情 tokens)")
    facts, charges = pickle.loads(FACTS_CACHE.read_bytes())
    if CACHE.exists():
        reasoning = pickle.loads(CACHE.read_bytes())
    else:
        reasoning = {}
        for record in iter_candidates(dataset.candidates_path):
            pid = str(record["pid"])
            if pid not in reasoning:
                reasoning[pid] = searchable(kb_text.tokenize(record.get("cpfxgc") or ""))
        CACHE.write_bytes(pickle.dumps(reasoning))
    queries: dict[str, list[str]] = {}
    for query in dataset.queries:
        names = name_words(query.text)
        tokens = [t for t in searchable(kb_text.tokenize(query.text)) if not is_inside_name(t, names)]
        queries[query.qid] = list(dict.fromkeys(tokens))
    facts_bm25, reasoning_bm25 = Bm25(facts), Bm25(reasoning)
    both = Bm25({pid: facts.get(pid, []) + reasoning.get(pid, []) for pid in set(facts) | set(reasoning)})
    crime = {q.qid: set(q.charges) for q in dataset.queries}

    def report(name: str, scorer: Scorer) -> None:
        report_order(dataset, name, scorer, width=44)

    def oracle(query: LecardQuery, pid: str) -> float:
        return len(crime[query.qid] & charges.get(pid, set())) / max(len(crime[query.qid]), 1)

    def f(q: LecardQuery, p: str) -> float:
        return facts_bm25(queries[q.qid], p)

    def r(q: LecardQuery, p: str) -> float:
        return reasoning_bm25(queries[q.qid], p)

    print("signal | upstream nDCG@10/nDCG@30/P@5/MAP over the 30 labelled candidates, per subset")
    report("BM25 whole 基本案情 (the product's facts match)", f)
    report("BM25 reasoning", r)
    report("BM25 基本案情 + reasoning as one text", lambda q, p: both(queries[q.qid], p))
    for w in (0.25, 0.5, 1.0):
        report(f"BM25 基本案情 + {w} × reasoning", lambda q, p, w=w: f(q, p) + w * r(q, p))
    report("oracle charges + 基本案情 / 100", lambda q, p: oracle(q, p) + f(q, p) / 100)
    report("oracle charges + reasoning / 100", lambda q, p: oracle(q, p) + r(q, p) / 100)
    for w in (0.25, 0.5, 1.0):
        report(
            f"oracle charges + (基本案情 + {w} × reasoning) / 100",
            lambda q, p, w=w: oracle(q, p) + (f(q, p) + w * r(q, p)) / 100,
        )


if __name__ == "__main__":
    main()
