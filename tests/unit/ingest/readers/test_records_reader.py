from __future__ import annotations

import codecs
import json
import time

import pytest

from ingest.errors import EmptyFile, ParseError
from ingest.readers.records import MAX_DEPTH, json_depth, read_json, read_jsonl

CASE = {"title": "胡某某抢劫案", "number": "检例第103号", "keywords": ["未成年人", "抢劫"], "meta": {"year": 2021}}


def _dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def test_one_object_is_one_record() -> None:
    doc = read_json(_dump(CASE), "a.json")
    assert doc.records == [CASE]
    assert doc.format == "json"
    assert doc.text == ""


def test_list_of_objects() -> None:
    assert read_json(_dump([CASE, {"title": "第二件"}]), "a.json").records == [CASE, {"title": "第二件"}]


@pytest.mark.parametrize("data", [codecs.BOM_UTF8 + _dump(CASE), json.dumps(CASE, ensure_ascii=False).encode("gbk")])
def test_bom_and_gbk_json_are_decoded(data: bytes) -> None:
    assert read_json(data, "a.json").records == [CASE]


def test_json_lines_saved_as_json_are_read_as_json_lines() -> None:
    doc = read_json(_dump(CASE) + b"\n" + _dump({"title": "第二件"}) + b"\n", "query.json")
    assert doc.records == [CASE, {"title": "第二件"}]
    assert doc.format == "jsonl"


def test_two_documents_on_one_line_stay_a_json_error() -> None:
    with pytest.raises(ParseError, match="多余内容"):
        read_json(b'{"a": 1} {"b": 2}\n{"c": 3}', "a.json")


def test_json_lines_in_json_with_a_bad_line_reports_the_json_error() -> None:
    with pytest.raises(ParseError, match="第 2 行第 1 列）：JSON 结束后还有多余内容"):
        read_json(b'{"a": 1}\n{"b": }\n', "a.json")


def test_a_list_item_that_is_not_an_object_is_named() -> None:
    with pytest.raises(ParseError, match="第 2 项不是对象"):
        read_json(b'[{"a": 1}, "text"]', "a.json")


@pytest.mark.parametrize("data", [b'"text"', b"42", b"null", b"true"])
def test_top_level_scalar_is_refused(data: bytes) -> None:
    with pytest.raises(ParseError, match="顶层必须是对象或对象数组"):
        read_json(data, "a.json")


@pytest.mark.parametrize("data", [b"[]", b"  \n "])
def test_nothing_to_import_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyFile, match=r"a\.json"):
        read_json(data, "a.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1,}', "第 1 行第 9 列"),
        (b'{"a": 1\n "b": 2}', "缺少逗号"),
        (b"{'a': 1}", "属性名必须用英文双引号"),
        (b'{"a": "unterminated}', "字符串缺少结束引号"),
        (b'{"a": 1} {"b": 2}', "多余内容"),
        (b'{"a": tru}', "缺少值"),
    ],
)
def test_invalid_json_gets_a_chinese_position(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        read_json(data, "坏.json")
    assert info.value.detail.startswith("坏.json：JSON 格式错误（第 ")
    assert "Expecting" not in info.value.detail


def test_deeply_nested_json_is_refused_without_recursion_error() -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    started = time.perf_counter()
    with pytest.raises(ParseError, match=f"嵌套超过 {MAX_DEPTH} 层"):
        read_json(data, "深.json")
    assert time.perf_counter() - started < 1


def test_unbalanced_deep_json_is_refused_too() -> None:
    with pytest.raises(ParseError, match="嵌套"):
        read_json(b'{"a":' * 100_000, "深.json")


def test_depth_limit_is_exact() -> None:
    ok: dict[str, object] = {"x": 1}
    for _ in range(MAX_DEPTH - 1):
        ok = {"x": ok}
    assert json_depth(json.dumps(ok)) == MAX_DEPTH
    assert read_json(_dump(ok), "a.json").records == [ok]
    with pytest.raises(ParseError, match="嵌套"):
        read_json(_dump({"x": ok}), "a.json")


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"a": "[[[[{{{{" * 100, "b": '\\"[[['})
    assert json_depth(text) == 1


def test_huge_integer_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="数值过大"):
        read_json(b'{"a": ' + b"9" * 5000 + b"}", "a.json")


def test_jsonl_one_object_per_line() -> None:
    data = _dump(CASE) + b"\r\n\n" + _dump({"title": "第二件"}) + b"\n"
    doc = read_jsonl(data, "a.jsonl")
    assert doc.records == [CASE, {"title": "第二件"}]
    assert doc.format == "jsonl"


def test_jsonl_bad_line_is_reported_by_number() -> None:
    lines = [_dump(CASE), _dump(CASE), '{"title": "坏行", }'.encode(), _dump(CASE)]
    with pytest.raises(ParseError) as info:
        read_jsonl(b"\n".join(lines), "批量.jsonl")
    assert info.value.detail.startswith("批量.jsonl：第 3 行：JSON 格式错误（第 ")
    assert info.value.context["line"] == 3


def test_jsonl_counts_all_bad_lines() -> None:
    lines = [b"{}", b"oops", b"{}", b"[1]", b"{"]
    with pytest.raises(ParseError, match="共 3 行有误：第 2、4、5 行") as info:
        read_jsonl(b"\n".join(lines), "a.jsonl")
    assert info.value.context["line"] == 2


def test_jsonl_line_that_is_not_an_object() -> None:
    with pytest.raises(ParseError, match="第 2 行不是 JSON 对象"):
        read_jsonl(b'{"a": 1}\n[1, 2]\n', "a.jsonl")


def test_jsonl_deep_line_is_refused() -> None:
    with pytest.raises(ParseError, match="第 2 行：JSON 嵌套超过"):
        read_jsonl(b"{}\n" + b"[" * 10_000 + b"]" * 10_000, "a.jsonl")


def test_jsonl_without_records_is_empty() -> None:
    with pytest.raises(EmptyFile):
        read_jsonl(b"\n  \n", "a.jsonl")


def test_jsonl_keeps_unicode_line_separators_inside_strings() -> None:
    record = {"text": "第一句\u2028第二句"}
    assert read_jsonl(_dump(record) + b"\n", "a.jsonl").records == [record]
