"""The small-library guard measured on the library itself (2026-11-29, afternoon): no LeCaRD label is read.

On a library with no case close to a pasted fact text, the nearest cases' vote still names the charge they have
(the demo corpus has no gun case; a gun-possession text was inferred 盗窃罪 at 57 %). loo.py records, for each voter
of each sampled judgment, how much of the text that voter's 基本案情 covers (the share of the text's idf mass it
holds; whole text, and the best window of 120 and of 240 tokens). Two situations are read from the same rows:

- ordinary: the vote as the product sees it (same-case voters left out). A guard should rarely stop a right charge;
- far: every voter whose charges share a 刑法 chapter section (章/节, e.g. 第五章 侵犯财产罪 or 第六章第七节 毒品犯罪)
  with one of the judgment's own charges is left out too, as if the library held no case of that kind. Whatever is
  inferred then is a charge of another kind of crime: a guard should stop it.

Guards: `gate` infers nothing unless one of the voting cases covers at least `tau` of the text; `abstain` lets a
voter vote only if it covers at least `tau` (its weight still counts in the total, so a vote of a few far cases does
not reach the 30 % share).

    python bench-results/eval/small-library/guard_report.py var/eval/lecard/loo.pkl [more samples]
"""

from __future__ import annotations

import pickle
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import kb.elements.charge_refinement as refinement
from kb.charge_articles import charge_articles, defining_articles
from kb.components.legal_element_ranker import LegalElementRanker, infer_charges
from kb.elements.numbers import chinese_to_int
from kb.models import SearchHit

Row = dict[str, Any]
DEFAULTS = LegalElementRanker()
# The checks that came out of these experiments (the act check, then no civil cause for a criminal text). The guards
# here are measured against the product as it was before them, as demo_library.py recorded it (acts_report.py adds
# them).
LATER = (refinement._without_act, refinement._no_cause_for_a_criminal_text)
CHECKS_BEFORE = tuple(check for check in refinement.CHECKS if check[0] not in LATER)
MEASURES = ("whole text", "window 120", "window 240")
TAUS = (0.10, 0.12, 0.15, 0.18, 0.20, 0.22, 0.25)

# 刑法分则: (first article, last article, section) in article order; a chapter without sections is one section.
SECTIONS = [
    (102, 113, "1 国家安全"),
    (114, 139, "2 公共安全"),
    (140, 150, "3.1 伪劣商品"),
    (151, 157, "3.2 走私"),
    (158, 169, "3.3 公司企业管理"),
    (170, 191, "3.4 金融管理秩序"),
    (192, 200, "3.5 金融诈骗"),
    (201, 212, "3.6 税收征管"),
    (213, 220, "3.7 知识产权"),
    (221, 231, "3.8 市场秩序"),
    (232, 262, "4 人身权利"),
    (263, 276, "5 财产"),
    (277, 304, "6.1 公共秩序"),
    (305, 317, "6.2 司法"),
    (318, 323, "6.3 国（边）境"),
    (324, 329, "6.4 文物"),
    (330, 337, "6.5 公共卫生"),
    (338, 346, "6.6 环境资源"),
    (347, 357, "6.7 毒品"),
    (358, 362, "6.8 卖淫"),
    (363, 367, "6.9 淫秽物品"),
    (368, 381, "7 国防利益"),
    (382, 396, "8 贪污贿赂"),
    (397, 419, "9 渎职"),
    (420, 451, "10 军人职责"),
]


def sections_of(charge: str) -> set[str]:
    """The sections of the articles defining the charge; a name the official list has only as part of a longer
    one (贩卖、运输、制造毒品罪 in 走私、贩卖、运输、制造毒品罪) takes the longer name's articles."""
    headings = defining_articles(charge)
    if not headings:
        stem = charge.removesuffix("罪")
        headings = tuple(h for name, found in charge_articles().items() if stem in name for h in found)
    out = set()
    for heading in headings:
        found = re.match(r"第([零〇一二三四五六七八九十百千]+)条", heading)
        if not found:
            continue
        number = chinese_to_int(found.group(1))
        out |= {name for first, last, name in SECTIONS if first <= number <= last}
    return out


def vote(
    row: Row, voters: Sequence[tuple[int, Any]], guard: Callable[[list[float]], list[bool]], measure: int = 0
) -> list[str]:
    """The product's vote and checks over these (index, voter) pairs, the guard deciding which may vote by the
    coverage `measure` (an index into MEASURES)."""
    chosen = voters[: DEFAULTS.infer_from]
    allowed = guard([row["coverage"][i][measure] for i, _ in chosen])
    voting = [(v[0], v[1] if ok else []) for (_, v), ok in zip(chosen, allowed, strict=True)]
    return checked_vote(row["text"], voting, CHECKS_BEFORE)


def checked_vote(
    text: str, voters: Sequence[tuple[str, list[str]]], checks: tuple[tuple[refinement.Check, str], ...]
) -> list[str]:
    """The product's vote over (id, charges) voters in rank order (`infer_charges` with the ranker's defaults), then
    these checks of the text: the inferred charges, best first."""
    hits = [SearchHit(pid, 0.0, {"charges": charges}, "", "", "") for pid, charges in voters[: DEFAULTS.infer_from]]
    voted = infer_charges(hits, DEFAULTS.infer_from, DEFAULTS.infer_min_share)
    return list(refinement.refine_with_notes(text, voted, checks)[0])


