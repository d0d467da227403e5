"""The search pipeline's settings that depend on the embedder.

How much the dense list and the whole-facts match should weigh depends on how good the embedder's list is. Every
setting was first chosen with use-m3 on LeCaRD's 77 common queries (docs/evaluation.md); those are the defaults,
used for any embedder not listed here. e5-small, the product's default embedder, was swept on its own evaluation
index the same way (`bench-results/eval/e5-small-2chunks/retune.py`, `retune2.py`): the whole-facts match at 1.5
instead of 1.0 was better on all four re-rank measures of the common queries (upstream nDCG@10 0.847 → 0.854,
nDCG@30 0.922 → 0.925, P@5 0.564 → 0.577, MAP 0.614 → 0.624) and on full-corpus Recall@100 (0.846 → 0.849), and no
second change added to it was. The long-query dense weight stays 0.3 for both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PipelineTuning:
    long_query_dense_weight: float = 0.3  # WeightedRrfJoiner: the dense list's weight for a pasted fact text
    facts_weight: float = 1.0  # FactsMatchRanker: the whole-facts match's weight


DEFAULT_TUNING = PipelineTuning()  # chosen with use-m3
TUNINGS: dict[str, PipelineTuning] = {"e5-small": PipelineTuning(facts_weight=1.5)}


def tuning_for(embedder_name: str | None) -> PipelineTuning:
    """The settings for this embedder (`Embedder.name`); the defaults for one not listed or for none."""
    return TUNINGS.get(embedder_name or "", DEFAULT_TUNING)
