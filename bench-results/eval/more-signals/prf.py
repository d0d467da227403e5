"""Dense pseudo-relevance feedback (Rocchio on the vectors): tried for full-corpus recall, not kept (2026-11-27).

After the first retrieval, the first M cases of the hybrid ranking lend their embedded 基本案情 chunks: their mean
vector, mixed with the query's (alpha × query + (1 - alpha) × feedback, normalised), searches the index a second
time. "merge" joins the two dense lists by reciprocal rank before the normal fusion; "replace" uses only the second.
In the re-rank protocol the feedback comes from the pool's own first ranking. Both protocols, the product pipeline,
hybrid and dense only; the first block is without feedback. Run from the repository root on the built use-m3
evaluation index, about 8 minutes:

    python bench-results/eval/more-signals/prf.py > bench-results/eval/more-signals/prf.txt
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from api.evaluation.harness import LecardRun, warm_index
from api.evaluation.lecard import LecardQuery, load_lecard
from api.evaluation.runner import CONFIGS, DEFAULT_CONFIG, EvalOptions, LecardEvaluator, Retrieved
from api.evaluation.sweeps import print_sweep
from kb.components.rrf_joiner import weighted_rrf

DATA = Path("../shared/data/lecard")


@dataclass(frozen=True)
class Feedback:
    cases: int  # M: the first cases of the hybrid ranking that lend their vectors
    alpha: float  # the query vector's share of the new query vector
    mode: str  # "merge" | "replace"


VARIANTS = (Feedback(5, 0.5, "merge"), Feedback(10, 0.5, "merge"), Feedback(5, 0.7, "replace"))


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


class FeedbackEvaluator(LecardEvaluator):
    def __init__(self, *args: Any, feedback: Feedback | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feedback = feedback

    def retrieve(
        self, query: LecardQuery, *, filters: dict[str, Any] | None, top_k: int, dense: bool = True
    ) -> Retrieved:
        first = super().retrieve(query, filters=filters, top_k=top_k, dense=dense)
        if self.feedback is None or not first.dense or self.text_embedder is None:
            return first
        hybrid = self.rank(first, replace(CONFIGS[DEFAULT_CONFIG], elements=False))
        top = [hit.entry_id for hit in hybrid[: self.feedback.cases]]
        chunks = self.kb.backend.store.filter_documents({"field": "meta.entry_id", "operator": "in", "value": top})
        vectors = [np.asarray(d.embedding, dtype=np.float32) for d in chunks if d.embedding is not None]
        if not vectors:
            return first
        query_vector = unit(np.asarray(self.text_embedder.run(text=first.analysis.text)["embedding"], np.float32))
        alpha = self.feedback.alpha
        vector = unit(alpha * query_vector + (1 - alpha) * unit(np.mean(vectors, axis=0)))
        retriever = self.kb.backend.embedding_retriever
        second = retriever.run(query_embedding=vector.tolist(), filters=filters, top_k=top_k)["documents"]
        dense_list = second if self.feedback.mode == "replace" else weighted_rrf([(first.dense, 1.0), (second, 1.0)])
        return Retrieved(analysis=first.analysis, bm25=first.bm25, dense=dense_list)


def main() -> None:
    dataset = load_lecard(DATA)
    configs = [CONFIGS[DEFAULT_CONFIG], CONFIGS["hybrid"], CONFIGS["dense"]]
    with warm_index(LecardRun(data=DATA)) as kb:
        for feedback in (None, *VARIANTS):
            evaluator = FeedbackEvaluator(kb, dataset, EvalOptions(), feedback=feedback)
            print(f"# feedback: {feedback or 'none'}", flush=True)
            print_sweep(evaluator, configs)


if __name__ == "__main__":
    main()
