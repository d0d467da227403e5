"""Charge inference from the nearest cases (LegalElementRanker) and the folding options (EntryFolder)."""

from __future__ import annotations

import pytest
from haystack import Document, Pipeline

from kb.components.entry_folder import EntryFolder, fold_chunks
from kb.components.legal_element_ranker import (
    PART_MIN_SHARE,
    LegalElementRanker,
    infer_charges,
    infer_charges_with_notes,
    inferred_boost,
)
from kb.components.query_normalizer import QueryNormalizer, analyze_query
from kb.models import SearchHit

FACTS = "被告人某甲于某日晚在某小区内趁无人之机，撬开车窗拿走车内的背包一个，内有现金若干，后被民警查获。" * 3


def _hit(entry_id: str, score: float, charges: list[str]) -> SearchHit:
    return SearchHit(entry_id, score, {"charges": charges}, "", "facts", "")


def test_infer_charges_votes_by_rank_and_keeps_several_charges() -> None:
    hits = [
        _hit("a", 1.0, ["盗窃罪"]),
        _hit("b", 0.9, ["盗窃罪", "掩饰、隐瞒犯罪所得、犯罪所得收益罪"]),
        _hit("c", 0.8, ["诈骗罪"]),
    ]
    shares = infer_charges(hits, top_k=3, min_share=0.2)
    total = 1 + 1 / 2 + 1 / 3
    assert shares["盗窃罪"] == pytest.approx(1.5 / total)
    assert shares["掩饰、隐瞒犯罪所得、犯罪所得收益罪"] == pytest.approx(0.5 / total)
    assert next(iter(shares)) == "盗窃罪"
    assert "诈骗罪" not in infer_charges(hits, top_k=3, min_share=0.3)


def test_ranker_infers_charges_for_a_long_fact_query_that_names_none() -> None:
    analysis = analyze_query(FACTS)
    assert analysis.long_query and not analysis.charges
    hits = [
        _hit("theft1", 1.0, ["盗窃罪"]),
        _hit("theft2", 0.95, ["盗窃罪"]),
        _hit("fraud", 0.97, ["诈骗罪"]),
        _hit("theft3", 0.9, ["盗窃罪"]),
    ]
    hits.sort(key=lambda h: h.score, reverse=True)
    plain = LegalElementRanker(infer_from=0).run(hits=hits, analysis=analysis)["hits"]
    assert [h.entry_id for h in plain] == ["theft1", "fraud", "theft2", "theft3"]  # switched off: unchanged
    ranked = LegalElementRanker(infer_from=4, infer_min_share=0.3).run(hits=hits, analysis=analysis)["hits"]
    assert [h.entry_id for h in LegalElementRanker().run(hits=hits, analysis=analysis)["hits"]][-1] == "fraud"
    assert [h.entry_id for h in ranked][-1] == "fraud"


def test_inferred_charges_weigh_more_than_named_ones_and_the_weight_is_a_setting() -> None:
    analysis = analyze_query(FACTS)
    hits = [_hit("hurt", 1.0, ["故意伤害罪"]), *(_hit(f"t{i}", 0.7 - i / 20, ["盗窃罪"]) for i in range(4))]
    # 盗窃罪 holds (1/2 + 1/3 + 1/4 + 1/5) / (1 + …) = 56 % of the votes and passes a 50 % share; 故意伤害罪 does not.
    light = LegalElementRanker(infer_min_share=0.5, inferred_weight=0.2).run(hits=hits, analysis=analysis)["hits"]
    assert light[0].entry_id == "hurt"
    ranked = LegalElementRanker(infer_min_share=0.5).run(hits=hits, analysis=analysis)["hits"]
    assert [h.entry_id for h in ranked] == ["t0", "t1", "t2", "t3", "hurt"]
    assert ranked[0].score == pytest.approx(0.7 * (1 + 3.0))  # the only inferred charge: the full default weight
    assert LegalElementRanker(inferred_weight=2.0).to_dict()["init_parameters"]["inferred_weight"] == 2.0
    with pytest.raises(ValueError, match="weights"):
        LegalElementRanker(inferred_weight=-1)


