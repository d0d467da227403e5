"""Full-corpus recall when the inferred charge is wrong: hedging the lower part of the list (2026-11-27).

Most golden judgments the product misses in its first 100 over the whole library belong to a charge the vote did not
infer: the boost of the inferred charges (up to ×4) pushes them below 100. Each rule here keeps the product's first
K entries and changes only the rest of the list, so a prosecutor's first page stays as it is, and the question is
how much of the missing recall comes back. A rule is applied alike to the library ranking (full protocol,
Recall@100) and to the pool ranking (re-rank protocol, where ranks past K still count in MAP). Choices on the common
queries; the controversial ones are the held-out check. Run from the repository root on the built use-m3 evaluation
index (about 3 minutes):

    python bench-results/eval/recall-hedge/study.py > bench-results/eval/recall-hedge/study.txt
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "charge-recognition"))

from study import PRODUCT, Study  # type: ignore[import-not-found]

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import LecardQuery, load_lecard
from api.evaluation.runner import SUBSETS, LecardEvaluator, element_ranker, score
from api.evaluation.sweeps import upstream_cell
from kb.components.legal_element_ranker import infer_charges_for_text
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
# The product's element re-ranking as it was before this study: the inferred charges order the whole list.
ELEMENTS = element_ranker(replace(PRODUCT, inferred_reach=0))
# (unboosted hits, query) -> ranked hits
Rule = Callable[[list[SearchHit], LecardQuery], list[SearchHit]]


def interleave(first: Sequence[SearchHit], second: Sequence[SearchHit]) -> list[SearchHit]:
    """Alternately from each list, each entry once."""
    out: dict[str, SearchHit] = {}
    for a, b in zip(first, second, strict=False):
        out.setdefault(a.entry_id, a)
        out.setdefault(b.entry_id, b)
    for hit in [*first, *second]:
        out.setdefault(hit.entry_id, hit)
    return list(out.values())


def found_share(golden: set[str], ranking: Sequence[str]) -> float:
    return len(golden & set(ranking)) / len(golden) if golden else 0.0


def head_then(k: int, product: Rule, tail: Rule) -> Rule:
    """The product's first k, then the `tail` rule's ranking without them."""

    def rule(hits: list[SearchHit], q: LecardQuery) -> list[SearchHit]:
        head = product(hits, q)[:k]
        seen = {h.entry_id for h in head}
        return head + [h for h in tail(hits, q) if h.entry_id not in seen]

    return rule


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        study = Study(evaluator, queries, library_cut=None)  # every entry the search returns, as the product

        def inferred(q: LecardQuery, min_share: float) -> dict[str, float]:
            if study.named(q.qid) or not study.analysis[q.qid].long_query:
                return {}
            return infer_charges_for_text(study.library[q.qid], study.analysis[q.qid].text, 10, min_share)

        def boosted(charges: Mapping[str, Mapping[str, float]]) -> Rule:
            return lambda hits, q: ELEMENTS.rerank(hits, study.analysis[q.qid], charges[q.qid])

        product_charges = {q.qid: inferred(q, 0.3) for q in queries}
        wide_charges = {q.qid: inferred(q, 0.1) for q in queries}
        oracle = {q.qid: {} if study.named(q.qid) else {c: 1 / len(q.charges) for c in q.charges} for q in queries}
        product, wide, plain = boosted(product_charges), boosted(wide_charges), boosted({q.qid: {} for q in queries})

        def alternate(hits: list[SearchHit], q: LecardQuery) -> list[SearchHit]:
            return interleave(product(hits, q), plain(hits, q))

        def row(label: str, rule: Rule) -> None:
            pool = {
                q.qid: evaluator._complete(evaluator.pids(rule(study.pool[q.qid], q)), q.qid, "rerank") for q in queries
            }
            full = {
                q.qid: evaluator._complete(evaluator.pids(rule(study.library[q.qid], q)), q.qid, "full")
                for q in queries
            }
            rerank, recall = score(dataset, pool, queries), score(dataset, full, queries)
            cells = [f"{upstream_cell(rerank, s)} R@100 {recall[s]['ours']['recall@100']:.3f}" for s in SUBSETS]
            print(f"{label:<44} " + " | ".join(cells), flush=True)

        returned = sorted(len(study.library[q.qid]) for q in queries)[len(queries) // 2]
        cells = []
        for subset in SUBSETS:
            chosen = [q for q in queries if subset in ("all", q.subset)]
            shares = [found_share(set(dataset.golden[q.qid]), evaluator.pids(study.library[q.qid])) for q in chosen]
            cells.append(f"{subset} {sum(shares) / len(shares):.3f}")
        print(f"golden judgments returned at any rank (median {returned} entries): " + " | ".join(cells))
        print("rule | per subset: re-rank upstream nDCG@10 / nDCG@30 / P@5 / MAP, full Recall@100")
        row("before: charges with >=0.3 of the votes, whole list", product)
        row("no inferred charge", plain)
        row("charges with >=0.1 of the votes", wide)
        for k in (20, 30, 50, 70):
            row(f"first {k}, then product and unboosted alternate", head_then(k, product, alternate))
            row(f"first {k}, then unboosted", head_then(k, product, plain))
            row(f"first {k}, then charges >=0.1 boosted", head_then(k, product, wide))
        row("oracle: the LeCaRD charges (reading only)", boosted(oracle))


if __name__ == "__main__":
    main()
