"""The act check (kb.elements.charge_acts) on the library's own judgments and on the demo library (2026-11-29).

1. How often a judgment's fact text tells of its own charge's act, per charge (a miss is a right charge the check
   would drop), on loo.py's samples.
2. The vote with every check against the vote without the act check, on those samples (as loo_report.py counts:
   the first inferred charge one of the judgment's own); then with the check that gives a criminal text no civil or
   administrative cause of action (the product).
3. On the demo library (demo_library.py's output): texts of a charge the demo corpus has (near), of a kind it has
   but a charge it lacks (mid), of a kind it lacks (far).

    python bench-results/eval/small-library/acts_report.py --demo var/eval/small-library/demo.pkl \
        var/eval/lecard/loo.pkl [more loo samples] > bench-results/eval/small-library/acts.txt
"""

from __future__ import annotations

import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from guard_report import CHECKS_BEFORE, checked_vote, sections_of_all

import kb.elements.charge_refinement as refinement
from kb.elements.charge_acts import ACTS, tells_of_act

Row = dict[str, Any]
PRODUCT = refinement.CHECKS
WITH_ACTS = (*CHECKS_BEFORE, *(check for check in PRODUCT if check[0] is refinement._without_act))


def recall(rows: list[Row]) -> None:
    told: Counter[str] = Counter()
    known: Counter[str] = Counter()
    for row in rows:
        for charge in row["truth"][:1]:
            if charge in ACTS:
                known[charge] += 1
                told[charge] += tells_of_act(row["text"], charge)
    total_known, total_told = sum(known.values()), sum(told.values())
    print(f"first charges in the act table: {total_known} of {len(rows)}; text tells of the act: {total_told}")
    for charge, n in known.most_common():
        if told[charge] < n:
            print(f"    {charge}: {told[charge]} of {n}")


def vote_change(rows: list[Row], label: str, first: tuple[Any, ...], second: tuple[Any, ...]) -> None:
    before = after = changed = better = worse = before_any = after_any = 0
    for row in rows:
        voters = [(v[0], v[1]) for v in row["voters"] if not v[3]]
        old = checked_vote(row["text"], voters, first)
        new = checked_vote(row["text"], voters, second)
        right_old = bool(old) and old[0] in row["truth"]
        right_new = bool(new) and new[0] in row["truth"]
        before += right_old
        after += right_new
        before_any += bool(old)
        after_any += bool(new)
        changed += old != new
        better += right_new and not right_old
        worse += right_old and not right_new
    print(
        f"vote, {label}: changes {changed}; first charge right {before} → {after}"
        f" ({better} better, {worse} worse); any charge inferred {before_any} → {after_any}"
    )


def demo(demo_file: Path, texts: dict[str, str]) -> None:
    data = pickle.loads(demo_file.read_bytes())
    library = set(data["library_charges"])
    library_sections = sections_of_all([c for c in library if c.endswith("罪")])
    counts: dict[str, list[int]] = {"near": [0] * 7, "mid": [0] * 7, "far": [0] * 7}
    for row in data["rows"]:
        if row["named"] or not sections_of_all(row["truth"]) or row["pid"] not in texts:
            continue
        if set(row["truth"]) & library:
            group = "near"
        elif sections_of_all(row["truth"]) & library_sections:
            group = "mid"
        else:
            group = "far"
        voters = [(v[0], v[1]) for v in row["voters"]]
        old = checked_vote(texts[row["pid"]], voters, CHECKS_BEFORE)
        new = checked_vote(texts[row["pid"]], voters, WITH_ACTS)
        now = checked_vote(texts[row["pid"]], voters, PRODUCT)
        cell = counts[group]
        cell[0] += 1
        for column, got in enumerate((old, new, now)):
            cell[1 + 2 * column] += bool(got)
            cell[2 + 2 * column] += bool(got) and got[0] in row["truth"]
    print(f"\n## the demo library ({len(library)} charges and causes), texts naming no charge of their own")
    print("group | texts | without the act check: any, right | with it: any, right | and no cause for a criminal text")
    for group, (n, *cells) in counts.items():
        print(f"{group:5} | {n:5d} | " + " | ".join(f"{cells[i]:4d} {cells[i + 1]:4d}" for i in (0, 2, 4)))


def main() -> None:
    args = sys.argv[1:]
    demo_file = None
    if args[0] == "--demo":
        demo_file, args = Path(args[1]), args[2:]
    texts: dict[str, str] = {}
    for name in args:
        rows = pickle.loads(Path(name).read_bytes())
        texts.update({row["pid"]: row["text"] for row in rows})
        print(f"## {Path(name).name}: {len(rows)} judgments")
        recall(rows)
        vote_change(rows, "every check without → with the act check", CHECKS_BEFORE, WITH_ACTS)
        vote_change(rows, "then no cause for a criminal text", WITH_ACTS, PRODUCT)
        print()
    if demo_file is not None:
        demo(demo_file, texts)


if __name__ == "__main__":
    main()