def test_other_hits_can_vote_for_the_inferred_charges() -> None:
    """A search narrowed to a few entries takes the likely charge from the library's nearest cases (`voters`)."""
    analysis = analyze_query(FACTS)
    # 侵占罪 (keeping what one holds for another): a charge whose act the text is not checked for
    narrowed = [_hit("keeping", 1.0, ["侵占罪"]), _hit("theft", 0.9, ["盗窃罪"])]
    library = [_hit(f"t{i}", 1.0 - i / 10, ["盗窃罪"]) for i in range(5)]
    assert LegalElementRanker().run(hits=narrowed, analysis=analysis)["hits"][0].entry_id == "keeping"
    ranked = LegalElementRanker().run(hits=narrowed, analysis=analysis, voters=library)["hits"]
    assert [h.entry_id for h in ranked] == ["theft", "keeping"]
    assert ranked[0].score == pytest.approx(0.9 * (1 + 3.0))  # 盗窃罪 holds every vote of the library


def test_ranker_does_not_infer_when_the_query_names_a_charge() -> None:
    analysis = analyze_query(FACTS + "公诉机关以诈骗罪提起公诉。")
    hits = [_hit("theft", 1.0, ["盗窃罪"]), _hit("fraud", 0.8, ["诈骗罪"])]
    ranked = LegalElementRanker(infer_from=2).run(hits=hits, analysis=analysis)["hits"]
    assert ranked[0].entry_id == "fraud"
    with pytest.raises(ValueError, match="infer_from"):
        LegalElementRanker(infer_from=-1)
    assert LegalElementRanker(infer_from=5).to_dict()["init_parameters"]["infer_from"] == 5


def test_a_charge_named_in_passing_does_not_stop_the_inference() -> None:
    """A long text's third-person charge (乙因涉嫌…罪被批准逮捕) is not the query's charge: the vote still runs."""
    analysis = analyze_query("被害人之夫乙因涉嫌非法吸收公众存款罪，于某日被批准逮捕。" + FACTS)
    assert analysis.long_query and analysis.charges == []
    hits = [_hit("fund", 1.0, ["非法吸收公众存款罪"]), *(_hit(f"t{i}", 0.9 - i / 10, ["盗窃罪"]) for i in range(3))]
    out = LegalElementRanker(infer_from=4).run(hits=hits, analysis=analysis)
    assert list(out["inferred_charges"]) == ["盗窃罪", "非法吸收公众存款罪"]  # 52 % and 48 % of the votes
    assert [h.entry_id for h in out["hits"]][:2] == ["fund", "t0"]
    # the same words typed as a short query name the charge, and nothing is inferred
    short = analyze_query("乙因涉嫌非法吸收公众存款罪被批准逮捕")
    assert short.charges == ["非法吸收公众存款罪"] and not short.long_query
    assert LegalElementRanker().run(hits=hits, analysis=short)["inferred_charges"] == {}


def test_voted_trafficking_becomes_possession_when_the_text_tells_only_of_drugs_seized() -> None:
    seized = "民警在某快餐店门口抓获被告人甲，当场从其电动自行车内查获白色晶体1袋，经鉴定净重24克，检出甲基苯丙胺成分。"
    analysis = analyze_query(seized * 3)
    traffic = "走私、贩卖、运输、制造毒品罪"
    hits = [*(_hit(f"sale{i}", 1.0 - i / 10, [traffic]) for i in range(3)), _hit("hold", 0.6, ["非法持有毒品罪"])]
    out = LegalElementRanker(infer_from=4).run(hits=hits, analysis=analysis)
    assert list(out["inferred_charges"]) == ["非法持有毒品罪"]
    assert out["hits"][0].entry_id == "hold"


