"""JSON (.json: one object or a list of objects) and JSON Lines (.jsonl: one object per line).

A .json file that holds JSON Lines (a common export mistake) is read as JSON Lines (format "jsonl").

Nesting is measured before parsing, so `[[[[...` a hundred thousand levels deep is a ParseError, not a
RecursionError. Error messages give the line (and column) in Chinese.
"""

from __future__ import annotations

import json
import logging
import re
from itertools import accumulate
from typing import Any

from ingest.errors import ParseError
from ingest.readers.base import RawDocument
from ingest.readers.encoding import decode_text
from ingest.readers.problems import empty_file

logger = logging.getLogger(__name__)

MAX_DEPTH = 50
_MAX_BAD_LINES_SHOWN = 5

# Possessive, closing quote optional: linear even on a string that never ends.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_JSON_MESSAGES = (
    ("Expecting value", "缺少值或含有非法字符"),
    ("Expecting ',' delimiter", "缺少逗号"),
    ("Expecting ':' delimiter", "缺少冒号"),
    ("Expecting property name enclosed in double quotes", "属性名必须用英文双引号括起来"),
    ("Unterminated string", "字符串缺少结束引号"),
    ("Invalid control character", "字符串中含有控制字符"),
    ("Invalid \\escape", "无效的转义字符"),
    ("Invalid \\uXXXX escape", "无效的 \\u 转义"),
    ("Extra data", "JSON 结束后还有多余内容"),
    ("Illegal trailing comma", "多余的逗号"),
)


def read_json(data: bytes, source: str) -> RawDocument:
    text, encoding = _decode(data, source)
    if not text.strip():
        raise empty_file(source, "JSON 文件只有空白字符，没有可导入的内容")
    try:
        value = _parse(text, source, where="")
    except ParseError as exc:
        if not _looks_like_json_lines(exc):
            raise
        try:  # JSON Lines saved as .json: one document per line
            return read_jsonl(data, source)
        except ParseError:
            raise exc from None
    if isinstance(value, dict):
        records = [value]
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise ParseError(source, f"JSON 数组的第 {index} 项不是对象（应为 {{…}}）")
        records = value
    else:
        raise ParseError(source, "JSON 顶层必须是对象或对象数组")
    if not records:
        raise empty_file(source, "JSON 数组为空，没有可导入的记录")
    return RawDocument(source=source, format="json", records=records, encoding=encoding)


def read_jsonl(data: bytes, source: str) -> RawDocument:
    text, encoding = _decode(data, source)
    records: list[dict[str, Any]] = []
    bad: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _parse(line, source, where=f"第 {number} 行")
            if not isinstance(value, dict):
                raise ParseError(source, f"第 {number} 行不是 JSON 对象（应为 {{…}}）")
        except ParseError as exc:
            bad.append((number, exc.detail.removeprefix(f"{source}：")))
            continue
        records.append(value)
    if bad:
        first = bad[0][1]
        if len(bad) > 1:
            shown = "、".join(str(number) for number, _ in bad[:_MAX_BAD_LINES_SHOWN])
            more = " 等" if len(bad) > _MAX_BAD_LINES_SHOWN else ""
            first += f"（共 {len(bad)} 行有误：第 {shown}{more} 行）"
        raise ParseError(source, first, line=bad[0][0])
    if not records:
        raise empty_file(source, "JSONL 文件中没有任何记录")
    return RawDocument(source=source, format="jsonl", records=records, encoding=encoding)


def _looks_like_json_lines(exc: ParseError) -> bool:
    """The first document parsed and ended at a line end: "Extra data" at the start of a later line."""
    cause = exc.__cause__
    return (
        isinstance(cause, json.JSONDecodeError)
        and cause.msg.startswith("Extra data")
        and cause.lineno > 1
        and cause.doc[: cause.pos].rstrip(" \t").endswith("\n")
    )


def json_depth(text: str) -> int:
    """Deepest bracket nesting of a JSON text, ignoring brackets inside strings."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _decode(data: bytes, source: str) -> tuple[str, str]:
    decoded = decode_text(data, source)
    return decoded.text.replace("\r\n", "\n").removeprefix("\ufeff"), decoded.encoding


def _parse(text: str, source: str, *, where: str) -> Any:
    prefix = f"{where}：" if where else ""
    if json_depth(text) > MAX_DEPTH:
        raise ParseError(source, f"{prefix}JSON 嵌套超过 {MAX_DEPTH} 层，疑似异常文件，已拒绝导入")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        position = f"第 {exc.lineno} 行第 {exc.colno} 列" if not where else f"第 {exc.colno} 列"
        raise ParseError(source, f"{prefix}JSON 格式错误（{position}）：{_chinese(exc.msg)}") from exc
    except (ValueError, RecursionError) as exc:  # e.g. an integer longer than Python accepts
        logger.info("%s: json rejected: %r", source, exc)
        raise ParseError(source, f"{prefix}JSON 内容无法解析（数值过大或结构异常）") from exc


def _chinese(message: str) -> str:
    for english, chinese in _JSON_MESSAGES:
        if message.startswith(english):
            return chinese
    return "格式不正确"
