"""The part vote against the whole-text vote, on parts.py's sample (no LeCaRD label read).

    python bench-results/eval/charge-recognition/parts_report.py var/eval/lecard/loo-parts-textdepth.pkl \
        var/eval/lecard/loo-parts.pkl var/eval/lecard/loo-parts-d100.pkl var/eval/lecard/loo-parts-heldout.pkl \
        var/eval/lecard/loo-parts-arabic.pkl var/eval/lecard/loo-parts-arabic-heldout.pkl \
        > bench-results/eval/charge-recognition/parts.txt

The first file is where the part share was chosen (30, 50 or 70 %; parts searched as deep as a query of their length),
the next two the same judgments with parts searched 300 chunks deep (the product's, chosen there) and 100; the fourth
is held out (loo.py's random sample, parts 300 deep). The last two: texts numbered 1、2、 instead, a sample and the
held-out ones (not kept: recall up, precision down more).

Votes (the product's: the first 10 nearest cases other than the judgment's co-defendants' or appeal judgments, weight
1/rank, a charge kept at 30 % of the votes, then the text's checks of kb.elements.charge_refinement):
- whole: the whole text's nearest cases vote (the product before the part vote);
- max: each part's nearest cases vote too, and a charge's share is its best share in any of the votes, the checks
  then run on the whole text;
- max, checked per part: as max, but each vote is checked against its own text (a part's against the part) first;
- the same with a part's charge kept only at 50 % or 70 % of that part's votes (the whole text's at 30 % as before).

Measures against the judgment's own charges: the first inferred charge one of them; of its charges, how many are
inferred (recall); of the inferred ones, how many are its own (precision); for all texts and for those with two
charges or more.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kb.components.legal_element_ranker import infer_charges
from kb.elements.charge_refinement import refine_with_notes
from kb.models import SearchHit

Row = dict[str, Any]
TOP, MIN_SHARE = 10, 0.3


def shares(voters: Sequence[tuple[str, list[str], bool]]) -> dict[str, float]:
    """Every charge's share of the 1/rank votes of the first TOP voters (co-defendants left out)."""
    hits = [SearchHit(pid, 0.0, {"charges": charges}, "", "", "") for pid, charges, same in voters if not same]
    return infer_charges(hits[:TOP], TOP, 1e-9)


def kept(votes: dict[str, float]) -> dict[str, float]:
    return {c: s for c, s in sorted(votes.items(), key=lambda kv: -kv[1]) if s >= MIN_SHARE}


def best_of(votes: Sequence[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for vote in votes:
        for charge, share in vote.items():
            out[charge] = max(out.get(charge, 0.0), share)
    return out


def whole(row: Row) -> dict[str, float]:
    return refine_with_notes(row["text"], kept(shares(row["whole"])))[0]


def maximum(row: Row) -> dict[str, float]:
    votes = [shares(row["whole"])] + [shares(voters) for voters in row["by_part"]]
    return refine_with_notes(row["text"], kept(best_of(votes)))[0]


def maximum_checked(row: Row, part_share: float = MIN_SHARE) -> dict[str, float]:
    votes = [refine_with_notes(row["text"], kept(shares(row["whole"])))[0]]
    for part, voters in zip(row["parts"], row["by_part"], strict=True):
        part_vote = {c: s for c, s in kept(shares(voters)).items() if s >= part_share}
        votes.append(refine_with_notes(part, part_vote)[0])
    return kept(best_of(votes))


VOTES: dict[str, Callable[[Row], dict[str, float]]] = {
    "whole (before)": whole,
    "max": maximum,
    "max, checked per part": maximum_checked,
    "the same, parts at 50 %": lambda row: maximum_checked(row, 0.5),
    "the same, parts at 70 %": lambda row: maximum_checked(row, 0.7),
}


def report(rows: list[Row], label: str) -> None:
    print(f"{label}: {len(rows)} texts")
    for name, vote in VOTES.items():
        first = found = truths = right = inferred = 0
        for row in rows:
            got = vote(row)
            truth = set(row["truth"])
            first += bool(got) and next(iter(got)) in truth
            found += len(truth & set(got))
            truths += len(truth)
            right += len(truth & set(got))
            inferred += len(got)
        print(
            f"    {name:<24} first charge right {first:>4}; recall {found}/{truths} = {found / truths:.3f};"
            f" precision {right}/{inferred} = {right / max(inferred, 1):.3f}"
        )


def main() -> None:
    for name in sys.argv[1:]:
        rows: list[Row] = [row for row in pickle.loads(Path(name).read_bytes()) if row["truth"]]
        parts = [len(row["parts"]) for row in rows]
        print(f"== {name}: parts per text {sum(parts) / len(parts):.2f} on average, at most {max(parts)}")
        report(rows, "all")
        report([row for row in rows if len(row["truth"]) >= 2], "two charges or more")
        report([row for row in rows if len(row["truth"]) == 1], "one charge")
        print()


if __name__ == "__main__":
    main()
