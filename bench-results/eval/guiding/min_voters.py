"""The charge vote with a minimum number of voters (2026-11-28), tried and not kept (docs/evaluation.md).

On the SPP guiding cases a charge held only by the nearest case (share 1 / 2.93 = 0.34, just over the 0.3 threshold)
often boosts the wrong cases. This keeps only charges that at least N of the 10 voters hold and measures the
product on both benchmarks. Run from the repository root on the built indexes (about 6 minutes):

    python bench-results/eval/guiding/min_voters.py > bench-results/eval/guiding/min_voters.txt
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

import kb.components.legal_element_ranker as ranker_module
from api.evaluation.guiding import GuidingRun, run_guiding
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from api.evaluation.sweeps import print_sweep
from kb.models import SearchHit

LECARD = Path("../shared/data/lecard")
GUIDING = Path("../shared/data/cn-guiding-cases")
PRODUCT_VOTE = ranker_module.infer_charges


def with_min_voters(min_voters: int) -> Callable[[Sequence[SearchHit], int, float], dict[str, float]]:
    def infer(hits: Sequence[SearchHit], top_k: int, min_share: float) -> dict[str, float]:
        shares = PRODUCT_VOTE(hits, top_k, min_share)
        voters: dict[str, int] = {}
        for hit in hits[:top_k]:
            for charge in dict.fromkeys(hit.meta.get("charges", [])):
                voters[charge] = voters.get(charge, 0) + 1
        return {c: s for c, s in shares.items() if voters.get(c, 0) >= min_voters}

    return infer


def main() -> None:
    dataset = load_lecard(LECARD)
    for min_voters in (1, 2, 3):
        ranker_module.infer_charges = with_min_voters(min_voters)  # type: ignore[assignment]
        print(f"# at least {min_voters} of the 10 voters (1 = the product)", flush=True)
        with warm_index(LecardRun(data=LECARD)) as kb:
            print_sweep(LecardEvaluator(kb, dataset), [CONFIGS[DEFAULT_CONFIG]])
        result = run_guiding(GuidingRun(data=GUIDING))
        cell = result["metrics"]["product"]["all"]
        rows = result["rows"]
        odd = statistics.mean(r["metrics"]["product"]["ndcg@10"] for r in rows if int(r["number"][3:-1]) % 2)
        even = statistics.mean(r["metrics"]["product"]["ndcg@10"] for r in rows if not int(r["number"][3:-1]) % 2)
        figures = " / ".join(f"{cell[k]:.3f}" for k in ("ndcg@10", "p@5", "mrr", "recall@20", "court@10"))
        print(
            f"guiding, product: nDCG@10 / P@5 / MRR / Recall@20 / court@10 {figures}; "
            f"nDCG@10 odd {odd:.3f}, even {even:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
