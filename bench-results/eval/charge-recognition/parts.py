"""The part vote measured on the library itself, leave one out (2026-11-29, evening): no LeCaRD label read.

A fact text that numbers several criminal facts (一、…二、…, kb.elements.fact_parts) may tell of a different crime
in each, and the nearest cases of the whole text follow its longest part. This script samples indexed judgments whose
facts, taken as loo.py takes them but up to 3,000 characters, have at least two numbered parts, and records the
nearest cases (the product's pipeline without element re-ranking, the judgment itself left out, as loo.py) of the
whole text and of each part. parts_report.py compares the votes.

    python bench-results/eval/charge-recognition/parts.py 400 var/eval/lecard/loo-parts-textdepth.pkl --part-depth text
    python bench-results/eval/charge-recognition/parts.py 400 var/eval/lecard/loo-parts.pkl
    python bench-results/eval/charge-recognition/parts.py 400 var/eval/lecard/loo-parts-d100.pkl --part-depth 100
    python bench-results/eval/charge-recognition/parts.py 400 var/eval/lecard/loo-parts-heldout.pkl --held-out
    python bench-results/eval/charge-recognition/parts.py 300 var/eval/lecard/loo-parts-arabic.pkl --arabic
    python bench-results/eval/charge-recognition/parts.py 400 var/eval/lecard/loo-parts-arabic-heldout.pkl \
        --arabic --held-out

Truth: the judgment's own indexed charges. The first three draw with loo.py's seed from the judgments not in loo.py's
random sample (287 have parts; 3.5–6.5 min each), each part searched as deep as a query of its length (where the part
share was chosen), 300 chunks deep (the product's PART_DEPTH, chosen next) or 100; the last takes the judgments with
parts of loo.py's random sample (held out: looked at once the part vote was chosen). With --arabic, the texts
numbered 1、2、 (or 1. 2.) and not 一、二、 (the splitter's Arabic style, measured and not kept): 300 of them, and
the held-out ones of loo.py's random sample.
"""

from __future__ import annotations

import pickle
import random
import sys
import time
from pathlib import Path

from loo import DATA, PLAIN, SEED, FactText, grams, pseudo_query

from api.evaluation.corpus import pid_of
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import iter_candidates, load_lecard
from api.evaluation.runner import LecardEvaluator
from kb.elements.fact_parts import ALL_STYLES, fact_parts
from kb.service import PART_DEPTH

MAX_CHARS = 3000
VOTERS = 20  # nearest cases kept per text (the vote reads 10)


def nearest(
    evaluator: LecardEvaluator, text: str, pid: str, facts: dict[str, str], depth: int | None = None
) -> tuple[list, list[str] | None]:
    """(voter pid, charges, same case?) of the first VOTERS cases other than the judgment itself, and its charges;
    `depth`: chunks asked of each retriever (default: the product's depth for this text)."""
    query = FactText(text)
    retrieved = evaluator.retrieve(query, filters=None, top_k=depth or evaluator.library_depth(query))
    pieces = grams(text)
    voters: list[tuple[str, list[str], bool]] = []
    truth = None
    for hit in evaluator.rank(retrieved, PLAIN):
        voter = pid_of(str(hit.meta.get("number") or "")) or ""
        charges = list(dict.fromkeys(hit.meta.get("charges", [])))
        if voter == pid:
            truth = charges
            continue
        same = bool(pieces) and len(pieces & grams(facts.get(voter, ""))) / len(pieces) > 0.2
        voters.append((voter, charges, same))
        if len(voters) >= VOTERS and truth is not None:
            break
    return voters[:VOTERS], truth


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    dataset = load_lecard(DATA)
    records = list(iter_candidates(dataset.candidates_path))
    facts = {str(r["pid"]): r.get("ajjbqk") or "" for r in records}
    # --part-depth N: each part searched N chunks deep (default: the product's, PART_DEPTH); "text": as deep as the
    # product searches a query of the part's length (1,500 chunks for a pasted text, 100 for a short one)
    depth_arg = sys.argv[sys.argv.index("--part-depth") + 1] if "--part-depth" in sys.argv else str(PART_DEPTH)
    part_depth = None if depth_arg == "text" else int(depth_arg)
    used = {row["pid"] for row in pickle.loads(Path("var/eval/lecard/loo.pkl").read_bytes())}
    # --arabic: texts numbered 1、2、 only (kb.elements.fact_parts' second style) instead of 一、二、
    arabic = "--arabic" in sys.argv
    # --held-out: the judgments of loo.py's random sample instead (the part vote's shares were chosen without them)
    pids = sorted(used if "--held-out" in sys.argv else set(facts) - used)
    random.Random(SEED).shuffle(pids)
    rows = []
    start = time.time()
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        for pid in pids:
            if len(rows) >= n:
                break
            text = pseudo_query(facts[pid], MAX_CHARS)
            chinese = fact_parts(text, styles=("chinese",))
            parts = fact_parts(text, ALL_STYLES) if arabic and not chinese else chinese
            if len(text) < 150 or not parts or (arabic and chinese):
                continue
            whole, truth = nearest(evaluator, text, pid, facts)
            if truth is None:  # the judgment itself was not found: no indexed charges to compare with
                continue
            by_part = [nearest(evaluator, part, pid, facts, part_depth)[0] for part in parts]
            rows.append({"pid": pid, "text": text, "parts": parts, "truth": truth, "whole": whole, "by_part": by_part})
            if len(rows) % 25 == 0:
                print(f"{len(rows)} judgments, {time.time() - start:.0f} s", flush=True)
    out.write_bytes(pickle.dumps(rows))
    print(f"done: {len(rows)} judgments in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
