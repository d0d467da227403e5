"""The whole-facts match of long queries (kb.components.facts_ranker). Texts are illustrative (示例)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from haystack import default_from_dict

from kb.components.facts_ranker import FactsMatchRanker, QueryTerms, facts_contributions
from kb.components.query_normalizer import analyze_query
from kb.facts_terms import FactsTerms
from kb.models import SearchHit
from kb.text import tokenize

QUERY = (
    "2020年5月1日晚，被告人李某酒后驾驶小型轿车行驶至某路口时被民警查获，经鉴定其血液中乙醇含量为"
    "二百毫克每百毫升，属醉酒驾驶机动车。李某到案后如实供述，自愿认罪认罚，其驾驶的车辆未发生交通事故。"
    "案发时李某驾驶的车辆为其本人所有，车辆手续齐全，李某持有有效的机动车驾驶证。"
)  # 示例
DRUNK = "被告人王某酒后驾驶轿车被民警查获，经鉴定血液中乙醇含量为一百九十毫克每百毫升，醉酒驾驶机动车，未发生事故。"
THEFT = "被告人赵某在超市盗窃财物，价值三千元，被民警查获，到案后如实供述。"


def _terms(text: str) -> FactsTerms:
    return FactsTerms.from_tokens([t for t in tokenize(text) if len(t) > 1 or not t.isascii()])


class _Counts:
    """A stand-in for FactsTermStore: the counts of a few texts, version 1 each."""

    def __init__(self, table: dict[str, str]) -> None:
        self.stored = {(entry_id, 1): _terms(text) for entry_id, text in table.items()}

    def lookup(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], FactsTerms]:
        return {k: self.stored[k] for k in keys if k in self.stored}

    def average_length(self) -> float:
        return sum(t.length for t in self.stored.values()) / max(len(self.stored), 1)


def _ranker(table: dict[str, str], weight: float = 1.0) -> FactsMatchRanker:
    return FactsMatchRanker(weight=weight).use(_Counts(table))


def _hit(entry_id: str, score: float) -> SearchHit:
    return SearchHit(entry_id, score, {"version": 1}, "", "facts", "")


def test_a_long_query_lifts_the_case_whose_whole_facts_match() -> None:
    analysis = analyze_query(QUERY)
    assert analysis.long_query and "醉酒" in analysis.facts_idf
    ranker = _ranker({"drunk": DRUNK, "theft": THEFT})
    hits = [_hit("theft", 0.0192), _hit("drunk", 0.0190), _hit("guideline", 0.018)]
    ranked = ranker.run(hits=hits, analysis=analysis)["hits"]
    assert [h.entry_id for h in ranked][:2] == ["drunk", "theft"]
    guideline = next(h for h in ranked if h.entry_id == "guideline")
    assert guideline.score == 0.018  # no 基本案情: left as it was
    assert next(h for h in ranked if h.entry_id == "drunk").score == pytest.approx(0.0190 + 1 / 61)


def test_the_best_facts_matches_say_which_words_they_share() -> None:
    # idf from a small library in which 被告人, 驾驶, 民警 and 查获 are everywhere, as in a real one
    library = [DRUNK, THEFT, *["被告人驾驶车辆被民警查获，机动车被扣押。"] * 8]
    token_sets = [set(tokenize(text)) for text in library]

    def doc_freqs(tokens: list[str]) -> tuple[dict[str, int], int]:
        return {t: sum(t in s for s in token_sets) for t in tokens}, len(library)

    analysis = analyze_query(QUERY, doc_freqs=doc_freqs)
    ranker = _ranker({"drunk": DRUNK, "theft": THEFT})
    hits = [_hit("theft", 0.0192), _hit("drunk", 0.0190), _hit("guideline", 0.018)]
    ranked = {h.entry_id: h for h in ranker.run(hits=hits, analysis=analysis)["hits"]}
    (drunk,) = [r for r in ranked["drunk"].reasons if r.kind == "facts"]
    words = drunk.value.split("、")
    assert drunk.label == f"案情相近：{drunk.value}" and len(words) == 3
    assert all(w in token_sets[0] and doc_freqs([w])[0][w] == 1 for w in words)  # its rare shared words, not 被告人
    (theft,) = [r for r in ranked["theft"].reasons if r.kind == "facts"]
    assert all(w in token_sets[1] for w in theft.value.split("、"))  # only words its facts really contain
    assert ranked["guideline"].reasons == []


def test_only_the_ten_best_facts_matches_get_a_reason() -> None:
    analysis = analyze_query(QUERY)
    table = {f"c{i}": DRUNK + "被告人" * i for i in range(12)}
    hits = [_hit(entry_id, 0.02) for entry_id in table]
    ranked = _ranker(table).run(hits=hits, analysis=analysis)["hits"]
    assert sum(any(r.kind == "facts" for r in h.reasons) for h in ranked) == 10


def test_names_are_not_facts_terms() -> None:
    analysis = analyze_query(QUERY)
    assert "李某" not in analysis.facts_idf
    assert all(value > 0 for value in analysis.facts_idf.values())


@pytest.mark.parametrize("query", ["醉酒驾驶", "李某 危险驾驶 不起诉"])
def test_short_queries_pass_through(query: str) -> None:
    analysis = analyze_query(query)
    assert analysis.facts_idf == {}
    hits = [_hit("theft", 0.02), _hit("drunk", 0.01)]
    assert _ranker({"drunk": DRUNK, "theft": THEFT}).run(hits=hits, analysis=analysis)["hits"] == hits


def test_without_a_lookup_or_weight_or_hits_nothing_changes() -> None:
    analysis = analyze_query(QUERY)
    hits = [_hit("theft", 0.02), _hit("drunk", 0.01)]
    assert FactsMatchRanker().run(hits=hits, analysis=analysis)["hits"] == hits
    assert _ranker({"drunk": DRUNK}, weight=0).run(hits=hits, analysis=analysis)["hits"] == hits
    assert _ranker({"drunk": DRUNK}).run(hits=[], analysis=analysis)["hits"] == []
    assert _ranker({"drunk": DRUNK}).run(hits=hits, analysis=None)["hits"] == hits


def facts_bm25(query: QueryTerms, terms: FactsTerms, average_length: float, k1: float, b: float) -> float:
    """The text's BM25: the sum of the query tokens' contributions (what the ranker fuses)."""
    return float(facts_contributions(query, terms, average_length, k1, b).sum())


def test_bm25_rewards_shared_rare_terms_and_normalises_length() -> None:
    query = QueryTerms.from_idf({"醉酒": 2.0, "驾驶": 0.5})
    short = FactsTerms.from_tokens(["醉酒", "驾驶", *["其他"] * 8])
    long = FactsTerms.from_tokens(["醉酒", "驾驶", *["其他"] * 98])
    assert facts_bm25(query, short, 20.0, 1.2, 0.75) > facts_bm25(query, long, 20.0, 1.2, 0.75) > 0
    assert facts_bm25(query, FactsTerms.from_tokens(["盗窃"] * 5), 20.0, 1.2, 0.75) == 0.0
    assert facts_bm25(query, short, 0.0, 1.2, 0.75) > 0  # no average known yet: no length normalisation
    one = FactsTerms.from_tokens(["醉酒"])
    expected = 2.0 * 1 * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * 1 / 4.0))
    assert facts_bm25(query, one, 4.0, 1.2, 0.75) == pytest.approx(expected)


def test_serialises_and_refuses_bad_settings() -> None:
    ranker = FactsMatchRanker(weight=2.0, rrf_k=30)
    data = ranker.to_dict()
    assert data["init_parameters"] == {"weight": 2.0, "rrf_k": 30, "k1": 1.2, "b": 0.75}
    restored = default_from_dict(FactsMatchRanker, data)
    assert (restored.weight, restored.rrf_k) == (2.0, 30)
    for bad in ({"weight": -1}, {"rrf_k": 0}, {"k1": 0}, {"b": 1.5}):
        with pytest.raises(ValueError):
            FactsMatchRanker(**bad)
