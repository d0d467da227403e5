"""AuditLog: append one event, read events back with filters. There is deliberately no update or delete."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from kb.audit.tables import AuditRow, create_tables

logger = logging.getLogger(__name__)

ANONYMOUS = "匿名"
SYSTEM = "系统"
MAX_TARGET_CHARS = 500
MAX_DETAIL_CHARS = 4000

S = TypeVar("S", bound=Select[Any])


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Actor:
    """Who did it and from where; `Actor.system()` for the command line and background jobs."""

    user_id: int | None = None
    name: str = ANONYMOUS
    client_ip: str | None = None
    request_id: str | None = None

    @classmethod
    def system(cls, name: str = SYSTEM) -> Actor:
        return cls(user_id=None, name=name)


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    action: str
    target: str | None
    outcome: str
    client_ip: str | None
    request_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    user: str | None = None  # actor name, exact
    actions: list[str] = field(default_factory=list)  # exact, or ending in "." for a family ("auth." = auth, auth.*)
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def init_schema(self) -> None:
        create_tables(self.engine)

    def record(
        self,
        action: str,
        *,
        actor: Actor,
        target: str | None = None,
        outcome: Outcome | str = Outcome.SUCCESS,
        details: dict[str, Any] | None = None,
    ) -> int:
        """Append one event and return its id. The one function other modules call for every change and access."""
        row = AuditRow(
            actor_id=actor.user_id,
            actor=(actor.name or ANONYMOUS)[:64],
            action=action[:48],
            target=target[:MAX_TARGET_CHARS] if target else None,
            outcome=str(outcome),
            client_ip=(actor.client_ip or "")[:64] or None,
            request_id=(actor.request_id or "")[:64] or None,
            details=_bounded(details or {}),
        )
        with self._sessions.begin() as session:
            session.add(row)
            session.flush()
            return row.id

    def query(self, flt: AuditFilter, *, offset: int = 0, limit: int = 50) -> tuple[int, list[AuditEvent]]:
        """Total matching and one page, newest first."""
        stmt = _filtered(select(AuditRow), flt)
        count = _filtered(select(func.count(AuditRow.id)), flt)
        with self._sessions() as session:
            total = int(session.scalar(count) or 0)
            rows = session.scalars(stmt.order_by(AuditRow.id.desc()).offset(offset).limit(limit)).all()
            return total, [_event(r) for r in rows]

    def iter_events(self, flt: AuditFilter, *, limit: int = 100_000, batch: int = 1000) -> Iterator[AuditEvent]:
        """Matching events newest first, read in batches (CSV export)."""
        last_id: int | None = None
        sent = 0
        while sent < limit:
            stmt = _filtered(select(AuditRow), flt)
            if last_id is not None:
                stmt = stmt.where(AuditRow.id < last_id)
            with self._sessions() as session:
                rows = session.scalars(stmt.order_by(AuditRow.id.desc()).limit(min(batch, limit - sent))).all()
                events = [_event(r) for r in rows]
            if not events:
                return
            yield from events
            sent += len(events)
            last_id = events[-1].id


def _filtered(stmt: S, flt: AuditFilter) -> S:
    if flt.user:
        # Sign-in events against an account are the account's too, also when they failed (the actor is then 匿名
        # and the account name is the target).
        signed_in_as = (AuditRow.action.startswith("auth.", autoescape=True)) & (AuditRow.target == flt.user)
        stmt = stmt.where(or_(AuditRow.actor == flt.user, signed_in_as))
    if flt.actions:
        exact = [a for a in flt.actions if not a.endswith(".")]
        prefixes = [a for a in flt.actions if a.endswith(".")]
        clauses = [AuditRow.action.in_(exact + [p[:-1] for p in prefixes])] + [
            AuditRow.action.startswith(p, autoescape=True) for p in prefixes
        ]
        stmt = stmt.where(or_(*clauses))
    if flt.outcome:
        stmt = stmt.where(AuditRow.outcome == flt.outcome)
    if flt.since is not None:
        stmt = stmt.where(AuditRow.at >= flt.since)
    if flt.until is not None:
        stmt = stmt.where(AuditRow.at < flt.until)
    return stmt


def _bounded(details: dict[str, Any]) -> dict[str, Any]:
    """Long strings cut (a pasted case description can be thousands of characters)."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, str) and len(value) > MAX_DETAIL_CHARS:
            value = value[:MAX_DETAIL_CHARS] + "…"
        out[str(key)] = value
    return out


def _event(row: AuditRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=row.at,
        actor_id=row.actor_id,
        actor=row.actor,
        action=row.action,
        target=row.target,
        outcome=row.outcome,
        client_ip=row.client_ip,
        request_id=row.request_id,
        details=dict(row.details or {}),
    )
