"""LeCaRD figures computed the way the upstream evaluation script (myx666/LeCaRD ``metrics.py``) computes them.

Our own re-implementation of its rules, so our numbers sit in the same table as the published ones. The published
baselines rank only the 30 *labelled* candidates of each query (README: "evaluation on LeCaRD's top 30-relevant
candidates"; the script pads rankings to 30). `upstream_query_metrics` therefore restricts a ranking to the labelled
candidates first. Check: the published bm25_top100.json scored this way gives NDCG@10/20/30 0.716/0.779/0.869
(published 0.731/0.797/0.888); scored on the full 100-pool ranking it gives 0.492/0.532/0.561.

* NDCG@k: the ranked list is mapped to grades, where only the first 30 keys of the query's entry in
  ``label_top30_dict.json`` count (a pid listed after the 30th key, or not listed, gains 0); the list is padded with
  zeros to 30; linear gains, log2(i + 2) discount; the ideal is all the query's label values sorted. A query whose
  ranked grades sum to 0 adds 0. The mean is over all queries of the subset.
* P@k and MAP: the ranked list is first reduced to the *labelled* candidates (pids among the query's first 30
  label keys), so unlabelled candidates are skipped rather than counted as misses; relevant means grade 3. AP is
  the mean precision at the ranks of the relevant pids found, i.e. divided by the number found, not by the number
  that exist; a query with none found adds 0.

The published script's P/MAP branch slices the label dict (``label_dic[key][:30]``), which only works on an older
list-shaped label file; we follow its evident intent (the first 30 labelled pids), as described above.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def _labelled(grades: Mapping[str, int]) -> dict[str, int]:
    return dict(list(grades.items())[:30])


def upstream_ndcg(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    top = _labelled(grades)
    ranks = [float(top.get(doc, 0)) for doc in ranking]
    ranks += [0.0] * max(0, 30 - len(ranks))
    if sum(ranks) == 0:
        return 0.0
    ideal_grades = sorted((float(g) for g in grades.values()), reverse=True)
    ideal_grades += [0.0] * max(0, k - len(ideal_grades))
    dcg = sum(ranks[i] / math.log(i + 2, 2) for i in range(k))
    idcg = sum(ideal_grades[i] / math.log(i + 2, 2) for i in range(k))
    return dcg / idcg if idcg else 0.0


def _judged(ranking: Sequence[str], grades: Mapping[str, int]) -> list[str]:
    top = _labelled(grades)
    return [doc for doc in ranking if doc in top]


def upstream_precision(ranking: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    judged = _judged(ranking, grades)
    return sum(1 for doc in judged[:k] if grades[doc] == 3) / k


def upstream_ap(ranking: Sequence[str], grades: Mapping[str, int]) -> float:
    judged = _judged(ranking, grades)
    positions = [i for i, doc in enumerate(judged) if grades[doc] == 3]
    if not positions:
        return 0.0
    total = 0.0
    for pos in positions:
        total += sum(1 for doc in judged[: pos + 1] if grades[doc] == 3) / (pos + 1)
    return total / len(positions)


def upstream_query_metrics(ranking: Sequence[str], grades: Mapping[str, int]) -> dict[str, float]:
    """The published protocol: the ranking restricted to the labelled candidates, then the script's formulas."""
    judged = _judged(ranking, grades)
    return {
        "ndcg@10": upstream_ndcg(judged, grades, 10),
        "ndcg@20": upstream_ndcg(judged, grades, 20),
        "ndcg@30": upstream_ndcg(judged, grades, 30),
        "p@5": upstream_precision(ranking, grades, 5),
        "p@10": upstream_precision(ranking, grades, 10),
        "map": upstream_ap(ranking, grades),
    }
