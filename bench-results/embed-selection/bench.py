"""What KB_EMBED_SECTIONS / KB_EMBED_MAX_CHUNKS save at ingest, with a real embedder (2026-11-27).

Ingests the same real cases twice into fresh knowledge bases (empty embedding cache each time): once with every
chunk embedded (the default), once with vectors for the first two 基本案情 chunks only. Prints the ingest seconds
(embedding is most of them), chunks and vectors, and writes the raw figures to `bench.json` next to this file. The
cases are read by path (default: the first 40 SPP guiding cases of ../shared/data/cn-guiding-cases). Run from the
repository root, about 3 minutes with e5-small:

    python bench-results/embed-selection/bench.py > bench-results/embed-selection/bench.txt
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from ingest.pipeline import ingest_paths
from kb.config import Settings
from kb.service import KnowledgeBase

HERE = Path(__file__).parent
CASES = Path("../shared/data/cn-guiding-cases/raw/spp_guiding")
VARIANTS = {"every chunk (default)": {}, "facts, 2 chunks": {"embed_sections": "facts", "embed_max_chunks": 2}}


def run(files: list[Path], embedder: str, selection: dict[str, object]) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as home:
        kb = KnowledgeBase(Settings(_env_file=None, home=Path(home), embedder=embedder, **selection))  # type: ignore[call-arg]
        try:
            kb.warm_up()
            started = time.perf_counter()
            report = ingest_paths(kb, files)
            elapsed = time.perf_counter() - started
            assert report.ok
            stats = kb.stats()
            vectors = sum(doc.embedding is not None for doc in kb.store.filter_documents())
            return {
                "entries": len(files),
                "ingest_s": round(elapsed, 1),
                "chunks": int(stats.get("chunks") or 0),
                "vectors": vectors,
            }
        finally:
            kb.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--embedder", default="e5-small")
    args = parser.parse_args()
    files = sorted(args.cases.glob("检例第*.md"))[: args.limit]
    results = {name: run(files, args.embedder, selection) for name, selection in VARIANTS.items()}
    (HERE / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(files)} SPP guiding cases, {args.embedder}, fresh embedding cache each time")
    print("setting | ingest s | chunks | vectors")
    for name, row in results.items():
        print(f"{name} | {row['ingest_s']} | {row['chunks']} | {row['vectors']}")


if __name__ == "__main__":
    main()
