"""Power lists from tables. The rows were written for these tests (示例)."""

from __future__ import annotations

import logging

import pytest

from ingest.errors import ParseError
from ingest.parsers.power_list import find_header, looks_like_power_list, parse_power_list

TABLE: list[list[str | None]] = [
    ["某院检察官权力清单（示例）", None, None, None, None, None, None],
    [None, None, None, None, None, None, None],
    ["序号", "检察类别", "办案环节", "权力事项", "行使主体", "法律依据", "备注"],
    ["1", "刑事检察", "审查逮捕", "批准逮捕（一般案件）", "检察官", "《刑事诉讼法》第八十一条", "检察长委托"],
    ["2", "", "", "批准或者不批准逮捕（重大案件）", "检察长", "《刑事诉讼法》第八十九条", None],
    ["3", None, "审查起诉", "作出酌定不起诉决定", "检察长/检察委员会", "《刑事诉讼法》第一百七十七条", ""],
    ["序号", "检察类别", "办案环节", "权力事项", "行使主体", "法律依据", "备注"],
    ["4", "公益诉讼", "诉前程序", "发出行政公益诉讼诉前检察建议", "检察长", "《行政诉讼法》第二十五条", None],
    ["", "", "", "", "", "", ""],
    ["5", "未成年人检察", "审查起诉", "作出附条件不起诉决定", "检察官、部门负责人", "", ""],
]


def test_items_from_a_table_with_title_rows() -> None:
    entries = parse_power_list([TABLE], "清单.xlsx")
    assert [e.title for e in entries] == [
        "批准逮捕(一般案件)",
        "批准或者不批准逮捕(重大案件)",
        "作出酌定不起诉决定",
        "发出行政公益诉讼诉前检察建议",
        "作出附条件不起诉决定",
    ]
    first, second, third, fourth, fifth = entries
    assert first.kind == "power_item"
    assert (first.line, first.stage, first.power_subject) == ("刑事检察", "审查逮捕", "检察官")
    assert first.basis == "《刑事诉讼法》第八十一条"
    assert first.note == "检察长委托"
    # blank (merged) cells inherit from the row above
    assert (second.line, second.stage) == ("刑事检察", "审查逮捕")
    assert (third.line, third.stage) == ("刑事检察", "审查起诉")
    assert third.power_subject == "检察长/检察委员会"
    assert third.note is None
    assert (fourth.line, fourth.stage) == ("公益诉讼检察", "诉前程序")
    assert (fifth.line, fifth.sub_line) == ("刑事检察", "未成年人检察")
    assert fifth.basis is None
    assert fifth.sections[0].key == "item"
    assert "行使主体：检察官、部门负责人" in fifth.sections[0].text
    assert all(e.source == "清单.xlsx" for e in entries)


@pytest.mark.parametrize(
    "header",
    [
        ["事项", "行使主体"],
        ["职权事项", "决定主体"],
        ["权力名称", "权力主体"],
        ["事项名称", "行使人"],
        ["权力事项", "业务类别"],
        ["事项", "条线"],
    ],
)
def test_header_synonyms(header: list[str]) -> None:
    table = [header, ["审查逮捕", "检察官"]]
    assert find_header(table) is not None
    (entry,) = parse_power_list([table], "x.csv")
    assert entry.title == "审查逮捕"


def test_group_heading_rows_set_the_line() -> None:
    table: list[list[str | None]] = [
        ["权力事项", "行使主体", "依据"],
        ["一、民事检察", "", ""],
        ["决定支持起诉", "检察长", "《民事诉讼法》第十五条"],
        ["二、行政检察", None, None],
        ["提出再审检察建议", "检察委员会", ""],
    ]
    entries = parse_power_list([table], "x.docx")
    assert [(e.title, e.line) for e in entries] == [("决定支持起诉", "民事检察"), ("提出再审检察建议", "行政检察")]


def test_unknown_subject_is_kept_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    table = [["事项", "行使主体"], ["审批", "办公室主任"]]
    with caplog.at_level(logging.WARNING):
        (entry,) = parse_power_list([table], "x.csv")
    assert entry.power_subject == "办公室主任"
    assert "办公室主任" in caplog.text


def test_table_without_headers_names_the_file_and_the_headers_found() -> None:
    table = [["姓名", "年龄"], ["张三", "30"]]
    assert not looks_like_power_list([table])
    with pytest.raises(ParseError) as info:
        parse_power_list([table], "人员.xlsx")
    assert "人员.xlsx" in info.value.detail
    assert "姓名、年龄" in info.value.detail


def test_tables_without_headers_are_skipped_when_another_has_them() -> None:
    entries = parse_power_list([[["说明"], ["本表为示例"]], TABLE], "x.docx")
    assert len(entries) == 5


def test_header_without_items_is_an_error() -> None:
    with pytest.raises(ParseError):
        parse_power_list([[["事项", "行使主体"]]], "x.csv")
