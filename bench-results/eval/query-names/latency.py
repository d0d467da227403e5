"""What leaving names out costs per query: `analyze_query` on LeCaRD's 107 fact texts, names kept against left out.

Run from the repository root:

    python bench-results/eval/query-names/latency.py > bench-results/eval/query-names/latency.txt

Medians and 95th percentiles over five passes of all queries, plus one 20,000-character text (the query limit);
raw per-query timings go to latency.json next to this file. Index statistics are not used (no store), so only the
analysis itself is timed: segmentation, element recognition, the name tagger and term selection.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from api.evaluation.lecard import load_lecard
from kb import elements, text
from kb.components.query_normalizer import analyze_query

DATA = Path("../shared/data/lecard")
PASSES = 5


def timed_ms(query: str, *, drop_names: bool) -> float:
    started = time.perf_counter()
    analyze_query(query, drop_names=drop_names)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    text.warm_up()
    elements.warm_up()
    queries = [q.text for q in load_lecard(DATA).queries]
    raw: dict[str, list[float]] = {"kept": [], "out": []}
    for _ in range(PASSES):
        for query in queries:
            raw["kept"].append(timed_ms(query, drop_names=False))
            raw["out"].append(timed_ms(query, drop_names=True))
    lengths = sorted(len(q) for q in queries)
    print(
        f"{len(queries)} queries, {statistics.median(lengths):.0f} characters median, {lengths[-1]} max; {PASSES} passes"
    )
    for name, values in raw.items():
        values = sorted(values)
        p95 = values[int(0.95 * (len(values) - 1))]
        print(f"names {name:<4} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms")
    ratio = statistics.median(raw["out"]) / statistics.median(raw["kept"])
    print(f"ratio of medians (out / kept): {ratio:.1f}")
    longest = (queries[0] * 100)[:20000]
    for drop in (False, True):
        runs = sorted(timed_ms(longest, drop_names=drop) for _ in range(3))
        print(f"20,000 characters, names {'out' if drop else 'kept'}: median {runs[1]:.0f} ms")
    out = Path(__file__).with_name("latency.json")
    out.write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
