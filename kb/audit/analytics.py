"""Search analytics over the audit log: the most frequent queries, and queries with no good result (content gaps).

Searches are audited as action `search` (first page) or `search.page` (later pages, not counted here); the target is
the normalised query text, and details carry `result_count`, `top_score` and `top_matched` (1 when the best hit has
highlighted query terms or a shared legal element, else 0). Fused scores are rank-based (RRF), so a search that
returns something is not thereby a good one: a gap is a query that found nothing, whose best hit never matched a
query term or element, or (optionally) whose best score stayed below `weak_score`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, Integer, cast, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kb.audit.log import Actor, AuditLog, Outcome
from kb.audit.tables import AuditRow

SEARCH = "search"
SEARCH_PAGE = "search.page"
QUERY_KEY_CHARS = 200
DEFAULT_WEAK_SCORE = 0.0  # off by default: fused RRF scores say little about quality (see the module docstring)

_SPACE = re.compile(r"\s+")


def query_key(query: str) -> str:
    """What makes two queries 'the same' for counting: NFKC, case-folded, single spaces, at most 200 characters."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFKC", query)).strip().casefold()
    return text[:QUERY_KEY_CHARS]


def record_search(
    log: AuditLog,
    actor: Actor,
    *,
    query: str,
    filters: dict[str, Any],
    result_count: int,
    top_score: float | None,
    top_matched: bool | None = None,
    page: int = 1,
) -> int:
    """Audit one search (the API calls this after every search)."""
    return log.record(
        SEARCH if page == 1 else SEARCH_PAGE,
        actor=actor,
        target=query_key(query),
        outcome=Outcome.SUCCESS,
        details={
            "query": query,
            "filters": filters,
            "result_count": result_count,
            "top_score": round(top_score, 6) if top_score is not None else None,
            "top_matched": None if top_matched is None else int(top_matched),
            "page": page,
        },
    )


@dataclass(frozen=True)
class QueryStat:
    query: str
    count: int
    users: int
    last_at: datetime
    max_results: int
    best_score: float | None
    zero_results: int
    matched: int  # searches whose best hit matched a query term or legal element


class SearchAnalytics:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def top_queries(self, *, since: datetime | None, until: datetime | None, limit: int = 50) -> list[QueryStat]:
        """Most frequent first-page searches in [since, until)."""
        return self._grouped(since=since, until=until, limit=limit)

    def gaps(
        self,
        *,
        since: datetime | None,
        until: datetime | None,
        weak_score: float = DEFAULT_WEAK_SCORE,
        limit: int = 50,
    ) -> list[QueryStat]:
        """Queries that never found anything, or whose best top score stayed below `weak_score`; most frequent first."""
        return self._grouped(since=since, until=until, limit=limit, weak_score=weak_score)

    def _grouped(
        self, *, since: datetime | None, until: datetime | None, limit: int, weak_score: float | None = None
    ) -> list[QueryStat]:
        results = cast(AuditRow.details["result_count"].as_string(), Integer)
        score = cast(AuditRow.details["top_score"].as_string(), Float)
        matched = func.sum(func.coalesce(cast(AuditRow.details["top_matched"].as_string(), Integer), 1))
        count = func.count(AuditRow.id)
        max_results = func.max(results)
        best = func.max(score)
        zero = func.sum(func.coalesce(cast(results == 0, Integer), 0))
        stmt = (
            select(
                AuditRow.target,
                count,
                func.count(func.distinct(AuditRow.actor)),
                func.max(AuditRow.at),
                max_results,
                best,
                zero,
                matched,
            )
            .where(AuditRow.action == SEARCH, AuditRow.outcome == Outcome.SUCCESS.value, AuditRow.target.is_not(None))
            .group_by(AuditRow.target)
        )
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        if weak_score is not None:
            stmt = stmt.having(
                (func.coalesce(max_results, 0) == 0) | (matched == 0) | (func.coalesce(best, 0.0) < weak_score)
            )
        stmt = stmt.order_by(count.desc(), func.max(AuditRow.at).desc()).limit(limit)
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        return [
            QueryStat(
                query=str(r[0]),
                count=int(r[1]),
                users=int(r[2]),
                last_at=_as_utc(r[3]),
                max_results=int(r[4] or 0),
                best_score=float(r[5]) if r[5] is not None else None,
                zero_results=int(r[6] or 0),
                matched=int(r[7] or 0),
            )
            for r in rows
        ]


def _as_utc(value: Any) -> datetime:
    """MAX(at) comes back as text on SQLite and as a datetime on PostgreSQL."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
