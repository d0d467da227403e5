"""How the result-section rule changes the charges of LeCaRD's candidate judgments (2026-11-27).

Before: a case's charges were its title's, then every charge stated with a cue (犯…罪, 以…罪, 涉嫌…罪 …) anywhere in
its case sections. Now, when the result section (判决结果) states charges, those follow the title's instead
(`kb.elements.charges.extract_charges_from_case`). Run from the repository root (no index needed, about a minute):

    python bench-results/eval/charge-recognition/extraction.py > bench-results/eval/charge-recognition/extraction.txt

It reads the candidate records by path, builds the sections the court-judgment parser builds (基本案情, 裁判分析过程,
判决结果) and compares the two rules per distinct judgment.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from api.evaluation.lecard import iter_candidates, load_lecard
from kb.elements import charges as charge_rules

DATA = Path("../shared/data/lecard")


def before(sections: Mapping[str, str], title: str) -> list[str]:
    """The rule before the change: title, then every cued mention in the case sections."""
    case_text = charge_rules.case_charge_text(sections)
    names = charge_rules.title_charges(title, case_text)
    stated, plain = charge_rules._stated_charges(case_text)
    return list(dict.fromkeys(names + stated)) or list(dict.fromkeys(plain))


def main() -> None:
    dataset = load_lecard(DATA)
    seen: set[str] = set()
    judgments = changed = decided = 0
    counts_before: list[int] = []
    counts_after: list[int] = []
    dropped: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for record in iter_candidates(dataset.candidates_path):
        pid = str(record["pid"])
        if pid in seen:
            continue
        seen.add(pid)
        sections = {
            "facts": record.get("ajjbqk") or "",
            "reasoning": record.get("cpfxgc") or "",
            "result": record.get("pjjg") or "",
        }
        title = record.get("ajName") or ""
        old, new = before(sections, title), charge_rules.extract_charges_from_case(sections, title)
        judgments += 1
        decided += bool(charge_rules.result_charges(sections))
        counts_before.append(len(old))
        counts_after.append(len(new))
        if old != new:
            changed += 1
            dropped.update(set(old) - set(new))
            added.update(set(new) - set(old))
    print(f"distinct judgments: {judgments}")
    print(f"result section states a charge: {decided} ({decided / judgments:.1%})")
    print(f"charges changed: {changed} ({changed / judgments:.1%})")
    print(f"charges per judgment: {sum(counts_before) / judgments:.2f} -> {sum(counts_after) / judgments:.2f}")
    print(
        f"judgments with more than one charge: {sum(c > 1 for c in counts_before)} -> {sum(c > 1 for c in counts_after)}"
    )
    print("most often dropped:", "、".join(f"{c} {n}" for c, n in dropped.most_common(12)))
    print("added (a result naming a charge the other sections did not cue):", sum(added.values()))


if __name__ == "__main__":
    main()
