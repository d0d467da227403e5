"""Warning cases (警示案例) for training, filtered by 错误类型 and by the misused power-list item, with counts.

Answered from the record store (current versions), so a trainer's list does not depend on the search index. Warning
cases are a small share of the cases; they are read in pages and filtered here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kb.models import EntryKind
from kb.records import RecordStore, StoredEntry

WARNING_CASE_TYPE = "警示案例"
_PAGE = 500


@dataclass(frozen=True)
class WarningCaseList:
    total: int
    items: list[StoredEntry]
    # Counts over all warning cases that match the *other* filter (so a facet never hides its own alternatives).
    error_types: dict[str, int] = field(default_factory=dict)
    misused_powers: dict[str, int] = field(default_factory=dict)


def _all_warning_cases(records: RecordStore) -> list[StoredEntry]:
    found: list[StoredEntry] = []
    offset = 0
    while True:
        total, page = records.list_entries(
            kind=EntryKind.CASE,
            filters={"case_type": [WARNING_CASE_TYPE]},
            offset=offset,
            limit=_PAGE,
            sort="date",
        )
        found.extend(page)
        offset += len(page)
        if not page or offset >= total:
            return found


def _matches(value: str | None, wanted: list[str] | None) -> bool:
    return not wanted or (value is not None and value in wanted)


def list_warning_cases(
    records: RecordStore,
    *,
    error_types: list[str] | None = None,
    misused_powers: list[str] | None = None,
    line: list[str] | None = None,
) -> WarningCaseList:
    """Warning cases whose 错误类型 is one of `error_types` and whose 涉及权力清单事项 is one of `misused_powers`."""
    cases = [c for c in _all_warning_cases(records) if _matches(c.entry.line, line)]
    by_power = [c for c in cases if _matches(c.entry.misused_power, misused_powers)]
    by_error = [c for c in cases if _matches(c.entry.error_type, error_types)]
    items = [c for c in by_power if _matches(c.entry.error_type, error_types)]
    error_counts = Counter(c.entry.error_type for c in by_power if c.entry.error_type)
    power_counts = Counter(c.entry.misused_power for c in by_error if c.entry.misused_power)
    return WarningCaseList(
        total=len(items),
        items=items,
        error_types=dict(error_counts.most_common()),
        misused_powers=dict(power_counts.most_common()),
    )
