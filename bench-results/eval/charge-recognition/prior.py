"""The nearest-case vote corrected for how common each charge is in the library (2026-11-28).

A k-nearest-neighbour vote favours the charges the library holds most of: among a fact text's ten nearest cases, a
charge with thousands of judgments (盗窃罪, 故意伤害罪) turns up by sheer number even when the text tells another
story. The textbook correction divides each charge's votes by its prior, here its share of the library's judgments,
raised to a power alpha (0 = the product's vote, 1 = the full correction), then renormalises. With the correction, more
neighbours can vote (the rarer charge needs room to appear), so k = 10, 20 and 30 are tried.

Everything else is the product's: the shares are kept from 0.3, checked against the text
(kb.elements.charge_refinement), and boost the pool as the product's LegalElementRanker does. Run from the
repository root on the built evaluation index (about 2 minutes):

    python bench-results/eval/charge-recognition/prior.py > bench-results/eval/charge-recognition/prior.txt

Choices are made on the common queries; the controversial ones are the held-out check.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from study import DATA, Inferred, Study, kept, vote

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import SUBSETS, LecardEvaluator
from kb.elements.charge_refinement import refine_inferred_charges
from kb.models import Entry, SearchHit


def library_priors(entries: Iterable[Entry]) -> dict[str, float]:
    """Each charge's share of the library's judgments (the indexed entries, as the knowledge base records them)."""
    charge_lists = [set(entry.charges) for entry in entries]
    counts: Counter[str] = Counter(c for charges in charge_lists for c in charges)
    return {charge: n / len(charge_lists) for charge, n in counts.items()}


def corrected(shares: Mapping[str, float], priors: Mapping[str, float], alpha: float) -> Inferred:
    """Votes divided by prior ** alpha, renormalised to shares (a charge unseen in the library counts as the rarest)."""
    if not shares or alpha == 0:
        return dict(shares)
    floor = min(priors.values())
    raw = {c: s / (priors.get(c, floor) ** alpha) for c, s in shares.items()}
    total = sum(shares.values())  # keep the votes' total mass: shares of all voters, as the product's vote has
    mass = sum(raw.values())
    return {c: min(1.0, v / mass * total) for c, v in raw.items()}


def main() -> None:
    dataset = load_lecard(DATA)
    queries = dataset.queries
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        study = Study(evaluator, queries)
        priors = library_priors(entry for _, _, entry in kb.records.iter_current())
        print(
            f"library: {len(priors)} charges; most common",
            ", ".join(f"{c} {p:.3f}" for c, p in sorted(priors.items(), key=lambda kv: -kv[1])[:5]),
        )
        text = {q.qid: q.text for q in queries}

        row = study.row

        def inferred_with(hits: Mapping[str, list[SearchHit]], k: int, alpha: float) -> dict[str, Inferred]:
            return {
                qid: refine_inferred_charges(text[qid], kept(corrected(vote(h, k, lambda r: 1 / r), priors, alpha)))
                for qid, h in hits.items()
            }

        print(
            "inferred charges from | first inferred charge is a LeCaRD charge | upstream nDCG@10 / nDCG@30 / P@5 / MAP"
        )
        print("subsets: " + " | ".join(SUBSETS))
        for k in (10, 20, 30):
            for alpha in (0.0, 0.25, 0.5, 0.75, 1.0):
                label = "product's vote" if (k, alpha) == (10, 0.0) else f"k={k}, alpha={alpha}"
                row(label, inferred_with(study.library, k, alpha))


if __name__ == "__main__":
    main()
