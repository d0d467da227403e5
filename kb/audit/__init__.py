"""The append-only audit log and the search analytics built on it."""

from __future__ import annotations

from kb.audit.analytics import QueryStat, SearchAnalytics, query_key, record_search
from kb.audit.log import ANONYMOUS, Actor, AuditEvent, AuditFilter, AuditLog, Outcome

__all__ = [
    "ANONYMOUS",
    "Actor",
    "AuditEvent",
    "AuditFilter",
    "AuditLog",
    "Outcome",
    "QueryStat",
    "SearchAnalytics",
    "query_key",
    "record_search",
]
