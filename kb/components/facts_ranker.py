"""Whole-text facts match: a pasted fact text against each candidate case's whole 基本案情, fused into the ranking.

Retrieval scores a case by its best passages (chunks of a few hundred characters, folded to the entry), which suits
a short question. A pasted fact text describes a whole course of conduct: the case that matches it is the one whose
基本案情 as a whole tells the same story, even when no single passage stands out. For a long query this component
scores every candidate case by BM25 of the query's distinct tokens (person and place names left out, idf from the
index, `QueryAnalysis.facts_idf`) against the case's whole 基本案情, whose term counts are stored at indexing
(kb.facts_terms). The ranking by that score joins the fused score as one more reciprocal-rank list:
score + weight / (rrf_k + rank). Short queries, and entries without 基本案情 (guidelines, power-list items, laws),
are left as they are.

On LeCaRD's 77 common queries this raised the default ranking (docs/evaluation.md); the weight was chosen there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from haystack import component, default_to_dict

from kb.components.query_normalizer import QueryAnalysis
from kb.facts_terms import FactsTerms, FactsTermStore, token_hashes
from kb.models import SearchHit

TermsLookup = Callable[[Iterable[tuple[str, int]]], dict[tuple[str, int], FactsTerms]]


@dataclass(frozen=True)
class QueryTerms:
    """A long query's distinct tokens as hashes (kb.facts_terms.token_hash) with their idf."""

    hashes: np.ndarray
    idf: np.ndarray

    @classmethod
    def from_idf(cls, idf: Mapping[str, float]) -> QueryTerms:
        return cls(token_hashes(idf), np.fromiter(idf.values(), dtype=np.float64, count=len(idf)))


def facts_bm25(query: QueryTerms, terms: FactsTerms, average_length: float, k1: float, b: float) -> float:
    """BM25 of a bag of distinct query tokens against one text's term counts."""
    tf = terms.counts_of(query.hashes).astype(np.float64)
    if not tf.any():
        return 0.0
    relative = terms.length / average_length if average_length > 0 else 1.0
    norm = k1 * (1 - b + b * relative)
    return float(np.sum(query.idf * tf * (k1 + 1) / (tf + norm)))


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
        # Set by the knowledge base (kb.facts_terms.FactsTermStore.lookup / average_length); without them the
        # component passes hits through.
        self.lookup: TermsLookup | None = None
        self.average_length: Callable[[], float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, weight=self.weight, rrf_k=self.rrf_k, k1=self.k1, b=self.b)

    def use(self, store: FactsTermStore) -> FactsMatchRanker:
        """Read the 基本案情 counts from `store`; returns self."""
        self.lookup = store.lookup
        self.average_length = store.average_length
        return self

    def scores(self, hits: list[SearchHit], analysis: QueryAnalysis) -> dict[str, float]:
        """entry id -> facts BM25, for the hits that have 基本案情 (and share a token with the query)."""
        if self.lookup is None or self.average_length is None:
            return {}
        keys = {h.entry_id: (h.entry_id, int(h.meta.get("version") or 0)) for h in hits}
        found = self.lookup(keys.values())
        average = self.average_length()
        query = QueryTerms.from_idf(analysis.facts_idf)
        out = {}
        for entry_id, key in keys.items():
            terms = found.get(key)
            if terms is not None:
                score = facts_bm25(query, terms, average, self.k1, self.b)
                if score > 0:
                    out[entry_id] = score
        return out

    @component.output_types(hits=list[SearchHit])
    def run(self, hits: list[SearchHit], analysis: QueryAnalysis | None = None) -> dict[str, Any]:
        if not self.weight or analysis is None or not analysis.long_query or not analysis.facts_idf or not hits:
            return {"hits": hits}
        scores = self.scores(hits, analysis)
        if not scores:
            return {"hits": hits}
        order = sorted(scores, key=lambda entry_id: -scores[entry_id])
        rank = {entry_id: position for position, entry_id in enumerate(order, start=1)}
        fused = [
            replace(h, score=h.score + self.weight / (self.rrf_k + rank[h.entry_id])) if h.entry_id in rank else h
            for h in hits
        ]
        fused.sort(key=lambda h: h.score, reverse=True)
        return {"hits": fused}
