"""The search contract, run against every backend: golden queries on the demo corpus, filters, facets, hostile input.

The `backend_kb` fixture is parametrised over both backends; the Elasticsearch variant is marked `es` (see
tests/contract/conftest.py): a bare `pytest` deselects it, `pytest -m ''` or `-m es` runs it against KB_TEST_ES_URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kb.errors import InvalidFilter, InvalidQuery
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from tests.unit.api.fact_texts import ONE_FACT, TWO_FACTS


@pytest.fixture(params=["sqlite", pytest.param("elasticsearch", marks=pytest.mark.es)])
def backend_kb(request: pytest.FixtureRequest) -> KnowledgeBase:
    """The demo corpus on one backend (function scope: no test reordering; the KBs themselves are per session)."""
    kb: KnowledgeBase = request.getfixturevalue("demo_kb" if request.param == "sqlite" else "es_demo_kb")
    return kb


def _numbers(kb: KnowledgeBase, query: str, top_k: int, filters: dict[str, list[str]] | None = None) -> list[Any]:
    result = kb.search(SearchRequest(query=query, filters=filters or {}, page_size=top_k))
    return [h.meta.get("number") or h.meta.get("title") for h in result.hits]


def test_golden_queries_find_their_cases(backend_kb: KnowledgeBase, golden_queries: list[dict[str, Any]]) -> None:
    misses = []
    for item in golden_queries:
        filters = {k: [v] for k, v in item.get("filters", {}).items()}
        found = _numbers(backend_kb, item["query"], 5, filters)
        if "expected_numbers" in item:
            missing = [n for n in item["expected_numbers"] if n not in found]
            if missing:
                misses.append((item["id"], item["query"], missing, found))
        else:
            if not set(item["expected_power_items"]) & set(found):
                misses.append((item["id"], item["query"], item["expected_power_items"], found))
    assert not misses, misses


def test_filters_restrict_every_hit(backend_kb: KnowledgeBase) -> None:
    result = backend_kb.search(SearchRequest(query="不起诉", filters={"line": ["刑事检察"], "case_type": ["警示案例"]}))
    assert result.hits
    assert all(h.meta["line"] == "刑事检察" and h.meta["case_type"] == "警示案例" for h in result.hits)


def test_list_field_filter_matches_any_value(backend_kb: KnowledgeBase) -> None:
    result = backend_kb.search(SearchRequest(query="", filters={"charges": ["盗窃罪", "危险驾驶罪"]}, page_size=50))
    assert result.total >= 4
    assert all({"盗窃罪", "危险驾驶罪"} & set(h.meta["charges"]) for h in result.hits)


def test_facets_count_entries_of_the_result(backend_kb: KnowledgeBase) -> None:
    result = backend_kb.search(SearchRequest(query="检察建议", page_size=5))
    lines = dict(result.facets["line"])
    assert sum(lines.values()) == result.total
    assert set(result.facets) >= {"line", "case_type", "charges", "outcomes", "year"}


def test_hits_carry_passage_highlights_and_reasons(backend_kb: KnowledgeBase) -> None:
    result = backend_kb.search(SearchRequest(query="醉酒驾驶 危险驾驶罪 不起诉", page_size=3))
    top = result.hits[0]
    assert top.highlights
    assert all(0 <= s < e <= len(top.passage) for s, e in top.highlights)
    assert any(r.kind == "charge" and r.value == "危险驾驶罪" for r in top.reasons)


def test_paging_is_stable_and_disjoint(backend_kb: KnowledgeBase) -> None:
    first = backend_kb.search(SearchRequest(query="检察机关", page=1, page_size=5))
    second = backend_kb.search(SearchRequest(query="检察机关", page=2, page_size=5))
    assert first.total == second.total
    assert not {h.entry_id for h in first.hits} & {h.entry_id for h in second.hits}


def test_sort_by_date(backend_kb: KnowledgeBase) -> None:
    result = backend_kb.search(SearchRequest(query="起诉", sort="date", page_size=20))
    dates = [h.meta.get("publish_date") or "" for h in result.hits]
    assert dates == sorted(dates, reverse=True)


def test_long_pasted_case_description(backend_kb: KnowledgeBase) -> None:
    facts = (
        "2023年4月，犯罪嫌疑人王某（17周岁，在校学生）伙同他人在某市某区多次进入超市，趁店员不备窃取商品，"
        "共计价值人民币二千余元。案发后王某如实供述，家长代为退赔并取得超市谅解。"
    )
    query = facts * 32
    assert len(query) > 2500
    numbers = _numbers(backend_kb, query, 5)
    assert {"示例刑-001", "示例刑-002"} & set(numbers)


@pytest.mark.parametrize(
    "query",
    ["NEAR", "AND", 'a" OR "b', "盗窃 NEAR/2 抢劫", "(盗窃", "盗窃 AND -不起诉", "'; DROP TABLE docs;--", "盗窃*"],
)
def test_search_syntax_in_queries_is_harmless(backend_kb: KnowledgeBase, query: str) -> None:
    result = backend_kb.search(SearchRequest(query=query))
    assert result.total >= 0
    if "盗窃" in query:
        assert result.hits


@pytest.mark.parametrize("query", ['"', "*", "-", "^*:", ")("])
def test_bare_search_operators_get_a_chinese_error(backend_kb: KnowledgeBase, query: str) -> None:
    with pytest.raises(InvalidQuery, match="没有可检索的文字"):
        backend_kb.search(SearchRequest(query=query))


@pytest.mark.parametrize("query", ["，。！？……", "😀😀🙈", "？？？!!!"])
def test_punctuation_or_emoji_only_gets_a_chinese_error(backend_kb: KnowledgeBase, query: str) -> None:
    with pytest.raises(InvalidQuery, match="没有可检索的文字"):
        backend_kb.search(SearchRequest(query=query))


def test_ten_thousand_character_query_works(backend_kb: KnowledgeBase) -> None:
    query = ("被告人驾驶机动车，血液酒精含量超标，被查获。" * 500)[:10000]
    assert len(query) == 10000
    assert backend_kb.search(SearchRequest(query=query)).hits


def test_bad_filters_and_paging_are_refused() -> None:
    with pytest.raises(InvalidFilter, match="不支持的筛选字段"):
        SearchRequest(query="x", filters={"password": ["1"]})
    with pytest.raises(InvalidFilter, match="分页参数无效"):
        SearchRequest(query="x", page=0)


def test_a_pasted_fact_text_reports_its_inferred_charges(backend_kb: KnowledgeBase) -> None:
    """Both backends say which charges reordered a long query that names none (the search page shows them)."""
    facts = "示例：犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 3
    inferred = backend_kb.search(SearchRequest(query=facts)).analysis["inferred_charges"]
    assert inferred and inferred[0]["charge"] == "危险驾驶罪" and 0.3 <= inferred[0]["share"] <= 1
    named = backend_kb.search(SearchRequest(query=facts + "公安机关以危险驾驶罪移送审查起诉。"))
    assert named.analysis["charges"] == ["危险驾驶罪"] and named.analysis["inferred_charges"] == []
    # a third person's charge named in passing is not the case's: the vote still decides
    passing = backend_kb.search(SearchRequest(query="同车乘客某乙因涉嫌盗窃罪已被另案处理。" + facts))
    assert passing.analysis["charges"] == []
    assert passing.analysis["inferred_charges"][0]["charge"] == "危险驾驶罪"


def test_each_numbered_fact_of_a_pasted_text_votes_for_its_own_charge(backend_kb: KnowledgeBase) -> None:
    """Both backends search a text's numbered parts too, and each part's nearest cases vote (the part vote)."""
    numbered = backend_kb.search(SearchRequest(query=TWO_FACTS))
    assert [part for part, _ in numbered.part_votes] and len(numbered.part_votes) == 2
    charges = {item["charge"] for item in numbered.analysis["inferred_charges"]}
    assert charges == {"盗窃罪", "危险驾驶罪"}
    unnumbered = backend_kb.search(SearchRequest(query=ONE_FACT)).analysis["inferred_charges"]
    assert "危险驾驶罪" not in {item["charge"] for item in unnumbered}


def test_a_pasted_fact_text_is_matched_against_whole_case_facts(backend_kb: KnowledgeBase) -> None:
    """Both backends read each case's stored 基本案情 counts and fuse the whole-facts match into a long query's ranking."""
    facts = "示例：犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 3
    on = backend_kb.search(SearchRequest(query=facts, page_size=20)).hits
    cases = [h for h in on if h.meta.get("kind") == "case"]
    counted = backend_kb.facts_terms.lookup((h.entry_id, int(h.meta["version"])) for h in cases)
    assert cases and len(counted) == len(cases)  # every demo case has 基本案情
    weight = backend_kb.facts_ranker.weight
    try:
        backend_kb.facts_ranker.weight = 0.0
        off = {h.entry_id: h.score for h in backend_kb.search(SearchRequest(query=facts, page_size=20)).hits}
    finally:
        backend_kb.facts_ranker.weight = weight
    assert on[0].meta.get("charges") and "危险驾驶罪" in on[0].meta["charges"]
    facts_reasons = [r for r in on[0].reasons if r.kind == "facts"]
    assert facts_reasons and facts_reasons[0].label.startswith("案情相近：")
    assert any(h.entry_id in off and h.score > off[h.entry_id] for h in cases)


@contextmanager
def _inferred_reach(kb: KnowledgeBase, reach: int) -> Iterator[None]:
    """The search ranker's `inferred_reach` set to `reach` for a while (the demo corpus has fewer than 50 cases)."""
    ranker: Any = kb.pipeline.get_component("ranker")
    before = ranker.inferred_reach
    ranker.inferred_reach = reach
    try:
        yield
    finally:
        ranker.inferred_reach = before


