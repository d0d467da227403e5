"""Real judgments' facts pasted into a small library: the demo corpus (2026-11-29, afternoon).

The demo corpus (kb/data/demo) has 49 illustrative cases, about twenty of them criminal, of some fifteen charges: the
size of a procuratorate's own collection when it starts. The fact texts of loo.py's random sample (999 LeCaRD
judgments, read by path, never copied) are searched on it as a prosecutor would paste them, with the product's
pipeline and default embedder. For each text: the charges the product infers now, the first ten voters (the hits the
ranker votes with) with their charges and how much of the text each covers (loo.coverages: whole text, best window
of 120 and of 240 tokens). guard_report.py --demo reads the output.

    kb init --demo    # the demo library in var/kb (KB_HOME)
    python bench-results/eval/small-library/demo_library.py var/eval/lecard/loo.pkl var/eval/small-library/demo.pkl
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "charge-recognition"))

from loo import coverages, text_windows

from kb.config import load_settings
from kb.pipelines.runner import run_graph
from kb.search_request import to_haystack_filters
from kb.service import KnowledgeBase


def main() -> None:
    sample, out = Path(sys.argv[1]), Path(sys.argv[2])
    rows = pickle.loads(sample.read_bytes())
    kb = KnowledgeBase(load_settings())
    filters = to_haystack_filters({"kind": ["case"]})
    _, cases = kb.list_entries(kind="case", filters=None, page=1, page_size=1000, sort="number")
    library = sorted({charge for stored in cases for charge in stored.entry.charges})
    results = []
    start = time.time()
    for row in rows:
        text = row["text"]
        top_k = kb.search_depth(text)
        data = {"normalizer": {"query": text}, "bm25": {"filters": filters, "top_k": top_k}}
        if "dense" in kb.pipeline.graph.nodes:
            data["dense"] = {"filters": filters, "top_k": top_k}
        result = run_graph(kb.pipeline, data)
        analysis = result["normalizer"]["analysis"]
        voting = result["facts"]["hits"][:10]
        query, parts = kb.facts_ranker.contributions(voting, analysis)
        windows = text_windows(query, analysis.tokens)
        dense: dict[
            str, float
        ] = {}  # entry id -> its best chunk's similarity to the text (the dense retriever's score)
        for doc in result.get("dense", {}).get("documents", []):
            entry_id = str(doc.meta.get("entry_id"))
            dense[entry_id] = max(dense.get(entry_id, -1.0), float(doc.score or 0.0))
        voters = [
            (
                hit.entry_id,
                list(hit.meta.get("charges", [])),
                coverages(query, windows, parts.get(hit.entry_id)),
                dense.get(hit.entry_id, -1.0),
            )
            for hit in voting
        ]
        results.append({
            "pid": row["pid"],
            "truth": row["truth"],
            "named": list(analysis.charges),
            "inferred": list(result["ranker"]["inferred_charges"]),
            "voters": voters,
        })
        if len(results) % 100 == 0:
            print(f"{len(results)} texts, {time.time() - start:.0f} s", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps({"library_charges": library, "rows": results}))
    print(f"done: {len(results)} texts in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
