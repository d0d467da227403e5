"""Facet counts and meta statistics of the SQLite store, answered from `doc_facets`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Hashable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.stores.sqlite_filters import decode_facet, translate_filters


class MetaStatsMixin:
    """Needs `_read()`, a context manager yielding a read connection."""

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _filtered_keys_for(self, filters: dict[str, Any]) -> npt.NDArray[np.int64]:
        raise NotImplementedError

    def _cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """compute(), memoised until the next write to the index."""
        raise NotImplementedError

    def facet_counts(
        self,
        fields: Sequence[str],
        *,
        filters: dict[str, Any] | None = None,
        within_ids: Sequence[str] | None = None,
        group_by: str | None = "entry_id",
    ) -> dict[str, dict[str, int]]:
        """For each field, how many distinct `group_by` values (entries, not chunks) have each value.

        :param fields: meta fields, with or without the `meta.` prefix (the result uses names without it).
        :param filters: count only documents matching these filters.
        :param within_ids: count only these documents (e.g. the chunks a search returned); [] counts nothing.
        :param group_by: the meta field that identifies an entry; documents without it count on their own.
            None counts documents.
        :returns: {field: {str(value): count}}, values ordered by count (descending), then value. List values
            count once per element; every requested field is present, possibly empty.
        """
        names = [f.removeprefix("meta.") for f in fields]
        if within_ids is None:  # counts over the whole index (or a filter) change only with a write: memoise them
            key = ("facet_counts", tuple(names), json.dumps(filters, sort_keys=True, default=str), group_by)
            cached: dict[str, dict[str, int]] = self._cached(
                key, lambda: self._facet_counts(names, filters, None, group_by)
            )
            return {name: dict(values) for name, values in cached.items()}
        return self._facet_counts(names, filters, within_ids, group_by)

    def _facet_counts(
        self,
        names: list[str],
        filters: dict[str, Any] | None,
        within_ids: Sequence[str] | None,
        group_by: str | None,
    ) -> dict[str, dict[str, int]]:
        result: dict[str, dict[str, int]] = {name: {} for name in names}
        if not names or (within_ids is not None and len(within_ids) == 0):
            return result
        params: list[Any] = []
        if within_ids is not None:
            # drive the join from the (few) candidate documents through the (pk, field) index
            with self._read() as conn:
                packed = conn.execute(
                    "SELECT group_concat(pk) FROM docs WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps(list(within_ids), ensure_ascii=False),),
                ).fetchone()[0]
            keys = np.array(packed.split(",") if packed else [], dtype=np.int64)
            if filters:
                keys = np.intersect1d(np.unique(keys), self._filtered_keys_for(filters), assume_unique=True)
            candidates = "SELECT value AS pk FROM json_each(?)"
            params.append(json.dumps(keys.tolist()))
        elif filters:
            candidates = "SELECT value AS pk FROM json_each(?)"
            params.append(json.dumps(self._filtered_keys_for(filters).tolist()))
        else:
            candidates = ""
        params.append(json.dumps(names, ensure_ascii=False))
        if group_by:
            counted = "COUNT(DISTINCT COALESCE(g.value, '#' || f.pk))"
            join = "LEFT JOIN doc_facets AS g ON g.pk = f.pk AND g.field = ?"
            params.append(group_by.removeprefix("meta."))
        else:
            counted, join = "COUNT(DISTINCT f.pk)", ""
        source = f"({candidates}) AS c CROSS JOIN doc_facets AS f ON f.pk = c.pk" if candidates else "doc_facets AS f"
        sql = (
            f"SELECT f.field, f.value, f.vtype, {counted} FROM {source} {join}"
            " WHERE f.field IN (SELECT value FROM json_each(?)) GROUP BY f.field, f.vtype, f.value"
        )
        if join:  # the group_by name is bound after the field list in the SQL text; keep params in text order
            params[-2], params[-1] = params[-1], params[-2]
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        for name, value, vtype, count in sorted(rows, key=lambda r: (-r[3], str(r[1]))):
            key = str(decode_facet(value, vtype))
            bucket = result[name]
            bucket[key] = bucket.get(key, 0) + int(count)
        return result

    def count_unique_metadata_by_filter(self, filters: dict[str, Any], metadata_fields: list[str]) -> dict[str, int]:
        """Distinct values per field among the matching documents (list elements count individually)."""
        names = [f.removeprefix("meta.") for f in metadata_fields]
        clause = translate_filters(filters)
        sql = (
            "SELECT field, COUNT(*) FROM (SELECT DISTINCT f.field, f.vtype, f.value FROM doc_facets AS f"
            " WHERE f.field IN (SELECT value FROM json_each(?))"
        )
        params: list[Any] = [json.dumps(names, ensure_ascii=False)]
        if clause is not None:
            sql += f" AND f.pk IN (SELECT d.pk FROM docs AS d WHERE {clause.sql})"
            params.extend(clause.params)
        sql += ") GROUP BY field"
        with self._read() as conn:
            counts = dict(conn.execute(sql, params).fetchall())
        return {name: int(counts.get(name, 0)) for name in names}

    def get_metadata_fields_info(self) -> dict[str, dict[str, str]]:
        """Meta fields and their type: keyword, float, int or boolean (nested fields are dotted)."""
        with self._read() as conn:
            rows = conn.execute("SELECT DISTINCT field, vtype FROM doc_facets").fetchall()
        kinds: dict[str, set[str]] = {}
        for name, vtype in rows:
            kinds.setdefault(name, set()).add(vtype)
        order = (("s", "keyword"), ("f", "float"), ("i", "int"), ("b", "boolean"))
        return {name: {"type": next(label for code, label in order if code in found)} for name, found in kinds.items()}

    def get_metadata_field_min_max(self, metadata_field: str) -> dict[str, Any]:
        """Smallest and largest value of a field: numbers if it has any, else strings; None when it has neither."""
        name = metadata_field.removeprefix("meta.")
        with self._read() as conn:
            for vtypes in ("('i', 'f')", "('s')"):
                low, high = conn.execute(
                    f"SELECT MIN(value), MAX(value) FROM doc_facets WHERE field = ? AND vtype IN {vtypes}", (name,)
                ).fetchone()
                if low is not None:
                    return {"min": low, "max": high}
        return {"min": None, "max": None}

    def get_metadata_field_unique_values(
        self,
        metadata_field: str,
        search_term: str | None = None,
        from_: int = 0,
        size: int = 10,
        filters: dict[str, Any] | None = None,
    ) -> tuple[list[Any], int]:
        """A page of a field's distinct values (sorted by their text), and how many there are in all."""
        name = metadata_field.removeprefix("meta.")
        clause = translate_filters(filters)
        sql = "SELECT DISTINCT f.vtype, f.value FROM doc_facets AS f WHERE f.field = ?"
        params: list[Any] = [name]
        if clause is not None:
            sql += f" AND f.pk IN (SELECT d.pk FROM docs AS d WHERE {clause.sql})"
            params.extend(clause.params)
        with self._read() as conn:
            values = [(vtype, decode_facet(value, vtype)) for vtype, value in conn.execute(sql, params)]
        if search_term:
            needle = search_term.lower()
            values = [(t, v) for t, v in values if needle in str(v).lower()]
        values.sort(key=lambda tv: (str(tv[1]), tv[0]))
        return [v for _, v in values[from_ : from_ + size]], len(values)
