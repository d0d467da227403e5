"""Helpers of the parameter-sweep scripts in bench-results/eval/*/: run configurations, print one row each.

A sweep runs several configurations (or evaluator settings) over all LeCaRD queries in the automatic setting, then
prints, per configuration, the re-rank protocol's upstream-script nDCG@10 / nDCG@30 / P@5 / MAP and the full
protocol's Recall@100 (ours), for all queries, the common ones (where choices are made) and the controversial ones
(the held-out check).
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from api.evaluation.runner import SUBSETS, EvalConfig, LecardEvaluator, evaluate

HEADER = "config | rerank upstream nDCG@10 / nDCG@30 / P@5 / MAP and full Recall@100, per subset"


def run_auto(
    evaluator: LecardEvaluator, configs: Sequence[EvalConfig], protocols: Sequence[str] = ("rerank", "full")
) -> dict[str, Any]:
    """`evaluate` in the automatic setting only: protocol -> config -> subset scores (timings to stderr)."""
    result = evaluate(evaluator, evaluator.dataset.queries, protocols=protocols, settings=("auto",), configs=configs)
    for protocol, seconds in result["timings_s"].items():
        print(f"# {protocol}: {seconds:.0f} s", file=sys.stderr, flush=True)
    return {protocol: by_setting["auto"] for protocol, by_setting in result["results"].items()}


def upstream_cell(by_subset: Mapping[str, Any], subset: str) -> str:
    """ "<subset> nDCG@10 / nDCG@30 / P@5 / MAP" of the upstream figures in `score()`'s subset -> figures."""
    up = by_subset[subset]["upstream"]
    return f"{subset} {up['ndcg@10']:.3f} / {up['ndcg@30']:.3f} / {up['p@5']:.3f} / {up['map']:.3f}"


def sweep_row(scores: dict[str, Any], config: str, label: str | None = None) -> str:
    """One printed row: the configuration's re-rank and full-protocol figures per subset (`run_auto`'s scores)."""
    rerank = scores["rerank"][config]
    full = scores["full"][config] if "full" in scores else None
    cells = []
    for subset in (s for s in SUBSETS if s in rerank):  # a subset without queries has no figures
        cell = upstream_cell(rerank, subset)
        if full is not None:
            cell += f" R@100 {full[subset]['ours']['recall@100']:.3f}"
        cells.append(cell)
    return f"{label or config:<24} " + " | ".join(cells)


def print_sweep(
    evaluator: LecardEvaluator, configs: Sequence[EvalConfig], protocols: Sequence[str] = ("rerank", "full")
) -> None:
    """Run the configurations (`run_auto`) and print the header and one `sweep_row` each."""
    scores = run_auto(evaluator, configs, protocols)
    print(HEADER)
    for config in configs:
        print(sweep_row(scores, config.name), flush=True)


def latency_summary(values: Sequence[float]) -> str:
    """ "median … ms, p95 … ms, n …" of timings in milliseconds (the latency scripts' one line per setting)."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, n {len(ordered)}"
