"""Indexing keeps the facts term counts in step with the index; a long query's search uses them. 示例 texts."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from kb.facts_terms import FactsTermsRow
from kb.models import Entry, Section
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase
from tests.conftest import make_settings

FACTS = (
    "示例：某日晚，犯罪嫌疑人张某在某市某区酒后驾驶小型轿车，行驶中被执勤民警查获，经鉴定其血液中乙醇含量为"
    "一百六十毫克每百毫升，属醉酒驾驶机动车。张某到案后如实供述，自愿认罪认罚，车辆未发生交通事故。"
    "案发时张某驾驶的车辆为其本人所有，张某持有有效的机动车驾驶证，此前没有酒后驾驶的记录。"
)


def _rows(kb: KnowledgeBase) -> list[tuple[str, int]]:
    with kb.records.engine.connect() as conn:
        return [(r.entry_id, r.version) for r in conn.execute(select(FactsTermsRow.entry_id, FactsTermsRow.version))]


def _case(facts: str) -> Entry:
    return Entry(
        kind="case",
        title="张某危险驾驶案（示例）",
        number="示例-F1",
        sections=[Section("facts", "【基本案情】", facts)],
    )


def test_indexing_stores_the_counts_and_a_new_version_replaces_them(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path, embedder="none"))
    try:
        (first,) = kb.add_entries([_case(FACTS)])
        assert _rows(kb) == [(first.entry_id, 1)]
        kb.add_entries([_case(FACTS + "张某系初犯。")])
        assert _rows(kb) == [(first.entry_id, 2)]
        kb.add_entries([Entry(kind="guideline", title="示例指引", sections=[Section("body", "", "醉酒驾驶的处理")])])
        assert len(_rows(kb)) == 1  # a guideline has no 基本案情
        kb.workflow.retract(first.entry_id, "admin", "示例撤回")
        kb.index_pending()
        assert _rows(kb) == []
    finally:
        kb.close()


def test_a_pasted_fact_text_is_matched_against_whole_case_facts(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path, embedder="none"))
    try:
        other = "示例：某日，犯罪嫌疑人李某在某商场盗窃他人手机一部，价值三千元，被民警查获，李某到案后如实供述。"
        kb.add_entries([
            _case(FACTS),
            Entry(
                kind="case",
                title="李某盗窃案（示例）",
                number="示例-F2",
                sections=[Section("facts", "【基本案情】", other)],
            ),
        ])
        query = FACTS.replace("张某", "王某")
        assert len(query) > 120  # a pasted fact text: a long query
        weight = kb.facts_ranker.weight
        on = kb.search(SearchRequest(query=query)).hits
        kb.facts_ranker.weight = 0.0
        off = kb.search(SearchRequest(query=query)).hits
        kb.facts_ranker.weight = weight
        assert on[0].meta["number"] == "示例-F1"
        lifted = {h.entry_id: h.score for h in on}
        assert all(lifted[h.entry_id] > h.score for h in off)  # both cases share words with the query
    finally:
        kb.close()
