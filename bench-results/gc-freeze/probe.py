"""Pasted fact texts with and without the long-lived objects frozen, in one process (2026-11-27).

On the synthetic 100k-chunk home that `kb bench --chunks 100000 --embedder use-m3` leaves in var/bench/: the
knowledge base is warmed up (which now freezes what it loaded, kb/long_lived.py) and the name tagger built, then
everything is unfrozen to time the searches as before, then frozen again. Each series: the 16 demo fact texts of
`api.bench.pasted_fact_texts`, three passes, alternating series so that machine noise falls on both. Also the time of
one full collection in each state. Run from the repository root:

    python bench-results/gc-freeze/probe.py > bench-results/gc-freeze/probe.txt
"""

from __future__ import annotations

import gc
import statistics
import time
from pathlib import Path

from api.bench import pasted_fact_texts, percentile
from kb.config import Settings
from kb.elements import names
from kb.search_request import SearchRequest
from kb.service import KnowledgeBase

HOME = Path("var/bench/synthetic-100000-512")
PASSES = 3


def full_collection_ms() -> float:
    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    kb = KnowledgeBase(Settings(_env_file=None, home=HOME, embedder="use-m3"))  # type: ignore[call-arg]
    kb.warm_up()
    names.warm_up()
    texts = pasted_fact_texts()
    for text in texts[:3]:
        kb.search(SearchRequest(query=text, filters={"kind": ["case"]}))
    timings: dict[str, list[float]] = {"unfrozen": [], "frozen": []}
    collections: dict[str, list[float]] = {"unfrozen": [], "frozen": []}
    for _ in range(PASSES):
        for state in ("unfrozen", "frozen"):
            gc.unfreeze()
            if state == "frozen":
                gc.freeze()
            collections[state].append(full_collection_ms())
            for text in texts:
                started = time.perf_counter()
                kb.search(SearchRequest(query=text, filters={"kind": ["case"]}))
                timings[state].append((time.perf_counter() - started) * 1000)
    print(f"tracked objects after the warm-up: {len(gc.get_objects()) + gc.get_freeze_count()}")
    for state, values in timings.items():
        print(
            f"{state:<9} pasted fact texts n={len(values)} median {statistics.median(values):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms; "
            f"one full collection {statistics.median(collections[state]):.1f} ms"
        )
        print(f"  raw ms: {[round(v, 1) for v in values]}")
    kb.close()


if __name__ == "__main__":
    main()
