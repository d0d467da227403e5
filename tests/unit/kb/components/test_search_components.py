from __future__ import annotations

import pytest
from haystack import Document

from kb.components.entry_folder import add_passage, fold_chunks
from kb.components.legal_element_ranker import LegalElementRanker
from kb.components.query_normalizer import QueryNormalizer, analyze_query
from kb.components.rrf_joiner import WeightedRrfJoiner, weighted_rrf
from kb.errors import InvalidQuery
from kb.highlight import best_window, find_spans
from kb.models import SearchHit


def test_rrf_rewards_documents_found_by_both_retrievers() -> None:
    a, b, c = (Document(id=i, content=i) for i in "abc")
    fused = weighted_rrf([([a, b], 1.0), ([c, b], 1.0)])
    assert fused[0].id == "b"
    assert fused[0].meta["_ranks"] == {"rank_0": 2, "rank_1": 2}


def test_rrf_weights_shift_the_order() -> None:
    a, c = Document(id="a", content="a"), Document(id="c", content="c")
    joiner = WeightedRrfJoiner(bm25_weight=1.0, dense_weight=3.0)
    assert joiner.run(bm25_documents=[a], dense_documents=[c])["documents"][0].id == "c"
    with pytest.raises(ValueError, match="k must be"):
        WeightedRrfJoiner(k=0)


def test_a_long_query_gives_the_dense_list_its_own_weight() -> None:
    a, c = Document(id="a", content="a"), Document(id="c", content="c")
    joiner = WeightedRrfJoiner(bm25_weight=1.0, dense_weight=3.0, long_query_dense_weight=0.3)
    short = analyze_query("盗窃 不起诉")
    pasted = analyze_query("被告人李某于2020年5月在某市某区多次盗窃他人财物，价值人民币一万余元，后被抓获。" * 5)
    assert not short.long_query and pasted.long_query
    assert joiner.run(bm25_documents=[a], dense_documents=[c], analysis=short)["documents"][0].id == "c"
    assert joiner.run(bm25_documents=[a], dense_documents=[c], analysis=pasted)["documents"][0].id == "a"
    assert joiner.to_dict()["init_parameters"]["long_query_dense_weight"] == 0.3
    with pytest.raises(ValueError, match="weights >= 0"):
        WeightedRrfJoiner(long_query_dense_weight=-1.0)


def test_query_analysis_recognises_elements() -> None:
    analysis = analyze_query("未成年人张某犯掩饰、隐瞒犯罪所得罪，检察机关作出附条件不起诉决定")
    assert analysis.charges == ["掩饰、隐瞒犯罪所得、犯罪所得收益罪"]
    assert "附条件不起诉" in analysis.outcomes and "不起诉" not in analysis.outcomes
    assert analysis.line == "刑事检察"


def test_long_query_keeps_a_bounded_set_of_terms_and_the_charges() -> None:
    text = "被告人李某于2020年5月在某市某区多次盗窃他人财物，价值人民币一万余元，后被抓获。" * 60
    text += "以盗窃罪提起公诉。"
    analysis = analyze_query(text, max_terms=10)
    assert analysis.long_query
    assert len(analysis.terms) <= 10 + 1 + 4  # max_terms, the named charge, the low-weight name terms
    assert "盗窃罪" in analysis.terms


def test_overlong_query_is_refused_in_chinese() -> None:
    with pytest.raises(InvalidQuery, match="查询过长"):
        analyze_query("盗" * 30001, max_chars=20000)


def test_normalizer_component_serialises() -> None:
    normalizer = QueryNormalizer(max_terms=32)
    assert normalizer.to_dict()["init_parameters"]["max_terms"] == 32
    out = normalizer.run(query="醉酒驾驶 不起诉")
    assert set(out["terms"]) >= {"醉酒", "驾驶", "不起诉"}


def test_highlights_are_offsets_into_the_passage() -> None:
    text = "张某醉酒驾驶机动车，检察机关决定不起诉。"
    spans = find_spans(text, ["醉酒", "不起诉", "驾驶", "某"])
    assert [text[s:e] for s, e in spans] == ["醉酒驾驶", "不起诉"]
    window, inside = best_window("无关内容。" * 100 + text, find_spans("无关内容。" * 100 + text, ["不起诉"]), 60)
    assert all(window[s:e] == "不起诉" for s, e in inside) and len(inside) == 1


def test_fold_takes_the_best_chunk_and_explains_the_match() -> None:
    meta = {
        "entry_id": "e1",
        "title": "张某盗窃案",
        "charges": ["盗窃罪"],
        "outcomes": ["附条件不起诉"],
        "line": "刑事检察",
    }
    docs = [
        Document(id="e1:1:0", content="要旨", meta={**meta, "section": "gist"}, score=0.5),
        Document(id="e1:1:1", content="张某盗窃财物", meta={**meta, "section": "facts"}, score=0.9),
        Document(id="e2:1:0", content="其他", meta={"entry_id": "e2", "title": "其他案"}, score=0.8),
    ]
    hits = fold_chunks(docs, analyze_query("盗窃罪 附条件不起诉"))
    assert [h.entry_id for h in hits] == ["e1", "e2"]
    assert hits[0].section == "facts" and hits[0].score == pytest.approx(0.9 + 0.1 * 0.5)
    shown = add_passage(hits[0], ["盗窃"])
    assert [shown.passage[s:e] for s, e in shown.highlights] == ["盗窃"]
    assert {r.label for r in hits[0].reasons} >= {"同罪名：盗窃罪", "同处理结果：附条件不起诉"}


