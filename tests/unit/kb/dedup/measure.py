"""Precision and recall of near-duplicate detection on the pairs in tests/data/dedup (see docs/dedup.md).

    .venv/bin/python -m tests.unit.kb.dedup.measure            # table at the chosen threshold, sweep, timings

Positives: each paraphrase (same case told differently) with its demo original. Negatives: every other pair — the
written hard negatives (a different case of the same charge) with their original, every pair of demo cases (those
sharing a charge or cause counted separately as "hard"), and every paraphrase with the demo cases that are not its
original. Pairs inside DUPLICATE_GROUPS (demo cases that tell one incident twice on purpose) are left out.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np

from ingest.parsers import parse_document
from ingest.router import read_path
from kb.dedup.detector import _Index
from kb.dedup.features import Fingerprint, fingerprint
from kb.dedup.scoring import NEAR_THRESHOLD, score_pair
from kb.models import Entry

ROOT = Path(__file__).resolve().parents[4]
DEMO_CASES = ROOT / "kb" / "data" / "demo" / "cases"
DATA = ROOT / "tests" / "data" / "dedup"
# 刑-016 and 公-005 are the criminal and the public-interest side of the same 罂粟壳 incident (see the demo README).
DUPLICATE_GROUPS = [{"criminal-016.md", "public-interest-005.md", "p16.md"}]


def load(path: Path) -> Entry:
    return parse_document(read_path(path, max_bytes=10_000_000))[0]


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    positive: bool
    hard: bool  # a negative that shares a charge/cause (or is a written hard negative)
    score: float
    text: float
    heldout: bool = False  # involves a paraphrase written after the threshold was chosen


def _grouped(a: str, b: str) -> bool:
    return any(a in g and b in g for g in DUPLICATE_GROUPS)


def build_pairs() -> tuple[list[Pair], dict[str, Fingerprint]]:
    spec = json.loads((DATA / "pairs.json").read_text(encoding="utf-8"))
    prints: dict[str, Fingerprint] = {}
    for path in sorted(DEMO_CASES.glob("*.md")):
        prints[path.name] = fingerprint(load(path))
    originals = {Path(p["file"]).name: p["original"] for p in spec["positives"] + spec["heldout"]}
    heldout = {Path(p["file"]).name for p in spec["heldout"]}
    written_negatives = {Path(p["file"]).name: p["original"] for p in spec["negatives"]}
    for item in spec["positives"] + spec["heldout"] + spec["negatives"]:
        prints[Path(item["file"]).name] = fingerprint(load(DATA / item["file"]))

    def pair(a: str, b: str, positive: bool, hard: bool) -> Pair:
        s = score_pair(prints[a], prints[b])
        return Pair(a, b, positive, hard, s.score, s.text, heldout=a in heldout)

    pairs = [pair(p, o, True, False) for p, o in originals.items()]
    pairs += [pair(n, o, False, True) for n, o in written_negatives.items()]
    demo = sorted(p.name for p in DEMO_CASES.glob("*.md"))
    for a, b in combinations(demo, 2):
        if not _grouped(a, b):
            pairs.append(pair(a, b, False, bool(prints[a].charges & prints[b].charges)))
    for p, o in originals.items():
        for d in demo:
            if d != o and not _grouped(p, d):
                pairs.append(pair(p, d, False, bool(prints[p].charges & prints[d].charges)))
    return pairs, prints


def precision_recall(
    pairs: list[Pair], threshold: float, *, hard_only: bool = False, heldout: bool = False
) -> dict[str, float]:
    chosen = [p for p in pairs if p.heldout == heldout and (p.positive or p.hard or not hard_only)]
    tp = sum(1 for p in chosen if p.positive and p.score >= threshold)
    fp = sum(1 for p in chosen if not p.positive and p.score >= threshold)
    fn = sum(1 for p in chosen if p.positive and p.score < threshold)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    negatives = sum(1 for p in chosen if not p.positive)
    return {"tp": tp, "fp": fp, "fn": fn, "negatives": negatives, "precision": precision, "recall": recall}


def timing(prints: dict[str, Fingerprint], copies: int = 100) -> dict[str, float]:
    """Per-check time against an index of `copies` × the demo cases (fingerprints relabelled, not re-read)."""
    from dataclasses import replace

    from kb.dedup.detector import DuplicateDetector

    index = _Index()
    demo_names = {p.name for p in DEMO_CASES.glob("*.md")}
    demo = [fp for name, fp in prints.items() if name in demo_names]
    for c in range(copies):
        for fp in demo:
            index.put(replace(fp, entry_id=f"{fp.entry_id}-{c}"))
    detector = DuplicateDetector.__new__(DuplicateDetector)
    detector._index = index
    detector.threshold = NEAR_THRESHOLD
    index.cases()
    probe = load(DATA / "paraphrases" / "p01.md")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        fp = fingerprint(probe)
        detector._score_candidates(fp, [])
        times.append((time.perf_counter() - started) * 1000)
    return {"entries": float(len(index.prints)), "median_ms": statistics.median(times), "max_ms": max(times)}


def main() -> int:
    pairs, prints = build_pairs()
    positives = [p for p in pairs if p.positive]
    tuning = [p for p in pairs if not p.heldout]
    print(
        f"tuning pairs: {sum(p.positive for p in tuning)} positive, {sum(not p.positive for p in tuning)} negative "
        f"({sum(p.hard and not p.positive for p in tuning)} hard)"
    )
    for label, hard_only, heldout in (
        ("tuning set, all negatives", False, False),
        ("tuning set, hard negatives only", True, False),
        ("held-out paraphrases, all negatives", False, True),
    ):
        r = precision_recall(pairs, NEAR_THRESHOLD, hard_only=hard_only, heldout=heldout)
        print(
            f"threshold {NEAR_THRESHOLD:.2f}, {label}: precision {r['precision']:.3f} recall {r['recall']:.3f} "
            f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']}, negatives {r['negatives']})"
        )
    print("sweep (tuning set, all negatives): threshold precision recall")
    for t in np.arange(0.30, 0.66, 0.05):
        r = precision_recall(pairs, float(t))
        print(f"  {t:.2f}  {r['precision']:.3f}  {r['recall']:.3f}")
    misses = sorted((p for p in positives if p.score < NEAR_THRESHOLD), key=lambda p: p.score)
    for p in misses:
        print(f"  missed: {p.left} ~ {p.right} score {p.score:.3f} text {p.text:.3f}")
    false = sorted((p for p in pairs if not p.positive and p.score >= NEAR_THRESHOLD), key=lambda p: -p.score)
    for p in false[:10]:
        print(f"  false alarm: {p.left} ~ {p.right} score {p.score:.3f} text {p.text:.3f}")
    worst_neg = max((p for p in pairs if not p.positive), key=lambda p: p.score)
    print(f"highest negative: {worst_neg.left} ~ {worst_neg.right} {worst_neg.score:.3f}")
    t = timing(prints)
    print(f"check against {int(t['entries'])} entries: median {t['median_ms']:.2f} ms, max {t['max_ms']:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
