"""The retrieval pipeline: query analysis → BM25 + dense → weighted RRF → fold to entries → whole-facts match (long
queries) → legal-element re-ranking.

The same pipeline runs on both stores; only the two retriever components differ (see kb.stores.factory).
"""

from __future__ import annotations

from typing import Any

from haystack import Pipeline

from kb.components.entry_folder import EntryFolder
from kb.components.facts_ranker import FactsMatchRanker
from kb.components.legal_element_ranker import INFERRED_REACH, LegalElementRanker
from kb.components.query_normalizer import QueryNormalizer
from kb.components.rrf_joiner import WeightedRrfJoiner
from kb.models import SearchHit
from kb.pipelines.runner import run_graph


def allow_kb_components() -> None:
    """Haystack 3 loads pipelines from YAML only from allow-listed modules: ours are kb.* and ingest.*."""
    from haystack.core.serialization_security import allow_deserialization_module

    allow_deserialization_module("kb.*")
    allow_deserialization_module("ingest.*")


def load_search_pipeline(yaml_text: str) -> Pipeline:
    allow_kb_components()
    return Pipeline.loads(yaml_text)


def build_search_pipeline(
    *,
    bm25_retriever: Any,
    embedding_retriever: Any | None = None,
    text_embedder: Any | None = None,
    normalizer: QueryNormalizer | None = None,
    bm25_weight: float = 1.0,
    dense_weight: float = 1.0,
    long_query_dense_weight: float | None = 0.3,
    charge_weight: float = 0.6,
    outcome_weight: float = 0.3,
    facts_ranker: FactsMatchRanker | None = None,
    inferred_reach: int = INFERRED_REACH,
) -> Pipeline:
    """Dense retrieval is left out when there is no embedder (KB_EMBEDDER=none). `facts_ranker` (with its term
    lookup set) adds the whole-facts match of long queries; without it the stage passes hits through.
    `inferred_reach`: how many of the first entries the charges inferred for a pasted text order (KB_INFERRED_REACH).
    `long_query_dense_weight`: the dense list's weight for a long query (kb.pipelines.tuning has it per embedder)."""
    pipe = Pipeline()
    pipe.add_component("normalizer", normalizer or QueryNormalizer())
    pipe.add_component("bm25", bm25_retriever)
    joiner = WeightedRrfJoiner(
        bm25_weight=bm25_weight, dense_weight=dense_weight, long_query_dense_weight=long_query_dense_weight
    )
    pipe.add_component("joiner", joiner)
    pipe.add_component("folder", EntryFolder())
    pipe.add_component("facts", facts_ranker or FactsMatchRanker())
    ranker = LegalElementRanker(
        charge_weight=charge_weight, outcome_weight=outcome_weight, inferred_reach=inferred_reach
    )
    pipe.add_component("ranker", ranker)
    pipe.connect("normalizer.terms", "bm25.query")
    pipe.connect("normalizer.analysis", "joiner.analysis")
    pipe.connect("bm25.documents", "joiner.bm25_documents")
    if embedding_retriever is not None and text_embedder is not None:
        pipe.add_component("embedder", text_embedder)
        pipe.add_component("dense", embedding_retriever)
        pipe.connect("normalizer.text", "embedder.text")
        pipe.connect("embedder.embedding", "dense.query_embedding")
        pipe.connect("dense.documents", "joiner.dense_documents")
    pipe.connect("joiner.documents", "folder.documents")
    pipe.connect("normalizer.analysis", "folder.analysis")
    pipe.connect("folder.hits", "facts.hits")
    pipe.connect("normalizer.analysis", "facts.analysis")
    pipe.connect("facts.hits", "ranker.hits")
    pipe.connect("normalizer.analysis", "ranker.analysis")
    return pipe


def run_search_pipeline(
    pipe: Pipeline,
    query: str,
    *,
    filters: dict[str, Any] | None,
    top_k: int,
    infer_charges: bool = True,
    part_votes: list[tuple[str, list[SearchHit]]] | None = None,
) -> dict[str, Any]:
    """Run it and return {"hits": [...], "analysis": QueryAnalysis, "inferred_charges": {charge: share},
    "inferred_notes": [str], "inferred_reach": int}.

    `inferred_charges`: the charges the ranker inferred from the nearest cases and boosted (best first; {} when it
    inferred none). `inferred_notes`: why the text's checks changed the voted charges, one note each (Chinese).
    `inferred_reach`: how many of the first hits such charges order, as the ranker component is
    configured (0 = the whole list). `infer_charges=False`: nobody votes, so no charge is inferred and the ranking
    is the one without the inferred boost. `part_votes`: (part text, its nearest cases) for each numbered part of the
    query text, for the ranker's part vote (KnowledgeBase.search finds them)."""
    data: dict[str, Any] = {"normalizer": {"query": query}, "bm25": {"filters": filters, "top_k": top_k}}
    if not infer_charges:
        data["ranker"] = {"voters": []}
    elif part_votes:
        data["ranker"] = {"part_votes": part_votes}
    if "dense" in pipe.graph.nodes:
        data["dense"] = {"filters": filters, "top_k": top_k}
    result = run_graph(pipe, data)
    ranker = result["ranker"]
    return {
        "hits": ranker["hits"],
        "analysis": result["normalizer"]["analysis"],
        "inferred_charges": ranker["inferred_charges"],
        "inferred_notes": ranker["inferred_notes"],
        "inferred_reach": int(getattr(pipe.get_component("ranker"), "inferred_reach", 0)),
    }
