"""Charge recognition for pasted fact texts: the nearest-case vote against everything tried instead (2026-11-27).

The product infers a long query's charges from the charges of its 10 nearest library cases (weight 1/rank, shares of
at least 0.3 count; kb/components/legal_element_ranker.py) and boosts the pool's cases of those charges. This script
keeps everything else as the product has it and changes only how the inferred charges are found. Run from the
repository root on the built evaluation index (about 3 minutes; `--classifier` adds about 8 minutes):

    python bench-results/eval/charge-recognition/study.py > bench-results/eval/charge-recognition/study.txt

Each row: how many of the 107 queries get a LeCaRD charge as their first inferred charge, then the re-rank protocol's
upstream nDCG@10 / nDCG@30 / P@5 / MAP per subset. Choices are made on the common queries. Rows marked "oracle" give
the query's LeCaRD charges to the same boost and are for reading only: they are the ceiling of any recogniser.
"""

from __future__ import annotations

import math
import pickle
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from api.evaluation.corpus import pid_of
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import LecardDataset, LecardQuery, iter_candidates, load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, SUBSETS, LecardEvaluator, score
from api.evaluation.sweeps import upstream_cell
from kb import text as kb_text
from kb.components.facts_ranker import FactsMatchRanker
from kb.components.legal_element_ranker import LegalElementRanker, infer_charges
from kb.components.query_normalizer import QueryAnalysis
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
OFFLINE_TOKENS = Path("var/eval/lecard/facts-offline.pkl")  # written by bench-results/eval/facts-match/offline.py
PRODUCT = CONFIGS[DEFAULT_CONFIG]
ELEMENTS = LegalElementRanker(
    charge_weight=PRODUCT.charge_weight,
    outcome_weight=PRODUCT.outcome_weight,
    inferred_weight=PRODUCT.inferred_weight,
)
# A numbered part of a fact text: 一、 二、 （一） 1、 at the start of the text or of a sentence.
PART_START = re.compile(
    r"(?:(?<=^)|(?<=[。；\n]))\s*(?=[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|\d+[、.\uff0e])"
)

Inferred = dict[str, float]


class Study:
    """The product's pool and library rankings before element re-ranking, per query, and the boost applied to them."""

    def __init__(
        self, evaluator: LecardEvaluator, queries: Sequence[LecardQuery], library_cut: int | None = 300
    ) -> None:
        """`library_cut`: how many of the library ranking's entries are kept (the vote reads only the first 10)."""
        self.evaluator = evaluator
        self.queries = queries
        self.analysis: dict[str, QueryAnalysis] = {}
        self.pool: dict[str, list[SearchHit]] = {}
        self.library: dict[str, list[SearchHit]] = {}
        plain = replace(PRODUCT, elements=False)
        options = evaluator.options
        for q in queries:
            pool = evaluator.retrieve(q, filters=evaluator.pool_filter(q.qid), top_k=options.rerank_top_k)
            library = evaluator.retrieve(q, filters=None, top_k=evaluator.library_depth(q))
            self.analysis[q.qid] = pool.analysis
            self.pool[q.qid] = evaluator.rank(pool, plain)
            self.library[q.qid] = evaluator.rank(library, plain)[:library_cut]

    def named(self, qid: str) -> bool:
        """A query that names a charge is boosted by it and infers nothing (as in the product)."""
        return bool(self.analysis[qid].charges)

    def row(self, label: str, inferred: Mapping[str, Inferred], charges: Mapping[str, list[str]] | None = None) -> None:
        """Print one row: the pools re-ranked with these inferred charges (none for a query that names one), how
        many queries get a LeCaRD charge first, and the upstream figures per subset."""
        queries = self.queries
        inferred = {q.qid: ({} if self.named(q.qid) else dict(inferred[q.qid])) for q in queries}
        right = sum(1 for q in queries if inferred[q.qid] and next(iter(inferred[q.qid])) in q.charges)
        rankings = {q.qid: self.ranking(q.qid, inferred[q.qid], charges) for q in queries}
        scores = score(self.evaluator.dataset, rankings, queries)
        cells = [upstream_cell(scores, subset) for subset in SUBSETS]
        print(f"{label:<34} {right:>3}/{len(queries)}  " + " | ".join(cells), flush=True)

    def ranking(
        self, qid: str, inferred: Mapping[str, float], charges: Mapping[str, list[str]] | None = None
    ) -> list[str]:
        """The pool re-ranked by the product's LegalElementRanker with these inferred charges; `charges`: other
        charges for the pool's judgments (pid -> charges)."""
        hits = self.pool[qid]
        if charges is not None:
            hits = [replace(h, meta={**h.meta, "charges": charges.get(pid(h), [])}) for h in hits]
        ranked = ELEMENTS.rerank(hits, self.analysis[qid], inferred)
        return self.evaluator._complete(self.evaluator.pids(ranked), qid, "rerank")


def pid(hit: SearchHit) -> str:
    return pid_of(str(hit.meta.get("number") or "")) or ""


