"""`FileReport.error_line`: a failed file's error in one line, named once."""

from __future__ import annotations

from ingest.errors import ParseError
from ingest.pipeline import FileReport
from kb.errors import KBError


def test_a_detail_that_names_the_file_is_not_prefixed_again() -> None:
    report = FileReport(name="乱码.md", status="failed", error=ParseError("乱码.md", "不是文本文件"))
    assert report.error.detail.startswith("乱码.md")  # type: ignore[union-attr]
    assert report.error_line() == report.error.detail  # type: ignore[union-attr]
    assert report.error_line().count("乱码.md") == 1


def test_a_detail_without_the_name_is_led_by_it() -> None:
    report = FileReport(name="检例第1号.md", status="failed", error=KBError("索引暂不可用"))
    assert report.error_line() == "检例第1号.md：索引暂不可用"


def test_no_error_is_an_empty_line() -> None:
    assert FileReport(name="a.md", status="created").error_line() == ""
