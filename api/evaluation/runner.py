"""Protocols, query settings and configurations of the LeCaRD evaluation, run against a built knowledge base.

Protocols
  ``rerank``  rank each query's 100-candidate pool: the search is filtered to the pool's entries (the published
              protocol). The pool file lists its first 30 members in label order, so the pool is used as a *set*
              only; candidates no retriever returns are appended in pid order.
  ``full``    retrieve from the whole index (all candidates); Recall@100 of the golden labels.

Query settings
  ``auto``    charges and other elements recognised from the fact text by the product's query analysis.
  ``charge``  the query's own charges (LeCaRD ``crime``) given as a charge filter, as a prosecutor who knows the
              charge would set it; entries the filter leaves out follow, in the automatic ranking's order.

Configurations (one retrieval per query, every configuration ranked from it with the product's components):
  ``bm25``, ``dense``, ``hybrid`` (weighted RRF), ``hybrid+elements`` (RRF + legal-element re-ranking), plus any
  variant passed in. Per query the BM25 and dense chunk lists are fetched once; fusion (`weighted_rrf`), folding
  (`fold_chunks`) and re-ranking (`LegalElementRanker`) are the pipeline's own components.

Charge inference in the re-rank protocol: the product infers a pasted fact text's likely charges from its nearest
cases in the library. Inside a pool the nearest cases are only the pool's, so the query is also run once against the
whole index (no pool filter, no label) and that ranking votes (`vote_from="library"`); ``@pool-vote`` lets the pool
vote instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Protocol

from haystack import Document

from api.evaluation.corpus import NUMBER_PREFIX, duplicate_aliases, pid_of
from api.evaluation.lecard import LecardDataset, LecardQuery
from api.evaluation.metrics import mean, query_metrics
from api.evaluation.upstream import upstream_query_metrics
from kb.components.entry_folder import fold_chunks
from kb.components.facts_ranker import FactsMatchRanker
from kb.components.legal_element_ranker import AUTHORITY_WEIGHT, INFERRED_REACH, LegalElementRanker
from kb.components.query_normalizer import QueryAnalysis
from kb.components.rrf_joiner import weighted_rrf
from kb.components.text_embedder import KbTextEmbedder
from kb.elements.fact_parts import fact_parts
from kb.models import SearchHit
from kb.pipelines.tuning import tuning_for
from kb.service import PART_DEPTH, KnowledgeBase

logger = logging.getLogger(__name__)

PROTOCOLS = ("rerank", "full")
SETTINGS = ("auto", "charge")
SUBSETS = ("all", "common", "controversial")


@dataclass(frozen=True)
class EvalConfig:
    name: str
    bm25: bool = True
    dense: bool = True
    elements: bool = False
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    long_dense_weight: float | None = None  # the dense weight for long queries (WeightedRrfJoiner), None = same
    rrf_k: int = 60
    charge_weight: float = 0.6
    outcome_weight: float = 0.3
    second_weight: float = 0.1
    top_n: int = 2
    section_weights: dict[str, float] | None = None
    infer_from: int = 10  # the product default of LegalElementRanker
    infer_min_share: float = 0.3
    charge_overlap: str = "query"
    inferred_weight: float = 3.0  # the product default of LegalElementRanker
    inferred_reach: int = INFERRED_REACH  # the product default of LegalElementRanker
    facts_weight: float = 0.0  # the whole-facts match of long queries (FactsMatchRanker), 0 = off
    authority_weight: float = AUTHORITY_WEIGHT  # the product default of LegalElementRanker
    # Who votes for the inferred charges in the re-rank protocol: "library" = the nearest cases of the whole index
    # (as the product's search sees the library), "ranked" = the pool's own ranking.
    vote_from: str = "library"
    # The part vote (the product's): the nearest cases of each numbered part of a fact text vote too
    # (kb.elements.fact_parts); off = the whole text's nearest cases only, as before the evening of 2026-11-29.
    part_vote: bool = True


CONFIGS: dict[str, EvalConfig] = {
    "bm25": EvalConfig("bm25", dense=False),
    "dense": EvalConfig("dense", bm25=False),
    "hybrid": EvalConfig("hybrid"),
    # The product's pipeline: the joiner's default dense weight for long queries (kb/components/rrf_joiner.py) and
    # the whole-facts match of long queries at its default weight (kb/components/facts_ranker.py).
    "hybrid+elements": EvalConfig("hybrid+elements", elements=True, long_dense_weight=0.3, facts_weight=1.0),
}
DEFAULT_CONFIG = "hybrid+elements"


def product_config(embedder: str) -> EvalConfig:
    """The product pipeline as the knowledge base builds it for this embedder (kb.pipelines.tuning): `CONFIGS`'
    default with the embedder's facts and long-query dense weights (the defaults were chosen with use-m3)."""
    tuning = tuning_for(embedder)
    return replace(
        CONFIGS[DEFAULT_CONFIG], long_dense_weight=tuning.long_query_dense_weight, facts_weight=tuning.facts_weight
    )


