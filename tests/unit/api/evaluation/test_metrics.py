from __future__ import annotations

import math

import pytest

from api.evaluation.metrics import average_precision, mean, ndcg_at, precision_at, query_metrics, recall_at
from api.evaluation.upstream import upstream_ap, upstream_ndcg, upstream_precision, upstream_query_metrics


def test_ndcg_graded_gains_by_hand() -> None:
    grades = {"a": 3, "b": 0, "c": 2, "d": 3}
    # DCG = 3/1 + 0/log2(3) + 2/log2(4) = 4; ideal 3, 3, 2 -> 3 + 3/log2(3) + 1
    expected = 4 / (3 + 3 / math.log2(3) + 1)
    assert ndcg_at(["a", "b", "c"], grades, 3) == pytest.approx(expected)
    assert ndcg_at(["a", "d", "c"], grades, 3) == pytest.approx(1.0)


def test_ndcg_counts_unlisted_ids_as_zero_and_handles_no_labels() -> None:
    assert ndcg_at(["x", "a"], {"a": 2}, 10) == pytest.approx((2 / math.log2(3)) / 2)
    assert ndcg_at(["x"], {}, 10) == 0.0


def test_precision_average_precision_and_recall_by_hand() -> None:
    relevant = {"a", "c", "z"}
    ranking = ["a", "b", "c", "d"]
    assert precision_at(ranking, relevant, 2) == pytest.approx(0.5)
    assert precision_at(ranking, relevant, 4) == pytest.approx(0.5)
    # hits at ranks 1 and 3; z is never found and still counts in the denominator
    assert average_precision(ranking, relevant) == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert recall_at(ranking, relevant, 2) == pytest.approx(1 / 3)
    assert recall_at(ranking, relevant, 4) == pytest.approx(2 / 3)
    assert average_precision(ranking, set()) == 0.0
    assert mean([]) == 0.0


def test_query_metrics_has_every_metric() -> None:
    metrics = query_metrics(["a"], {"a": 3}, {"a"})
    assert metrics == {
        "ndcg@10": 1.0,
        "ndcg@20": 1.0,
        "ndcg@30": 1.0,
        "p@5": 0.2,
        "p@10": 0.1,
        "map": 1.0,
        "recall@100": 1.0,
    }


def test_upstream_precision_and_map_skip_unlabelled_candidates() -> None:
    grades = {"a": 3, "b": 2, "c": 3, "x": 0}
    ranking = ["u", "c", "v", "b", "a"]  # u and v are not labelled: the script drops them
    assert upstream_precision(ranking, grades, 5) == pytest.approx(2 / 5)
    # judged list c, b, a: grade-3 at positions 1 and 3 -> (1/1 + 2/3) / 2 (divided by the number found)
    assert upstream_ap(ranking, grades) == pytest.approx((1 + 2 / 3) / 2)
    # our AP on the same list counts the unlabelled candidates as misses
    assert average_precision(ranking, {"a", "c"}) == pytest.approx((1 / 2 + 2 / 5) / 2)


def test_upstream_ndcg_by_hand_on_the_labelled_candidates() -> None:
    grades = {"a": 3, "b": 2, "c": 3, "x": 0}
    metrics = upstream_query_metrics(["u", "c", "b", "a"], grades)
    dcg = 3 + 2 / math.log2(3) + 3 / 2
    idcg = 3 + 3 / math.log2(3) + 2 / 2
    assert metrics["ndcg@10"] == pytest.approx(dcg / idcg)
    assert metrics["p@5"] == pytest.approx(2 / 5)


def test_upstream_ndcg_uses_only_the_first_30_label_keys() -> None:
    grades = {f"p{i}": 0 for i in range(30)}
    grades["late"] = 3  # 31st key: ignored for the ranked list, still part of the ideal
    assert upstream_ndcg(["late"], grades, 10) == 0.0
    assert upstream_ndcg([], {"a": 1}, 10) == 0.0
