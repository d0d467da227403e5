"""Haystack 2.x filters translated to SQL for the SQLite store, plus the meta flattening both sides rely on.

Every scalar meta value, and every element of a list value, is stored as one row of `doc_facets(field, value, vtype,
pk)`; nested dicts become dotted field names (`{"court": {"level": 2}}` -> `court.level`). Filters on meta fields are
answered from that table through its `(field, value)` primary key, so they are index lookups rather than JSON scans.

Semantics (they follow Haystack's in-memory store except where a value is a list):

- `==` / `!=` on a list value mean "contains" / "does not contain"; `in` / `not in` mean "any overlap" / "no overlap";
  `>`, `>=`, `<`, `<=` hold when any element compares true.
- A missing field is `!=` to every value and `not in` every list; `== None` matches missing and null values only.
- Ordering comparisons accept numbers and ISO 8601 dates (compared as points in time with SQLite's `julianday`, so
  `2023-05-06` and `2023-05-06T00:00:00` are equal). Any other string, a list, or a dict is an invalid filter.
  Naive datetimes are taken as UTC (Haystack copies the other side's time zone instead; we never mix the two).
- Values are bound as parameters; field names are bound too (as facet keys or JSON paths), never spliced into SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import dateutil.parser
import numpy as np
import numpy.typing as npt
from haystack.errors import FilterError

from kb.errors import InvalidFilter

COMPARISON_OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "in", "not in")
LOGICAL_OPERATORS = ("AND", "OR", "NOT")
# Document attributes that are not filterable here.
_UNFILTERABLE = frozenset({"embedding", "sparse_embedding", "blob", "score"})
# Keys of a Document's meta that carry index text and are never stored as meta.
INDEX_TEXT_KEYS = ("_tokens", "_title_tokens")

# vtype codes stored next to each facet value, so that 1, 1.0, True and "1" stay distinct when values are listed.
VTYPE_BOOL, VTYPE_INT, VTYPE_FLOAT, VTYPE_STR = "b", "i", "f", "s"
_MAX_INT = 2**63 - 1


class FilterSyntaxError(InvalidFilter, FilterError):
    """A filter this store cannot run. A `KBError` for our API and a `FilterError` for Haystack's callers."""


@dataclass(frozen=True)
class SqlClause:
    """A boolean SQL expression and its positional parameters."""

    sql: str
    params: tuple[Any, ...] = ()


TRUE = SqlClause("1")
FALSE = SqlClause("0")


# ---------------------------------------------------------------------------------------------------------------------
# Index side: meta -> facet rows


def facet_value(value: Any) -> tuple[Any, str] | None:
    """The stored form of one scalar meta value and its vtype, or None if it is not indexed (None, NaN)."""
    if isinstance(value, bool):
        return int(value), VTYPE_BOOL
    if isinstance(value, int):
        if -_MAX_INT <= value <= _MAX_INT:
            return value, VTYPE_INT
        return float(value), VTYPE_FLOAT
    if isinstance(value, float):
        return None if math.isnan(value) else (value, VTYPE_FLOAT)
    if isinstance(value, str):
        return value, VTYPE_STR
    return None