# Named variants for the ablation table of docs/evaluation.md (`kb eval lecard --config <name>`). The ones that
# stand for the product before a change have the inferred charges order the whole list, as it did then.
ABLATIONS: dict[str, EvalConfig] = {
    # the product's element re-ranking before charge inference (a fact text names no charge: no boost at all)
    "hybrid+elements@v0": EvalConfig("hybrid+elements@v0", elements=True, infer_from=0),
    # tried and not kept (no consistent gain on the common queries)
    "hybrid+elements+jaccard": EvalConfig("hybrid+elements+jaccard", elements=True, charge_overlap="jaccard"),
    "hybrid+fold-top2-0.3": EvalConfig("hybrid+fold-top2-0.3", elements=True, second_weight=0.3),
    "hybrid+facts1.3": EvalConfig("hybrid+facts1.3", elements=True, section_weights={"facts": 1.3}),
    "hybrid+dense2": EvalConfig("hybrid+dense2", elements=True, dense_weight=2.0),
    # before the long-query weight
    "hybrid+elements@dense1": EvalConfig("hybrid+elements@dense1", elements=True, inferred_reach=0),
    # before the inferred-charge weight: inferred charges weighed like named ones (0.6), the pool voting
    "hybrid+elements@w0.6": EvalConfig(
        "hybrid+elements@w0.6",
        elements=True,
        long_dense_weight=0.3,
        inferred_weight=0.6,
        vote_from="ranked",
        inferred_reach=0,
    ),
    # the inferred-charge weight alone: the pool's own ranking votes
    "hybrid+elements@pool-vote": EvalConfig(
        "hybrid+elements@pool-vote", elements=True, long_dense_weight=0.3, vote_from="ranked", inferred_reach=0
    ),
    # before the whole-facts match (2026-11-27): chunk retrieval, fusion and element re-ranking only
    "hybrid+elements@no-facts": EvalConfig(
        "hybrid+elements@no-facts", elements=True, long_dense_weight=0.3, inferred_reach=0
    ),
    # before the inferred charges' reach (2026-11-27): they order the whole list, not only its first 50 entries
    "hybrid+elements@whole-list": replace(CONFIGS[DEFAULT_CONFIG], name="hybrid+elements@whole-list", inferred_reach=0),
    # before the part vote (2026-11-29, evening): only the whole text's nearest cases vote
    "hybrid+elements@no-parts": replace(CONFIGS[DEFAULT_CONFIG], name="hybrid+elements@no-parts", part_vote=False),
}
CONFIG_CHOICES: dict[str, EvalConfig] = {**CONFIGS, **ABLATIONS}


@dataclass
class Retrieved:
    analysis: QueryAnalysis
    bm25: list[Document]
    dense: list[Document]


@dataclass
class EvalOptions:
    rerank_top_k: int = 3000  # chunks asked of each retriever inside a pool (covers every chunk of 100 judgments)
    # chunks asked of each retriever over the whole index; None = as the product asks for this query
    # (KnowledgeBase.search_depth: KB_LONG_QUERY_CANDIDATES for a pasted fact text)
    full_top_k: int | None = None
    depth: int = 100  # entries ranked per query
    max_terms: int | None = None  # query terms kept for BM25
    # The query analysis settings below override the product's QueryNormalizer settings; None keeps the product's.
    drop_names: bool | None = None  # leave person and place names out of a long query's terms
    name_terms: int | None = None  # name tokens added back at a low weight
    name_weight: float | None = None  # their weight as a fraction of a normal term's


