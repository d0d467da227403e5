"""The two checks on a fact text's charges, each switched off in turn (2026-11-27).

1. A long query's charges are only those it states about its own case (kb.elements.charges.fact_text_charges), so
   a third person's charge named in passing no longer stops the nearest-case vote.
2. A voted 走私、贩卖、运输、制造毒品罪 becomes 非法持有毒品罪 when the text tells of drugs seized and of no trafficking
   act (kb.elements.charge_refinement).

Run from the repository root on the built evaluation index, about 8 minutes:

    python bench-results/eval/charge-checks/ablation.py > bench-results/eval/charge-checks/ablation.txt

Each row is the product pipeline with some of the checks on. Choices are made on the common queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kb.components.legal_element_ranker as element_ranker
import kb.components.query_normalizer as query_normalizer
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import HEADER, run_auto, sweep_row
from kb.elements.charges import extract_charges

DATA = Path("../shared/data/lecard")


@contextmanager
def checks(fact_text: bool, refine: bool) -> Iterator[None]:
    """The product's functions, with the switched-off checks replaced by what ran before them."""
    saved = (query_normalizer.fact_text_charges, element_ranker.refine_inferred_charges)
    if not fact_text:
        query_normalizer.fact_text_charges = extract_charges
    if not refine:
        element_ranker.refine_inferred_charges = lambda text, inferred: dict(inferred)
    try:
        yield
    finally:
        query_normalizer.fact_text_charges, element_ranker.refine_inferred_charges = saved


def main() -> None:
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    variants = {
        "neither (before)": (False, False),
        "own-case charges only": (True, False),
        "drug check only": (False, True),
        "both (product)": (True, True),
    }
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        print(HEADER)
        for label, (fact_text, refine) in variants.items():
            with checks(fact_text, refine):
                scores = run_auto(evaluator, [product])
            print(sweep_row(scores, product.name, label), flush=True)


if __name__ == "__main__":
    main()
