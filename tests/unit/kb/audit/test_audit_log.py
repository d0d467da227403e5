"""The audit log: append, filter, page, iterate; the database refuses UPDATE and DELETE; search analytics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from kb.audit import Actor, AuditFilter, AuditLog, Outcome, SearchAnalytics, query_key, record_search
from kb.records import create_record_engine

ZHANG = Actor(user_id=1, name="zhang", client_ip="10.0.0.1", request_id="r1")
LI = Actor(user_id=2, name="li", client_ip="10.0.0.2", request_id="r2")


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_record_engine(f"sqlite:///{tmp_path / 'kb.sqlite3'}")


@pytest.fixture
def log(engine: Engine) -> AuditLog:
    audit = AuditLog(engine)
    audit.init_schema()
    audit.init_schema()  # idempotent, triggers included
    return audit


def test_record_and_read_back(log: AuditLog) -> None:
    event_id = log.record("entry.view", actor=ZHANG, target="case-1", details={"version": 2, "query": "盗" * 5000})
    total, events = log.query(AuditFilter())
    assert total == 1
    event = events[0]
    assert event.id == event_id and event.actor == "zhang" and event.actor_id == 1 and event.action == "entry.view"
    assert event.target == "case-1" and event.outcome == "success" and event.client_ip == "10.0.0.1"
    assert event.request_id == "r1" and event.details["version"] == 2 and len(event.details["query"]) < 4100
    assert event.at.tzinfo is not None and abs(event.at - datetime.now(UTC)) < timedelta(minutes=1)


def test_filters_and_paging(log: AuditLog) -> None:
    log.record("auth.login", actor=ZHANG, outcome=Outcome.FAILURE)
    log.record("auth.login", actor=ZHANG)
    log.record("auth.logout", actor=ZHANG)
    log.record("access.denied", actor=LI, outcome=Outcome.DENIED)
    assert log.query(AuditFilter(user="li"))[0] == 1
    assert log.query(AuditFilter(actions=["auth."]))[0] == 3
    assert log.query(AuditFilter(actions=["auth.login"], outcome="failure"))[0] == 1
    future = datetime.now(UTC) + timedelta(hours=1)
    assert log.query(AuditFilter(since=future))[0] == 0 and log.query(AuditFilter(until=future))[0] == 4
    total, page = log.query(AuditFilter(), offset=1, limit=2)
    assert total == 4 and [e.action for e in page] == ["auth.logout", "auth.login"]  # newest first
    assert [e.id for e in log.iter_events(AuditFilter(), batch=3)] == [4, 3, 2, 1]


def test_the_database_refuses_update_and_delete(log: AuditLog, engine: Engine) -> None:
    log.record("user.create", actor=ZHANG, target="li")
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert log.query(AuditFilter())[1][0].actor == "zhang"


def test_audit_log_has_no_update_or_delete_code_path() -> None:
    assert not [name for name in dir(AuditLog) if any(w in name for w in ("update", "delete", "remove", "purge"))]


def test_query_key_normalises() -> None:
    assert query_key("  醉酒  驾驶\t\uff21\uff22\uff23 ") == "醉酒 驾驶 abc"
    assert len(query_key("盗" * 1000)) == 200


def test_frequent_queries_and_gaps(log: AuditLog, engine: Engine) -> None:
    for actor in (ZHANG, LI, ZHANG):
        record_search(log, actor, query="醉酒驾驶", filters={}, result_count=12, top_score=0.8)
    record_search(log, ZHANG, query="醉酒驾驶", filters={}, result_count=12, top_score=0.8, page=2)  # not counted
    record_search(log, LI, query="无人机 黑飞", filters={}, result_count=0, top_score=None)
    record_search(log, LI, query="无人机  黑飞", filters={"line": ["刑事检察"]}, result_count=0, top_score=None)
    record_search(log, ZHANG, query="冷门问题", filters={}, result_count=3, top_score=0.001, top_matched=True)
    record_search(log, LI, query="答非所问", filters={}, result_count=5, top_score=0.03, top_matched=False)
    analytics = SearchAnalytics(engine)
    top = analytics.top_queries(since=None, until=None)
    assert [(s.query, s.count, s.users) for s in top][:2] == [("醉酒驾驶", 3, 2), ("无人机 黑飞", 2, 1)]
    assert {s.query for s in top[2:]} == {"冷门问题", "答非所问"}
    assert top[0].max_results == 12 and top[0].best_score == pytest.approx(0.8)
    gaps = analytics.gaps(since=None, until=None)  # nothing found, or the best hit matched nothing
    assert [(g.query, g.zero_results, g.matched) for g in gaps] == [("无人机 黑飞", 2, 2), ("答非所问", 0, 0)]
    with_score = analytics.gaps(since=None, until=None, weak_score=0.01)
    assert {g.query for g in with_score} == {"无人机 黑飞", "答非所问", "冷门问题"}
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert analytics.top_queries(since=later, until=None) == []
