"""Legal-element re-ranking: entries that share the query's 罪名/案由 and 处理结果 move up.

Shared charge matters most in published case-retrieval benchmarks, so it carries the largest weight. The boost is
multiplicative on the fused score and proportional to the share of the query's elements the entry has.

A pasted fact description rarely names its charge ("被告人酒后驾驶……" rather than "危险驾驶罪"). For such a long
query with no charge named, the ranker can infer the likely charges from the query's nearest cases: the charges of
the first `infer_from` hits vote (weight 1/rank), and every charge with at least `infer_min_share` of the votes
counts as a query charge, weighted by its share. Several charges can pass, so multi-charge cases are covered. The
voted charges are then checked against the text (kb.elements.charge_refinement: drugs seized and no trafficking act
make 非法持有毒品罪, not the 贩卖 charge most drug neighbours have). "Names a charge" means, for a long query, a charge
stated about its own case (kb.elements.charges.fact_text_charges); a third person's charge named in passing does
not stop the inference.
On by default (`infer_from=10`; 0 turns it off): on LeCaRD's common queries it raised nDCG@10 and MAP of the hybrid
ranking (docs/evaluation.md). A query that names a charge, and any short query, is re-ranked exactly as before.

Inferred charges weigh `inferred_weight` (3.0), more than a named charge's 0.6: the vote is a statement about the
whole result list, and cases of the voted charge should lead it the way they do when the user gives the charge.
Chosen on LeCaRD's 77 common queries (0.6 / 1.5 / 3.0 / 10; docs/evaluation.md). The hits that vote may be another
list than the one re-ranked (`voters`): a search restricted to a few entries still learns the likely charge from
the nearest cases of the whole library. The inferred charges are an output too (`inferred_charges`): the search page
tells the user which charges it assumed, so a ranking driven by a charge nobody typed is never silent.

The inferred charges order only the first `inferred_reach` entries (50). The rest of the list keeps the order
without their boost: when the vote is wrong, the judgments of the real charge are still among the next ones rather
than pushed below the hundreds of cases of the voted charge. On LeCaRD's whole library this raised the golden
judgments in the first 100 from 0.847 to 0.866 (held-out controversial queries 0.855 → 0.893); the first 50, and
with them every re-rank figure, are unchanged (chosen on the 77 common queries: 20, 30, 50 and 70;
bench-results/eval/recall-hedge/). A charge the query names is not a guess and orders the whole list.

A text that numbers several criminal facts (一、…二、…, kb.elements.fact_parts) may tell of a different crime in each,
and the nearest cases of the whole text follow its longest part: a gambling den and, as part 二, tobacco sold without
a licence were voted 非法经营罪 alone. The part vote lets each part's nearest cases vote too (`part_votes`, one search
per part, made by KnowledgeBase.search): a charge with at least `PART_MIN_SHARE` (50 %) of a part's votes, checked
against the part's own text, is inferred, and a charge's share is its best in any of the votes; a charge only a
part's cases voted for gets a note naming its part (案情第二部分另按危险驾驶罪推断). Chosen on the
library's own judgments with numbered parts, leave one out (30, 50 or 70 %; 50 % found more of their charges without
inferring more wrong ones), then measured on LeCaRD (docs/evaluation.md "The part vote").

Guiding cases (案例类型 指导性案例, the SPP's and the SPC's) weigh 1 + `authority_weight` (0.5) times their score.
Prosecutors are to refer to them in similar cases, and the SPC's guidance on similar-case retrieval (类案检索, 2020)
searches them first; another case ranks above one only when it is half as similar again. The weight stays below a
named charge's 0.6 (and below any inferred charge's boost, at least 1 + 3.0 × 0.3), so a case that shares the
query's charge still leads a guiding case that does not. It was not chosen on a benchmark: the guiding-case
evaluation rewards any weight (its relevant cases are all guiding cases), and LeCaRD's candidates are all 参考案例,
so it changes nothing there (docs/evaluation.md, bench-results/eval/authority/).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from haystack import component, default_to_dict

from kb.components.query_normalizer import QueryAnalysis
from kb.elements.charge_refinement import refine_with_notes
from kb.models import MatchReason, SearchHit

INFERRED_REACH = 50  # entries of a list the inferred charges order (see the module docstring)
PART_MIN_SHARE = 0.5  # share of a numbered part's votes a charge needs (see the module docstring)
_NUMBERS = "零一二三四五六七八九十"  # a part's number in its note (fact_parts keeps at most 6)
GUIDING_CASE = "指导性案例"  # the 案例类型 of the SPP's and the SPC's guiding cases
AUTHORITY_WEIGHT = 0.5  # how much more a guiding case weighs than another case as similar (see the module docstring)


def authority_boost(meta: Mapping[str, Any], weight: float) -> float:
    """1 + weight for a guiding case (案例类型 指导性案例), 1 for any other entry."""
    return 1.0 + weight if weight and meta.get("case_type") == GUIDING_CASE else 1.0


def element_boost(
    meta: dict[str, Any],
    analysis: QueryAnalysis,
    charge_weight: float,
    outcome_weight: float,
    *,
    charge_overlap: str = "query",
) -> float:
    """1 + charge_weight × charge overlap + outcome_weight × share of the query's outcomes the entry has.

    Charge overlap "query": share of the query's charges the entry has; "jaccard": shared / union, so an entry
    convicted of further charges the query does not name gains less.
    """
    boost = 1.0
    if analysis.charges:
        query_charges = set(analysis.charges)
        entry_charges = set(meta.get("charges", []))
        shared = len(query_charges & entry_charges)
        base = len(query_charges | entry_charges) if charge_overlap == "jaccard" else len(query_charges)
        boost += charge_weight * shared / base
    if analysis.outcomes:
        shared = len(set(analysis.outcomes) & set(meta.get("outcomes", [])))
        boost += outcome_weight * shared / len(analysis.outcomes)
    return boost


def infer_charges(hits: Sequence[SearchHit], top_k: int, min_share: float, *, offset: float = 0.0) -> dict[str, float]:
    """Charges voted by the first `top_k` hits (weight 1/rank): charge -> share of the votes, for shares ≥ min_share.
    `offset` flattens the weights to 1/(rank + offset) (tried on 2026-11-29 and not kept: 0 is the product's)."""
    votes: dict[str, float] = {}
    total = 0.0
    for rank, hit in enumerate(hits[:top_k], start=1):
        weight = 1.0 / (rank + offset)
        total += weight
        for charge in dict.fromkeys(hit.meta.get("charges", [])):
            votes[charge] = votes.get(charge, 0.0) + weight
    if total <= 0:
        return {}
    shares = {charge: vote / total for charge, vote in votes.items()}
    return {charge: share for charge, share in sorted(shares.items(), key=lambda kv: -kv[1]) if share >= min_share}


def infer_charges_for_text(hits: Sequence[SearchHit], text: str, top_k: int, min_share: float) -> dict[str, float]:
    """The charges the hits vote for (`infer_charges`), checked against the query text (kb.elements.charge_refinement):
    what the search's ranker and 类案比对 both infer (they call `infer_charges_with_notes`, which also says why)."""
    return infer_charges_with_notes(hits, text, top_k, min_share)[0]


def infer_charges_with_notes(
    hits: Sequence[SearchHit],
    text: str,
    top_k: int,
    min_share: float,
    parts: Sequence[tuple[str, Sequence[SearchHit]]] = (),
) -> tuple[dict[str, float], list[str]]:
    """`infer_charges_for_text`, and a note in Chinese for each check that changed what the hits voted for.

    `parts`: (part text, its nearest cases) for each numbered part of the text (kb.elements.fact_parts), the part
    vote: each part's cases vote too, a charge kept at PART_MIN_SHARE of them and checked against the part's own
    text; a charge's share is then its best in any of the votes."""
    inferred, notes = refine_with_notes(text, infer_charges(hits, top_k, min_share))
    if not parts:
        return inferred, notes
    checked_parts = []
    for number, (part_text, part_hits) in enumerate(parts, start=1):
        voted = infer_charges(part_hits, top_k, max(min_share, PART_MIN_SHARE))
        checked, part_notes = refine_with_notes(part_text, voted)
        added = [charge for charge in checked if charge not in inferred]
        # the page says where a charge the other votes did not bring comes from
        source = [f"案情第{_NUMBERS[number]}部分另按{'、'.join(added)}推断"] if added else []
        checked_parts.append((set(voted) - set(checked), part_notes, source))
        for charge, share in checked.items():
            inferred[charge] = max(inferred.get(charge, 0.0), share)
    for dropped, part_notes, source in checked_parts:
        if dropped & inferred.keys():  # a part's check dropped a charge another vote still infers: no check note
            part_notes = []
        notes.extend(note for note in [*part_notes, *source] if note not in notes)
    return dict(sorted(inferred.items(), key=lambda kv: -kv[1])), notes


def inferred_boost(
    meta: Mapping[str, Any], inferred: Mapping[str, float], charge_weight: float, *, charge_overlap: str = "query"
) -> float:
    """Like `element_boost` for inferred charges, each weighted by its share of the votes."""
    charges = set(meta.get("charges", []))
    total = sum(inferred.values())
    if charge_overlap == "jaccard":
        total += len(charges - set(inferred)) * max(inferred.values(), default=0.0)
    if total <= 0:
        return 1.0
    shared = sum(share for charge, share in inferred.items() if charge in charges)
    return 1.0 + charge_weight * shared / total


@component
class LegalElementRanker:
    def __init__(
        self,
        charge_weight: float = 0.6,
        outcome_weight: float = 0.3,
        infer_from: int = 10,
        infer_min_share: float = 0.3,
        charge_overlap: str = "query",
        inferred_weight: float = 3.0,
        inferred_reach: int = INFERRED_REACH,
        authority_weight: float = AUTHORITY_WEIGHT,
    ) -> None:
        """`inferred_reach`: how many of the first entries the inferred charges order; 0 = the whole list.
        `authority_weight`: the extra weight of a guiding case (1 + weight times its score)."""
        if charge_weight < 0 or outcome_weight < 0 or inferred_weight < 0 or authority_weight < 0:
            msg = f"weights must be >= 0, got {charge_weight}, {outcome_weight}, {inferred_weight}, {authority_weight}"
            raise ValueError(msg)
        if inferred_reach < 0:
            msg = f"inferred_reach must be >= 0, got {inferred_reach}"
            raise ValueError(msg)
        if infer_from < 0 or not 0 < infer_min_share <= 1:
            msg = f"infer_from must be >= 0 and infer_min_share in (0, 1], got {infer_from}, {infer_min_share}"
            raise ValueError(msg)
        self.charge_weight = charge_weight
        self.outcome_weight = outcome_weight
        self.infer_from = infer_from
        if charge_overlap not in ("query", "jaccard"):
            msg = f"charge_overlap must be 'query' or 'jaccard', got {charge_overlap!r}"
            raise ValueError(msg)
        self.infer_min_share = infer_min_share
        self.charge_overlap = charge_overlap
        self.inferred_weight = inferred_weight
        self.inferred_reach = inferred_reach
        self.authority_weight = authority_weight

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            charge_weight=self.charge_weight,
            outcome_weight=self.outcome_weight,
            infer_from=self.infer_from,
            infer_min_share=self.infer_min_share,
            charge_overlap=self.charge_overlap,
            inferred_weight=self.inferred_weight,
            inferred_reach=self.inferred_reach,
            authority_weight=self.authority_weight,
        )

    @component.output_types(hits=list[SearchHit], inferred_charges=dict[str, float], inferred_notes=list[str])
    def run(
        self,
        hits: list[SearchHit],
        analysis: QueryAnalysis | None = None,
        voters: list[SearchHit] | None = None,
        part_votes: list[tuple[str, list[SearchHit]]] | None = None,
    ) -> dict[str, Any]:
        """`voters`: the ranked hits whose charges vote for the inferred charges (default: `hits`). `part_votes`:
        (part text, its nearest cases) for each numbered part of the query text (kb.elements.fact_parts), for the part
        vote; none by default.

        `inferred_charges`: the charges that boosted the ranking, charge -> share of the votes, best first; {} when no
        inference ran (a named charge, a short query, inference off) or no charge reached `infer_min_share`.
        `inferred_notes`: one note in Chinese for each check of the text that changed the voted charges
        (kb.elements.charge_refinement); [] when none did.
        """
        if analysis is None:
            return {"hits": hits, "inferred_charges": {}, "inferred_notes": []}
        inferred: dict[str, float] = {}
        notes: list[str] = []
        if self.infer_from and not analysis.charges and analysis.long_query:
            voting = hits if voters is None else voters
            inferred, notes = infer_charges_with_notes(
                voting, analysis.text, self.infer_from, self.infer_min_share, part_votes or ()
            )
        return {"hits": self.rerank(hits, analysis, inferred), "inferred_charges": inferred, "inferred_notes": notes}

    def rerank(self, hits: list[SearchHit], analysis: QueryAnalysis, inferred: Mapping[str, float]) -> list[SearchHit]:
        """The hits boosted by the query's elements and these inferred charges (charge -> share), best first; past
        `inferred_reach`, in the order without the inferred charges' boost."""
        mode = self.charge_overlap

        def named(meta: dict[str, Any]) -> float:
            value = element_boost(meta, analysis, self.charge_weight, self.outcome_weight, charge_overlap=mode)
            return value * authority_boost(meta, self.authority_weight)

        def boost(meta: dict[str, Any]) -> float:
            value = element_boost(meta, analysis, self.charge_weight, self.outcome_weight, charge_overlap=mode)
            if inferred:
                value += inferred_boost(meta, inferred, self.inferred_weight, charge_overlap=mode) - 1.0
            return value * authority_boost(meta, self.authority_weight)

        ranked = [
            replace(h, score=h.score * boost(h.meta), reasons=reasons(h, inferred, self.authority_weight)) for h in hits
        ]
        ranked.sort(key=lambda h: h.score, reverse=True)
        if not inferred or not self.inferred_reach or len(ranked) <= self.inferred_reach:
            return ranked
        head, tail = ranked[: self.inferred_reach], ranked[self.inferred_reach :]
        unboosted = {h.entry_id: h.score * named(h.meta) for h in hits}
        tail.sort(key=lambda h: unboosted[h.entry_id], reverse=True)
        # the tail's scores without the inferred boost, scaled below the head's last so the list stays sorted by score
        top, ceiling = unboosted[tail[0].entry_id], head[-1].score
        factor = ceiling / top if top > ceiling else 1.0
        for hit in tail:  # copies made above, so the caller's hits are untouched
            hit.score = unboosted[hit.entry_id] * factor
        return head + tail


def reasons(hit: SearchHit, inferred: Mapping[str, float], authority_weight: float = 0.0) -> list[MatchReason]:
    """The hit's reasons, plus one per inferred charge it has (推断罪名：…) and one for a guiding case the authority
    weight lifted (指导性案例：优先参照), so no boost is unexplained."""
    charges = set(hit.meta.get("charges", []))
    extra = [MatchReason("charge", c, f"同推断罪名：{c}") for c in inferred if c in charges]
    if authority_boost(hit.meta, authority_weight) > 1.0:
        extra.append(MatchReason("authority", GUIDING_CASE, f"{GUIDING_CASE}：优先参照"))
    return [*hit.reasons, *extra] if extra else hit.reasons
