"""The nearest-case vote weighted 1/(rank + c) instead of 1/rank, tried on 2026-11-29 and not kept.

On the library, leave one out (`--loo`, the samples of loo.py, seconds), a flatter weight names a judgment's own
charge first more often on some samples. On LeCaRD's re-rank protocol (the default, about 5 minutes on the built
index) it lowers the common queries' figures. Fewer charges reach 0.3 and the shares are lower (on the random sample,
ten voters: 1.97 → 1.75 charges per text, 2 → 26 texts with none, median first share 0.846 → 0.822), so the
inferred charges' boost reaches fewer cases. Decided on the common queries.

    python bench-results/eval/charge-recognition/vote_weights.py --loo var/eval/lecard/loo.pkl ... \
        > bench-results/eval/charge-recognition/vote_weights_loo.txt
    python bench-results/eval/charge-recognition/vote_weights.py > bench-results/eval/charge-recognition/vote_weights.txt
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import kb.components.legal_element_ranker as element_ranker
import kb.elements.charge_refinement as refinement
from kb.models import SearchHit

DATA = Path("../shared/data/lecard")
Vote = Callable[[Sequence[SearchHit], int, float], dict[str, float]]
PRODUCT_VOTE = element_ranker.infer_charges  # kept before the LeCaRD run swaps the module's function


def smoothed(c: float, voters: int | None = None) -> Vote:
    """`infer_charges` with weight 1/(rank + c); `voters` overrides the number of voters."""

    def infer(hits: Sequence[SearchHit], top_k: int, min_share: float) -> dict[str, float]:
        return PRODUCT_VOTE(hits, voters or top_k, min_share, offset=c)

    return infer


def loo(paths: Sequence[str]) -> None:
    """First charge right per sample (the product's checks applied), for each weight and number of voters."""
    samples = {p: [r for r in pickle.loads(Path(p).read_bytes()) if r["truth"]] for p in paths}
    print("voters, weight | first charge right per sample (" + ", ".join(Path(p).name for p in paths) + ") | sum")
    for voters in (5, 10, 15, 20, 30):
        for c in (0, 1, 2, 5):
            infer = smoothed(c, voters)
            counts = []
            for rows in samples.values():
                right = 0
                for row in rows:
                    hits = [
                        SearchHit(entry_id=pid, score=s, meta={"charges": ch}, passage="", section="", section_label="")
                        for pid, ch, s, same_case in row["voters"]
                        if not same_case
                    ]
                    inferred = refinement.refine_inferred_charges(row["text"], infer(hits, voters, 0.3))
                    right += bool(inferred) and next(iter(inferred)) in row["truth"]
                counts.append(right)
            print(f"{voters:>2} voters, 1/(rank+{c}) | {counts} | {sum(counts)}", flush=True)


def lecard() -> None:
    from api.evaluation.harness import LecardRun, warm_index
    from api.evaluation.lecard import load_lecard
    from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator
    from api.evaluation.sweeps import HEADER, run_auto, sweep_row

    dataset = load_lecard(DATA)
    product = CONFIGS[DEFAULT_CONFIG]
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset, EvalOptions())
        print(HEADER)
        for c, voters in ((0, None), (1, None), (2, None), (2, 15)):
            element_ranker.infer_charges = smoothed(c, voters)
            try:
                scores: dict[str, Any] = run_auto(evaluator, [product], protocols=("rerank",))
            finally:
                element_ranker.infer_charges = PRODUCT_VOTE
            print(sweep_row(scores, product.name, f"1/(rank+{c}) k={voters or 10}"), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--loo":
        loo(sys.argv[2:])
    else:
        lecard()
