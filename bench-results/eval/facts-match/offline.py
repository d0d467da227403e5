"""The offline study that led to the whole-facts match (docs/evaluation.md, 2026-11-27).

Run from the repository root (no index needed; about 3 minutes the first time, which segments every candidate's
基本案情 and caches the tokens in var/eval/lecard/facts-offline.pkl):

    python bench-results/eval/facts-match/offline.py > bench-results/eval/facts-match/offline.txt

Each row orders the 30 labelled candidates of every query by one document-level signal and scores that order with
the upstream script's rules (nDCG@10 / nDCG@30 / P@5 / MAP per subset). The query's tokens are `kb.text.tokenize`
of its fact text with person and place names left out (kb.elements.names); a candidate's are those of its whole
基本案情 (`ajjbqk`); idf is over the 9,088 distinct judgments' 基本案情. Rows marked "oracle" use the query's LeCaRD
charges and are for reading only.
"""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from api.evaluation.lecard import LecardDataset, LecardQuery, iter_candidates, load_lecard
from api.evaluation.upstream import upstream_query_metrics
from kb import text as kb_text
from kb.elements.charges import extract_charges_from_case
from kb.elements.names import is_inside_name, name_words

DATA = Path("../shared/data/lecard")
CACHE = Path("var/eval/lecard/facts-offline.pkl")
SUBSETS = ("all", "common", "controversial")


def searchable(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if len(t) > 1 or not t.isascii()]


Scorer = Callable[[LecardQuery, str], float]


def report_order(dataset: LecardDataset, name: str, scorer: Scorer, width: int = 40) -> None:
    """Print one row: every query's 30 labelled candidates ordered by `scorer` (best first), scored by the upstream
    rules, averaged per subset."""
    rows: dict[str, list[dict[str, float]]] = {s: [] for s in SUBSETS}
    for query in dataset.queries:
        labelled = list(dataset.labels[query.qid])[:30]
        ranked = sorted(labelled, key=lambda p: -scorer(query, p))
        metrics = upstream_query_metrics(ranked, dataset.labels[query.qid])
        rows["all"].append(metrics)
        rows[query.subset].append(metrics)
    cells = []
    for subset, metrics in rows.items():
        mean = {k: sum(m[k] for m in metrics) / len(metrics) for k in ("ndcg@10", "ndcg@30", "p@5", "map")}
        cells.append(f"{subset} {mean['ndcg@10']:.3f}/{mean['ndcg@30']:.3f}/{mean['p@5']:.3f}/{mean['map']:.3f}")
    print(f"{name:<{width}}", " | ".join(cells), flush=True)


def main() -> None:
    dataset = load_lecard(DATA)
    if CACHE.exists():
        facts, charges = pickle.loads(CACHE.read_bytes())
    else:
        facts, charges = {}, {}
        for record in iter_candidates(dataset.candidates_path):
            pid = str(record["pid"])
            if pid in facts:
                continue
            text = record.get("ajjbqk") or ""
            facts[pid] = searchable(kb_text.tokenize(text))
            sections = {"facts": text, "reasoning": record.get("cpfxgc") or "", "result": record.get("pjjg") or ""}
            charges[pid] = set(extract_charges_from_case(sections, record.get("ajName") or ""))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps((facts, charges)))
    queries: dict[str, list[str]] = {}
    for query in dataset.queries:
        names = name_words(query.text)
        queries[query.qid] = [t for t in searchable(kb_text.tokenize(query.text)) if not is_inside_name(t, names)]

    n_docs = len(facts)
    df: Counter[str] = Counter()
    for tokens in facts.values():
        df.update(set(tokens))
    idf = {t: math.log(1 + (n_docs + 1) / (c + 1)) for t, c in df.items()}
    average = sum(len(t) for t in facts.values()) / n_docs
    counts = {pid: Counter(tokens) for pid, tokens in facts.items()}

    def bm25(query: Sequence[str], pid: str, k1: float = 1.2, b: float = 0.75) -> float:
        tf, length = counts[pid], len(facts[pid])
        norm = k1 * (1 - b + b * length / average)
        return sum(idf.get(t, 0.0) * tf[t] * (k1 + 1) / (tf[t] + norm) for t in query if tf.get(t))

    def top_terms(qid: str, n: int) -> list[str]:
        c = Counter(queries[qid])
        return sorted(c, key=lambda t: -(1 + math.log(c[t])) * idf.get(t, math.log(n_docs)))[:n]

    def report(name: str, scorer: Scorer) -> None:
        report_order(dataset, name, scorer)

    distinct = {qid: list(dict.fromkeys(tokens)) for qid, tokens in queries.items()}
    top48 = {q.qid: top_terms(q.qid, 48) for q in dataset.queries}
    crime = {q.qid: set(q.charges) for q in dataset.queries}

    def oracle(query: LecardQuery, pid: str) -> float:
        return len(crime[query.qid] & charges[pid]) / max(len(crime[query.qid]), 1)

    print("signal | upstream nDCG@10/nDCG@30/P@5/MAP over the 30 labelled candidates, per subset")
    report("BM25 whole 基本案情, query tokens with tf", lambda q, p: bm25(queries[q.qid], p))
    report("BM25 whole 基本案情, distinct query tokens", lambda q, p: bm25(distinct[q.qid], p))
    report("BM25 whole 基本案情, 48 most distinctive", lambda q, p: bm25(top48[q.qid], p))
    report("oracle: share of the query's charges", oracle)
    report("oracle charges + BM25 whole 基本案情 / 100", lambda q, p: oracle(q, p) + bm25(distinct[q.qid], p) / 100)


if __name__ == "__main__":
    main()
