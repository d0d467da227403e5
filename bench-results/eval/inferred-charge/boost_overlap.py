"""How a case's share of the inferred charges is counted, tried on the product pipeline (2026-11-29, evening).

The product boosts a case by inferred_weight × (the shares of the inferred charges it has) / (the shares of all of
them): with 非法经营罪 1.0 and 开设赌场罪 0.97 inferred (a text with a gambling den and tobacco sold as its two parts),
a gambling-den judgment gets about half the boost a judgment with both charges gets. Two other counts give each
charge its own weight: the best share among the case's inferred charges, or that share over the first charge's.
Choices on the common queries; the controversial ones are the held-out check.

    python bench-results/eval/inferred-charge/boost_overlap.py > bench-results/eval/inferred-charge/boost_overlap.txt

About 10 minutes on the built index (both protocols, three rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kb.components.legal_element_ranker as element_ranker
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import HEADER, run_auto, sweep_row

DATA = Path("../shared/data/lecard")
PRODUCT_BOOST = element_ranker.inferred_boost


def shared_shares(meta: Mapping[str, Any], inferred: Mapping[str, float]) -> list[float]:
    charges = set(meta.get("charges", []))
    return [share for charge, share in inferred.items() if charge in charges]


def best_share(
    meta: Mapping[str, Any], inferred: Mapping[str, float], charge_weight: float, *, charge_overlap: str = "query"
) -> float:
    shared = shared_shares(meta, inferred)
    return 1.0 + charge_weight * (max(shared) if shared else 0.0)


def best_over_first(
    meta: Mapping[str, Any], inferred: Mapping[str, float], charge_weight: float, *, charge_overlap: str = "query"
) -> float:
    shared, first = shared_shares(meta, inferred), max(inferred.values(), default=0.0)
    return 1.0 + charge_weight * (max(shared) / first if shared and first else 0.0)


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    rows = {
        "product (share of total)": PRODUCT_BOOST,
        "best shared share": best_share,
        "best / first share": best_over_first,
    }
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        print(HEADER, flush=True)
        try:
            for label, boost in rows.items():
                element_ranker.inferred_boost = boost  # type: ignore[assignment]
                print(sweep_row(run_auto(evaluator, [product]), product.name, label), flush=True)
        finally:
            element_ranker.inferred_boost = PRODUCT_BOOST


if __name__ == "__main__":
    main()
