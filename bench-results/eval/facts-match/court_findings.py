"""Tried and not kept (2026-11-29): the whole-facts match against the court's findings only, not the whole 基本案情.

A LeCaRD query is a clean statement of facts, while a candidate's 基本案情 also holds the indictment, the defence's
arguments, civil claims and the evidence list. This offline study (the same frame as offline.py: every query's 30
labelled candidates ordered by BM25 of the query's distinct tokens, scored by the upstream rules) cuts each
candidate's 基本案情 down to the court's findings and compares:

- whole: the whole 基本案情 (the product's facts match);
- v1: from the first 经审理查明 (or the like) to the evidence list (上述事实 …), the whole text when there is no cue;
- v2: v1 without sentences of the prosecution, the defence or civil claims (when 50 characters are left);
- last: from the last finding cue instead of the first;

each with idf over the whole texts or over the cut ones. Run from the repository root (about 9 minutes the first
time, on two processes; the tokens are cached in var/eval/lecard/facts-findings.pkl):

    python bench-results/eval/facts-match/court_findings.py > bench-results/eval/facts-match/court_findings.txt
"""

from __future__ import annotations

import math
import pickle
import re
import sys
from collections import Counter
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

from api.evaluation.lecard import LecardQuery, iter_candidates, load_lecard
from kb import text as kb_text
from kb.elements.names import is_inside_name, name_words

sys.path.insert(0, str(Path(__file__).parent))
from offline import report_order, searchable

DATA = Path("../shared/data/lecard")
CACHE = Path("var/eval/lecard/facts-findings.pkl")
FINDING = re.compile(r"(?:经审理查明|审理查明|经审理认定|经审查查明|本院认定|经本院审理查明)[：:，,]?")
EVIDENCE = re.compile(r"(?:上述|以上|前述)(?:犯罪)?事实|认定(?:上述|以上)?事实的证据|证据如下|有(?:以)?下列证据")
NOT_FINDING = re.compile(r"辩称|辩护|指控|公诉|检察院|诉讼请求|附带民事")


def cut_evidence(text: str) -> str:
    cut = EVIDENCE.search(text)
    return text[: cut.start()] if cut and cut.start() > 50 else text


def from_first_finding(text: str) -> str:
    found = FINDING.search(text)
    return cut_evidence(text[found.end() :] if found else text)


def findings_only(text: str) -> str:
    body = from_first_finding(text)
    kept = "".join(s for s in re.split(r"(?<=[。；！？])", body) if s.strip() and not NOT_FINDING.search(s))
    return kept if len(kept) >= 50 else body


def from_last_finding(text: str) -> str:
    found = list(FINDING.finditer(text))
    if found and len(text) - found[-1].end() > 100:
        text = text[found[-1].end() :]
    return cut_evidence(text)


VARIANTS: dict[str, Callable[[str], str]] = {
    "whole": lambda text: text,
    "v1": from_first_finding,
    "v2": findings_only,
    "last": from_last_finding,
}


def tokens(text: str) -> list[str]:
    return searchable(kb_text.tokenize(text))


def tokenize_variants(item: tuple[str, str]) -> tuple[str, dict[str, list[str]]]:
    pid, text = item
    return pid, {name: tokens(cut(text)) for name, cut in VARIANTS.items()}


def bm25_scorer(
    docs: dict[str, dict[str, list[str]]], queries: dict[str, list[str]], variant: str, idf_from: str
) -> Callable[[LecardQuery, str], float]:
    n = len(docs)
    df: Counter[str] = Counter()
    for doc in docs.values():
        df.update(set(doc[idf_from]))
    idf = {t: math.log(1 + (n + 1) / (c + 1)) for t, c in df.items()}
    counts = {pid: Counter(doc[variant]) for pid, doc in docs.items()}
    lengths = {pid: len(doc[variant]) for pid, doc in docs.items()}
    average = sum(lengths.values()) / n
    k1, b = 1.2, 0.75

    def score(query: LecardQuery, pid: str) -> float:
        tf, norm = counts[pid], k1 * (1 - b + b * lengths[pid] / average)
        return sum(idf.get(t, 0.0) * tf[t] * (k1 + 1) / (tf[t] + norm) for t in queries[query.qid] if tf.get(t))

    return score


def main() -> None:
    dataset = load_lecard(DATA)
    if CACHE.exists():
        docs = pickle.loads(CACHE.read_bytes())
    else:
        texts: dict[str, str] = {}
        for record in iter_candidates(dataset.candidates_path):
            texts.setdefault(str(record["pid"]), record.get("ajjbqk") or "")
        with Pool(2) as pool:
            docs = dict(pool.imap_unordered(tokenize_variants, texts.items(), chunksize=50))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(docs))
    queries = {}
    for query in dataset.queries:
        names = name_words(query.text)
        queries[query.qid] = list(dict.fromkeys(t for t in tokens(query.text) if not is_inside_name(t, names)))
    print("candidate text, idf from | upstream nDCG@10/nDCG@30/P@5/MAP over the 30 labelled candidates, per subset")
    for variant in VARIANTS:
        for idf_from in dict.fromkeys(("whole", variant)):
            scorer = bm25_scorer(docs, queries, variant, idf_from)
            report_order(dataset, f"{variant}, idf from {idf_from}", scorer, 24)
    for variant in VARIANTS:
        lengths = sorted(len(doc[variant]) for doc in docs.values())
        shorter = sum(len(doc[variant]) < len(doc["whole"]) for doc in docs.values()) / len(docs)
        print(f"{variant}: median {lengths[len(lengths) // 2]} tokens; shorter than the whole text for {shorter:.3f}")


if __name__ == "__main__":
    main()
