"""The LeCaRD candidates indexed through the normal ingest path, in a knowledge base cached under var/eval/.

Each batch of candidate records goes through `ingest.pipeline.ingest_raw` as one JSONL "file": the records parser
recognises the judgment layout (ajName / ajjbqk / cpfxgc / pjjg) and builds a 参考案例 entry with the sections
基本案情 / 裁判分析过程 / 判决结果, its 编号 ``LeCaRD-<pid>`` and the charges, outcomes and provisions found in
the text. Nothing about queries or labels reaches the index: the records carry only pid and the judgment text.

Building is resumable and idempotent: pids already in the record store are skipped, and a re-ingested record with
the same content is "unchanged".

Dense side: embedding every chunk of 9k long judgments would take a day on 2 cores, so the evaluation knowledge
base embeds only the first `dense_chunks` chunks of each entry's `dense_sections` (default: the first 基本案情
chunk) — see `SelectiveEmbedKB`. The rest of the chunks are indexed for BM25 only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from haystack import Document

from api.evaluation.lecard import LecardDataset, LecardQuery, iter_candidates
from ingest.pipeline import ingest_raw
from ingest.readers.base import RawDocument
from kb.config import Settings
from kb.dedup.errors import DuplicateEntry
from kb.errors import KBError
from kb.service import KnowledgeBase, Progress

logger = logging.getLogger(__name__)

NUMBER_PREFIX = "LeCaRD-"
SOURCE_NAME = "candidates_noqw.jsonl.gz"


def pid_of(number: str | None) -> str | None:
    if number and number.startswith(NUMBER_PREFIX):
        return number[len(NUMBER_PREFIX) :]
    return None


class SelectiveEmbedKB(KnowledgeBase):
    """The evaluation's KnowledgeBase: the product's selection of which chunks get a vector (KB_EMBED_SECTIONS,
    KB_EMBED_MAX_CHUNKS; kb.chunking.embed_selection) set to the leading chunks of chosen sections, plus counters of
    the chunks embedded and the seconds spent, for the build report.

    Chunks left out keep no vector: BM25 still sees them, dense retrieval does not.
    """

    def __init__(self, settings: Settings, *, embedder: Any | None = None, embedder_spec: str | None = None) -> None:
        self.embed_seconds = 0.0
        self.embedded = 0
        super().__init__(settings, embedder=embedder, embedder_spec=embedder_spec)

    def _embed(self, documents: list[Document], progress: Progress | None = None) -> list[Document]:
        started = time.perf_counter()
        out = super()._embed(documents, progress)
        self.embed_seconds += time.perf_counter() - started
        self.embedded += sum(doc.embedding is not None for doc in out)
        return out


@dataclass
class BuildReport:
    added: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    duplicates: int = 0  # candidates whose text is identical to another candidate's (kept as aliases)
    seconds: float = 0.0
    embed_seconds: float = 0.0


DUPLICATES_FILE = "duplicates.json"


def duplicate_aliases(kb: KnowledgeBase) -> dict[str, str]:
    """Candidates refused by duplicate detection because their text is identical to an indexed candidate's:
    pid -> the indexed pid. LeCaRD lists some judgments under two pids; the identical document stands for both."""
    path = Path(kb.settings.home) / DUPLICATES_FILE
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def _remember_duplicate(kb: KnowledgeBase, pid: str, existing: str) -> None:
    aliases = duplicate_aliases(kb)
    aliases[pid] = existing
    path = Path(kb.settings.home) / DUPLICATES_FILE
    path.write_text(json.dumps(aliases, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


def known_pids(kb: KnowledgeBase) -> set[str]:
    """Pids of the LeCaRD entries already in the record store, and of their identical duplicates."""
    pids = set(duplicate_aliases(kb))
    for _, _, entry in kb.records.iter_current():
        pid = pid_of(entry.number)
        if pid is not None:
            pids.add(pid)
    return pids


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_corpus(
    kb: KnowledgeBase,
    candidates: Path,
    *,
    only: set[str] | None = None,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    have: set[str] | None = None,
) -> BuildReport:
    """Ingest every candidate (or those in `only`) not yet in `kb`, through `ingest_raw`, `batch_size` at a time.

    `have` (the pids already recorded) is read from the record store when not given, and updated in place.
    """
    report = BuildReport()
    started = time.perf_counter()
    have = known_pids(kb) if have is None else have
    wanted = (r for r in iter_candidates(candidates) if only is None or r["pid"] in only)

    def fresh() -> Iterator[dict[str, Any]]:
        for record in wanted:
            if record["pid"] in have:
                report.skipped += 1
                if progress:
                    progress(1)
                continue
            yield record

    for batch in _batches(fresh(), batch_size):
        try:
            ingest_raw(kb, RawDocument(source=SOURCE_NAME, format="jsonl", records=batch))
            report.added += len(batch)
            have.update(r["pid"] for r in batch)
        except KBError:  # one unusable record fails its batch: ingest the rest one by one, note the bad ones
            for record in batch:
                try:
                    ingest_raw(kb, RawDocument(source=SOURCE_NAME, format="jsonl", records=[record]))
                    report.added += 1
                    have.add(record["pid"])
                except DuplicateEntry as exc:
                    existing = pid_of(str(exc.context.get("existing_number") or ""))
                    if existing is None:
                        logger.warning("candidate %s not ingested: %s", record["pid"], exc.detail)
                        report.failed.append(record["pid"])
                        continue
                    logger.info("candidate %s is identical to candidate %s: kept as its alias", record["pid"], existing)
                    _remember_duplicate(kb, record["pid"], existing)
                    report.duplicates += 1
                    have.add(record["pid"])
                except KBError as exc:
                    logger.warning("candidate %s not ingested: %s", record["pid"], exc.detail)
                    report.failed.append(record["pid"])
        if progress:
            progress(len(batch))
    kb.index_pending()
    report.seconds = time.perf_counter() - started
    report.embed_seconds = getattr(kb, "embed_seconds", 0.0)
    return report


def interleaved(queries: list[LecardQuery]) -> list[LecardQuery]:
    """Queries ordered so that any prefix mixes the subsets in proportion (common and controversial alike)."""
    by_subset: dict[str, list[LecardQuery]] = {}
    for query in queries:
        by_subset.setdefault(query.subset, []).append(query)
    keyed = [((i + 0.5) / len(group), name, q) for name, group in by_subset.items() for i, q in enumerate(group)]
    return [q for _, _, q in sorted(keyed, key=lambda item: (item[0], item[1]))]


def build_pools(
    kb: KnowledgeBase,
    dataset: LecardDataset,
    queries: list[LecardQuery],
    *,
    group: int = 4,
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Ingest the pools of `queries`, a few queries at a time, in `interleaved` order.

    A build stopped early (it is resumable) leaves complete pools for a representative prefix of the queries;
    `ready_queries` tells which. Each group re-reads the candidate file (about 2 s), keeping memory flat.
    """
    total = BuildReport()
    started = time.perf_counter()
    have = known_pids(kb)
    ordered = interleaved(queries)
    for start in range(0, len(ordered), group):
        wanted = {p for q in ordered[start : start + group] for p in dataset.pools[q.qid]} - have
        if not wanted:
            continue
        part = build_corpus(kb, dataset.candidates_path, only=wanted, progress=progress, have=have)
        total.added += part.added
        total.duplicates += part.duplicates
        total.failed.extend(part.failed)
    total.skipped = len(have) - total.added
    total.seconds = time.perf_counter() - started
    total.embed_seconds = getattr(kb, "embed_seconds", 0.0)
    return total


