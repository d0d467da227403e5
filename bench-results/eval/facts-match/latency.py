"""What the whole-facts match costs a search: the product's `kb.search` on the LeCaRD evaluation index.

Run from the repository root on a built evaluation index (`kb eval lecard --build-only`):

    python bench-results/eval/facts-match/latency.py > bench-results/eval/facts-match/latency.txt

Each of the 107 LeCaRD query texts (pasted fact descriptions) is searched over the whole library (9,084 judgments),
in alternating passes with the whole-facts match on and off (`FactsMatchRanker.weight`), after one warm-up pass that
also counts any facts not yet counted. The stage's own time is measured on the same hits. Raw timings go to
latency.json next to this script.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.sweeps import latency_summary
from kb.search_request import SearchRequest

DATA = Path("../shared/data/lecard")
OUT = Path(__file__).with_name("latency.json")
PASSES = 3


def main() -> None:
    dataset = load_lecard(DATA)
    kb = open_index(LecardRun(data=DATA))
    raw: dict[str, list[float]] = {"on": [], "off": [], "stage": []}
    try:
        kb.warm_up()
        weight = kb.facts_ranker.weight
        for query in dataset.queries:  # warm-up pass
            kb.search(SearchRequest(query=query.text))
        for _ in range(PASSES):
            for state in ("on", "off"):
                kb.facts_ranker.weight = weight if state == "on" else 0.0
                for query in dataset.queries:
                    started = time.perf_counter()
                    kb.search(SearchRequest(query=query.text))
                    raw[state].append((time.perf_counter() - started) * 1000)
        kb.facts_ranker.weight = weight
        for query in dataset.queries:
            analysis = kb.normalizer.analyze(query.text)
            hits = kb.search(SearchRequest(query=query.text, page_size=100)).hits
            started = time.perf_counter()
            kb.facts_ranker.run(hits=hits, analysis=analysis)
            raw["stage"].append((time.perf_counter() - started) * 1000)
    finally:
        kb.close()
    OUT.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(f"search, whole-facts match on:  {latency_summary(raw['on'])}")
    print(f"search, whole-facts match off: {latency_summary(raw['off'])}")
    print(f"the stage alone (up to 100 hits): {latency_summary(raw['stage'])}")
    ratio = statistics.median(raw["on"]) / statistics.median(raw["off"])
    print(f"median ratio on/off: {ratio:.3f}")


if __name__ == "__main__":
    main()
