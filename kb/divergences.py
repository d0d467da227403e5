"""分歧线索: divergences found by 类案比对, collected for the guidance center as candidates for a new guiding case.

One row per distinct query text (its hash): running the same analysis again updates the row instead of adding one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Integer, String, Text, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from kb.accounts.tables import UtcDateTime, utcnow

EXCERPT = 200


class DivergenceBase(DeclarativeBase):
    pass


class DivergenceRow(DivergenceBase):
    __tablename__ = "divergence_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    query_hash: Mapped[str] = mapped_column(String(64), unique=True)
    query_excerpt: Mapped[str] = mapped_column(Text)
    charges: Mapped[Any] = mapped_column(JSON)
    case_ids: Mapped[Any] = mapped_column(JSON)
    outcomes: Mapped[Any] = mapped_column(JSON)
    max_similarity: Mapped[float] = mapped_column(Float)
    actor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen: Mapped[int] = mapped_column(Integer, default=1)


@dataclass(frozen=True)
class DivergenceReport:
    id: int
    created_at: str
    actor: str | None
    query_excerpt: str
    charges: list[str]
    case_ids: list[str]
    outcomes: list[str]
    max_similarity: float
    seen: int


class DivergenceLog:
    def __init__(self, engine: Engine) -> None:
        DivergenceBase.metadata.create_all(engine)
        self._session = sessionmaker(engine, expire_on_commit=False)

    def record(
        self,
        text: str,
        *,
        charges: list[str],
        case_ids: list[str],
        outcomes: list[str],
        max_similarity: float,
        actor: str | None,
    ) -> None:
        digest = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        with self._session.begin() as session:
            row = session.scalar(select(DivergenceRow).where(DivergenceRow.query_hash == digest))
            if row is None:
                session.add(
                    DivergenceRow(
                        query_hash=digest,
                        query_excerpt=" ".join(text.split())[:EXCERPT],
                        charges=charges,
                        case_ids=case_ids,
                        outcomes=outcomes,
                        max_similarity=max_similarity,
                        actor=actor,
                        created_at=utcnow(),
                    )
                )
                return
            row.case_ids, row.outcomes, row.max_similarity = case_ids, outcomes, max_similarity
            row.seen += 1

    def page(self, *, offset: int, limit: int) -> tuple[int, list[DivergenceReport]]:
        with self._session() as session:
            total = int(session.scalar(select(func.count()).select_from(DivergenceRow)) or 0)
            rows = session.scalars(
                select(DivergenceRow)
                .order_by(DivergenceRow.created_at.desc(), DivergenceRow.id.desc())
                .offset(offset)
                .limit(limit)
            ).all()
        return total, [
            DivergenceReport(
                r.id,
                r.created_at.isoformat(),
                r.actor,
                r.query_excerpt,
                list(r.charges or []),
                list(r.case_ids or []),
                list(r.outcomes or []),
                float(r.max_similarity),
                int(r.seen),
            )
            for r in rows
        ]