@dataclass
class Rankings:
    """config -> qid -> ranked pids, for one (protocol, setting)."""

    by_config: dict[str, dict[str, list[str]]] = field(default_factory=dict)


class TextQuery(Protocol):
    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class PartQuery:
    """One numbered part of a query's fact text, searched on its own for the part vote."""

    text: str


class ConfigRanker:
    """A query's chunk lists fetched once, then ranked by any configuration with the pipeline's own components
    (`weighted_rrf`, `fold_chunks`, `FactsMatchRanker`, `LegalElementRanker`): the part of the evaluation that
    knows no dataset."""

    def __init__(self, kb: KnowledgeBase, options: EvalOptions | None = None) -> None:
        self.kb = kb
        self.options = options or EvalOptions()
        self.text_embedder = KbTextEmbedder.from_embedder(kb.embedder) if kb.embedder is not None else None

    # -- retrieval --------------------------------------------------------------------------------------------------

    def retrieve(
        self, query: TextQuery, *, filters: dict[str, Any] | None, top_k: int, dense: bool = True
    ) -> Retrieved:
        names = ("max_terms", "drop_names", "name_terms", "name_weight")
        overrides = {name: getattr(self.options, name) for name in names if getattr(self.options, name) is not None}
        analysis = self.kb.normalizer.analyze(query.text, **overrides)
        bm25 = self.kb.backend.bm25_retriever.run(query=analysis.weights, filters=filters, top_k=top_k)["documents"]
        dense_docs: list[Document] = []
        if dense and self.text_embedder is not None:
            vector = self.text_embedder.run(text=analysis.text)["embedding"]
            retriever = self.kb.backend.embedding_retriever
            dense_docs = retriever.run(query_embedding=vector, filters=filters, top_k=top_k)["documents"]
        return Retrieved(analysis=analysis, bm25=bm25, dense=dense_docs)

    def rank(
        self,
        retrieved: Retrieved,
        config: EvalConfig,
        analysis: QueryAnalysis | None = None,
        library: Retrieved | None = None,
        parts: Sequence[tuple[str, Retrieved]] = (),
    ) -> list[SearchHit]:
        """One configuration's entry ranking from the shared retrieval (documents are copied, never mutated).

        `library`: the same query's retrieval from the whole index; with `vote_from="library"` its ranking votes for
        the inferred charges. `parts`: (part text, its retrieval from the whole index) for each numbered part
        (`part_retrievals`); with `part_vote` their rankings vote too."""
        lists: list[tuple[list[Document], float]] = []
        if config.bm25 and retrieved.bm25:
            lists.append(([replace(d, meta=dict(d.meta)) for d in retrieved.bm25], config.bm25_weight))
        if config.dense and retrieved.dense:
            used_for_weight = analysis or retrieved.analysis
            weight = config.dense_weight
            if config.long_dense_weight is not None and used_for_weight.long_query:
                weight = config.long_dense_weight
            lists.append(([replace(d, meta=dict(d.meta)) for d in retrieved.dense], weight))
        fused = weighted_rrf(lists, config.rrf_k)
        used = analysis or retrieved.analysis
        hits = fold_chunks(
            fused, used, second_weight=config.second_weight, top_n=config.top_n, section_weights=config.section_weights
        )
        if config.facts_weight:
            hits = self.facts_stage(config).run(hits=hits, analysis=used)["hits"]
        if config.elements:
            ranker = element_ranker(config)
            voters = None
            if library is not None and config.vote_from == "library":
                voters = self.rank(library, self.voters_config(config), analysis)
            part_votes = (
                [(text, self.rank(part, self.voters_config(config))) for text, part in parts]
                if config.part_vote
                else []
            )
            hits = ranker.run(hits=hits, analysis=used, voters=voters, part_votes=part_votes)["hits"]
        return hits

    def facts_stage(self, config: EvalConfig) -> FactsMatchRanker:
        """The whole-facts match of this configuration (a sweep script may put a variant in its place)."""
        return FactsMatchRanker(weight=config.facts_weight).use(self.kb.facts_terms)

    def voters_config(self, config: EvalConfig) -> EvalConfig:
        """How the library ranking whose first cases vote for the inferred charges is ranked: this configuration
        without element re-ranking (a sweep script may vary it)."""
        return replace(config, elements=False)

    def part_retrievals(
        self, analysis: QueryAnalysis, configs: Sequence[EvalConfig], dense: bool
    ) -> list[tuple[str, Retrieved]]:
        """(part text, its retrieval from the whole index) for each numbered part of the query text
        (kb.elements.fact_parts), as the product's search retrieves it for the part vote; none when no configuration
        votes by parts."""
        if not any(c.elements and c.part_vote and c.infer_from for c in configs):
            return []
        parts = fact_parts(analysis.text)
        return [(text, self.retrieve(PartQuery(text), filters=None, top_k=PART_DEPTH, dense=dense)) for text in parts]

    def library_depth(self, query: TextQuery) -> int:
        """Chunks asked of each retriever over the whole library: `EvalOptions.full_top_k`, or the product's depth
        for this query text."""
        return self.options.full_top_k or self.kb.search_depth(query.text)


