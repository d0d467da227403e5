"""What a deeper library search costs a pasted fact text: `kb.search` on the LeCaRD evaluation index (2026-11-27).

Each of the 107 LeCaRD query texts is searched over the whole library (9,084 judgments, about 170k chunks, use-m3)
with the retrievers asked for 100 chunks (the product's default) and for more, in interleaved passes after one
warm-up pass. Raw timings go to latency.json next to this script. Run from the repository root:

    python bench-results/eval/depth/latency.py > bench-results/eval/depth/latency.txt

Other depths as arguments, the first the reference of the ratios (raw timings to latency-<depths>.json):

    python bench-results/eval/depth/latency.py 1000 1500 2000 > bench-results/eval/depth/latency-1000-1500-2000.txt
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.sweeps import latency_summary
from kb.search_request import SearchRequest

DATA = Path("../shared/data/lecard")
OUT = Path(__file__).with_name("latency.json")
DEPTHS = (100, 300, 500, 1000, 1500)
PASSES = 2


def main() -> None:
    depths = tuple(int(a) for a in sys.argv[1:]) or DEPTHS
    out = OUT if depths == DEPTHS else OUT.with_name(f"latency-{'-'.join(map(str, depths))}.json")
    dataset = load_lecard(DATA)
    kb = open_index(LecardRun(data=DATA))
    raw: dict[str, list[float]] = {str(d): [] for d in depths}
    try:
        kb.warm_up()
        for query in dataset.queries:  # warm-up pass
            kb.search(SearchRequest(query=query.text))
        for _ in range(PASSES):
            for depth in depths:
                kb.candidates = kb.long_query_candidates = depth  # every query at this depth, as when measured
                for query in dataset.queries:
                    started = time.perf_counter()
                    kb.search(SearchRequest(query=query.text))
                    raw[str(depth)].append((time.perf_counter() - started) * 1000)
    finally:
        kb.close()
    out.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    base = statistics.median(raw[str(depths[0])])
    for depth in depths:
        ratio = statistics.median(raw[str(depth)]) / base
        summary = latency_summary(raw[str(depth)])
        print(f"{depth:>5} chunks per retriever: {summary}, median ratio to {depths[0]}: {ratio:.2f}")


if __name__ == "__main__":
    main()
