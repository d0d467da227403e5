"""The measurement of docs/dedup.md, as a test: it must keep holding."""

from __future__ import annotations

import json
from pathlib import Path

from kb.dedup.scoring import NEAR_THRESHOLD
from tests.unit.kb.dedup.measure import DATA, build_pairs, precision_recall


def test_the_pairs_are_illustrative_and_enough() -> None:
    spec = json.loads((DATA / "pairs.json").read_text(encoding="utf-8"))
    assert len(spec["positives"]) >= 30 and len(spec["negatives"]) >= 10 and spec["heldout"]
    assert spec["note"].startswith("示例")
    for item in spec["positives"] + spec["negatives"] + spec["heldout"]:
        text = (DATA / item["file"]).read_text(encoding="utf-8")
        assert "示例：是" in text and "（" in text.splitlines()[0] and "示例" in text.splitlines()[0]
        assert (Path(DATA).parents[2] / "kb" / "data" / "demo" / "cases" / item["original"]).is_file()


def test_precision_and_recall_at_the_chosen_threshold() -> None:
    pairs, _ = build_pairs()
    tuning = precision_recall(pairs, NEAR_THRESHOLD)
    hard = precision_recall(pairs, NEAR_THRESHOLD, hard_only=True)
    heldout = precision_recall(pairs, NEAR_THRESHOLD, heldout=True)
    assert tuning["tp"] >= 30
    assert tuning["precision"] >= 0.95 and tuning["recall"] >= 0.95, tuning
    assert hard["precision"] >= 0.95, hard
    assert heldout["precision"] >= 0.95 and heldout["recall"] >= 0.75, heldout
