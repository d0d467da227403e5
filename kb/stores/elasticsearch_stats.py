"""Facet counts and meta statistics of the Elasticsearch store, answered with aggregations.

Entry counts use a `cardinality` aggregation on meta.entry_id with the highest precision threshold (40 000):
exact below that many distinct entries per bucket, within a few per cent above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kb.stores.elasticsearch_base import EsPlumbing
from kb.stores.elasticsearch_filters import translate_filters

MAX_BUCKETS = 10_000
_PRECISION = 40_000
_TYPE_NAMES = {
    "keyword": "keyword",
    "long": "int",
    "integer": "int",
    "short": "int",
    "byte": "int",
    "double": "float",
    "float": "float",
    "half_float": "float",
    "boolean": "boolean",
    "date": "date",
}


def _bucket_value(bucket: dict[str, Any], field_type: str | None) -> Any:
    if field_type == "boolean":
        return bucket.get("key_as_string") == "true" or bucket.get("key") == 1
    if field_type == "date":
        return bucket.get("key_as_string", bucket.get("key"))
    return bucket.get("key")


class FacetStatsMixin(EsPlumbing):
    """Aggregations over the live index (through the alias)."""

    def _field_types(self) -> dict[str, str]:
        """meta field name -> ES type, from the live index's mapping."""
        mapping: Any = self._run("读取映射", lambda c: c.indices.get_mapping(index=self.alias))
        types: dict[str, str] = {}
        for index_body in dict(mapping).values():
            meta = index_body["mappings"].get("properties", {}).get("meta", {})
            _flatten(meta.get("properties", {}), "", types)
        return types

    def facet_counts(
        self,
        fields: Sequence[str],
        *,
        filters: dict[str, Any] | None = None,
        within_ids: Sequence[str] | None = None,
        group_by: str | None = "entry_id",
    ) -> dict[str, dict[str, int]]:
        """For each field, how many distinct `group_by` values (entries, not chunks) have each value.

        Same contract as SqliteDocumentStore.facet_counts: {field: {str(value): count}}, values ordered by count
        (descending) then value; documents without `group_by` count on their own; within_ids=[] counts nothing.
        """
        names = [f.removeprefix("meta.") for f in fields]
        result: dict[str, dict[str, int]] = {name: {} for name in names}
        if not names or (within_ids is not None and len(within_ids) == 0):
            return result
        conditions: list[dict[str, Any]] = []
        clause = translate_filters(filters)
        if clause is not None:
            conditions.append(clause)
        if within_ids is not None:
            conditions.append({"ids": {"values": list(within_ids)}})
        sub: dict[str, Any] = {}
        if group_by:
            group = f"meta.{group_by.removeprefix('meta.')}"
            sub = {
                "entries": {"cardinality": {"field": group, "precision_threshold": _PRECISION}},
                "loose": {"missing": {"field": group}},
            }
        aggs = {
            f"f{i}": {"terms": {"field": f"meta.{name}", "size": MAX_BUCKETS}, **({"aggs": sub} if sub else {})}
            for i, name in enumerate(names)
        }
        body = self._search("统计", query={"bool": {"filter": conditions}}, size=0, aggs=aggs, track_total_hits=False)
        types = self._field_types()
        for i, name in enumerate(names):
            counts: list[tuple[str, int]] = []
            for bucket in body["aggregations"][f"f{i}"]["buckets"]:
                value = _bucket_value(bucket, types.get(name))
                count = (
                    int(bucket["entries"]["value"]) + int(bucket["loose"]["doc_count"])
                    if sub
                    else int(bucket["doc_count"])
                )
                counts.append((str(value), count))
            result[name] = dict(sorted(counts, key=lambda kv: (-kv[1], kv[0])))
        return result

    def count_unique_metadata_by_filter(self, filters: dict[str, Any], metadata_fields: list[str]) -> dict[str, int]:
        names = [f.removeprefix("meta.") for f in metadata_fields]
        clause = translate_filters(filters)
        aggs = {
            f"f{i}": {"cardinality": {"field": f"meta.{name}", "precision_threshold": _PRECISION}}
            for i, name in enumerate(names)
        }
        body = self._search(
            "统计", query={"bool": {"filter": [clause] if clause else []}}, size=0, aggs=aggs, track_total_hits=False
        )
        return {name: int(body["aggregations"][f"f{i}"]["value"]) for i, name in enumerate(names)}

    def get_metadata_fields_info(self) -> dict[str, dict[str, str]]:
        """Meta fields and their type (keyword, int, float, boolean, date); nested fields are dotted."""
        return {name: {"type": _TYPE_NAMES.get(kind, kind)} for name, kind in self._field_types().items()}

    def get_metadata_field_min_max(self, metadata_field: str) -> dict[str, Any]:
        name = metadata_field.removeprefix("meta.")
        field = f"meta.{name}"
        kind = self._field_types().get(name)
        if kind is None:
            return {"min": None, "max": None}
        if kind == "keyword":
            aggs = {
                "low": {"terms": {"field": field, "size": 1, "order": {"_key": "asc"}}},
                "high": {"terms": {"field": field, "size": 1, "order": {"_key": "desc"}}},
            }
            body = self._search("统计", size=0, aggs=aggs, track_total_hits=False)
            low, high = body["aggregations"]["low"]["buckets"], body["aggregations"]["high"]["buckets"]
            return {"min": low[0]["key"] if low else None, "max": high[0]["key"] if high else None}
        body = self._search("统计", size=0, aggs={"s": {"stats": {"field": field}}}, track_total_hits=False)
        stats = body["aggregations"]["s"]
        if not stats.get("count"):
            return {"min": None, "max": None}
        low, high = stats["min"], stats["max"]
        if kind == "int":
            low, high = int(low), int(high)
        return {"min": low, "max": high}

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
        kind = self._field_types().get(name)
        clause = translate_filters(filters)
        body = self._search(
            "统计",
            query={"bool": {"filter": [clause] if clause else []}},
            size=0,
            aggs={"v": {"terms": {"field": f"meta.{name}", "size": MAX_BUCKETS}}},
            track_total_hits=False,
        )
        values = [_bucket_value(b, kind) for b in body["aggregations"]["v"]["buckets"]]
        if search_term:
            needle = search_term.lower()
            values = [v for v in values if needle in str(v).lower()]
        values.sort(key=lambda v: (str(v), type(v).__name__))
        return values[from_ : from_ + size], len(values)


def _flatten(properties: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    for name, spec in properties.items():
        if name.startswith("_"):
            continue
        if "properties" in spec:
            _flatten(spec["properties"], f"{prefix}{name}.", out)
        elif spec.get("index", True) is not False:
            out[f"{prefix}{name}"] = spec.get("type", "object")