def test_the_ranker_outputs_the_charges_it_inferred_best_first() -> None:
    """`inferred_charges` is what boosted the ranking: the voted shares, best first; `hits` are ranked as before."""
    # the text tells of a deceit and a sale too, so no voted charge lacks its act (kb.elements.charge_acts)
    analysis = analyze_query(FACTS + "某甲随后冒充失主将背包出售给他人。")
    hits = [
        _hit("fraud", 1.0, ["诈骗罪"]),
        _hit("theft1", 0.9, ["盗窃罪"]),
        _hit("theft2", 0.8, ["盗窃罪", "掩饰、隐瞒犯罪所得、犯罪所得收益罪"]),
        _hit("theft3", 0.7, ["盗窃罪"]),
    ]
    out = LegalElementRanker(infer_from=4, infer_min_share=0.1).run(hits=hits, analysis=analysis)
    total = 1 + 1 / 2 + 1 / 3 + 1 / 4
    assert list(out["inferred_charges"]) == ["盗窃罪", "诈骗罪", "掩饰、隐瞒犯罪所得、犯罪所得收益罪"]
    assert out["inferred_charges"]["盗窃罪"] == pytest.approx((1 / 2 + 1 / 3 + 1 / 4) / total)
    assert out["inferred_charges"]["诈骗罪"] == pytest.approx(1 / total)
    assert out["inferred_charges"] == infer_charges(hits, top_k=4, min_share=0.1)
    # exactly these charges and shares made the boosts (no named charge or outcome here, so nothing else did)
    before = {h.entry_id: h.score for h in hits}
    for hit in out["hits"]:
        assert hit.score == pytest.approx(before[hit.entry_id] * inferred_boost(hit.meta, out["inferred_charges"], 3.0))
    assert [h.entry_id for h in out["hits"]] == ["fraud", "theft2", "theft1", "theft3"]
    # below the share threshold nothing is inferred, and nothing is reported
    assert (
        LegalElementRanker(infer_from=4, infer_min_share=0.9).run(hits=hits, analysis=analysis)["inferred_charges"]
        == {}
    )


def test_the_ranker_reports_no_inferred_charges_when_it_infers_none() -> None:
    hits = [_hit("theft", 1.0, ["盗窃罪"]), _hit("fraud", 0.8, ["诈骗罪"])]
    named = analyze_query(FACTS + "公安机关以盗窃罪移送审查起诉。")
    short = analyze_query("撬开车窗拿走背包")
    assert named.charges == ["盗窃罪"] and not short.long_query
    for analysis in (named, short, None):
        assert LegalElementRanker().run(hits=hits, analysis=analysis)["inferred_charges"] == {}
    assert LegalElementRanker(infer_from=0).run(hits=hits, analysis=analyze_query(FACTS))["inferred_charges"] == {}
    empty: dict[str, object] = {"hits": [], "inferred_charges": {}, "inferred_notes": []}
    assert LegalElementRanker().run(hits=[], analysis=analyze_query(FACTS)) == empty


def test_the_inferred_charges_come_from_the_voters_and_are_a_declared_output() -> None:
    analysis = analyze_query(FACTS)
    narrowed = [_hit("fraud", 1.0, ["诈骗罪"])]
    library = [_hit(f"t{i}", 1.0 - i / 10, ["盗窃罪"]) for i in range(3)]
    out = LegalElementRanker().run(hits=narrowed, analysis=analysis, voters=library)
    assert out["inferred_charges"] == {"盗窃罪": pytest.approx(1.0)}
    pipe = Pipeline()
    pipe.add_component("ranker", LegalElementRanker())
    assert pipe.outputs()["ranker"] == {
        "hits": {"type": list[SearchHit]},
        "inferred_charges": {"type": dict[str, float]},
        "inferred_notes": {"type": list[str]},
    }
    assert out["inferred_notes"] == []


def test_the_ranker_says_why_the_text_changed_the_vote() -> None:
    # an illustrative fraud told without any contract (示例): its neighbours vote 合同诈骗罪
    fraud = "被告人某甲冒充某医院医生，谎称可以帮助被害人的亲属安排住院手术，先后骗取被害人现金共计人民币二万元。" * 3
    voters = [_hit(f"c{i}", 1.0 - i / 10, ["合同诈骗罪"]) for i in range(3)]
    out = LegalElementRanker().run(hits=voters, analysis=analyze_query(fraud))
    assert out["inferred_charges"] == {"诈骗罪": pytest.approx(1.0)}
    assert out["inferred_notes"] == ["案情未提及合同、协议、订单、租赁等，不按合同诈骗罪推断，改按诈骗罪"]