def test_a_pasted_fact_text_says_how_many_first_results_its_inferred_charges_order(backend_kb: KnowledgeBase) -> None:
    """`analysis.inferred_reach`: the results the inferred charges ordered, counted in the list the user pages
    through, so the search page can mark where they stop; null when there is nothing to mark."""
    facts = "示例：犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 3

    def reach(query: str = facts, **request: Any) -> Any:
        return backend_kb.search(SearchRequest(query=query, **request)).analysis["inferred_reach"]

    with _inferred_reach(backend_kb, 3):
        full = backend_kb.search(SearchRequest(query=facts, page_size=100))
        assert full.analysis["inferred_charges"] and 4 < full.total == len(full.hits)
        assert full.analysis["inferred_reach"] == 3
        assert reach(page=2, page_size=2) == 3  # the same on every page
        assert reach(exclude_ids=[full.hits[0].entry_id]) == 2  # an excluded entry among the three: two remain
        assert reach(exclude_ids=[full.hits[3].entry_id]) == 3  # one past them changes nothing
        assert reach(exclude_ids=[h.entry_id for h in full.hits[:3]]) is None  # none of the ordered ones is left
        assert reach(sort="date") is None  # by date the mark means nothing
        assert reach(facts + "公安机关以危险驾驶罪移送审查起诉。") is None  # a named charge orders the whole list
        assert reach("醉酒驾驶 不起诉") is None  # a short query infers nothing
        assert reach("", filters={"charges": ["危险驾驶罪", "盗窃罪"]}) is None  # browsing
        assert reach(exclude_ids=[h.entry_id for h in full.hits[3:]]) is None  # the list is no longer than three
    with _inferred_reach(backend_kb, full.total):
        assert reach() is None  # the inferred charges order the whole list
    with _inferred_reach(backend_kb, 0):
        assert reach() is None  # reach 0: the whole list


