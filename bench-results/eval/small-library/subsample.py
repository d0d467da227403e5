"""The coverage guards on smaller libraries of real judgments (2026-11-29, afternoon), simulated from loo.py's rows.

A library of n judgments drawn at random from the 9,088 would show a text the same nearest cases, minus those not
drawn. Keeping each recorded voter (300 deep) with probability n / 9,088 and voting with the first ten kept
approximates it (the idf would differ a little). Three draws per size; the vote's first charge right, any charge
inferred, and the precision (right / any), for the plain vote (every check before the act check) and for the gates
of guard_report.py:

    python bench-results/eval/small-library/subsample.py var/eval/lecard/loo.pkl > bench-results/eval/small-library/subsample.txt
"""

from __future__ import annotations

import pickle
import random
import sys
from pathlib import Path

from guard_report import everyone, gate, vote

LIBRARY = 9088
GUARDS = [
    ("none", everyone, 0),
    ("gate window 120 0.20", gate(0.20), 1),
    ("gate window 120 0.25", gate(0.25), 1),
    ("gate window 120 0.30", gate(0.30), 1),
    ("gate whole 0.25", gate(0.25), 0),
    ("gate whole 0.30", gate(0.30), 0),
]


def main() -> None:
    rows = pickle.loads(Path(sys.argv[1]).read_bytes())
    print("library | guard                | right  | any    | precision")
    for size in (9088, 3000, 1000, 500, 300):
        for name, guard, measure in GUARDS:
            right = anything = 0
            for draw in range(3):
                keep = random.Random(draw)
                for row in rows:
                    kept = [(i, v) for i, v in enumerate(row["voters"]) if not v[3] and keep.random() < size / LIBRARY]
                    got = vote(row, kept, guard, measure)
                    anything += bool(got)
                    right += bool(got) and got[0] in row["truth"]
            print(f"{size:7d} | {name:20} | {right / 3:6.1f} | {anything / 3:6.1f} | {right / max(anything, 1):.3f}")


if __name__ == "__main__":
    main()
