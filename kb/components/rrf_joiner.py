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
    """Two named inputs rather than a variadic one, so each list keeps its weight.

    A long query (a pasted case description, `QueryAnalysis.long_query`) gives the dense list
    `long_query_dense_weight` instead: BM25 then has plenty of terms to match, while the embedder reads only the
    beginning of the text. Measured on LeCaRD (fact descriptions; tuned on its 77 common queries): full-corpus
    Recall@100 0.689 → 0.767 on the common and 0.650 → 0.797 on the 30 held-out controversial queries, re-rank
    nDCG@10 unchanged (0.754 / 0.678 vs 0.681), MAP 0.516 → 0.534 (docs/evaluation.md).
    """

    def __init__(
        self,
        bm25_weight: float = 1.0,
        dense_weight: float = 1.0,
        k: int = 60,
        long_query_dense_weight: float | None = 0.3,
    ) -> None:
        weights = (bm25_weight, dense_weight, long_query_dense_weight or 0.0)
        if k <= 0 or min(weights) < 0:
            msg = f"k must be > 0 and weights >= 0, got k={k}, weights={weights}"
            raise ValueError(msg)
        self.bm25_weight = bm25_weight
        self.dense_weight = dense_weight
        self.long_query_dense_weight = long_query_dense_weight
        self.k = k

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            bm25_weight=self.bm25_weight,
            dense_weight=self.dense_weight,
            k=self.k,
            long_query_dense_weight=self.long_query_dense_weight,
        )

    def weight_of_dense(self, analysis: Any | None) -> float:
        if analysis is not None and getattr(analysis, "long_query", False) and self.long_query_dense_weight is not None:
            return self.long_query_dense_weight
        return self.dense_weight

    @component.output_types(documents=list[Document])
    def run(
        self,
        bm25_documents: list[Document] | None = None,
        dense_documents: list[Document] | None = None,
        analysis: Any | None = None,
    ) -> dict[str, list[Document]]:
        dense = self.weight_of_dense(analysis)
        lists = [(bm25_documents or [], self.bm25_weight), (dense_documents or [], dense)]
        return {"documents": weighted_rrf([pair for pair in lists if pair[0]], self.k)}
