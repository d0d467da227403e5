"""Ranking metrics over one query's ranked list of ids (best first).

* `ndcg_at` — graded gains: the gain of an id is its grade (0–3 in LeCaRD), unlisted ids count 0; the ideal
  ranking sorts all listed grades. Linear gains, log2(rank + 1) discount.
* `precision_at`, `average_precision` — binary relevance against a set (LeCaRD's golden labels); AP divides by the
  size of the relevant set, so relevant ids never retrieved count as misses.
* `recall_at` — share of the relevant set found in the first k.

`mean` averages per-query values; an empty list gives 0.0.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence


def dcg(gains: Sequence[float], k: int) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg_at(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    ideal = dcg(sorted((float(g) for g in grades.values()), reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg([float(grades.get(doc, 0)) for doc in ranking], k) / ideal


def precision_at(ranking: Sequence[str], relevant: Collection[str], k: int) -> float:
    if k <= 0:
        return 0.0
    return sum(1 for doc in ranking[:k] if doc in relevant) / k


def average_precision(ranking: Sequence[str], relevant: Collection[str]) -> float:
    if not relevant:
        return 0.0
    hits = 0
    total = 0.0
    for i, doc in enumerate(ranking, start=1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant)


def recall_at(ranking: Sequence[str], relevant: Collection[str], k: int) -> float:
    if not relevant:
        return 0.0
    return len(set(ranking[:k]) & set(relevant)) / len(set(relevant))


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def query_metrics(
    ranking: Sequence[str], grades: Mapping[str, int], relevant: Collection[str], *, recall_k: int = 100
) -> dict[str, float]:
    """Every metric of one query."""
    return {
        "ndcg@10": ndcg_at(ranking, grades, 10),
        "ndcg@20": ndcg_at(ranking, grades, 20),
        "ndcg@30": ndcg_at(ranking, grades, 30),
        "p@5": precision_at(ranking, relevant, 5),
        "p@10": precision_at(ranking, relevant, 10),
        "map": average_precision(ranking, relevant),
        f"recall@{recall_k}": recall_at(ranking, relevant, recall_k),
    }