def kept(shares: Mapping[str, float], min_share: float = 0.3) -> Inferred:
    return {c: s for c, s in sorted(shares.items(), key=lambda kv: -kv[1]) if s >= min_share}


def vote(hits: Sequence[SearchHit], k: int, weight: Callable[[int], float], split: bool = False) -> Inferred:
    """Shares of the first k hits' votes; `split`: a case's vote is divided among its charges (shares relative to
    the best charge then)."""
    votes: Counter[str] = Counter()
    total = 0.0
    for rank, hit in enumerate(hits[:k], start=1):
        w = weight(rank)
        total += w
        charges = list(dict.fromkeys(hit.meta.get("charges", [])))
        for charge in charges:
            votes[charge] += w / (len(charges) if split else 1)
    if not total:
        return {}
    shares = {c: v / total for c, v in votes.items()}
    if split:
        best = max(shares.values(), default=1.0)
        shares = {c: s / best for c, s in shares.items()}
    return shares


def fact_parts(text: str) -> list[str]:
    parts = [p.strip() for p in PART_START.split(text) if p.strip()]
    return parts if len(parts) >= 2 else []


def sentence_windows(text: str, size: int = 200) -> list[str]:
    windows, current = [], ""
    for sentence in (s for s in re.split(r"(?<=[。；！？])", text) if s.strip()):
        current += sentence
        if len(current) >= size:
            windows.append(current)
            current = ""
    if current:
        if windows and len(current) < size / 2:
            windows[-1] += current
        else:
            windows.append(current)
    return windows if len(windows) >= 2 else []


def segment_votes(study: Study, query: LecardQuery, segments: list[str]) -> list[Inferred]:
    evaluator = study.evaluator
    plain = replace(PRODUCT, elements=False)
    out = []
    for text in segments:
        part = replace(query, text=text)
        retrieved = evaluator.retrieve(part, filters=None, top_k=evaluator.library_depth(part))
        out.append(infer_charges(evaluator.rank(retrieved, plain), 10, 0.0))
    return out


def with_segments(whole: Inferred, segments: list[Inferred], segment_min: float = 0.5) -> Inferred:
    """The whole text's shares, raised to any segment's share of at least `segment_min` (a part about another crime
    adds its charge)."""
    shares = dict(whole)
    for seg in segments:
        for charge, share in seg.items():
            if share >= segment_min:
                shares[charge] = max(shares.get(charge, 0.0), share)
    return shares


def verdict_charges(dataset: LecardDataset) -> dict[str, list[str]]:
    """Each judgment's charges as named in its 判决结果 only (the indexed list also reads the other sections)."""
    out: dict[str, list[str]] = {}
    for record in iter_candidates(dataset.candidates_path):
        found = [c for _, _, c in kb_text.find_charges(record.get("pjjg") or "")]
        out.setdefault(str(record["pid"]), list(dict.fromkeys(found)))
    return out


