"""Whole-text facts match: a pasted fact text against each candidate case's whole 基本案情, fused into the ranking.

Retrieval scores a case by its best passages (chunks of a few hundred characters, folded to the entry), which suits
a short question. A pasted fact text describes a whole course of conduct: the case that matches it is the one whose
基本案情 as a whole tells the same story, even when no single passage stands out. For a long query this component
scores every candidate case by BM25 of the query's distinct tokens (person and place names left out, idf from the
index, `QueryAnalysis.facts_idf`) against the case's whole 基本案情, whose term counts are stored at indexing
(kb.facts_terms). The ranking by that score joins the fused score as one more reciprocal-rank list:
score + weight / (rrf_k + rank). The ten best facts matches carry a reason that names the three query words adding
most to their match (案情相近：醉酒、乙醇、驾驶), so a case lifted by its facts says why. Short queries, and entries
without 基本案情 (guidelines, power-list items, laws), are left as they are.

The weight was chosen on LeCaRD's 77 common queries, where the stage raised the default ranking's upstream nDCG@10
from 0.814 to 0.845, MAP from 0.585 to 0.604 and full-corpus Recall@100 from 0.754 to 0.834 (docs/evaluation.md).
That was with use-m3; the knowledge base takes the weight from its embedder's tuning (kb.pipelines.tuning: 1.5 for
e5-small).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
from haystack import component, default_to_dict

from kb.components.query_normalizer import QueryAnalysis
from kb.facts_terms import FactsTerms, token_hashes
from kb.models import MatchReason, SearchHit

REASON_TOP = 10  # this many best facts matches say which words they share with the query
REASON_WORDS = 3


class FactsCounts(Protocol):
    """Where the 基本案情 counts come from: kb.facts_terms.FactsTermStore (a stand-in in tests)."""

    def lookup(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], FactsTerms]: ...

    def average_length(self) -> float: ...


@dataclass(frozen=True)
class QueryTerms:
    """A long query's distinct tokens, their hashes (kb.facts_terms.token_hash) and their idf, aligned."""

    tokens: tuple[str, ...]
    hashes: np.ndarray
    idf: np.ndarray

    @classmethod
    def from_idf(cls, idf: Mapping[str, float]) -> QueryTerms:
        tokens = tuple(idf)
        return cls(tokens, token_hashes(tokens), np.fromiter(idf.values(), dtype=np.float64, count=len(idf)))


def facts_contributions(query: QueryTerms, terms: FactsTerms, average_length: float, k1: float, b: float) -> np.ndarray:
    """Each query token's BM25 term score against one text's counts (0 for a token the text lacks); their sum is the
    text's BM25 for the bag of distinct query tokens."""
    tf = terms.counts_of(query.hashes).astype(np.float64)
    if not tf.any():
        return np.zeros(len(tf))
    relative = terms.length / average_length if average_length > 0 else 1.0
    norm = k1 * (1 - b + b * relative)
    return query.idf * tf * (k1 + 1) / (tf + norm)


_PLACE_SUFFIX = re.compile(r"[省市县区镇乡村路街道巷号楼]$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _worth_showing(token: str, matched: list[str]) -> bool:
    """A word a reader recognises: two or more characters with Chinese in it, not an address part, and not a piece
    of a longer matched word (jieba's search mode also yields 安民 inside 公安民警)."""
    if len(token) < 2 or not _CJK.search(token) or _PLACE_SUFFIX.search(token):
        return False
    return not any(token != other and token in other for other in matched)


def shared_words(query: QueryTerms, contributions: np.ndarray, limit: int = REASON_WORDS) -> list[str]:
    """The query words that add most to a case's facts match, best first (only words worth showing a reader)."""
    order = [i for i in np.argsort(-contributions, kind="stable").tolist() if contributions[i] > 0]
    matched = [query.tokens[i] for i in order]
    return [token for token in matched if _worth_showing(token, matched)][:limit]


@component
class FactsMatchRanker:
    def __init__(self, weight: float = 1.0, rrf_k: int = 60, k1: float = 1.2, b: float = 0.75) -> None:
        if weight < 0 or rrf_k < 1 or k1 <= 0 or not 0 <= b <= 1:
            msg = f"need weight >= 0, rrf_k >= 1, k1 > 0, 0 <= b <= 1; got {weight}, {rrf_k}, {k1}, {b}"
            raise ValueError(msg)
        self.weight = weight
        self.rrf_k = rrf_k
        self.k1 = k1
        self.b = b
        self.counts: FactsCounts | None = None  # set by the knowledge base (`use`); without it hits pass through

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, weight=self.weight, rrf_k=self.rrf_k, k1=self.k1, b=self.b)

    def use(self, counts: FactsCounts) -> FactsMatchRanker:
        """Read the 基本案情 counts from `counts` (a FactsTermStore); returns self."""
        self.counts = counts
        return self

    def contributions(self, hits: list[SearchHit], analysis: QueryAnalysis) -> tuple[QueryTerms, dict[str, np.ndarray]]:
        """entry id -> each query token's part of its facts BM25, for the hits with 基本案情 sharing a token."""
        query = QueryTerms.from_idf(analysis.facts_idf)
        if self.counts is None:
            return query, {}
        keys = {h.entry_id: (h.entry_id, int(h.meta.get("version") or 0)) for h in hits}
        found = self.counts.lookup(keys.values())
        average = self.counts.average_length()
        out = {}
        for entry_id, key in keys.items():
            terms = found.get(key)
            if terms is not None:
                parts = facts_contributions(query, terms, average, self.k1, self.b)
                if parts.any():
                    out[entry_id] = parts
        return query, out

    @component.output_types(hits=list[SearchHit])
    def run(self, hits: list[SearchHit], analysis: QueryAnalysis | None = None) -> dict[str, Any]:
        """Fuse the facts ranking; the `REASON_TOP` best facts matches also get a reason naming the words they share
        with the query most (案情相近：醉酒、乙醇、驾驶)."""
        if not self.weight or analysis is None or not analysis.long_query or not analysis.facts_idf or not hits:
            return {"hits": hits}
        query, parts = self.contributions(hits, analysis)
        if not parts:
            return {"hits": hits}
        scores = {entry_id: float(values.sum()) for entry_id, values in parts.items()}
        order = sorted(scores, key=lambda entry_id: -scores[entry_id])
        rank = {entry_id: position for position, entry_id in enumerate(order, start=1)}
        fused = []
        for hit in hits:
            position = rank.get(hit.entry_id)
            if position is None:
                fused.append(hit)
                continue
            reasons = hit.reasons
            words = shared_words(query, parts[hit.entry_id]) if position <= REASON_TOP else []
            if words:
                reasons = [*hit.reasons, MatchReason("facts", "、".join(words), f"案情相近：{'、'.join(words)}")]
            fused.append(replace(hit, score=hit.score + self.weight / (self.rrf_k + position), reasons=reasons))
        fused.sort(key=lambda h: h.score, reverse=True)
        return {"hits": fused}
