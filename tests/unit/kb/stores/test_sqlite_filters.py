"""Filter translation (kb.stores.sqlite_filters) and its semantics on a real store."""

from __future__ import annotations

from typing import Any

import pytest
from haystack import Document
from haystack.errors import FilterError

from kb.errors import InvalidFilter, KBError
from kb.stores.sqlite import SqliteDocumentStore
from kb.stores.sqlite_filters import FilterSyntaxError, iter_facets, parse_filters, translate_filters


def ids(store: SqliteDocumentStore, filters: dict[str, Any]) -> list[str]:
    return [d.id for d in store.filter_documents(filters)]


def eq(field: str, value: Any, op: str = "==") -> dict[str, Any]:
    return {"field": field, "operator": op, "value": value}


class TestTranslation:
    def test_no_filter_is_none(self) -> None:
        assert translate_filters(None) is None
        assert translate_filters({}) is None

    def test_values_are_parameters_never_sql(self) -> None:
        hostile = "x'); DROP TABLE docs; --"
        clause = translate_filters(eq("meta.line", hostile))
        assert clause is not None
        assert hostile not in clause.sql
        assert hostile in clause.params

    def test_field_names_are_parameters_too(self) -> None:
        clause = translate_filters(eq("meta.a'); DROP TABLE docs; --", 1))
        assert clause is not None
        assert "DROP" not in clause.sql

    def test_error_is_both_kb_and_haystack_error(self) -> None:
        with pytest.raises(FilterSyntaxError) as caught:
            translate_filters({"operator": "XOR", "conditions": []})
        assert isinstance(caught.value, InvalidFilter)
        assert isinstance(caught.value, KBError)
        assert isinstance(caught.value, FilterError)
        assert "XOR" in caught.value.detail
        assert caught.value.code == "invalid_filter"

    @pytest.mark.parametrize(
        ("filters", "fragment"),
        [
            ({"conditions": []}, "operator"),
            ({"operator": "AND"}, "conditions"),
            ({"operator": "AND", "conditions": "x"}, "列表"),
            ({"field": "meta.x", "value": 1}, "operator"),
            ({"field": "meta.x", "operator": "=="}, "value"),
            (eq("meta.x", 1, "~="), "~="),
            (eq("meta.x", 1, "in"), "列表"),
            (eq("meta.x", (1, 2), "not in"), "列表"),
            (eq("meta.x", [1], ">"), "列表"),
            (eq("meta.x", "abc", ">="), "abc"),
            (eq("meta.x", True, "<"), "布尔"),
            (eq("meta.x", [1, 2]), "in"),
            (eq("embedding", 1), "embedding"),
            (eq("meta.", 1), "meta"),
            (eq("", 1), "非空"),
            (eq("meta.x", float("nan")), "NaN"),
            (eq('meta.a"b', None), "双引号"),
            (["not", "a", "dict"], "字典"),
        ],
    )
    def test_invalid_filters_raise_in_chinese(self, filters: Any, fragment: str) -> None:
        with pytest.raises(FilterSyntaxError) as caught:
            translate_filters(filters)
        assert fragment in caught.value.detail

    def test_facets_unroll_lists_and_dot_nested_dicts(self) -> None:
        meta = {"charges": ["盗窃罪", "诈骗罪"], "court": {"level": 2, "name": "某法院"}, "flag": True, "none": None}
        assert sorted(iter_facets(meta)) == [
            ("charges", "盗窃罪", "s"),
            ("charges", "诈骗罪", "s"),
            ("court.level", 2, "i"),
            ("court.name", "某法院", "s"),
            ("flag", 1, "b"),
        ]

    def test_index_text_keys_are_not_facets(self) -> None:
        assert list(iter_facets({"_tokens": "a b", "_title_tokens": "c", "x": 1})) == [("x", 1, "i")]