def test_fold_sums_more_chunks_and_weights_sections() -> None:
    meta = {"entry_id": "e1", "title": "甲案"}
    docs = [
        Document(id="e1:1:0", content="a", meta={**meta, "section": "facts"}, score=0.5),
        Document(id="e1:1:1", content="b", meta={**meta, "section": "reasoning"}, score=0.4),
        Document(id="e1:1:2", content="c", meta={**meta, "section": "result"}, score=0.3),
    ]
    assert fold_chunks(docs, None)[0].score == pytest.approx(0.5 + 0.1 * 0.4)
    assert fold_chunks(docs, None, second_weight=1.0, top_n=3)[0].score == pytest.approx(1.2)
    weighted = fold_chunks(docs, None, second_weight=0.0, section_weights={"reasoning": 2.0})
    assert weighted[0].score == pytest.approx(0.8) and weighted[0].section == "reasoning"
    folder = EntryFolder(top_n=3, second_weight=0.5, section_weights={"facts": 1.5})
    assert folder.to_dict()["init_parameters"]["section_weights"] == {"facts": 1.5}
    assert folder.run(documents=docs)["hits"][0].score == pytest.approx(0.75 + 0.5 * (0.4 + 0.3))
    with pytest.raises(ValueError, match="top_n"):
        EntryFolder(top_n=0)


def test_jaccard_overlap_prefers_the_entry_without_extra_charges() -> None:
    analysis = analyze_query("以盗窃罪起诉")
    exact = _hit("exact", 1.0, ["盗窃罪"])
    extra = _hit("extra", 1.0, ["盗窃罪", "故意伤害罪", "诈骗罪"])
    by_query = LegalElementRanker().run(hits=[extra, exact], analysis=analysis)["hits"]
    assert by_query[0].score == pytest.approx(by_query[1].score)  # "query": both have the query's only charge
    ranked = LegalElementRanker(charge_overlap="jaccard").run(hits=[extra, exact], analysis=analysis)["hits"]
    assert [h.entry_id for h in ranked] == ["exact", "extra"]
    assert ranked[0].score == pytest.approx(1.6) and ranked[1].score == pytest.approx(1 + 0.6 / 3)
    with pytest.raises(ValueError, match="charge_overlap"):
        LegalElementRanker(charge_overlap="any")


def test_a_hit_boosted_by_an_inferred_charge_says_so() -> None:
    analysis = analyze_query(FACTS)
    hits = [_hit("t0", 1.0, ["盗窃罪"]), _hit("t1", 0.9, ["盗窃罪", "诈骗罪"]), _hit("hurt", 0.8, ["故意伤害罪"])]
    ranked = {h.entry_id: h for h in LegalElementRanker(infer_min_share=0.5).run(hits=hits, analysis=analysis)["hits"]}
    assert [(r.kind, r.value, r.label) for r in ranked["t1"].reasons] == [("charge", "盗窃罪", "同推断罪名：盗窃罪")]
    assert ranked["hurt"].reasons == []
    named = analyze_query(FACTS + "公诉机关以盗窃罪提起公诉。")
    assert all(not h.reasons for h in LegalElementRanker().run(hits=hits, analysis=named)["hits"])


def _theft_neighbours_then_others() -> list[SearchHit]:
    """Five theft cases first (the vote says 盗窃罪), then cases of other charges and more thefts, interleaved."""
    hits = [_hit(f"t{i}", 1.0 - i / 100, ["盗窃罪"]) for i in range(5)]
    for i in range(5):
        hits.append(_hit(f"other{i}", 0.8 - i / 100, ["诈骗罪"]))
        hits.append(_hit(f"late-theft{i}", 0.3 - i / 100, ["盗窃罪"]))
    return hits


def test_inferred_charges_order_only_the_first_entries_and_the_rest_keeps_its_own_order() -> None:
    analysis = analyze_query(FACTS)
    hits = _theft_neighbours_then_others()
    whole = LegalElementRanker(inferred_reach=0).run(hits=hits, analysis=analysis)["hits"]
    assert [h.entry_id for h in whole][:10] == [*(f"t{i}" for i in range(5)), *(f"late-theft{i}" for i in range(5))]
    reached = LegalElementRanker(inferred_reach=7).run(hits=hits, analysis=analysis)["hits"]
    ids = [h.entry_id for h in reached]
    assert ids[:7] == [h.entry_id for h in whole][:7]  # the first seven: as the whole-list boost orders them
    # the rest: in the order without the inferred boost, so a wrong vote leaves the other charge's cases next
    assert ids[7:] == [*(f"other{i}" for i in range(5)), "late-theft2", "late-theft3", "late-theft4"]
    assert sorted(ids) == sorted(h.entry_id for h in hits)
    scores = [h.score for h in reached]
    assert scores == sorted(scores, reverse=True)  # still sorted by score: the tail is scaled below the head
    assert all("同推断罪名：盗窃罪" in [r.label for r in h.reasons] for h in reached if "theft" in h.entry_id)