def ready_queries(kb: KnowledgeBase, dataset: LecardDataset, queries: list[LecardQuery]) -> list[LecardQuery]:
    """The queries whose whole pool is recorded and indexed (no pool member still waiting in the index outbox)."""
    waiting = {item.entry_id for item in kb.records.pending(limit=100_000)}
    have = set(duplicate_aliases(kb))
    for entry_id, _, entry in kb.records.iter_current():
        pid = pid_of(entry.number)
        if pid is not None and entry_id not in waiting:
            have.add(pid)
    return [q for q in queries if set(dataset.pools[q.qid]) <= have]


STORES = ("sqlite", "elasticsearch")


def eval_index_name(home: Path) -> str:
    """The Elasticsearch index of the evaluation index in `home`: named after its folder and the folder above it,
    and a digest of its absolute path, so two checkouts on one server never share an index."""
    digest = hashlib.sha1(str(home.resolve()).encode("utf-8")).hexdigest()[:8]
    name = f"kb-eval-{home.parent.name}-{home.name}-{digest}".lower()
    return re.sub(r"[^a-z0-9_.-]+", "-", name)


def eval_settings(
    home: Path,
    embedder: str,
    *,
    dense_sections: tuple[str, ...] = ("facts",),
    dense_chunks: int = 1,
    store: str = "sqlite",
) -> Settings:
    """An evaluation index's settings: the store (SQLite, or Elasticsearch at the connection KB_ES__* configure,
    one index per evaluation home), and vectors for the first `dense_chunks` chunks of `dense_sections`."""
    if store not in STORES:
        msg = f"store must be one of {STORES}, got {store!r}"
        raise ValueError(msg)
    extra: dict[str, Any] = {"store": store}  # checked above against Settings' literal
    if store == "elasticsearch":
        extra["es"] = Settings().es.model_copy(update={"index": eval_index_name(home)})
    return Settings(
        home=home,
        embedder=embedder,
        embed_sections=",".join(dense_sections),
        embed_max_chunks=dense_chunks,
        **extra,
    )


def open_eval_kb(
    home: Path,
    embedder: str,
    *,
    cache: Path | None = None,
    dense_sections: tuple[str, ...] = ("facts",),
    dense_chunks: int = 1,
    store: str = "sqlite",
) -> SelectiveEmbedKB:
    """The evaluation knowledge base in `home`, its embedder wrapped in the shared cache file `cache`."""
    from kb.embedders.cache import CachedEmbedder, EmbeddingCache
    from kb.embedders.factory import build_embedder

    settings = eval_settings(home, embedder, dense_sections=dense_sections, dense_chunks=dense_chunks, store=store)
    base = build_embedder(embedder)
    wrapped = None
    if base is not None:
        wrapped = CachedEmbedder(base, EmbeddingCache(cache or settings.cache_path))
    return SelectiveEmbedKB(
        settings,
        embedder=wrapped,
        embedder_spec=None if wrapped is not None else "none",
    )
