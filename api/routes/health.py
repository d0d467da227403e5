"""Health and statistics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import KBDep
from api.schemas import Health, Stats
from kb.version import __version__

router = APIRouter(tags=["health"])


def _store_detail(store: Any) -> dict[str, Any]:
    """The store's own health report (Elasticsearch: cluster state, alias, index); {} when it has none."""
    report = getattr(store, "store_health", None)
    return dict(report()) if callable(report) else {}


@router.get("/health", response_model=Health, summary="服务状态")
async def health(kb: KBDep) -> Health:
    detail = await run_in_threadpool(_store_detail, kb.store)
    # A store that reports its own health was just asked: an unreachable cluster costs one timeout, not three.
    store_ok = bool(detail["ok"]) if "ok" in detail else await run_in_threadpool(kb.ping)
    entries = sum(kb.records.counts()["entries_by_kind"].values())
    pending = kb.records.pending_count()
    chunks = int(detail.get("documents") or 0)
    if store_ok and "documents" not in detail:
        try:
            chunks = await run_in_threadpool(kb.store.count_documents)
        except Exception:
            store_ok = False
    problem = kb.index_problem(chunks=chunks, entries=entries, pending=pending) if store_ok else None
    if problem is not None:  # the index lost its content behind our back: searches would find nothing
        store_ok = False
        detail = {**detail, "needs_reindex": True, "problem": problem}
    return Health(
        status="ok" if store_ok else "degraded",
        store=kb.settings.store,
        store_ok=store_ok,
        embedder=kb.embedder.name if kb.embedder is not None else None,
        entries=entries,
        chunks=chunks,
        pending_index=pending,
        version=__version__,
        store_detail=detail,
    )


@router.get("/stats", response_model=Stats, summary="库内统计")
async def stats(kb: KBDep) -> Stats:
    return Stats(**await run_in_threadpool(kb.stats))