class TestSemantics:
    def test_list_equality_means_contains(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.charges", "盗窃罪")) == ["c1", "c2", "c5"]
        assert ids(case_store, eq("meta.outcomes", "抗诉")) == ["c3"]

    def test_list_not_equal_means_does_not_contain(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.charges", "盗窃罪", "!=")) == ["c3", "c4", "c6", "c7", "c8"]

    def test_list_in_means_any_overlap(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.outcomes", ["抗诉", "不起诉"], "in")) == ["c3", "c7"]
        assert ids(case_store, eq("meta.charges", ["诈骗罪", "危险驾驶罪"], "not in")) == [
            "c1",
            "c2",
            "c4",
            "c5",
            "c6",
            "c8",
        ]
        assert ids(case_store, eq("meta.charges", [], "in")) == []

    def test_scalar_comparisons(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.line", "行政检察")) == ["c6"]
        assert ids(case_store, eq("meta.year", 2022, ">=")) == ["c3", "c5", "c7"]
        assert ids(case_store, eq("meta.year", 2020, "<")) == ["c6", "c8"]
        assert ids(case_store, eq("meta.year", 2021.0)) == ["c1", "c2"]
        assert ids(case_store, eq("meta.year", "2021")) == []  # a string is not the number

    def test_booleans_nested_and_none(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.illustrative", True)) == ["c4"]
        assert ids(case_store, eq("meta.court.level", 2)) == ["c6"]
        assert ids(case_store, eq("meta.charges", None)) == ["c4", "c6", "c8"]
        assert ids(case_store, eq("meta.charges", None, "!=")) == ["c1", "c2", "c3", "c5", "c7"]
        assert ids(case_store, eq("meta.year", None, ">")) == []
        assert ids(case_store, eq("meta.charges", [None, "诈骗罪"], "in")) == ["c3", "c4", "c6", "c8"]

    def test_dates_compare_as_instants(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.publish_date", "2018-05-06T00:00:00")) == ["c8"]
        assert ids(case_store, eq("meta.publish_date", "2018-05-05T23:00:00", ">")) == ["c8"]
        assert ids(case_store, eq("meta.publish_date", "2018-05-06T00:00:01", ">=")) == []

    def test_content_and_id_fields(self, case_store: SqliteDocumentStore) -> None:
        text = case_store.get_documents_by_id(["c6"])[0].content
        assert ids(case_store, eq("content", text)) == ["c6"]
        assert ids(case_store, eq("id", ["c2", "c7", "nope"], "in")) == ["c2", "c7"]
        assert ids(case_store, eq("id", "c1", "!=")) == ["c2", "c3", "c4", "c5", "c6", "c7", "c8"]

    def test_logic_nesting(self, case_store: SqliteDocumentStore) -> None:
        filters = {
            "operator": "AND",
            "conditions": [
                eq("meta.line", "刑事检察"),
                {
                    "operator": "OR",
                    "conditions": [eq("meta.year", 2023, ">="), eq("meta.outcomes", "抗诉")],
                },
                {"operator": "NOT", "conditions": [eq("meta.charges", "危险驾驶罪")]},
            ],
        }
        assert ids(case_store, filters) == ["c3", "c5"]
        assert ids(case_store, {"operator": "OR", "conditions": []}) == []
        assert len(ids(case_store, {"operator": "AND", "conditions": []})) == 8

    def test_hostile_values_are_just_values(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("meta.line", "x' OR '1'='1")) == []
        assert ids(case_store, eq("meta.x'); DROP TABLE docs; --", 1)) == []
        assert case_store.count_documents() == 8

    def test_legacy_field_without_meta_prefix(self, case_store: SqliteDocumentStore) -> None:
        assert ids(case_store, eq("line", "行政检察")) == ["c6"]

    def test_filters_apply_to_counts_and_deletes(self, case_store: SqliteDocumentStore) -> None:
        assert case_store.count_documents_by_filter(eq("meta.charges", "盗窃罪")) == 3
        assert case_store.delete_by_filter(eq("meta.entry_id", "e1")) == 2
        assert ids(case_store, eq("meta.charges", "盗窃罪")) == ["c5"]

    def test_update_by_filter_refreshes_facets(self, case_store: SqliteDocumentStore) -> None:
        assert case_store.update_by_filter(eq("meta.entry_id", "e2"), {"charges": ["合同诈骗罪"]}) == 1
        assert ids(case_store, eq("meta.charges", "诈骗罪")) == []
        assert ids(case_store, eq("meta.charges", "合同诈骗罪")) == ["c3"]
        doc = case_store.get_documents_by_id(["c3"])[0]
        assert doc.meta["charges"] == ["合同诈骗罪"]
        assert doc.meta["outcomes"] == ["起诉", "抗诉"]

    def test_unicode_and_large_in_lists(self, store: SqliteDocumentStore) -> None:
        store.write_documents([
            Document(id=f"d{i}", content="文本", meta={"n": i, "tag": f"标签{i}"}) for i in range(50)
        ])
        values = [f"标签{i}" for i in range(0, 50000, 2)]  # far more than SQLite's 32766 bound-variable limit
        assert len(ids(store, eq("meta.tag", values, "in"))) == 25


EQUIVALENCE_FILTERS: list[dict[str, Any]] = [
    eq("meta.charges", "盗窃罪"),
    eq("meta.charges", "盗窃罪", "!="),
    eq("meta.outcomes", ["抗诉", "不起诉"], "in"),
    eq("meta.outcomes", ["抗诉", "不起诉"], "not in"),
    eq("meta.charges", None),
    eq("meta.charges", [None, "诈骗罪"], "in"),
    eq("meta.year", 2021, ">"),
    eq("meta.publish_date", "2018-05-06"),
    eq("content", None, "!="),
    eq("id", ["c1", "c8"], "not in"),
    {"operator": "NOT", "conditions": [eq("meta.line", "刑事检察"), eq("meta.year", 2022, "<")]},
    {"operator": "OR", "conditions": [eq("meta.court.level", 2), {"operator": "AND", "conditions": []}]},
    {"operator": "AND", "conditions": [{"operator": "NOT", "conditions": [eq("meta.year", 2020, ">")]}]},
    {"operator": "AND", "conditions": [eq("meta.line", "刑事检察"), eq("meta.year", None, ">")]},
    {"operator": "OR", "conditions": []},
]


@pytest.mark.parametrize("filters", EQUIVALENCE_FILTERS)
def test_key_set_evaluation_agrees_with_sql(case_store: SqliteDocumentStore, filters: dict[str, Any]) -> None:
    """Retrieval evaluates filters as set algebra over cached key sets; it must select exactly what SQL selects."""
    tree = parse_filters(filters)
    assert tree is not None
    keys = case_store._filtered_keys(tree)
    by_key = {d.id: int(d.id[1:]) for d in case_store.filter_documents()}  # ids c1..c8 were written in order
    assert sorted(by_key[i] for i in ids(case_store, filters)) == keys.tolist()
    assert case_store._filtered_keys(tree).tolist() == keys.tolist()  # served from the cache the second time