def test_the_default_reach_is_fifty_and_a_named_charge_orders_the_whole_list() -> None:
    ranker = LegalElementRanker()
    assert ranker.inferred_reach == 50 and ranker.to_dict()["init_parameters"]["inferred_reach"] == 50
    many = [_hit(f"t{i}", 1.0 - i / 1000, ["盗窃罪"]) for i in range(10)]
    many += [_hit(f"f{i}", 0.9 - i / 1000, ["诈骗罪"]) for i in range(60)]
    many += [_hit(f"late{i}", 0.3 - i / 1000, ["盗窃罪"]) for i in range(10)]
    inferred = [h.entry_id for h in ranker.run(hits=many, analysis=analyze_query(FACTS))["hits"]]
    assert inferred[:20] == [*(f"t{i}" for i in range(10)), *(f"late{i}" for i in range(10))]
    assert inferred[50:] == [f"f{i}" for i in range(30, 60)]  # past 50, the unboosted order
    named = analyze_query(FACTS + "公诉机关以诈骗罪提起公诉。")
    assert named.charges == ["诈骗罪"]
    by_name = [h.entry_id for h in ranker.run(hits=many, analysis=named)["hits"]]
    assert by_name[:60] == [f"f{i}" for i in range(60)]  # the named charge's cases first, all sixty of them
    with pytest.raises(ValueError, match="inferred_reach"):
        LegalElementRanker(inferred_reach=-1)


def test_the_vote_weights_can_be_flattened_for_experiments() -> None:
    hits = [_hit("a", 1.0, ["盗窃罪"]), _hit("b", 0.9, ["诈骗罪"])]
    assert infer_charges(hits, 10, 0.0) == {"盗窃罪": pytest.approx(2 / 3), "诈骗罪": pytest.approx(1 / 3)}
    flat = infer_charges(hits, 10, 0.0, offset=1.0)  # 1/2 and 1/3
    assert flat == {"盗窃罪": pytest.approx(0.6), "诈骗罪": pytest.approx(0.4)}


# 示例 a text of two numbered facts of two kinds (kb.elements.fact_parts): a theft, then a drunk drive.
THEFT_PART = "某年三月，被告人甲趁店员不备，从柜台内窃取手机两部，价值共计人民币六千元，后将手机变卖挥霍。"
DRIVE_PART = "同年五月某日晚，甲酒后驾驶小型轿车在城区道路上行驶，被民警拦下，经检测血液酒精含量超标。"
TWO_FACTS = f"被告人甲，男，无业。一、{THEFT_PART * 2}二、{DRIVE_PART}"
THEFTS = [_hit(f"t{i}", 1.0 - i / 10, ["盗窃罪"]) for i in range(4)]
DRIVES = [_hit(f"d{i}", 0.5 - i / 10, ["危险驾驶罪"]) for i in range(4)]


def test_each_numbered_part_votes_too_and_a_charge_keeps_its_best_share() -> None:
    """The whole text's nearest cases are thefts; the drive's part brings 危险驾驶罪 in at its own share."""
    whole, _ = infer_charges_with_notes(THEFTS, TWO_FACTS, 10, 0.3)
    assert whole == {"盗窃罪": pytest.approx(1.0)}
    parts = [(THEFT_PART * 2, THEFTS), (DRIVE_PART, DRIVES)]
    inferred, notes = infer_charges_with_notes(THEFTS, TWO_FACTS, 10, 0.3, parts)
    assert inferred == {"盗窃罪": pytest.approx(1.0), "危险驾驶罪": pytest.approx(1.0)}
    assert notes == ["案情第二部分另按危险驾驶罪推断"]  # the page says where the charge comes from
    mixed = [DRIVES[0], THEFTS[0], THEFTS[1], THEFTS[2]]  # 危险驾驶罪 1/(1 + 1/2 + 1/3 + 1/4) = 0.48 of the votes
    assert infer_charges(mixed, 10, 0.3)["危险驾驶罪"] == pytest.approx(0.48, abs=0.01)
    whole_mixed, _ = infer_charges_with_notes(mixed, TWO_FACTS, 10, 0.3)
    inferred, _ = infer_charges_with_notes(THEFTS, TWO_FACTS, 10, 0.3, [(DRIVE_PART, mixed)])
    assert "危险驾驶罪" in whole_mixed  # the whole text's vote keeps a charge at 30 %
    assert "危险驾驶罪" not in inferred  # a part's vote only at PART_MIN_SHARE (50 %)
    assert PART_MIN_SHARE == 0.5