class LecardEvaluator(ConfigRanker):
    def __init__(self, kb: KnowledgeBase, dataset: LecardDataset, options: EvalOptions | None = None) -> None:
        super().__init__(kb, options)
        self.dataset = dataset
        self._entry_of_pid: dict[str, str] | None = None
        # Identical duplicates (corpus.duplicate_aliases): an indexed judgment ranks its twins right after itself.
        self._twins: dict[str, list[str]] = {}
        for alias, indexed in sorted(duplicate_aliases(kb).items()):
            self._twins.setdefault(indexed, []).append(alias)

    # -- index lookups ----------------------------------------------------------------------------------------------

    def entry_ids(self) -> dict[str, str]:
        if self._entry_of_pid is None:
            mapping = {}
            for entry_id, _, entry in self.kb.records.iter_current():
                pid = pid_of(entry.number)
                if pid is not None:
                    mapping[pid] = entry_id
            self._entry_of_pid = mapping
        return self._entry_of_pid

    def pool_filter(self, qid: str) -> dict[str, Any]:
        ids = self.entry_ids()
        members = sorted(ids[p] for p in self.dataset.pools[qid] if p in ids)
        return {"field": "meta.entry_id", "operator": "in", "value": members}

    def pids(self, hits: Sequence[SearchHit]) -> list[str]:
        out = []
        for hit in hits:
            pid = pid_of(str(hit.meta.get("number") or ""))
            if pid is not None:
                out.append(pid)
                out.extend(self._twins.get(pid, ()))
        return out

    # -- protocols ----------------------------------------------------------------------------------------------------

    def run(
        self,
        queries: Sequence[LecardQuery],
        *,
        protocol: str,
        settings: Sequence[str] = SETTINGS,
        configs: Sequence[EvalConfig] = tuple(CONFIGS.values()),
        progress: Callable[[int], None] | None = None,
    ) -> dict[str, Rankings]:
        """setting -> Rankings for every query."""
        out = {s: Rankings({c.name: {} for c in configs}) for s in settings}
        wants_dense = any(c.dense for c in configs)
        for query in queries:
            pool_filter = self.pool_filter(query.qid) if protocol == "rerank" else None
            depth = self.library_depth(query)
            top_k = self.options.rerank_top_k if protocol == "rerank" else depth
            base = self.retrieve(query, filters=pool_filter, top_k=top_k, dense=wants_dense)
            library = None
            if pool_filter is not None and any(c.elements and c.vote_from == "library" for c in configs):
                library = self.retrieve(query, filters=None, top_k=depth, dense=wants_dense)
            parts = self.part_retrievals(base.analysis, configs, wants_dense)
            auto = {c.name: self.pids(self.rank(base, c, library=library, parts=parts)) for c in configs}
            if "auto" in out:
                for name, ranking in auto.items():
                    out["auto"].by_config[name][query.qid] = self._complete(ranking, query.qid, protocol)
            if "charge" in out:
                given = replace(base.analysis, charges=list(query.charges))
                charge_filter = {"field": "meta.charges", "operator": "in", "value": list(query.charges)}
                combined = (
                    charge_filter
                    if pool_filter is None
                    else {
                        "operator": "AND",
                        "conditions": [pool_filter, charge_filter],
                    }
                )
                narrowed = self.retrieve(query, filters=combined, top_k=top_k, dense=wants_dense)
                for config in configs:
                    first = self.pids(self.rank(narrowed, config, given))
                    ranking = list(dict.fromkeys([*first, *auto[config.name]]))
                    out["charge"].by_config[config.name][query.qid] = self._complete(ranking, query.qid, protocol)
            if progress:
                progress(1)
        return out

    def _complete(self, ranking: list[str], qid: str, protocol: str) -> list[str]:
        if protocol != "rerank":
            return ranking[: self.options.depth]
        pool = set(self.dataset.pools[qid])
        ranked = [p for p in ranking if p in pool]
        rest = sorted(pool - set(ranked), key=lambda p: int(p) if p.isdigit() else 0)
        return (ranked + rest)[: self.options.depth]


