"""A voted charge whose own name the text uses (盗窃, 开设赌场, 聚众斗殴 …) weighed up: tried and not kept (2026-11-29).

A fact text names no charge, but it often tells the act by the charge's core phrase: the charge's name without 罪,
for names of one act (no 、) of at most 8 characters. Each such voted charge's share is multiplied by 1 + beta
(at most 1) before the 30 % threshold and the text's checks. First on the library, leave one out (no LeCaRD label):
the vote's first charge and the inferred charges that are the judgment's own; then on LeCaRD, the product pipeline
with each beta (choices on the common queries).

    python bench-results/eval/charge-recognition/core_phrase.py var/eval/lecard/loo.pkl \
        var/eval/lecard/loo-heldout-acts.pkl > bench-results/eval/charge-recognition/core_phrase.txt

About 10 minutes on the built index (the LeCaRD rows; the library ones take seconds).
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import kb.components.legal_element_ranker as element_ranker
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
from api.evaluation.sweeps import HEADER, run_auto, sweep_row
from kb.elements.charge_refinement import refine_with_notes
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
BETAS = (0.0, 0.25, 0.5, 1.0)
PRODUCT_VOTE = element_ranker.infer_charges
PRODUCT_VOTE_WITH_NOTES = element_ranker.infer_charges_with_notes


def core(charge: str) -> str | None:
    """The charge's name without 罪 when it names one act of at most 8 characters, else None."""
    name = charge.removesuffix("罪")
    return name if name != charge and "、" not in name and len(name) <= 8 else None


def weighed(shares: dict[str, float], text: str, beta: float) -> dict[str, float]:
    """The shares with each charge whose core phrase the text uses multiplied by 1 + beta (at most 1), best first."""
    out = {c: min(1.0, s * (1 + beta)) if (w := core(c)) and w in text else s for c, s in shares.items()}
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def library(name: str) -> None:
    rows = pickle.loads(Path(name).read_bytes())
    print(f"## {Path(name).name}: {len(rows)} judgments (first charge right; inferred charges, the judgment's own)")
    for beta in BETAS:
        first = inferred = own = 0
        for row in rows:
            hits = [SearchHit(v[0], 0.0, {"charges": v[1]}, "", "", "") for v in row["voters"] if not v[3]]
            shares = weighed(PRODUCT_VOTE(hits[:10], 10, 1e-9), row["text"], beta)
            kept = {c: s for c, s in shares.items() if s >= 0.3}
            got = list(refine_with_notes(row["text"], kept)[0])
            first += bool(got) and got[0] in row["truth"]
            inferred += len(got)
            own += len(set(got) & set(row["truth"]))
        print(f"    beta {beta}: first right {first}; inferred {inferred}, own {own}")


def vote_with(beta: float) -> Callable[..., Any]:
    """The product's `infer_charges_with_notes` with every vote in it (the whole text's and the parts') weighed."""

    def infer(hits: Sequence[SearchHit], text: str, top_k: int, min_share: float, parts: Any = ()) -> Any:
        def vote(voters: Sequence[SearchHit], k: int, threshold: float, *, offset: float = 0.0) -> dict[str, float]:
            shares = weighed(PRODUCT_VOTE(voters, k, 1e-9, offset=offset), text, beta)
            return {c: s for c, s in shares.items() if s >= threshold}

        element_ranker.infer_charges = vote
        try:
            return PRODUCT_VOTE_WITH_NOTES(hits, text, top_k, min_share, parts)
        finally:
            element_ranker.infer_charges = PRODUCT_VOTE

    return infer


def main() -> None:
    for name in sys.argv[1:]:
        library(name)
    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    print("\n## LeCaRD, the product pipeline")
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        print(HEADER, flush=True)
        try:
            for beta in (0.0, 0.5, 1.0):
                element_ranker.infer_charges_with_notes = vote_with(beta) if beta else PRODUCT_VOTE_WITH_NOTES
                print(sweep_row(run_auto(evaluator, [product]), product.name, f"beta {beta}"), flush=True)
        finally:
            element_ranker.infer_charges_with_notes = PRODUCT_VOTE_WITH_NOTES


if __name__ == "__main__":
    main()
