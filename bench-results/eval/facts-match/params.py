"""The whole-facts match's own settings (docs/evaluation.md, 2026-11-27): the fusion constant k and BM25's k1 and b.

Run from the repository root on a built evaluation index:

    python bench-results/eval/facts-match/params.py > bench-results/eval/facts-match/params.txt

Each row is the default pipeline with one `FactsMatchRanker` setting changed (the evaluation builds the ranker
through `api.evaluation.runner.FactsMatchRanker`, replaced here by a factory that adds the setting). Columns as in
sweep.py. The common queries decide; the defaults (k 60, k1 1.2, b 0.75) stayed.
"""

from __future__ import annotations

from pathlib import Path

import api.evaluation.runner as runner
from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator, score
from kb.components.facts_ranker import FactsMatchRanker

VARIANTS = {
    "default": {},
    "k30": {"rrf_k": 30},
    "k120": {"rrf_k": 120},
    "k1 2.0": {"k1": 2.0},
    "k1 0.9": {"k1": 0.9},
    "b 0.5": {"b": 0.5},
    "b 0.9": {"b": 0.9},
}
current = {}


def factory(weight: float) -> FactsMatchRanker:
    return FactsMatchRanker(weight=weight, **current.get("p", {}))


runner.FactsMatchRanker = factory  # type: ignore
DATA = Path("../shared/data/lecard")
ds = load_lecard(DATA)
kb = open_index(LecardRun(data=DATA))
kb.warm_up()
ev = LecardEvaluator(kb, ds)
c = CONFIGS[DEFAULT_CONFIG]
for name, params in VARIANTS.items():
    current["p"] = params
    cells = []
    res = {}
    for proto in ("rerank", "full"):
        runs = ev.run(ds.queries, protocol=proto, settings=("auto",), configs=[c])
        res[proto] = score(ds, runs["auto"].by_config[c.name], ds.queries)
    for sub in ("all", "common", "controversial"):
        up = res["rerank"][sub]["upstream"]
        cells.append(
            f"{sub} {up['ndcg@10']:.3f} / {up['ndcg@30']:.3f} / {up['p@5']:.3f} / {up['map']:.3f} R@100 {res['full'][sub]['ours']['recall@100']:.3f}"
        )
    print(f"{name:<10}", " | ".join(cells), flush=True)
kb.close()