def element_ranker(config: EvalConfig) -> LegalElementRanker:
    """The product's legal-element re-ranker with this configuration's settings."""
    return LegalElementRanker(
        charge_weight=config.charge_weight,
        outcome_weight=config.outcome_weight,
        infer_from=config.infer_from,
        infer_min_share=config.infer_min_share,
        charge_overlap=config.charge_overlap,
        inferred_weight=config.inferred_weight,
        inferred_reach=config.inferred_reach,
        authority_weight=config.authority_weight,
    )


# -- scoring ------------------------------------------------------------------------------------------------------


def score(
    dataset: LecardDataset, rankings: dict[str, list[str]], queries: Sequence[LecardQuery]
) -> dict[str, dict[str, dict[str, float]]]:
    """subset -> {"ours": metrics, "upstream": metrics, "n": count} averaged over the queries of the subset.

    Upstream figures are computed on the ranking restricted to the labelled candidates (see api.evaluation.upstream).
    """
    result: dict[str, dict[str, Any]] = {}
    for subset in SUBSETS:
        chosen = [q for q in queries if subset == "all" or q.subset == subset]
        if not chosen:
            continue
        ours = [query_metrics(rankings[q.qid], dataset.labels[q.qid], set(dataset.golden[q.qid])) for q in chosen]
        upstream = [upstream_query_metrics(rankings[q.qid], dataset.labels[q.qid]) for q in chosen]
        result[subset] = {
            "n": len(chosen),
            "ours": {k: round(mean([m[k] for m in ours]), 4) for k in ours[0]},
            "upstream": {k: round(mean([m[k] for m in upstream]), 4) for k in upstream[0]},
        }
    return result


def evaluate(
    evaluator: LecardEvaluator,
    queries: Sequence[LecardQuery],
    *,
    protocols: Sequence[str] = PROTOCOLS,
    settings: Sequence[str] = SETTINGS,
    configs: Sequence[EvalConfig] = tuple(CONFIGS.values()),
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """protocol -> setting -> config -> subset scores, with timings and the configurations used."""
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for protocol in protocols:
        started = time.perf_counter()
        runs = evaluator.run(queries, protocol=protocol, settings=settings, configs=configs, progress=progress)
        timings[protocol] = round(time.perf_counter() - started, 2)
        results[protocol] = {
            setting: {
                name: score(evaluator.dataset, ranked, queries) for name, ranked in runs[setting].by_config.items()
            }
            for setting in settings
        }
    return {
        "results": results,
        "timings_s": timings,
        "configs": {c.name: asdict(c) for c in configs},
        "options": asdict(evaluator.options),
        "queries": len(queries),
        "number_prefix": NUMBER_PREFIX,
    }


def perfect_scores(dataset: LecardDataset, queries: Sequence[LecardQuery]) -> dict[str, Any]:
    """A perfect order of each pool (grade 3 first, then 2, 1, 0 and unlabelled) scored by the same code: the ceiling
    of the re-rank protocol. It is below 1 where a query's graded judgments lie outside its pool (docs/evaluation.md)."""

    def perfect(qid: str) -> list[str]:
        grades = dataset.labels[qid]
        return sorted(dataset.pools[qid], key=lambda pid: -grades.get(pid, 0))

    return score(dataset, {q.qid: perfect(q.qid) for q in queries}, queries)


def baseline_scores(dataset: LecardDataset, queries: Sequence[LecardQuery]) -> dict[str, Any]:
    """The published baseline rankings (bm25/tfidf/lm_top100, best first as published) scored by the same code."""
    out = {}
    for name, ranked in dataset.baselines.items():
        best_first = {q: list(reversed(p)) if name in ("bm25", "tfidf") else list(p) for q, p in ranked.items()}
        out[name] = score(dataset, best_first, queries)
    return out