def test_a_parts_vote_is_checked_against_the_parts_own_text() -> None:
    """A part that tells only of drugs seized gets 非法持有毒品罪 for its trafficking vote, as a whole text would."""
    seized = "民警在某快餐店门口抓获被告人甲，当场从其电动自行车内查获白色晶体1袋，经鉴定净重24克，检出甲基苯丙胺成分。"
    text = f"一、{THEFT_PART * 2}二、{seized}"
    traffic = [_hit(f"s{i}", 1.0, ["走私、贩卖、运输、制造毒品罪"]) for i in range(3)]
    inferred, notes = infer_charges_with_notes(THEFTS, text, 10, 0.3, [(THEFT_PART * 2, THEFTS), (seized, traffic)])
    assert list(inferred) == ["盗窃罪", "非法持有毒品罪"]
    assert len(notes) == 2 and notes[0].endswith("改按非法持有毒品罪")
    assert notes[1] == "案情第二部分另按非法持有毒品罪推断"
    # a part's check that drops a charge another vote still infers says nothing: the charge is inferred after all
    drive_votes = [_hit("x", 1.0, ["盗窃罪"])]
    inferred, notes = infer_charges_with_notes(THEFTS, text, 10, 0.3, [(DRIVE_PART, drive_votes)])
    assert inferred == {"盗窃罪": pytest.approx(1.0)} and notes == []
    # … but the charge the same part does bring is still named with its part
    mixed_votes = [_hit("x", 1.0, ["盗窃罪", "危险驾驶罪"])]
    inferred, notes = infer_charges_with_notes(THEFTS, text, 10, 0.3, [(DRIVE_PART, mixed_votes)])
    assert set(inferred) == {"盗窃罪", "危险驾驶罪"}
    assert notes == ["案情第一部分另按危险驾驶罪推断"]


def test_the_ranker_takes_the_parts_nearest_cases_as_part_voters() -> None:
    analysis = analyze_query(TWO_FACTS)
    assert analysis.long_query and not analysis.charges
    hits = [*THEFTS, *DRIVES]
    alone = LegalElementRanker().run(hits=hits, analysis=analysis)
    assert list(alone["inferred_charges"]) == ["盗窃罪"]
    parts = [(THEFT_PART * 2, THEFTS), (DRIVE_PART, DRIVES)]
    out = LegalElementRanker().run(hits=hits, analysis=analysis, part_votes=parts)
    assert set(out["inferred_charges"]) == {"盗窃罪", "危险驾驶罪"}
    assert out["hits"][0].entry_id == "t0"
    boosted = {h.entry_id: h.score for h in out["hits"]}
    assert boosted["d0"] > dict((h.entry_id, h.score) for h in alone["hits"])["d0"]  # the drives rise
    # a text that names its charge infers nothing, whatever the parts' cases are
    named = analyze_query(TWO_FACTS + "公安机关以盗窃罪移送审查起诉。")
    assert LegalElementRanker().run(hits=hits, analysis=named, part_votes=parts)["inferred_charges"] == {}


def test_the_voting_text_is_what_analyze_gives_a_text_the_ranker_would_vote_for() -> None:
    """QueryNormalizer.voting_text: the cheap test KnowledgeBase.search makes before searching a text's parts."""
    normalizer = QueryNormalizer()
    named = TWO_FACTS + "公安机关以盗窃罪移送审查起诉。"
    for query in (TWO_FACTS, FACTS, named, "撬开车窗拿走背包", "盗" * 20001):
        expected = None
        if len(query) <= normalizer.max_chars:
            analysis = normalizer.analyze(query)
            expected = analysis.text if analysis.long_query and not analysis.charges else None
        assert normalizer.voting_text(query) == expected
    assert normalizer.voting_text(TWO_FACTS) is not None and normalizer.voting_text(named) is None
