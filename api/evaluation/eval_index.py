"""The index of an evaluation that ingests a collection through the normal path (`kb eval provisions`, `kb eval
guiding`): its home per embedder, the knowledge base with a shared embedding cache, and the summary a report gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb.config import Settings
from kb.service import KnowledgeBase


def embedder_home(home: Path, embedder: str) -> Path:
    """``<home>/<embedder>``: one index per embedder, kept between runs."""
    return home / embedder.replace(":", "-").replace("/", "_")


def open_cached_kb(home: Path, embedder: str) -> KnowledgeBase:
    """The SQLite knowledge base of `embedder_home`, its vectors cached by content in ``<home>/embeddings.sqlite3``."""
    from kb.embedders.cache import CachedEmbedder, EmbeddingCache
    from kb.embedders.factory import build_embedder

    settings = Settings(home=embedder_home(home, embedder), embedder=embedder, store="sqlite")
    base = build_embedder(embedder)
    if base is None:
        return KnowledgeBase(settings, embedder_spec="none")
    return KnowledgeBase(settings, embedder=CachedEmbedder(base, EmbeddingCache(home / "embeddings.sqlite3")))


def index_summary(kb: KnowledgeBase, home: Path, build: object) -> dict[str, Any]:
    """What a report says about the index: where, which embedder, how many entries and chunks, how it was built
    (`build`: the evaluation's build info dataclass)."""
    stats = kb.stats()
    return {
        "home": str(home),
        "embedder": stats.get("embedder"),
        "entries_by_kind": stats.get("entries_by_kind"),
        "chunks": stats.get("chunks"),
        "build": vars(build),
    }


def built_already(kb: KnowledgeBase, stamp: Path, manifest: object) -> bool:
    """True when the last build wrote this manifest (the same source files, sizes and times) to `stamp` and nothing
    it ingested is still waiting for the index: the ingest can be skipped."""
    done = stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == manifest
    return done and kb.records.pending_count() == 0


def advance(tick: Callable[[int], None] | None) -> Callable[[Any], None] | None:
    """An ingest's per-file callback that moves a progress bar by one (None without a bar)."""
    if tick is None:
        return None
    return lambda _report: tick(1)
