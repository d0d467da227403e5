"""类案比对 building blocks: similarity, outcome distribution, divergence, element comparison."""

from __future__ import annotations

import pytest

from kb.analysis import (
    Elements,
    SimilarCase,
    TermVectors,
    compare_elements,
    cosine,
    find_divergence,
    outcome_distribution,
    similarity,
)
from kb.models import Entry


def _case(
    entry_id: str, outcomes: list[str], sim: float, case_type: str = "典型案例", **extra: list[str]
) -> SimilarCase:
    weight = {"指导性案例": 3.0, "典型案例": 2.0}.get(case_type, 1.0)
    entry = Entry(kind="case", title=f"示例{entry_id}", case_type=case_type, outcomes=outcomes, **extra)  # type: ignore[arg-type]
    return SimilarCase(entry_id, entry, "", sim, "典型", weight)


def test_similarity_is_bounded_and_rewards_shared_elements() -> None:
    query = Elements(["盗窃罪"], [], ["认罪认罚"], [])
    same = Elements(["盗窃罪"], ["不起诉"], ["认罪认罚"], [])
    other = Elements(["诈骗罪"], ["起诉"], ["自首"], [])
    assert similarity(1.0, query, same) == 1.0
    assert similarity(0.5, query, same) > similarity(0.5, query, other) == pytest.approx(0.3)
    assert similarity(0.0, query, other) == 0.0


def test_term_cosine_uses_idf_and_ignores_order() -> None:
    vectors = TermVectors(lambda tokens: ({"盗窃": 50, "手机": 5, "超市": 1}, 100))
    vectors.prepare([["盗窃", "手机", "超市"]])
    a = vectors.vector(["盗窃", "手机"])
    assert cosine(a, vectors.vector(["手机", "盗窃"])) == pytest.approx(1.0)
    rare = cosine(vectors.vector(["超市", "盗窃"]), vectors.vector(["超市"]))
    common = cosine(vectors.vector(["超市", "盗窃"]), vectors.vector(["盗窃"]))
    assert rare > common  # sharing the rare word counts more
    assert cosine({}, a) == 0.0


def test_distribution_weights_by_similarity_and_authority() -> None:
    cases = [
        _case("a", ["不起诉"], 0.8, "指导性案例"),
        _case("b", ["起诉"], 0.8, "典型案例"),
        _case("c", ["起诉"], 0.4, "参考案例"),
    ]
    shares, total = outcome_distribution(cases)
    assert total == pytest.approx(0.8 * 3 + 0.8 * 2 + 0.4)
    first, second = shares
    assert (first.outcome, first.count, first.case_ids) == ("不起诉", 1, ["a"])
    assert first.share == pytest.approx(2.4 / 4.4, abs=1e-3) and second.share == pytest.approx(2.0 / 4.4, abs=1e-3)


def test_divergence_needs_two_close_cases_with_no_outcome_in_common() -> None:
    flagged = find_divergence([_case("a", ["不起诉"], 0.7), _case("b", ["起诉"], 0.6), _case("c", ["起诉"], 0.2)], 0.5)
    assert flagged.flagged and dict(flagged.groups) == {"不起诉": ["a"], "起诉": ["b"]}
    assert "不一致" in flagged.detail and flagged.max_similarity == 0.7
    agreeing = find_divergence([_case("a", ["不起诉", "附条件不起诉"], 0.7), _case("b", ["不起诉"], 0.6)], 0.5)
    assert not agreeing.flagged and "一致" in agreeing.detail
    other_charge = [
        _case("a", ["不起诉"], 0.7, charges=["危险驾驶罪"]),
        _case("b", ["起诉"], 0.7, charges=["交通肇事罪"]),
    ]
    assert not find_divergence(other_charge, 0.5, ["危险驾驶罪"]).flagged
    assert find_divergence(other_charge, 0.5).flagged  # without the query's charge every close case counts
    far = find_divergence([_case("a", ["不起诉"], 0.3), _case("b", ["起诉"], 0.3)], 0.5)
    assert not far.flagged and "没有相似度" in far.detail


def test_comparison_marks_shared_missing_and_extra() -> None:
    query = Elements(["盗窃罪"], [], ["认罪认罚", "初犯"], [])
    case = _case("a", ["不起诉"], 0.5, charges=["盗窃罪"], factors=["认罪认罚", "自首"])
    rows = {row["field"]: row for row in compare_elements(query, [case])}
    factors = rows["factors"]["cases"][0]
    assert (factors["shared"], factors["missing"], factors["extra"]) == (["认罪认罚"], ["初犯"], ["自首"])
    assert rows["outcomes"]["cases"][0]["extra"] == ["不起诉"] and rows["outcomes"]["query"] == []


def test_inferred_charges_are_compared_but_not_scored() -> None:
    query = Elements([], [], [], [], inferred_charges=["盗窃罪"])
    assert query.values("charges") == ["盗窃罪"]
    assert similarity(0.0, query, Elements(["盗窃罪"], [], [], [])) == 0.0
