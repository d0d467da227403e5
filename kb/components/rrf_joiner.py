"""Weighted reciprocal rank fusion of the BM25 and dense result lists (fused on the client, no paid ES feature)."""

from __future__ import annotations

from typing import Any

from haystack import Document, component, default_to_dict


def weighted_rrf(ranked_lists: list[tuple[list[Document], float]], k: int = 60) -> list[Document]:
    """score(d) = Σ weight_i / (k + rank_i(d)), rank from 1. Retriever scores are kept in meta for explanations."""
    scores: dict[str, float] = {}
    docs: dict[str, Document] = {}
    ranks: dict[str, dict[str, int]] = {}
    for index, (documents, weight) in enumerate(ranked_lists):
        for rank, doc in enumerate(documents, start=1):
            scores[doc.id] = scores.get(doc.id, 0.0) + weight / (k + rank)
            docs.setdefault(doc.id, doc)
            ranks.setdefault(doc.id, {})[f"rank_{index}"] = rank
    fused = []
    for doc_id, score in sorted(scores.items(), key=lambda item: item[1], reverse=True):
        doc = docs[doc_id]
        # The retrievers hand over fresh Documents that nothing else holds, so the fused score is set in place:
        # `dataclasses.replace` (and Haystack's attribute tracking) on hundreds of candidates cost ~10 ms a query.
        object.__setattr__(doc, "score", score)
        doc.meta["_ranks"] = ranks[doc_id]
        fused.append(doc)
    return fused


@component
class WeightedRrfJoiner:
    """Two named inputs rather than a variadic one, so each list keeps its weight."""

    def __init__(self, bm25_weight: float = 1.0, dense_weight: float = 1.0, k: int = 60) -> None:
        if k <= 0 or bm25_weight < 0 or dense_weight < 0:
            msg = f"k must be > 0 and weights >= 0, got k={k}, weights={bm25_weight}, {dense_weight}"
            raise ValueError(msg)
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.k = k

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, bm25_weight=self.bm25_weight, dense_weight=self.dense_weight, k=self.k)

    @component.output_types(documents=list[Document])
    def run(
        self, bm25_documents: list[Document] | None = None, dense_documents: list[Document] | None = None
    ) -> dict[str, list[Document]]:
        lists = [(bm25_documents or [], self.bm25_weight), (dense_documents or [], self.dense_weight)]
        return {"documents": weighted_rrf([pair for pair in lists if pair[0]], self.k)}