def classifier_shares(study: Study, queries: Sequence[LecardQuery]) -> dict[str, dict[str, float]]:
    """A softmax regression on tf-idf of the library's 基本案情 (its own extracted charges as targets), fit by L-BFGS;
    the query's probabilities as shares. Needs the token cache of facts-match/offline.py."""
    from scipy import sparse
    from scipy.optimize import minimize

    from kb.elements.names import is_inside_name, name_words

    facts, charges = pickle.loads(OFFLINE_TOKENS.read_bytes())
    items = [(facts[p], sorted(charges[p])) for p in sorted(facts) if charges.get(p) and facts[p]]
    labels = sorted({c for _, cs in items for c in cs})
    column = {c: i for i, c in enumerate(labels)}
    df: Counter[str] = Counter()
    for tokens, _ in items:
        df.update(set(t for t in tokens if len(t) > 1))
    vocab = {t: i for i, t in enumerate(sorted(t for t, n in df.items() if n >= 3))}
    n = len(items)
    idf = np.array([math.log((n + 1) / (df[t] + 1)) + 1 for t in sorted(vocab, key=vocab.__getitem__)])

    def features(token_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, tokens in enumerate(token_lists):
            for t, count in Counter(t for t in tokens if t in vocab).items():
                rows.append(r)
                cols.append(vocab[t])
                vals.append((1 + math.log(count)) * idf[vocab[t]])
        x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(token_lists), len(vocab)))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(1)).ravel()) + 1e-9
        return (sparse.diags(1 / norms) @ x).tocsr()

    x = features([tokens for tokens, _ in items])
    y = np.zeros((n, len(labels)))
    for r, (_, cs) in enumerate(items):
        for c in cs:
            y[r, column[c]] = 1 / len(cs)
    v, k, lam = x.shape[1], len(labels), 1e-4

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = w[: v * k].reshape(v, k), w[v * k :]
        z = x @ weights + bias
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        value = -(y * np.log(p + 1e-12)).sum() / n + lam * (weights * weights).sum() / 2
        g = (p - y) / n
        return value, np.concatenate([(x.T @ g + lam * weights).ravel(), g.sum(0)])

    fit = minimize(loss, np.zeros(v * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    weights, bias = fit.x[: v * k].reshape(v, k), fit.x[v * k :]
    query_tokens = []
    for q in queries:
        names = name_words(q.text)
        query_tokens.append([t for t in kb_text.tokenize(q.text) if not is_inside_name(t, names)])
    z = features(query_tokens) @ weights + bias
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    return {q.qid: {labels[j]: float(p[i, j]) for j in np.argsort(-p[i])[:5]} for i, q in enumerate(queries)}


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        study = Study(evaluator, queries)
        facts = FactsMatchRanker().use(kb.facts_terms)

        row = study.row

        def each(fn: Callable[[LecardQuery], Inferred]) -> dict[str, Inferred]:
            return {q.qid: fn(q) for q in queries}

        library = study.library
        print(
            "inferred charges from | first inferred charge is a LeCaRD charge | upstream nDCG@10 / nDCG@30 / P@5 / MAP"
        )
        row("product: 10 nearest, 1/rank, ≥0.3", each(lambda q: kept(vote(library[q.qid], 10, lambda r: 1 / r))))
        row("no inference", each(lambda q: {}))
        for k in (5, 20, 30):
            row(f"{k} nearest, 1/rank", each(lambda q, k=k: kept(vote(library[q.qid], k, lambda r: 1 / r))))
        row("10 nearest, 1/sqrt(rank)", each(lambda q: kept(vote(library[q.qid], 10, lambda r: r**-0.5))))
        row("10 nearest, equal votes", each(lambda q: kept(vote(library[q.qid], 10, lambda r: 1.0))))
        row("10 nearest, vote split by charges", each(lambda q: kept(vote(library[q.qid], 10, lambda r: 1 / r, True))))
        for min_share in (0.2, 0.4, 0.5):
            row(f"shares ≥{min_share}", each(lambda q, m=min_share: kept(vote(library[q.qid], 10, lambda r: 1 / r), m)))
        row(
            "shares squared",
            each(lambda q: {c: s**2 for c, s in kept(vote(library[q.qid], 10, lambda r: 1 / r)).items()}),
        )

        facts_order: dict[str, list[SearchHit]] = {}
        for q in queries:
            _, parts = facts.contributions(library[q.qid], study.analysis[q.qid])
            total = {eid: float(v.sum()) for eid, v in parts.items()}
            facts_order[q.qid] = sorted(library[q.qid], key=lambda h: -total.get(h.entry_id, 0.0))
        row("whole-facts order votes", each(lambda q: kept(vote(facts_order[q.qid], 10, lambda r: 1 / r))))

        def both(q: LecardQuery) -> Inferred:
            a, b = vote(library[q.qid], 10, lambda r: 1 / r), vote(facts_order[q.qid], 10, lambda r: 1 / r)
            return kept({c: (a.get(c, 0.0) + b.get(c, 0.0)) / 2 for c in set(a) | set(b)})

        row("both orders vote, equal weight", each(both))

        whole = each(lambda q: vote(library[q.qid], 10, lambda r: 1 / r))
        parts = {q.qid: segment_votes(study, q, fact_parts(q.text)) for q in queries}
        row("+ numbered parts vote (≥0.5)", each(lambda q: kept(with_segments(whole[q.qid], parts[q.qid]))))
        windows = {q.qid: segment_votes(study, q, sentence_windows(q.text)) for q in queries}
        row("+ 200-character windows vote (≥0.5)", each(lambda q: kept(with_segments(whole[q.qid], windows[q.qid]))))

        verdict = verdict_charges(dataset)
        verdict_library = {
            q.qid: [
                replace(h, meta={**h.meta, "charges": verdict.get(pid(h)) or h.meta.get("charges", [])}) for h in hits
            ]
            for q, hits in ((q, library[q.qid]) for q in queries)
        }
        pool_verdict = {
            pid(h): verdict.get(pid(h)) or list(h.meta.get("charges", [])) for q in queries for h in study.pool[q.qid]
        }
        row(
            "judgments' 判决结果 charges only",
            each(lambda q: kept(vote(verdict_library[q.qid], 10, lambda r: 1 / r))),
            pool_verdict,
        )

        if "--classifier" in sys.argv:
            shares = classifier_shares(study, queries)
            row("library-fit classifier, ≥0.2", each(lambda q: kept(shares[q.qid], 0.2)))
            row(
                "vote + classifier",
                each(
                    lambda q: kept({
                        c: (whole[q.qid].get(c, 0) + shares[q.qid].get(c, 0)) / 2
                        for c in set(whole[q.qid]) | set(shares[q.qid])
                    })
                ),
            )

        row("oracle: the LeCaRD charges", each(lambda q: {c: 1 / len(q.charges) for c in q.charges}))


if __name__ == "__main__":
    main()
