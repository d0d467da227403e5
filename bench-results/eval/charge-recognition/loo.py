"""Charge recognition measured on the library itself, leave one out (2026-11-29): no LeCaRD label is read.

LeCaRD's 107 queries are few for choosing how charges are recognised, and on the 77 common ones the nearest-case vote
already does about as well as the true charges. The 9,000 indexed judgments know their own charges (from their result
sections), so each sampled judgment's facts can play a pasted fact text:

- the text after 经审理查明, cut before 上述/以上/前述事实 (where the evidence list starts), without any sentence that
  names a charge or the prosecution (罪, 指控, 公诉, 检察院, 辩护, 本院), at most 800 characters, at least 150;
- searched over the whole library with the product's pipeline (elements off), as the product's vote sees it;
- the judgment itself is not a voter, and a voter among the first 40 that shares more than a fifth of the text's
  8-character pieces (a co-defendant's or an appeal judgment of the same case) is marked, so the vote can leave it out;
- truth: the judgment's own indexed charges;
- since the afternoon of 2026-11-29, how much of the text each voter's 基本案情 covers (`coverage`, for the
  small-library guard of bench-results/eval/small-library/); the samples are drawn as before.

    python bench-results/eval/charge-recognition/loo.py 1000 var/eval/lecard/loo.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-drugs.pkl \
        --names 毒 --exclude var/eval/lecard/loo.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-assault.pkl \
        --names 伤害,寻衅滋事 --exclude var/eval/lecard/loo.pkl,var/eval/lecard/loo-drugs.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-duty.pkl --names 职务侵占,贪污 \
        --exclude var/eval/lecard/loo.pkl,var/eval/lecard/loo-drugs.pkl,var/eval/lecard/loo-assault.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-duty2.pkl --names 职务侵占,贪污,受贿 \
        --exclude var/eval/lecard/loo.pkl,var/eval/lecard/loo-drugs.pkl,var/eval/lecard/loo-assault.pkl,var/eval/lecard/loo-duty.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-traffic.pkl --names 危险驾驶,交通肇事 \
        --exclude var/eval/lecard/loo.pkl,var/eval/lecard/loo-drugs.pkl,var/eval/lecard/loo-assault.pkl,\
var/eval/lecard/loo-duty.pkl,var/eval/lecard/loo-duty2.pkl
    python bench-results/eval/charge-recognition/loo.py 250 var/eval/lecard/loo-guns.pkl --names 枪支 \
        --exclude var/eval/lecard/loo.pkl,var/eval/lecard/loo-drugs.pkl,var/eval/lecard/loo-assault.pkl,\
var/eval/lecard/loo-duty.pkl,var/eval/lecard/loo-duty2.pkl,var/eval/lecard/loo-traffic.pkl

The first samples 1,000 judgments at random (seed 20261129; about 14 min on the built index); the others 250
judgments whose case name has one of the words, none of them in the earlier samples (about 3–5 min each): held-out
sets for the drug rule, the injury rule and the crimes-of-office rule of kb/elements/charge_refinement.py (the first
duty sample for the rule as kept; it then showed the bribery confusion, and the second, mostly bribery judgments, is
held out for a bribery check that was tried and not kept), and for the traffic-accident rule and the gun rule (the
library has 179 usable judgments named 枪支 outside the earlier samples, 178 of them with charges, so that sample is
smaller). loo_report.py reads the files.
"""

from __future__ import annotations

import pickle
import random
import re
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from api.evaluation.corpus import pid_of
from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import iter_candidates, load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, LecardEvaluator
from kb.components.facts_ranker import FactsMatchRanker, QueryTerms

DATA = Path("../shared/data/lecard")
PLAIN = replace(CONFIGS[DEFAULT_CONFIG], elements=False)
SEED = 20261129


@dataclass
class FactText:
    text: str


def pseudo_query(facts: str, max_chars: int = 800) -> str:
    """A judgment's facts as a prosecutor would paste them: the court's findings, without the charge named (at most
    `max_chars` characters)."""
    text = facts
    found = re.search(r"经审理查明[：:，,]?", text)
    if found:
        text = text[found.end() :]
    cut = re.search(r"(?:上述|以上|前述)(?:犯罪)?事实", text)
    if cut and cut.start() > 100:
        text = text[: cut.start()]
    sentences = [s for s in re.split(r"(?<=[。；！？])", text) if s.strip()]
    kept = [s for s in sentences if not re.search(r"罪|指控|公诉|检察院|辩护|本院", s)]
    return "".join(kept).strip()[:max_chars]