def iter_facets(meta: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    """(field, value, vtype) for every scalar in `meta`, with list elements unrolled and dicts dotted."""
    for key, value in meta.items():
        if not prefix and key in INDEX_TEXT_KEYS:
            continue
        field = f"{prefix}{key}"
        yield from _iter_value(field, value)


def _iter_value(field: str, value: Any) -> Iterator[tuple[str, Any, str]]:
    if isinstance(value, dict):
        yield from iter_facets(value, prefix=f"{field}.")
    elif isinstance(value, list | tuple):
        for element in value:
            yield from _iter_value(field, element)
    else:
        stored = facet_value(value)
        if stored is not None:
            yield field, stored[0], stored[1]


def decode_facet(value: Any, vtype: str) -> Any:
    """The Python value of a stored facet."""
    if vtype == VTYPE_BOOL:
        return bool(value)
    if vtype == VTYPE_FLOAT:
        return float(value)
    return value


# ---------------------------------------------------------------------------------------------------------------------
# Query side: filters -> a tree of conditions -> SQL, or sets of keys


@dataclass(frozen=True)
class Facet:
    """Documents with a doc_facets row `field = <name> AND <where>` (params start with the name)."""

    where: str
    params: tuple[Any, ...]

    def select(self) -> SqlClause:
        return SqlClause(f"SELECT pk FROM doc_facets WHERE field = ? AND {self.where}", self.params)


@dataclass(frozen=True)
class Row:
    """Documents for which a boolean expression over `docs AS d` holds (it never yields NULL)."""

    sql: str
    params: tuple[Any, ...]

    def select(self) -> SqlClause:
        return SqlClause(f"SELECT d.pk FROM docs AS d WHERE {self.sql}", self.params)


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Facet | Row | Const | Not | And | Or
Keys = npt.NDArray[np.int64]


def parse_filters(filters: dict[str, Any] | None) -> Node | None:
    """The condition tree of a Haystack filter; None when there is no filter.

    Raises `FilterSyntaxError` (an `InvalidFilter` and a Haystack `FilterError`) with a Chinese message.
    """
    if filters is None or filters == {}:
        return None
    if not isinstance(filters, dict):
        msg = f"筛选条件必须是字典，收到 {type(filters).__name__}：{filters!r}"
        raise FilterSyntaxError(msg, filters=repr(filters))
    return _Parser().node(filters)


def translate_filters(filters: dict[str, Any] | None) -> SqlClause | None:
    """A WHERE expression over `docs AS d` selecting the documents that match `filters`; None when no filter."""
    tree = parse_filters(filters)
    return None if tree is None else to_sql(tree)


def to_sql(node: Node) -> SqlClause:
    if isinstance(node, Facet):
        select = node.select()
        return SqlClause(f"d.pk IN ({select.sql})", select.params)
    if isinstance(node, Row):
        return SqlClause(node.sql, node.params)
    if isinstance(node, Const):
        return TRUE if node.value else FALSE
    if isinstance(node, Not):
        inner = to_sql(node.child)
        return SqlClause(f"NOT ({inner.sql})", inner.params)
    if isinstance(node, And):
        return _join([to_sql(c) for c in node.children], " AND ", empty=TRUE)
    return _join([to_sql(c) for c in node.children], " OR ", empty=FALSE)


def matching_keys(node: Node, fetch: Callable[[SqlClause], Keys], universe: Callable[[], Keys]) -> Keys:
    """The sorted keys of the documents matching `node`, computed as set algebra over per-leaf key sets.

    `fetch` runs a leaf's SELECT and returns its keys sorted and unique; `universe` returns every key. This avoids
    probing the wide `docs` rows once per candidate, which is what makes a broad filter slow in plain SQL.
    """
    if isinstance(node, Facet | Row):
        return fetch(node.select())
    if isinstance(node, Const):
        return universe() if node.value else np.zeros(0, dtype=np.int64)
    if isinstance(node, Not):
        return np.setdiff1d(universe(), matching_keys(node.child, fetch, universe), assume_unique=True)
    if isinstance(node, Or):
        result = np.zeros(0, dtype=np.int64)
        for child in node.children:
            result = sorted_union(result, matching_keys(child, fetch, universe))
        return result
    positive = [c for c in node.children if not isinstance(c, Not)]
    negative = [c.child for c in node.children if isinstance(c, Not)]
    result = matching_keys(positive[0], fetch, universe) if positive else universe()
    for child in positive[1:]:
        if len(result) == 0:
            return result
        result = np.intersect1d(result, matching_keys(child, fetch, universe), assume_unique=True)
    for child in negative:
        if len(result) == 0:
            return result
        result = np.setdiff1d(result, matching_keys(child, fetch, universe), assume_unique=True)
    return result


def sorted_unique(keys: Keys) -> Keys:
    """Sorted, duplicate-free copy (cheaper than np.unique's hashing for the already-sorted lists SQL returns)."""
    if len(keys) < 2:
        return keys
    if not bool(np.all(keys[1:] > keys[:-1])):
        keys = np.sort(keys)
        keep = np.empty(len(keys), dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
    return keys


def sorted_union(a: Keys, b: Keys) -> Keys:
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    return sorted_unique(np.concatenate([a, b]))


class _Parser:
    def node(self, condition: Any) -> Node:
        if not isinstance(condition, dict):
            msg = f"筛选条件必须是字典，收到 {type(condition).__name__}：{condition!r}"
            raise FilterSyntaxError(msg)
        if "field" in condition:
            return self.comparison(condition)
        return self.logical(condition)

    def logical(self, condition: dict[str, Any]) -> Node:
        if "operator" not in condition:
            msg = f"筛选条件缺少 'operator'：{condition!r}"
            raise FilterSyntaxError(msg)
        if "conditions" not in condition:
            msg = f"逻辑筛选条件缺少 'conditions'：{condition!r}"
            raise FilterSyntaxError(msg)
        operator = condition["operator"]
        conditions = condition["conditions"]
        if operator not in LOGICAL_OPERATORS:
            msg = f"不支持的逻辑运算符 {operator!r}，可用：AND、OR、NOT"
            raise FilterSyntaxError(msg)
        if not isinstance(conditions, list):
            msg = f"'conditions' 必须是列表，收到 {type(conditions).__name__}：{conditions!r}"
            raise FilterSyntaxError(msg)
        parts = tuple(self.node(c) for c in conditions)
        if operator == "OR":
            return Or(parts)
        return And(parts) if operator == "AND" else Not(And(parts))

    def comparison(self, condition: dict[str, Any]) -> Node:
        field = condition["field"]
        if "operator" not in condition:
            msg = f"筛选条件缺少 'operator'：{condition!r}"
            raise FilterSyntaxError(msg)
        if "value" not in condition:
            msg = f"筛选条件缺少 'value'：{condition!r}"
            raise FilterSyntaxError(msg)
        operator, value = condition["operator"], condition["value"]
        if not isinstance(field, str) or not field.strip():
            msg = f"筛选字段必须是非空字符串，收到 {field!r}"
            raise FilterSyntaxError(msg)
        if operator not in COMPARISON_OPERATORS:
            msg = f"不支持的比较运算符 {operator!r}（字段 {field}），可用：{'、'.join(COMPARISON_OPERATORS)}"
            raise FilterSyntaxError(msg)
        column = self.column(field)
        if column is not None:
            return self.column_comparison(column, field, operator, value)
        return self.meta_comparison(field.removeprefix("meta."), operator, value)

    @staticmethod
    def column(field: str) -> str | None:
        if field in ("id", "content"):
            return f"d.{field}"
        if field in _UNFILTERABLE:
            msg = f"不能按字段 {field!r} 筛选；可用字段：id、content、meta.<名称>"
            raise FilterSyntaxError(msg)
        if field == "meta" or (field.startswith("meta.") and not field.removeprefix("meta.")):
            msg = f"筛选字段 {field!r} 缺少元数据名称，应写作 meta.<名称>"
            raise FilterSyntaxError(msg)
        return None

    # --- plain columns (id, content) -------------------------------------------------------------------------------

    @staticmethod
    def column_comparison(column: str, field: str, operator: str, value: Any) -> Node:
        if operator in ("==", "!="):
            scalar = _scalar(field, operator, value)
            return Row(f"{column} IS ?" if operator == "==" else f"{column} IS NOT ?", (scalar,))
        if operator in ("in", "not in"):
            values = _list(field, operator, value)
            payload = json.dumps([v for v in values if v is not None], ensure_ascii=False)
            sql = f"COALESCE({column} IN (SELECT value FROM json_each(?)), 0)"
            if None in values:
                sql = f"({sql} OR {column} IS NULL)"
            present = Row(sql, (payload,))
            return present if operator == "in" else Not(present)
        bound = _ordering_value(field, operator, value)
        if bound is None:
            return Const(False)
        if isinstance(bound, str):
            return Row(f"COALESCE(julianday({column}) {operator} julianday(?), 0)", (bound,))
        return Row(f"COALESCE(typeof({column}) IN ('integer', 'real') AND {column} {operator} ?, 0)", (bound,))

    # --- meta fields (doc_facets) ----------------------------------------------------------------------------------

    @staticmethod
    def is_null(name: str) -> Row:
        return Row("COALESCE(json_type(d.meta, ?), 'null') = 'null'", (_json_path(name),))

    def meta_comparison(self, name: str, operator: str, value: Any) -> Node:
        node: Node
        if operator in ("==", "!="):
            scalar = _scalar(f"meta.{name}", operator, value)
            if scalar is None:
                node = self.is_null(name)
            elif isinstance(scalar, str) and _looks_like_iso_date(scalar):
                # the same instant written differently (2023-05-06 vs 2023-05-06T00:00:00) is equal, as in Haystack
                node = Facet("(value = ? OR (vtype = 's' AND julianday(value) = julianday(?)))", (name, scalar, scalar))
            else:
                node = Facet("value = ?", (name, scalar))
            return node if operator == "==" else Not(node)
        if operator in ("in", "not in"):
            values = _list(f"meta.{name}", operator, value)
            non_null = [v for v in values if v is not None]
            parts: list[Node] = []
            if non_null:
                payload = json.dumps(non_null, ensure_ascii=False)
                parts.append(Facet("value IN (SELECT value FROM json_each(?))", (name, payload)))
            if len(non_null) < len(values):
                parts.append(self.is_null(name))
            node = parts[0] if len(parts) == 1 else Or(tuple(parts))
            return node if operator == "in" else Not(node)
        bound = _ordering_value(f"meta.{name}", operator, value)
        if bound is None:
            return Const(False)
        if isinstance(bound, str):
            return Facet(f"vtype = 's' AND julianday(value) {operator} julianday(?)", (name, bound))
        # numbers sort before text in SQLite, so `value <= 9e999` (infinity) keeps a '>' range scan on numbers
        return Facet(f"value {operator} ? AND value <= 9e999 AND vtype IN ('i', 'f')", (name, bound))


def _join(parts: list[SqlClause], glue: str, *, empty: SqlClause) -> SqlClause:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    sql = glue.join(f"({p.sql})" for p in parts)
    params = tuple(v for p in parts for v in p.params)
    return SqlClause(sql, params)


def _scalar(field: str, operator: str, value: Any) -> Any:
    if isinstance(value, list | tuple | dict | set):
        msg = f"字段 {field} 的运算符 {operator!r} 需要单个值，收到 {value!r}；多个值请用 'in'"
        raise FilterSyntaxError(msg)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        msg = f"字段 {field} 的筛选值不能是 NaN"
        raise FilterSyntaxError(msg)
    if value is None or isinstance(value, str | int | float):
        stored = facet_value(value)
        return None if stored is None else stored[0]
    msg = f"字段 {field} 的筛选值类型不受支持：{type(value).__name__}（{value!r}）"
    raise FilterSyntaxError(msg)


def _list(field: str, operator: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        msg = f"字段 {field} 的运算符 {operator!r} 需要列表值，收到 {type(value).__name__}：{value!r}"
        raise FilterSyntaxError(msg)
    return [_scalar(field, operator, v) for v in value]


def _ordering_value(field: str, operator: str, value: Any) -> str | int | float | None:
    """The bound for >, >=, <, <=: a number, an ISO datetime string, or None (matches nothing)."""
    if value is None:
        return None
    if isinstance(value, list | tuple | dict | set):
        msg = f"字段 {field} 的运算符 {operator!r} 不能比较列表或字典：{value!r}"
        raise FilterSyntaxError(msg)
    if isinstance(value, bool):
        msg = f"字段 {field} 的运算符 {operator!r} 不能比较布尔值：{value!r}"
        raise FilterSyntaxError(msg)
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        parsed = _parse_date(value)
        if parsed is None:
            msg = f"字段 {field} 的运算符 {operator!r} 只能比较数字或 ISO 日期，收到字符串 {value!r}"
            raise FilterSyntaxError(msg)
        return parsed.isoformat()
    msg = f"字段 {field} 的筛选值类型不受支持：{type(value).__name__}（{value!r}）"
    raise FilterSyntaxError(msg)


def _parse_date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        parsed: datetime = dateutil.parser.isoparse(value)
        return parsed
    except (ValueError, OverflowError):
        return None


def _looks_like_iso_date(value: str) -> bool:
    return (
        len(value) >= 10
        and value[:4].isdigit()
        and value[4] == "-"
        and value[5:7].isdigit()
        and value[7] == "-"
        and value[8:10].isdigit()
        and (len(value) == 10 or value[10] in "Tt ")
    )


def _json_path(name: str) -> str:
    """`$."a"."b"` for meta field `a.b`. SQLite's JSON paths cannot escape a double quote inside a key."""
    if '"' in name:
        msg = f"筛选字段名不能包含双引号：{name!r}"
        raise FilterSyntaxError(msg)
    return "$" + "".join(f'."{part}"' for part in name.split("."))
