"""What the part vote costs a pasted fact text: `kb.search` on the LeCaRD evaluation index, with and without it.

Texts: the LeCaRD query texts that have numbered parts (kb.elements.fact_parts; 8 of the 107) and 40 library fact
texts with parts from parts.py's sample (the texts only; no label is read). Each is searched over the whole library
(9,088 judgments, 176,176 chunks, use-m3) as the product searches it, with the part vote on and off, in interleaved
passes after one warm-up pass. Raw timings go to parts_latency.json next to this script. Run from the repository root:

    python bench-results/eval/charge-recognition/parts_latency.py var/eval/lecard/loo-parts.pkl \
        > bench-results/eval/charge-recognition/parts_latency.txt
"""

from __future__ import annotations

import json
import pickle
import statistics
import sys
import time
from pathlib import Path

from api.evaluation.harness import LecardRun, open_index
from api.evaluation.lecard import load_lecard
from api.evaluation.sweeps import latency_summary
from kb.elements.fact_parts import fact_parts
from kb.search_request import SearchRequest

DATA = Path("../shared/data/lecard")
OUT = Path(__file__).with_name("parts_latency.json")
PASSES = 3
LIBRARY_TEXTS = 40


def no_part_votes(query: str, filters: object) -> list[object]:
    return []


def main() -> None:
    dataset = load_lecard(DATA)
    texts = [q.text for q in dataset.queries if fact_parts(q.text)]
    texts += [row["text"] for row in pickle.loads(Path(sys.argv[1]).read_bytes())[:LIBRARY_TEXTS]]
    kb = open_index(LecardRun(data=DATA))
    raw: dict[str, list[float]] = {"on": [], "off": []}
    parts = [len(fact_parts(text)) for text in texts]
    try:
        kb.warm_up()
        for text in texts:  # warm-up pass
            kb.search(SearchRequest(query=text))
        for _ in range(PASSES):
            for mode in ("off", "on"):
                # off: the product's search with no part searches (what it did before the part vote)
                if mode == "off":
                    kb._part_votes = no_part_votes  # type: ignore[method-assign]
                else:
                    vars(kb).pop("_part_votes", None)  # the class's own method again
                for text in texts:
                    started = time.perf_counter()
                    kb.search(SearchRequest(query=text))
                    raw[mode].append((time.perf_counter() - started) * 1000)
    finally:
        kb.close()
    OUT.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(f"{len(texts)} texts with {statistics.mean(parts):.1f} parts on average, {PASSES} passes")
    for mode in ("off", "on"):
        print(f"part vote {mode:>3}: {latency_summary(raw[mode])}")
    ratios = [on / off for on, off in zip(raw["on"], raw["off"], strict=True)]
    print(f"median ratio on / off, text by text: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
