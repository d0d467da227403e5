"""类案比对: a query case against its similar cases — element comparison, outcome distribution, divergence.

For a pasted case description:

1. its elements are recognised (罪名/案由, 处理结果, 决定因素, 引用条文) with the same extractors as at import;
2. the similar cases are retrieved by the normal search pipeline (published cases only);
3. each case gets a **similarity** in [0, 1] that does not depend on the embedder, so one threshold holds for every
   deployment: `SIM_TEXT` × the idf-weighted cosine of the two texts' jieba terms (the query against the case's
   基本案情, or its whole text when it has none) + `SIM_CHARGES` × the Jaccard overlap of the charges +
   `SIM_FACTORS` × that of the decision factors;
4. the **outcome distribution** counts each case's outcomes with weight similarity × authority (指导性 3, 典型 2,
   参考/警示 1), shares normalised over all outcome weights;
5. a **divergence** is flagged when two cases at or above `DIVERGENCE_SIMILARITY` that share a charge with the
   query were decided with no outcome in common (e.g. one 不起诉, the other 起诉): candidates for a new guiding case.

`DIVERGENCE_SIMILARITY` is calibrated on LeCaRD's graded labels (`kb eval similarity`, docs/evaluation.md): the
lowest similarity at which at least 60 % of the query–candidate pairs at or above it are labelled relevant (2 or 3;
the base rate is 20 %). It is a weak measure there: no threshold reaches 80 % over 50 pairs, because LeCaRD's
queries do not name their charge, so only text and factors count. A better calibrated similarity is still to do.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kb.components.legal_element_ranker import infer_charges_with_notes
from kb.elements.charges import extract_charges_from_case
from kb.elements.factors import extract_factors
from kb.models import Entry
from kb.provision_suggest import Neighbour, Signals, SuggestedProvision, gather, suggest
from kb.search_request import SearchRequest
from kb.text import tokenize

SIM_TEXT, SIM_CHARGES, SIM_FACTORS = 0.6, 0.25, 0.15
DIVERGENCE_SIMILARITY = 0.10  # kb eval similarity, 2026-11-26: 62 % of LeCaRD pairs at or above are relevant
AUTHORITY: dict[str, tuple[str, float]] = {
    "指导性案例": ("指导性", 3.0),
    "典型案例": ("典型", 2.0),
    "参考案例": ("参考", 1.0),
    "警示案例": ("参考", 1.0),
}
ELEMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("charges", "罪名/案由"),
    ("outcomes", "处理结果"),
    ("factors", "决定因素"),
    ("provisions", "引用条文"),
)
MAX_TEXT = 20_000
INFER_FROM, INFER_MIN_SHARE = 10, 0.3  # the element ranker's defaults


@dataclass(frozen=True)
class Elements:
    charges: list[str]
    outcomes: list[str]
    factors: list[str]
    provisions: list[str]
    line: str | None = None
    # Charges not named in the text but inferred from the nearest cases (their votes, as the element ranker does):
    # shown and compared, but left out of the similarity, which would otherwise reward its own guess.
    inferred_charges: list[str] = field(default_factory=list)
    # Why checks of the text changed what the nearest cases voted for (one Chinese sentence each).
    inferred_notes: list[str] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        if name == "charges" and not self.charges:
            return list(self.inferred_charges)
        values: list[str] = getattr(self, name)
        return values


@dataclass(frozen=True)
class SimilarCase:
    entry_id: str
    entry: Entry
    passage: str
    similarity: float
    authority: str
    authority_weight: float

    @property
    def elements(self) -> Elements:
        return entry_elements(self.entry)


@dataclass(frozen=True)
class OutcomeShare:
    outcome: str
    count: int
    weight: float
    share: float
    case_ids: list[str]


@dataclass(frozen=True)
class Divergence:
    flagged: bool
    threshold: float
    detail: str
    groups: list[tuple[str, list[str]]] = field(default_factory=list)  # (outcome, case ids)
    max_similarity: float = 0.0


@dataclass(frozen=True)
class CaseAnalysis:
    query: Elements
    cases: list[SimilarCase]
    distribution: list[OutcomeShare]
    total_weight: float
    divergence: Divergence
    provisions: list[SuggestedProvision] = field(default_factory=list)  # 可能适用的条文 (kb.provision_suggest)
    signals: Signals | None = None  # what the suggestions were ranked from


def query_elements(analysis: Mapping[str, Any], text: str) -> Elements:
    """The query's elements, from the search's own query analysis (`SearchResult.analysis`). A pasted case states its
    facts rather than naming its charge, so charges are also read as from a case's 基本案情 (盗窃手机 → 盗窃罪);
    outcomes and provisions as the query analysis found them; factors by the factor extractor over the whole text.

    The case reader (`extract_charges_from_case`), not the search's stricter `fact_text_charges`: 类案比对 is given
    whole cases, and on the 215 guiding cases of `kb eval provisions` the stricter reading suggested the cited
    articles less well (Recall@10 0.361 → 0.354, MRR 0.588 → 0.573; docs/evaluation.md)."""
    charges = list(dict.fromkeys([*analysis.get("charges", []), *extract_charges_from_case({"facts": text})]))
    return Elements(
        charges=charges,
        outcomes=list(analysis.get("outcomes", [])),
        factors=extract_factors(text),
        provisions=list(analysis.get("provisions", [])),
        line=analysis.get("line"),
    )


def entry_elements(entry: Entry) -> Elements:
    return Elements(list(entry.charges), list(entry.outcomes), list(entry.factors), list(entry.provisions), entry.line)


def _jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    left, right = set(a), set(b)
    if not left and not right:
        return 0.0
    return len(left & right) / len(left | right)


class TermVectors:
    """idf-weighted term vectors over jieba tokens, idf from the index's own document frequencies."""

    def __init__(self, doc_freqs: Any | None) -> None:
        self._doc_freqs = doc_freqs
        self._idf: dict[str, float] = {}

    def prepare(self, token_lists: Sequence[Sequence[str]]) -> None:
        wanted = sorted({t for tokens in token_lists for t in tokens} - self._idf.keys())
        if not wanted:
            return
        freqs: dict[str, int] = {}
        total = 0
        if callable(self._doc_freqs):
            freqs, total = self._doc_freqs(wanted)
        for token in wanted:
            df = freqs.get(token, 0)
            self._idf[token] = math.log(1 + (total + 1) / (df + 1)) if total else 1.0

    def vector(self, tokens: Sequence[str]) -> dict[str, float]:
        counts = Counter(t for t in tokens if len(t) > 1 or not t.isascii())
        return {t: (1 + math.log(c)) * self._idf.get(t, 1.0) for t, c in counts.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(w * large.get(t, 0.0) for t, w in small.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def case_text(entry: Entry) -> str:
    """What a case is compared by: its 基本案情, or its whole text when it has none."""
    return entry.section("facts") or "\n".join(s.text for s in entry.sections if s.key != "keywords")


def similarity(text_cosine: float, query: Elements, case: Elements) -> float:
    value = (
        SIM_TEXT * text_cosine
        + SIM_CHARGES * _jaccard(query.charges, case.charges)
        + SIM_FACTORS * _jaccard(query.factors, case.factors)
    )
    return round(min(1.0, max(0.0, value)), 4)


def authority_of(entry: Entry) -> tuple[str, float]:
    return AUTHORITY.get(entry.case_type or "", ("参考", 1.0))


def outcome_distribution(cases: Sequence[SimilarCase]) -> tuple[list[OutcomeShare], float]:
    weights: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    for case in cases:
        weight = case.similarity * case.authority_weight
        for outcome in dict.fromkeys(case.entry.outcomes):
            weights[outcome] = weights.get(outcome, 0.0) + weight
            members.setdefault(outcome, []).append(case.entry_id)
    total = sum(weights.values())
    shares = [
        OutcomeShare(o, len(members[o]), round(w, 4), round(w / total, 4) if total else 0.0, members[o])
        for o, w in weights.items()
    ]
    shares.sort(key=lambda s: (-s.weight, s.outcome))
    return shares, round(total, 4)


def find_divergence(
    cases: Sequence[SimilarCase], threshold: float = DIVERGENCE_SIMILARITY, charges: Sequence[str] = ()
) -> Divergence:
    """Close cases decided with no outcome in common. With `charges` (the query's, named or inferred), only cases
    sharing one of them count: a 交通肇事 case decided otherwise than a 危险驾驶 one is no divergence."""
    wanted = set(charges)
    close = [
        c
        for c in cases
        if c.similarity >= threshold and c.entry.outcomes and (not wanted or wanted & set(c.entry.charges))
    ]
    for i, first in enumerate(close):
        for second in close[i + 1 :]:
            if set(first.entry.outcomes).isdisjoint(second.entry.outcomes):
                groups: dict[str, list[str]] = {}
                for case in close:
                    groups.setdefault("、".join(case.entry.outcomes), []).append(case.entry_id)
                detail = (
                    f"相似度不低于 {threshold:.2f} 的 {len(close)} 件类案处理结果不一致："
                    + "；".join(f"{outcome}（{len(ids)} 件）" for outcome, ids in groups.items())
                    + "。已记入分歧线索，供案例指导部门研究是否需要发布新的指导性案例。"
                )
                return Divergence(True, threshold, detail, list(groups.items()), max(c.similarity for c in close))
    top = max((c.similarity for c in cases), default=0.0)
    if not close:
        detail = f"没有相似度不低于 {threshold:.2f} 的类案，不判断处理结果是否一致"
    else:
        detail = f"相似度不低于 {threshold:.2f} 的 {len(close)} 件类案处理结果一致"
    return Divergence(False, threshold, detail, [], top)


def analyze_case(
    kb: Any,
    text: str,
    *,
    top_k: int = 20,
    filters: dict[str, list[str]] | None = None,
    exclude_ids: Sequence[str] = (),
) -> CaseAnalysis:
    """The whole analysis for one query case (kb: a KnowledgeBase); `exclude_ids`: cases never to return (an
    evaluation leaves the query case out)."""
    wanted = {**{k: v for k, v in (filters or {}).items() if v}, "kind": ["case"]}  # cases only, never laws
    request = SearchRequest(query=text, filters=wanted, page_size=top_k, exclude_ids=list(exclude_ids))
    result = kb.search(request)
    query = query_elements(result.analysis, text)
    if not query.charges:
        inferred, notes = infer_charges_with_notes(result.hits, text, INFER_FROM, INFER_MIN_SHARE, result.part_votes)
        query = replace(query, inferred_charges=sorted(inferred, key=lambda c: -inferred[c]), inferred_notes=notes)
    entries = [(hit, kb.get_published_entry(hit.entry_id).entry) for hit in result.hits]
    vectors = TermVectors(getattr(kb.store, "doc_freqs", None))
    query_tokens = tokenize(text)
    case_tokens = [tokenize(case_text(entry)) for _, entry in entries]
    vectors.prepare([query_tokens, *case_tokens])
    query_vector = vectors.vector(query_tokens)
    cases = []
    for (hit, entry), tokens in zip(entries, case_tokens, strict=True):
        label, weight = authority_of(entry)
        score = similarity(cosine(query_vector, vectors.vector(tokens)), query, entry_elements(entry))
        cases.append(SimilarCase(hit.entry_id, entry, hit.passage, score, label, weight))
    distribution, total = outcome_distribution(cases)
    divergence = find_divergence(cases, DIVERGENCE_SIMILARITY, query.values("charges"))
    neighbours = [Neighbour(c.entry_id, c.entry.title, c.entry.number, c.similarity, c.entry.provisions) for c in cases]
    signals = gather(kb, text, neighbours, query.values("charges"))
    provisions = suggest(kb.provision_resolver, signals)
    return CaseAnalysis(query, cases, distribution, total, divergence, provisions, signals)


def compare_elements(query: Elements, cases: Sequence[SimilarCase]) -> list[dict[str, Any]]:
    """Per element type: the query's values and, per case, shared / missing (query only) / extra (case only)."""
    rows = []
    for name, label in ELEMENT_FIELDS:
        mine = query.values(name)
        per_case = []
        for case in cases:
            theirs = case.elements.values(name)
            per_case.append({
                "id": case.entry_id,
                "values": theirs,
                "shared": [v for v in mine if v in theirs],
                "missing": [v for v in mine if v not in theirs],
                "extra": [v for v in theirs if v not in mine],
            })
        rows.append({"field": name, "label": label, "query": mine, "cases": per_case})
    return rows