def test_a_search_can_leave_the_charges_uninferred(backend_kb: KnowledgeBase) -> None:
    """`infer_charges=False`: a pasted fact text gets no inferred charges, no reach, and the ranking the inferred
    charges would have reordered (the unboosted order); a named charge still counts."""
    facts = "示例：犯罪嫌疑人醉酒后驾驶机动车在道路上行驶，经检测血液酒精含量为八十五毫克每百毫升，未发生事故。" * 3
    on = backend_kb.search(SearchRequest(query=facts, page_size=100))
    off = backend_kb.search(SearchRequest(query=facts, page_size=100, infer_charges=False))
    assert on.analysis["inferred_charges"] and off.analysis["inferred_charges"] == []
    assert off.analysis["inferred_reach"] is None
    assert {h.entry_id for h in off.hits} == {h.entry_id for h in on.hits}  # the same cases, in another order
    assert any("推断罪名" in r.label for h in on.hits for r in h.reasons)  # a boosted case says why
    assert not any("推断罪名" in r.label for h in off.hits for r in h.reasons)
    ranker: Any = backend_kb.pipeline.get_component("ranker")
    weight = ranker.inferred_weight
    try:
        ranker.inferred_weight = 0.0  # the same pipeline with the inferred boost weighing nothing
        unboosted = backend_kb.search(SearchRequest(query=facts, page_size=100))
    finally:
        ranker.inferred_weight = weight
    assert [h.entry_id for h in off.hits] == [h.entry_id for h in unboosted.hits]
    named = facts + "公安机关以危险驾驶罪移送审查起诉。"
    kept = backend_kb.search(SearchRequest(query=named, infer_charges=False))
    assert kept.analysis["charges"] == ["危险驾驶罪"]
    assert [h.entry_id for h in kept.hits] == [h.entry_id for h in backend_kb.search(SearchRequest(query=named)).hits]
