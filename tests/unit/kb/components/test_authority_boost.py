"""Guiding cases first among comparably similar cases (LegalElementRanker.authority_weight)."""

from __future__ import annotations

import pytest

from kb.components.legal_element_ranker import AUTHORITY_WEIGHT, LegalElementRanker, authority_boost
from kb.components.query_normalizer import analyze_query
from kb.models import SearchHit


def _hit(entry_id: str, score: float, case_type: str | None, charges: list[str] | None = None) -> SearchHit:
    return SearchHit(entry_id, score, {"case_type": case_type, "charges": charges or []}, "", "facts", "")


def _order(hits: list[SearchHit], query: str = "醉酒驾驶", **settings: float) -> list[str]:
    ranked = LegalElementRanker(**settings).run(hits=hits, analysis=analyze_query(query))["hits"]  # type: ignore[arg-type]
    return [h.entry_id for h in ranked]


def test_only_guiding_cases_are_boosted() -> None:
    assert authority_boost({"case_type": "指导性案例"}, 0.5) == 1.5
    for other in ("典型案例", "警示案例", "参考案例", None):
        assert authority_boost({"case_type": other}, 0.5) == 1.0
    assert authority_boost({"case_type": "指导性案例"}, 0.0) == 1.0


def test_a_guiding_case_leads_a_somewhat_more_similar_case() -> None:
    hits = [_hit("gazette", 1.0, None), _hit("guiding", 0.8, "指导性案例")]
    assert _order(hits) == ["guiding", "gazette"]  # 0.8 × 1.5 = 1.2 > 1.0
    assert _order(hits, authority_weight=0.0) == ["gazette", "guiding"]
    much_more_similar = [_hit("gazette", 1.0, None), _hit("guiding", 0.6, "指导性案例")]
    assert _order(much_more_similar) == ["gazette", "guiding"]  # 0.6 × 1.5 = 0.9 < 1.0


def test_a_shared_charge_still_outweighs_authority() -> None:
    """At equal similarity, the case with the query's charge leads the guiding case without it."""
    hits = [_hit("guiding-other", 1.0, "指导性案例", ["盗窃罪"]), _hit("same-charge", 1.0, None, ["危险驾驶罪"])]
    assert _order(hits, query="危险驾驶罪") == ["same-charge", "guiding-other"]
    assert LegalElementRanker().charge_weight > AUTHORITY_WEIGHT


def test_a_list_of_one_case_type_keeps_its_order() -> None:
    """LeCaRD's candidates are all 参考案例: the weight cannot change their ranking."""
    hits = [_hit(f"c{i}", 1.0 - i / 10, "参考案例") for i in range(5)]
    assert _order(hits) == [f"c{i}" for i in range(5)]


def test_the_weight_is_a_setting_and_must_not_be_negative() -> None:
    params = LegalElementRanker(authority_weight=0.2).to_dict()["init_parameters"]
    assert params["authority_weight"] == 0.2
    assert LegalElementRanker().authority_weight == AUTHORITY_WEIGHT == 0.5
    with pytest.raises(ValueError, match="weights must be >= 0"):
        LegalElementRanker(authority_weight=-0.1)


def test_a_lifted_guiding_case_says_why() -> None:
    hits = [_hit("gazette", 1.0, None), _hit("guiding", 0.8, "指导性案例")]
    ranked = LegalElementRanker().run(hits=hits, analysis=analyze_query("醉酒驾驶"))["hits"]
    labels = {h.entry_id: [r.label for r in h.reasons] for h in ranked}
    assert labels == {"guiding": ["指导性案例：优先参照"], "gazette": []}
    plain = LegalElementRanker(authority_weight=0.0).run(hits=hits, analysis=analyze_query("醉酒驾驶"))["hits"]
    assert all(not h.reasons for h in plain)