def gate(tau: float) -> Callable[[list[float]], list[bool]]:
    return lambda covers: [max(covers, default=0.0) >= tau] * len(covers)


def abstain(tau: float) -> Callable[[list[float]], list[bool]]:
    return lambda covers: [c >= tau for c in covers]


def everyone(covers: list[float]) -> list[bool]:
    return [True] * len(covers)


def demo_report(demo_file: Path, sample: Path) -> None:
    """The guards on demo_library.py's output: texts whose kind of crime the demo library lacks (far: whatever is
    inferred is wrong), texts of a charge it has (near), and the rest (a charge it lacks of a kind it has)."""
    demo = pickle.loads(demo_file.read_bytes())
    texts = {row["pid"]: row["text"] for row in pickle.loads(sample.read_bytes())}
    library = set(demo["library_charges"])
    library_sections = sections_of_all([c for c in library if c.endswith("罪")])
    groups: dict[str, list[Row]] = {"near": [], "mid": [], "far": []}
    for row in demo["rows"]:
        if row["named"] or not sections_of_all(row["truth"]):
            continue
        if set(row["truth"]) & library:
            groups["near"].append(row)
        elif sections_of_all(row["truth"]) & library_sections:
            groups["mid"].append(row)
        else:
            groups["far"].append(row)
    rebuilt = 0
    for rows in groups.values():
        for row in rows:
            voters = [(i, (v[0], v[1], 0.0, False)) for i, v in enumerate(row["voters"])]
            coverage = [v[2] for v in row["voters"]]
            rebuilt += vote({"text": texts[row["pid"]], "coverage": coverage}, voters, everyone) == row["inferred"]
    print("the best dense similarity among the voters (demo_library.py records it), percentiles 10/25/50/75/90:")
    for name, rows in groups.items():
        best = sorted(max(v[3] for v in row["voters"]) for row in rows if row["inferred"])
        if best:
            cuts = [best[min(len(best) - 1, int(q * len(best)))] for q in (0.1, 0.25, 0.5, 0.75, 0.9)]
            print(f"    {name} ({len(best)} with a charge inferred): " + " ".join(f"{c:.3f}" for c in cuts))
    print(f"demo library: {len(library)} charges and causes; texts naming no charge of their own:")
    print(f"(the vote rebuilt from the recorded voters equals the product's for {rebuilt} of them)")
    print(", ".join(f"{name} {len(rows)}" for name, rows in groups.items()))
    for measure, label in enumerate(MEASURES):
        print(f"\n## coverage of the text: {label}")
        print("guard          | near: right  any   | mid: any     | far: any")
        base: dict[str, tuple[int, int]] = {}
        for guard_name, guard in [("none", everyone)] + [
            (f"{kind} {tau:.2f}", make(tau)) for kind, make in (("gate", gate), ("abstain", abstain)) for tau in TAUS
        ]:
            cells = []
            for name, rows in groups.items():
                right = anything = 0
                for row in rows:
                    voters = [(i, (v[0], v[1], 0.0, False)) for i, v in enumerate(row["voters"])]
                    got = vote(
                        {"text": texts[row["pid"]], "coverage": [v[2] for v in row["voters"]]}, voters, guard, measure
                    )
                    anything += bool(got)
                    right += bool(got) and got[0] in row["truth"]
                base.setdefault(name, (right, anything))
                was_right, was_any = base[name]
                if name == "near":
                    cells.append(f"{right:4d} ({right - was_right:+4d}) {anything:4d} ({anything - was_any:+4d})")
                else:
                    cells.append(f"{anything:4d} ({anything - was_any:+4d})")
            print(f"{guard_name:14} | " + " | ".join(cells))


def main() -> None:
    if sys.argv[1] == "--demo":
        demo_report(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    rows: list[Row] = []
    for name in sys.argv[1:]:
        rows += pickle.loads(Path(name).read_bytes())
    rows = [r for r in rows if r.get("coverage") and sections_of_all(r["truth"])]
    ordinary, far = [], []
    for row in rows:
        own = sections_of_all(row["truth"])
        usable = [(i, v) for i, v in enumerate(row["voters"]) if not v[3]]
        ordinary.append(usable)
        far.append([(i, v) for i, v in usable if not (sections_of_all(v[1]) & own) and v[1]])
    print(f"{len(rows)} judgments with known sections ({', '.join(sys.argv[1:])})")
    for measure, label in enumerate(MEASURES):
        print(f"\n## coverage of the text: {label}")
        print("guard          | ordinary: right  any  | far: any charge inferred")
        base_right = base_any = base_far = 0
        for guard_name, guard in [("none", everyone)] + [
            (f"{kind} {tau:.2f}", make(tau)) for kind, make in (("gate", gate), ("abstain", abstain)) for tau in TAUS
        ]:
            right = anything = far_any = 0
            for row, usable, distant in zip(rows, ordinary, far, strict=True):
                got = vote(row, usable, guard, measure)
                anything += bool(got)
                right += bool(got) and got[0] in row["truth"]
                far_any += bool(vote(row, distant, guard, measure))
            if guard_name == "none":
                base_right, base_any, base_far = right, anything, far_any
            print(
                f"{guard_name:14} | {right:5d} ({right - base_right:+4d}) {anything:5d} ({anything - base_any:+4d})"
                f" | {far_any:5d} ({far_any - base_far:+4d})"
            )


def sections_of_all(charges: Sequence[str]) -> set[str]:
    return set().union(*(sections_of(c) for c in charges)) if charges else set()


if __name__ == "__main__":
    main()
