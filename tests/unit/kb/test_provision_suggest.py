"""kb.provision_suggest (可能适用的条文) on the illustrative provisions fixture (tests/data/provisions), and the
charge -> article table it uses."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths
from kb.analysis import analyze_case
from kb.charge_articles import charge_articles, defining_articles
from kb.models import EntryKind
from kb.provision_suggest import (
    TEXT_CHARS,
    TOP,
    Neighbour,
    Signals,
    VoteSettings,
    fuse,
    suggest,
    vote,
    vote_weight,
)
from kb.service import KnowledgeBase
from tests.conftest import make_settings

DATA = Path(__file__).resolve().parents[2] / "data" / "provisions"
DRUNK = "示例：某甲饮酒后驾驶小型汽车在道路上行驶，被民警查获，血液酒精含量达到醉酒标准，到案后如实供述。"
A, B, C = ("law", "第一条"), ("law", "第二条"), ("law", "第三条")


@pytest.fixture(scope="module")
def fixture_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(make_settings(tmp_path_factory.mktemp("suggest")))
    laws = sorted((DATA / "laws").rglob("*.md"))
    assert ingest_paths(kb, laws, kind=EntryKind.LAW.value).ok
    assert ingest_paths(kb, [DATA / "cases"]).ok
    yield kb
    kb.close()


def _signals(cited: dict[str, list[tuple[str, str]]], similarities: list[float]) -> Signals:
    neighbours = [Neighbour(f"n{i}", f"案{i}", None, s, ()) for i, s in enumerate(similarities)]
    return Signals(neighbours, cited, [], {}, [])


def test_votes_are_weighted_by_rank_similarity_or_both() -> None:
    signals = _signals({"n0": [A], "n1": [B], "n2": [B, C]}, [0.2, 0.9, 0.1])
    # rank: A 1, B 1/log2(3) + 1/log2(4) = 1.13, C 0.5
    assert vote(signals, VoteSettings(3, "rank")) == [B, A, C]
    # similarity: A 0.2, B 1.0, C 0.1
    assert vote(signals, VoteSettings(3, "similarity")) == [B, A, C]
    assert vote(signals, VoteSettings(1, "rank")) == [A]  # only the first case votes
    assert vote_weight(3, 0.5, "rank_similarity") == pytest.approx(0.5 / math.log2(4))
    with pytest.raises(ValueError, match="unknown"):
        vote_weight(1, 1.0, "popularity")


def test_a_case_citing_an_article_twice_votes_once_and_zero_votes_are_dropped() -> None:
    signals = _signals({"n0": [A, A], "n1": [B]}, [0.5, 0.0])
    assert vote(signals, VoteSettings(2, "similarity")) == [A]


def test_fusion_weights_rankings_and_leaves_out_a_zero_weight() -> None:
    ranks = {"direct": [A, B], "similar": [B, C], "charges": [C]}
    fused = fuse(ranks, {"direct": 1.0, "similar": 1.0, "charges": 0.0})
    assert [a for a, _ in fused] == [B, A, C]
    assert [a for a, _ in fuse(ranks, {"direct": 0.0, "similar": 1.0, "charges": 5.0})] == [C, B]
    assert fuse({}, {"direct": 1.0}) == []


def test_charges_map_to_their_defining_criminal_law_articles() -> None:
    assert defining_articles("盗窃罪") == ("第二百六十四条",)
    assert defining_articles("危险驾驶罪") == ("第一百三十三条之一",)
    assert defining_articles("放火罪") == ("第一百一十四条", "第一百一十五条")
    assert defining_articles("没有这个罪") == ()
    assert defining_articles("") == ()
    # a name cancelled by a later list still finds its article (old cases use it)
    assert defining_articles("生产、销售假药罪") == ("第一百四十一条",)
    table = charge_articles()
    assert len(table) > 480 and all(all(a.startswith("第") and "条" in a for a in v) for v in table.values())


def test_a_drunk_driving_description_gets_its_article_first_with_both_reasons(fixture_kb: KnowledgeBase) -> None:
    analysis = analyze_case(fixture_kb, DRUNK, top_k=5)
    assert analysis.provisions, "no suggestion"
    first = analysis.provisions[0]
    assert (first.article, first.law_title) == ("第一百三十三条之一", "中华人民共和国刑法（示例）")
    assert "危险驾驶罪" in first.charges
    assert {c.title for c in first.cited_by} == {"甲某危险驾驶案（示例）", "乙某危险驾驶案（示例）"}
    law = fixture_kb.get_published_entry(first.law_entry_id).entry
    assert law.sections[first.section_index].heading == "第一百三十三条之一"
    assert all(len(p.text) <= TEXT_CHARS for p in analysis.provisions) and len(analysis.provisions) <= TOP
    scores = [p.score for p in analysis.provisions]
    assert scores == sorted(scores, reverse=True)
    # every suggestion says why: cited by a similar case, defining a recognised charge, or found directly
    assert all(p.cited_by or p.charges or p.direct_rank for p in analysis.provisions)


def test_the_left_out_case_neither_votes_nor_is_listed(fixture_kb: KnowledgeBase) -> None:
    ids = {e.number: i for i, _, e in fixture_kb.records.iter_published(kind="case")}
    analysis = analyze_case(fixture_kb, DRUNK, top_k=5, exclude_ids=[ids["检例第1号"]])
    assert ids["检例第1号"] not in {c.entry_id for c in analysis.cases}
    drunk = next(p for p in analysis.provisions if p.article == "第一百三十三条之一")
    assert {c.title for c in drunk.cited_by} == {"乙某危险驾驶案（示例）"}
    assert all(ids["检例第1号"] not in {c.entry_id for c in p.cited_by} for p in analysis.provisions)


def test_without_laws_nothing_is_suggested(tmp_path: Path) -> None:
    kb = KnowledgeBase(make_settings(tmp_path))
    try:
        assert ingest_paths(kb, [DATA / "cases"]).ok
        analysis = analyze_case(kb, DRUNK, top_k=5)
        assert analysis.cases and analysis.provisions == []
        assert analysis.signals is not None and analysis.signals.direct == []
    finally:
        kb.close()


def test_suggest_skips_an_article_of_a_law_no_longer_published(fixture_kb: KnowledgeBase) -> None:
    resolver = fixture_kb.provision_resolver
    resolver.refresh()
    signals = Signals([], {}, [], {}, [("gone", "第一条")])
    assert suggest(resolver, signals, weights={"direct": 1.0}) == []


def test_the_direct_search_can_be_held_to_the_laws_the_similar_cases_cite(fixture_kb: KnowledgeBase) -> None:
    from kb.provision_suggest import cited_laws, direct_ranking

    laws = {e.title: i for i, _, e in fixture_kb.records.iter_published(kind=EntryKind.LAW.value)}
    criminal = laws["中华人民共和国刑法（示例）"]
    everywhere = direct_ranking(fixture_kb, DRUNK)
    assert {law for law, _ in everywhere} == set(laws.values())
    held = direct_ranking(fixture_kb, DRUNK, law_ids=[criminal])
    assert held and {law for law, _ in held} == {criminal}
    assert direct_ranking(fixture_kb, DRUNK, law_ids=["没有这部法"]) == []
    signals = _signals({"n0": [(criminal, "第一条")], "n1": [("其他法", "第二条")]}, [0.5, 0.4])
    assert cited_laws(signals, k=1) == [criminal] and cited_laws(signals) == sorted([criminal, "其他法"])