def test_a_hit_shows_the_case_rather_than_a_list_of_citations_or_keywords() -> None:
    """The best chunk of 示例 case e1 is its 相关规定 (a list of citations): the hit shows its next matched chunk
    that tells the case, with that chunk's section and heading; the score is still the best chunk's."""
    meta = {"entry_id": "e1", "title": "示例虚假诉讼监督案"}
    cited = "《中华人民共和国民事诉讼法》第二百一十五条"
    docs = [
        Document(id="e1:1:5", content=cited, meta={**meta, "section": "provisions", "heading": "相关规定"}, score=0.9),
        Document(id="e1:1:0", content="关键词：虚假诉讼", meta={**meta, "section": "keywords"}, score=0.8),
        Document(
            id="e1:1:2",
            content="某公司虚构债务提起诉讼",
            meta={**meta, "section": "facts", "heading": "基本案情"},
            score=0.3,
        ),
        Document(id="e2:1:0", content="关键词：民事监督", meta={"entry_id": "e2", "section": "keywords"}, score=0.2),
    ]
    hits = {h.entry_id: h for h in fold_chunks(docs, analyze_query("虚假诉讼 民事监督"))}
    assert hits["e1"].section == "facts" and hits["e1"].passage == "某公司虚构债务提起诉讼"
    assert hits["e1"].meta["heading"] == "基本案情"
    assert hits["e1"].score == pytest.approx(0.9 + 0.1 * 0.8)
    assert hits["e2"].section == "keywords"  # nothing else matched: the list is all there is to show
    # a query that cites a provision is shown the provisions it matched
    citing = fold_chunks(docs, analyze_query("虚假诉讼 民事诉讼法第二百一十五条"))
    assert citing[0].section == "provisions" and citing[0].passage == cited


def test_element_ranker_moves_shared_charges_up() -> None:
    analysis = analyze_query("以盗窃罪起诉")
    plain = SearchHit("a", 1.0, {"charges": ["诈骗罪"]}, "", "facts", "")
    shared = SearchHit("b", 0.9, {"charges": ["盗窃罪"]}, "", "facts", "")
    ranked = LegalElementRanker().run(hits=[plain, shared], analysis=analysis)["hits"]
    assert [h.entry_id for h in ranked] == ["b", "a"]


LONG_FACTS = (
    "2019年3月2日晚，被告人韦大能在贵阳市云岩区中华北路酒后驾驶小型轿车，被贵阳市公安局交通警察支队民警查获，"
    "经鉴定其血液中乙醇含量为180毫克/100毫升。韦大能到案后如实供述了自己的罪行，"
    "检察机关审查后认为韦大能醉酒驾驶机动车，其行为已构成危险驾驶罪。"
)  # 示例 (illustrative)


def test_long_query_terms_leave_out_person_and_place_names() -> None:
    analysis = analyze_query(LONG_FACTS, name_terms=0)
    assert analysis.long_query
    assert not {"韦大能", "贵阳市", "贵阳"} & set(analysis.terms)
    assert {"酒后", "驾驶", "乙醇"} <= set(analysis.terms)
    assert "韦大能" in analysis.tokens  # the tokens themselves are untouched (highlighting uses them)


def test_a_few_names_come_back_at_a_low_weight() -> None:
    analysis = analyze_query(LONG_FACTS, max_terms=8, name_terms=2, name_weight=0.3)
    names = [t for t in analysis.terms if t in {"韦大能", "贵阳市", "贵阳", "云岩区", "云岩", "中华北路"}]
    assert 1 <= len(names) <= 2
    assert names == analysis.terms[-len(names) :]  # after the selected terms, outside the max_terms budget
    assert all(analysis.weights[t] < analysis.weights["驾驶"] for t in names)
    assert "韦大能" in names  # named twice: the most distinctive


def test_long_query_keeps_names_when_asked() -> None:
    kept = analyze_query(LONG_FACTS, drop_names=False)
    assert kept.weights["韦大能"] == kept.weights["驾驶"] or kept.weights["韦大能"] > 1
    normalizer = QueryNormalizer(drop_names=False, name_terms=2)
    assert normalizer.to_dict()["init_parameters"]["drop_names"] is False
    assert normalizer.to_dict()["init_parameters"]["name_terms"] == 2
    assert "韦大能" in normalizer.run(query=LONG_FACTS)["analysis"].terms
    with pytest.raises(ValueError, match="name_terms"):
        QueryNormalizer(name_terms=-1)


def test_short_query_keeps_the_name_the_user_typed() -> None:
    assert "韦大能" in analyze_query("韦大能 危险驾驶").terms


def test_long_query_of_nothing_but_names_still_has_terms() -> None:
    text = "韦大能、贵阳市、" * 20
    analysis = analyze_query(text)
    assert analysis.long_query
    assert analysis.terms