def grams(text: str, n: int = 8) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


WINDOWS = (120, 240)  # tokens per window of the text, for the windowed facts coverage


def text_windows(query: QueryTerms, tokens: list[str]) -> list[list[list[int]]]:
    """For each size in WINDOWS, the half-overlapping windows of the text as indexes into `query.tokens` (computed
    once per text; `coverages` reads them for every voter)."""
    index = {token: i for i, token in enumerate(query.tokens)}
    out = []
    for size in WINDOWS:
        starts = range(0, max(1, len(tokens) - size // 2), size // 2)
        windows = [sorted({index[t] for t in tokens[start : start + size] if t in index}) for start in starts]
        out.append([window for window in windows if window])
    return out


def coverages(query: QueryTerms, windows: list[list[list[int]]], matched: np.ndarray | None) -> tuple[float, ...]:
    """How much of the text one voter's 基本案情 covers (`matched`: its facts contributions, None when it shares no
    token): the share of the text's idf mass its facts hold (whole text, then the best window of each size in
    WINDOWS, from `text_windows`). Recorded for the small-library guard."""
    if matched is None:
        return (0.0,) * (1 + len(WINDOWS))
    hit = matched > 0
    out = [float(query.idf[hit].sum() / query.idf.sum())]
    for sized in windows:
        best = 0.0
        for window in sized:
            mass = query.idf[window]
            best = max(best, float(mass[hit[window]].sum() / mass.sum()))
        out.append(best)
    return tuple(out)


def main() -> None:
    n, out = int(sys.argv[1]), Path(sys.argv[2])
    dataset = load_lecard(DATA)
    records = list(iter_candidates(dataset.candidates_path))
    facts = {str(r["pid"]): r.get("ajjbqk") or "" for r in records}
    pids = sorted(facts)
    if "--names" in sys.argv:  # case names holding any of these words, none of them in the --exclude files
        words = sys.argv[sys.argv.index("--names") + 1].split(",")
        excluded = sys.argv[sys.argv.index("--exclude") + 1].split(",") if "--exclude" in sys.argv else []
        used = {row["pid"] for name in excluded for row in pickle.loads(Path(name).read_bytes())}
        pids = sorted({str(r["pid"]) for r in records if any(w in (r.get("ajName") or "") for w in words)} - used)
    random.Random(SEED).shuffle(pids)
    rows = []
    start = time.time()
    with warm_index(LecardRun(data=DATA)) as kb:
        evaluator = LecardEvaluator(kb, dataset)
        facts_stage = FactsMatchRanker().use(kb.facts_terms)
        for pid in pids:
            if len(rows) >= n:
                break
            text = pseudo_query(facts[pid])
            if len(text) < 150:
                continue
            query = FactText(text)
            retrieved = evaluator.retrieve(query, filters=None, top_k=evaluator.library_depth(query))
            truth = None
            voters = []
            coverage = []
            pieces = grams(text)
            ranked = evaluator.rank(retrieved, PLAIN)[:300]
            query, parts = facts_stage.contributions(ranked, retrieved.analysis)
            windows = text_windows(query, retrieved.analysis.tokens)
            for rank, hit in enumerate(ranked):
                voter = pid_of(str(hit.meta.get("number") or "")) or ""
                charges = list(dict.fromkeys(hit.meta.get("charges", [])))
                if voter == pid:
                    truth = charges
                    continue
                same_case = rank < 40 and bool(pieces)
                same_case = same_case and len(pieces & grams(facts.get(voter, ""))) / len(pieces) > 0.2
                voters.append((voter, charges, float(hit.score or 0.0), same_case))
                coverage.append(coverages(query, windows, parts.get(hit.entry_id)))
            if truth is None:  # the judgment itself was not found: no indexed charges to compare with
                continue
            rows.append({"pid": pid, "text": text, "truth": truth, "voters": voters, "coverage": coverage})
            if len(rows) % 50 == 0:
                print(f"{len(rows)} judgments, {time.time() - start:.0f} s", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pickle.dumps(rows))
    print(f"done: {len(rows)} judgments in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
