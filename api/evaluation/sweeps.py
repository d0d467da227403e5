"""Helpers of the parameter-sweep scripts in bench-results/eval/*/: run configurations, print one row each.

A sweep runs several configurations (or evaluator settings) over all LeCaRD queries in the automatic setting, then
prints, per configuration, the re-rank protocol's upstream-script nDCG@10 / nDCG@30 / P@5 / MAP and the full
protocol's Recall@100 (ours), for all queries, the common ones (where choices are made) and the controversial ones
(the held-out check).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from api.evaluation.lecard import LecardDataset
from api.evaluation.runner import SUBSETS, EvalConfig, LecardEvaluator, Rankings, score

HEADER = "config | rerank upstream nDCG@10 / nDCG@30 / P@5 / MAP and full Recall@100, per subset"


def run_auto(
    evaluator: LecardEvaluator, configs: Sequence[EvalConfig], protocols: Sequence[str] = ("rerank", "full")
) -> dict[str, Rankings]:
    """protocol -> the automatic setting's rankings of every configuration (timings to stderr)."""
    runs = {}
    for protocol in protocols:
        started = time.perf_counter()
        queries = evaluator.dataset.queries
        runs[protocol] = evaluator.run(queries, protocol=protocol, settings=("auto",), configs=configs)["auto"]
        print(f"# {protocol}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return runs


def sweep_row(dataset: LecardDataset, runs: dict[str, Rankings], config: str, label: str | None = None) -> str:
    """One printed row: the configuration's re-rank and full-protocol figures per subset."""
    rerank = score(dataset, runs["rerank"].by_config[config], dataset.queries)
    full = score(dataset, runs["full"].by_config[config], dataset.queries) if "full" in runs else None
    cells = []
    for subset in (s for s in SUBSETS if s in rerank):  # a subset without queries has no figures
        up = rerank[subset]["upstream"]
        cell = f"{subset} {up['ndcg@10']:.3f} / {up['ndcg@30']:.3f} / {up['p@5']:.3f} / {up['map']:.3f}"
        if full is not None:
            cell += f" R@100 {full[subset]['ours']['recall@100']:.3f}"
        cells.append(cell)
    return f"{label or config:<24} " + " | ".join(cells)


def print_sweep(evaluator: LecardEvaluator, configs: Sequence[EvalConfig]) -> None:
    """Run the configurations (`run_auto`) and print the header and one `sweep_row` each."""
    runs = run_auto(evaluator, configs)
    print(HEADER)
    for config in configs:
        print(sweep_row(evaluator.dataset, runs, config.name), flush=True)
