"""`run_lecard`: open (or build) the evaluation knowledge base, run the protocols, return one report dict."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.evaluation.corpus import (
    SelectiveEmbedKB,
    build_corpus,
    build_pools,
    known_pids,
    open_eval_kb,
    ready_queries,
)
from api.evaluation.lecard import DatasetError, iter_candidates, load_lecard
from api.evaluation.runner import (
    CONFIGS,
    PROTOCOLS,
    SETTINGS,
    EvalConfig,
    EvalOptions,
    LecardEvaluator,
    baseline_scores,
    evaluate,
    perfect_scores,
)

logger = logging.getLogger(__name__)

ProgressFactory = Callable[[str, int], Callable[[int], None]]


@dataclass
class LecardRun:
    data: Path
    home: Path = Path("var/eval/lecard")
    embedder: str = "use-m3"
    protocols: Sequence[str] = PROTOCOLS
    settings: Sequence[str] = SETTINGS
    configs: Sequence[EvalConfig] = tuple(CONFIGS.values())
    queries: int | None = None
    dense_sections: tuple[str, ...] = ("facts",)
    dense_chunks: int = 2
    build: bool = True
    build_only: bool = False
    ready_only: bool = False  # evaluate only the queries whose pool is fully indexed (a partial build)
    options: EvalOptions | None = None
    store: str = "sqlite"  # or "elasticsearch", at the connection KB_ES__* configure


def index_home(run: LecardRun) -> Path:
    """One index per embedder, dense selection and store (vectors of an existing index are not re-selected)."""
    name = run.embedder.replace(":", "-").replace("/", "_")
    suffix = "-es" if run.store == "elasticsearch" else ""
    return run.home / f"{name}-{'+'.join(run.dense_sections)}{run.dense_chunks}{suffix}"


def open_index(run: LecardRun) -> SelectiveEmbedKB:
    """The run's evaluation index (built or not), with the shared embedding cache; the sweep scripts open it too."""
    return open_eval_kb(
        index_home(run),
        run.embedder,
        cache=run.home / "embeddings.sqlite3",
        dense_sections=run.dense_sections,
        dense_chunks=run.dense_chunks,
        store=run.store,
    )


@contextmanager
def warm_index(run: LecardRun) -> Iterator[SelectiveEmbedKB]:
    """The run's evaluation index (`open_index`), warmed up, and closed when the block ends: what a sweep script
    evaluates on."""
    kb = open_index(run)
    try:
        kb.warm_up()
        yield kb
    finally:
        kb.close()


def run_lecard(run: LecardRun, progress: ProgressFactory | None = None) -> dict[str, Any]:
    dataset = load_lecard(run.data)
    queries = dataset.queries[: run.queries] if run.queries else list(dataset.queries)
    kb = open_index(run)
    try:
        build: dict[str, Any] = {}
        if run.build:
            needed = {p for q in queries for p in dataset.pools[q.qid]}
            tick = progress("导入候选案例", len(needed)) if progress else None
            if run.queries or "full" not in run.protocols:
                report = build_pools(kb, dataset, queries, progress=tick)
            else:  # everything: the pools first (a stopped build leaves whole pools), then the rest
                report = build_pools(kb, dataset, queries, progress=tick)
                rest = build_corpus(kb, dataset.candidates_path)
                report.added += rest.added
                report.duplicates += rest.duplicates
                report.seconds += rest.seconds
            build = {
                "added": report.added,
                "skipped": report.skipped,
                "duplicates": report.duplicates,
                "seconds": round(report.seconds, 1),
                "embed_seconds": round(report.embed_seconds, 1),
                "embedded_chunks": kb.embedded,
            }
        if run.build_only:
            return {"index": {"home": str(index_home(run)), "entries": len(known_pids(kb)), "build": build}}
        # The full protocol retrieves from every candidate, pooled or not: a build for the re-rank protocol alone
        # ingests the pools only, and a full evaluation on it would miss the out-of-pool judgments unannounced.
        missing = {record["pid"] for record in iter_candidates(dataset.candidates_path)} - known_pids(kb)
        complete = not missing
        if run.ready_only:
            queries = ready_queries(kb, dataset, queries)
        elif "full" in run.protocols and missing:
            msg = (
                f"评测索引缺少 {len(missing)} 件候选案例，无法按全库检索评测（全库检索须包含全部候选案例）；"
                "请不带 --no-build 运行一次 --protocol full 或 all 以补齐"
            )
            raise DatasetError(msg, home=str(index_home(run)), missing=len(missing))
        protocols = [p for p in run.protocols if p != "full" or complete]
        if not queries or not protocols:
            msg = "评测索引尚未包含所需的候选案例（请先完成导入）"
            raise DatasetError(msg, home=str(index_home(run)))
        kb.warm_up()
        options = run.options or EvalOptions()
        evaluator = LecardEvaluator(kb, dataset, options)
        started = time.perf_counter()
        tick = progress("评测查询", len(queries) * len(protocols)) if progress else None
        result = evaluate(
            evaluator, queries, protocols=protocols, settings=run.settings, configs=run.configs, progress=tick
        )
        result["query_ids"] = [q.qid for q in queries]
        result["eval_seconds"] = round(time.perf_counter() - started, 1)
        stats = kb.stats()
        result["index"] = {
            "home": str(index_home(run)),
            "entries": len(known_pids(kb)),
            "chunks": stats.get("chunks"),
            "embedder": stats.get("embedder"),
            "dense_sections": list(run.dense_sections),
            "dense_chunks": run.dense_chunks,
            "store": run.store,
            "complete": complete,
            "build": build,
        }
        result["baselines"] = baseline_scores(dataset, queries)
        result["perfect"] = perfect_scores(dataset, queries)
        result["data"] = str(run.data)
        return result
    finally:
        kb.close()
