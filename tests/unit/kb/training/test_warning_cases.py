from __future__ import annotations

from kb.records import RecordStore
from kb.training.warning_cases import list_warning_cases


def test_all_warning_cases_with_counts(records: RecordStore) -> None:
    found = list_warning_cases(records)
    assert {s.entry.number for s in found.items} == {"示例刑-018", "示例刑-019", "示例民-008", "示例民-009"}
    assert found.total == 4
    assert found.error_types == {"滥用不起诉权": 1, "适用法律错误": 1, "事实认定错误": 1, "超越权限行使": 1}
    assert found.misused_powers["作出附条件不起诉决定"] == 1


def test_filter_by_error_type_and_by_misused_power(records: RecordStore) -> None:
    by_error = list_warning_cases(records, error_types=["超越权限行使"])
    assert [s.entry.number for s in by_error.items] == ["示例民-009"]
    # The facet of the filtered field still lists its alternatives; the other facet narrows.
    assert set(by_error.error_types) == {"滥用不起诉权", "适用法律错误", "事实认定错误", "超越权限行使"}
    assert by_error.misused_powers == {"决定支持起诉并发出支持起诉意见书": 1}
    by_power = list_warning_cases(records, misused_powers=["作出酌定不起诉决定", "作出附条件不起诉决定"])
    assert {s.entry.number for s in by_power.items} == {"示例刑-018", "示例刑-019"}
    both = list_warning_cases(records, error_types=["适用法律错误"], misused_powers=["作出酌定不起诉决定"])
    assert both.total == 0 and both.items == []


def test_filter_by_line(records: RecordStore) -> None:
    civil = list_warning_cases(records, line=["民事检察"])
    assert {s.entry.number for s in civil.items} == {"示例民-008", "示例民-009"}
