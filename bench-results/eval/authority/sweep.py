"""Guiding cases first among comparably similar cases: the authority weight, chosen on the odd 检例 numbers.

`LegalElementRanker.authority_weight` multiplies a guiding case's score (案例类型 指导性案例, the SPP's and the SPC's)
by 1 + weight. The SPC's guidance on similar-case retrieval (最高人民法院《关于统一法律适用加强类案检索的指导意见（试行）》,
2020, 第四条) puts guiding cases first in the order of what to search, and the SPP's rules on case guidance ask
procuratorates to refer to them (参照) in similar cases; the weight decides how much more similar another case must
be to rank above one. LeCaRD is untouched by it: every candidate there is a 参考案例.

The weight is chosen on the SPP guiding cases with an odd 检例 number (the guiding evaluation's labels, `kb eval
guiding`); the even ones are held out. Run from the repository root on the built guiding index (use-m3; about
3 minutes):

    python bench-results/eval/authority/sweep.py > bench-results/eval/authority/sweep.txt
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path
from typing import Any

import api.evaluation.guiding as guiding
from api.evaluation.guiding import METRICS, GuidingRun, run_guiding
from api.evaluation.runner import EvalConfig, product_config

GUIDING = Path("../shared/data/cn-guiding-cases")
WEIGHTS = (0.0, 0.1, 0.25, 0.5, 1.0)


def name(weight: float, vote: bool) -> str:
    return f"{'product' if vote else 'no-vote'}@a{weight:g}"


def configs(embedder: str) -> dict[str, EvalConfig]:
    product = product_config(embedder)
    out = {"product": replace(product, name="product", authority_weight=0.0)}  # the report's "first ten"
    for weight in WEIGHTS:
        for vote in (True, False):
            label = name(weight, vote)
            out[label] = replace(product, name=label, authority_weight=weight, infer_from=10 if vote else 0)
    return out


def cell(rows: list[dict[str, Any]], config: str) -> str:
    means = [statistics.mean(r["metrics"][config][m] for r in rows) for m in METRICS]
    return " / ".join(f"{v:.3f}" for v in means)


def main() -> None:
    guiding.eval_configs = configs  # type: ignore[assignment]
    result = run_guiding(GuidingRun(data=GUIDING))
    rows = result["rows"]
    odd = [r for r in rows if int(r["number"][3:-1]) % 2]
    even = [r for r in rows if not int(r["number"][3:-1]) % 2]
    print(f"# {len(odd)} odd 检例 numbers (choose), {len(even)} even (held out); {len(rows)} in all")
    print("# nDCG@10 / P@5 / MRR / Recall@20 / court@10")
    for vote in (True, False):
        for weight in WEIGHTS:
            label = name(weight, vote)
            print(f"{label:<14} odd {cell(odd, label)} | even {cell(even, label)} | all {cell(rows, label)}")


if __name__ == "__main__":
    main()
