"""Health and statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import KBDep
from api.schemas import Health, Stats
from kb.version import __version__

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="服务状态")
async def health(kb: KBDep) -> Health:
    store_ok = await run_in_threadpool(kb.ping)
    counts = kb.records.counts()
    chunks = 0
    if store_ok:
        try:
            chunks = await run_in_threadpool(kb.store.count_documents)
        except Exception:
            store_ok = False
    return Health(
        status="ok" if store_ok else "degraded",
        store=kb.settings.store,
        store_ok=store_ok,
        embedder=kb.embedder.name if kb.embedder is not None else None,
        entries=sum(counts["entries_by_kind"].values()),
        chunks=chunks,
        pending_index=kb.records.pending_count(),
        version=__version__,
    )


@router.get("/stats", response_model=Stats, summary="库内统计")
async def stats(kb: KBDep) -> Stats:
    return Stats(**await run_in_threadpool(kb.stats))
