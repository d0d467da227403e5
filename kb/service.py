"""`KnowledgeBase`: the facade the CLI and the API use. Records first, index second, search through the pipeline."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
from haystack import Document

from kb import text
from kb.blas import limit_blas_threads
from kb.chunking.embed_selection import chunks_to_embed
from kb.chunking.section_splitter import split_entry
from kb.components.entry_folder import add_passage, fold_chunks
from kb.components.facts_ranker import FactsMatchRanker
from kb.components.query_normalizer import QueryNormalizer
from kb.components.text_embedder import KbTextEmbedder
from kb.config import Settings
from kb.elements.fact_parts import fact_parts
from kb.elements.outcomes import extract_outcomes
from kb.errors import EntryNotFound, EntryRetracted, InvalidQuery, KBError
from kb.facts_terms import FactsTermStore
from kb.long_lived import freeze_long_lived
from kb.models import FACET_KEYS, Entry, EntryKind, MatchReason, SearchHit
from kb.pipelines.search import build_search_pipeline, run_search_pipeline
from kb.pipelines.tuning import tuning_for
from kb.provision_links import ArticleRef, CitedArticle, ProvisionResolver, cases_citing_law, citing_cases
from kb.records import RecordStore, StoredEntry, UpsertResult
from kb.search_request import SearchRequest, SearchResult, facets_from_hits, to_haystack_filters
from kb.stores.factory import build_index_backend
from kb.workflow import Workflow

logger = logging.getLogger(__name__)

PART_VOTERS = 20  # nearest cases kept per numbered part for the part vote (it reads 10; room for excluded ones)
# chunks asked of each retriever for a numbered part: its vote reads the first 10 cases, and on LeCaRD's library 300
# chunks give the same votes as the 1,500 of a pasted text (bench-results/eval/charge-recognition/parts.txt)
PART_DEPTH = 300

Progress = Callable[[int], None]


@dataclass
class IndexReport:
    indexed: int = 0
    deleted: int = 0
    chunks: int = 0
    failed: int = 0
    error: str | None = None
    embed_seconds: float = 0.0
    total_seconds: float = 0.0


def _entry_filter(entry_id: str) -> dict[str, Any]:
    return {"field": "meta.entry_id", "operator": "==", "value": entry_id}


class KnowledgeBase:
    """One knowledge base: the system of record, the search index, the embedder and the search pipeline."""

    def __init__(self, settings: Settings, *, embedder: Any | None = None, embedder_spec: str | None = None) -> None:
        limit_blas_threads()  # see kb.blas: spinning OpenBLAS threads slowed the query embedding twofold
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.records = RecordStore(settings.record_url)
        self.records.init_schema()
        self.embedder = embedder if embedder is not None else self._build_embedder(embedder_spec or settings.embedder)
        dim = self.embedder.dim if self.embedder is not None else None
        self.backend = build_index_backend(settings, embedding_dim=dim)
        self.store = self.backend.store
        self.normalizer = QueryNormalizer(max_chars=settings.max_query_chars)
        doc_freqs = getattr(self.store, "doc_freqs", None)
        if callable(doc_freqs):  # long pasted queries keep their rarest terms by the index's own statistics
            self.normalizer.doc_freqs = doc_freqs
        self.candidates = 100  # chunks asked of each retriever; facets and totals count the entries among them
        self.long_query_candidates = settings.long_query_candidates  # the same for a pasted fact text (search_depth)
        text_embedder = KbTextEmbedder.from_embedder(self.embedder) if self.embedder is not None else None
        self.facts_terms = FactsTermStore(self.records.engine)
        self.tuning = tuning_for(self.embedder.name if self.embedder is not None else None)
        # a long query against each case's 基本案情
        self.facts_ranker = FactsMatchRanker(weight=self.tuning.facts_weight).use(self.facts_terms)
        self.pipeline = build_search_pipeline(
            bm25_retriever=self.backend.bm25_retriever,
            embedding_retriever=self.backend.embedding_retriever if self.embedder is not None else None,
            text_embedder=text_embedder,
            normalizer=self.normalizer,
            long_query_dense_weight=self.tuning.long_query_dense_weight,
            facts_ranker=self.facts_ranker,
            inferred_reach=settings.inferred_reach,
        )

    def _build_embedder(self, spec: str) -> Any | None:
        from kb.embedders.cache import CachedEmbedder, EmbeddingCache
        from kb.embedders.factory import build_embedder

        base = build_embedder(spec, model_cache_dir=self.settings.model_cache_dir)
        if base is None:
            return None
        return CachedEmbedder(base, EmbeddingCache(self.settings.cache_path))

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Load the dictionary, the element matchers, the model and the vectors now, not on the first query."""
        from concurrent.futures import ThreadPoolExecutor

        from kb import elements
        from kb.elements import names

        # jieba's dictionary (about a second of unmarshalling, holding the GIL) and the store's indexes (file reads
        # and numpy, mostly without it) load side by side; the model loads in its own C code.
        def analysis() -> None:
            text.warm_up()
            elements.warm_up()

        tasks = [analysis]
        if self.embedder is not None:
            tasks.append(self.embedder.warm_up)
        warm = getattr(self.store, "warm_up", None)
        if callable(warm):
            tasks.append(warm)
        with ThreadPoolExecutor(max_workers=len(tasks), thread_name_prefix="kb-warm-up") as pool:
            for future in [pool.submit(task) for task in tasks]:
                future.result()
        freeze_long_lived()  # what was just loaded stays; no garbage collection need walk it again
        names.warm_up_in_background()  # only long queries need it: loads a few seconds after start-up

    def close(self) -> None:
        close = getattr(self.store, "close", None)
        if callable(close):
            close()
        self.records.close()

    def ping(self) -> bool:
        try:
            self.store.count_documents()
        except KBError:
            return False
        except Exception:  # a backend's own connection errors
            logger.warning("index ping failed", exc_info=True)
            return False
        return True

    # -- writing -----------------------------------------------------------------------------------------------

    def add_entries(
        self, entries: list[Entry], *, index: bool = True, publish: bool = True, actor: str | None = None
    ) -> list[UpsertResult]:
        """Commit the entries to the record (one transaction), then bring the index up to date.

        `publish=False` stores new and changed entries as drafts for the review workflow (kb.workflow); they reach
        the index when a reviewer publishes them.
        """
        results = self.records.upsert_many(entries, publish=publish, actor=actor)
        if index and publish and any(r.status != "unchanged" for r in results):
            self.index_pending()
        return results

    @cached_property
    def provision_resolver(self) -> ProvisionResolver:
        """Cited provisions -> articles of the published laws (kb.provision_links); rebuilt when laws change."""
        return ProvisionResolver(self.records)

    def provision_links(self, entry: Entry) -> list[tuple[str, ArticleRef | None]]:
        """Each of the entry's cited provisions, in order, with the law article it resolves to (or None)."""
        refs = self.provision_resolver.resolve_many(entry.provisions) if entry.provisions else []
        return list(zip(entry.provisions, refs, strict=True))

    def citations(self, entry_id: str, article: str | None = None) -> list[CitedArticle]:
        """For a published law: its articles cited by published cases, in law order (empty for other entries)."""
        return citing_cases(self.store, self.provision_resolver, entry_id, article)

    @cached_property
    def workflow(self) -> Workflow:
        """Review and publication (kb.workflow); after a step, `index_pending()` brings the index in line."""
        return Workflow(self.records)

    def chunks_for(self, entry_id: str, version: int, entry: Entry) -> list[Document]:
        return split_entry(entry, entry_id, version, self.settings.chunk_chars)

    def _embed(self, documents: list[Document], progress: Progress | None = None) -> list[Document]:
        """Embed `_embed_text` (title + section + chunk); the text itself is not stored a second time."""

        def without_embed_text(doc: Document) -> dict[str, Any]:
            return {k: v for k, v in doc.meta.items() if k != "_embed_text"}

        if self.embedder is None or not documents:
            return [replace(doc, meta=without_embed_text(doc)) for doc in documents]
        # KB_EMBED_SECTIONS / KB_EMBED_MAX_CHUNKS: the chunks left out keep no vector (BM25 still indexes them)
        flags = chunks_to_embed(documents, self.settings.embed_section_keys, self.settings.embed_max_chunks)
        chosen = [doc for doc, flag in zip(documents, flags, strict=True) if flag]
        texts = [str(d.meta.get("_embed_text") or d.content or "") for d in chosen]
        vectors = iter(np.asarray(self.embedder.embed_passages(texts, progress=progress), dtype=np.float32))
        return [
            replace(doc, embedding=next(vectors).tolist() if flag else None, meta=without_embed_text(doc))
            for doc, flag in zip(documents, flags, strict=True)
        ]

    def index_pending(self, *, progress: Progress | None = None, batch: int = 64) -> IndexReport:
        """Write every queued version to the index (the outbox), oldest first. Failures stay queued for a retry."""
        report = IndexReport()
        started = time.perf_counter()
        while True:
            pending = self.records.pending(limit=batch)
            if not pending:
                break
            # Only the newest queued version of an entry matters; older rows are superseded.
            latest: dict[str, Any] = {}
            for item in pending:
                latest[item.entry_id] = item
            try:
                for item in latest.values():
                    stored = self._public_version(item.entry_id) if item.op == "upsert" else None
                    if stored is None:  # deleted, retracted, or never published: not in the index
                        self.store.delete_by_filter(_entry_filter(item.entry_id))
                        self.facts_terms.forget(item.entry_id)
                        report.deleted += 1
                        continue
                    docs = self.chunks_for(stored.id, stored.version, stored.entry)
                    self.facts_terms.put(stored.id, stored.version, stored.entry)
                    t0 = time.perf_counter()
                    docs = self._embed(docs)
                    report.embed_seconds += time.perf_counter() - t0
                    self.store.replace_documents(_entry_filter(stored.id), docs)
                    report.indexed += 1
                    report.chunks += len(docs)
                    if progress:
                        progress(1)
            except Exception as exc:  # the index is down or refused: keep the rows for a retry
                logger.warning("indexing failed, %d versions stay queued: %s", len(pending), type(exc).__name__)
                self.records.mark_failed([p.outbox_id for p in pending], f"{type(exc).__name__}: {exc}")
                report.failed += len(pending)
                report.error = f"{type(exc).__name__}: {exc}"
                break
            self.records.mark_indexed([p.outbox_id for p in pending])
        report.total_seconds = time.perf_counter() - started
        return report

    def _public_version(self, entry_id: str) -> StoredEntry | None:
        try:
            return self.records.get_published(entry_id)
        except (EntryNotFound, EntryRetracted):
            return None

    def reindex(self, *, progress: Progress | None = None) -> IndexReport:
        """Rebuild the index from the record: every published version, chunked and embedded (from the cache) anew.

        A store with `begin_rebuild` (Elasticsearch) fills a fresh index while searches keep using the live one,
        then swaps them in one step; if anything fails the live index stays as it was. Entries another process
        changed meanwhile (written to the live index) are written again before the swap.
        """
        begin = getattr(self.store, "begin_rebuild", None)
        if not callable(begin):
            self.store.delete_all_documents()
            self.records.enqueue_all()
            return self.index_pending(progress=progress)
        before = {entry_id: version for entry_id, version, _ in self.records.iter_published()}
        begin()
        try:
            self.records.enqueue_all()
            report = self.index_pending(progress=progress)
            if report.failed:
                self.store.abort_rebuild()
                return report
            after = {entry_id: (version, entry) for entry_id, version, entry in self.records.iter_published()}
            for entry_id, (version, entry) in after.items():
                if before.get(entry_id) != version:
                    docs = self._embed(self.chunks_for(entry_id, version, entry))
                    self.store.replace_documents(_entry_filter(entry_id), docs)
            for entry_id in before.keys() - after.keys():
                self.store.delete_by_filter(_entry_filter(entry_id))
            self.store.finish_rebuild()
        except BaseException:
            self.store.abort_rebuild()
            raise
        return report

    # -- reading -----------------------------------------------------------------------------------------------

    def get_entry(self, entry_id: str, version: int | None = None) -> StoredEntry:
        """Any version, whatever its workflow state (staff); the working version by default."""
        return self.records.get(entry_id, version)

    def get_published_entry(self, entry_id: str, version: int | None = None) -> StoredEntry:
        """What everyone may read: the published version by default (EntryNotFound / EntryRetracted otherwise)."""
        return self.records.get_published(entry_id, version)

    def list_entries(
        self, *, kind: str | None, filters: dict[str, list[str]] | None, page: int, page_size: int, sort: str
    ) -> tuple[int, list[StoredEntry]]:
        return self.records.list_entries(
            kind=kind, filters=filters, offset=(page - 1) * page_size, limit=page_size, sort=sort
        )

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        filters = dict(request.filters)
        filters.setdefault("kind", [EntryKind.CASE.value])
        haystack_filters = to_haystack_filters(filters)
        query = request.query.strip()
        need = request.page * request.page_size
        excluded = set(request.exclude_ids)
        part_votes: list[tuple[str, list[SearchHit]]] = []
        if query:
            top_k = self.search_depth(query, need)
            parts = self._part_votes(query, haystack_filters) if request.infer_charges else []
            out = run_search_pipeline(
                self.pipeline,
                query,
                filters=haystack_filters,
                top_k=top_k,
                infer_charges=request.infer_charges,
                part_votes=parts,
            )
            part_votes = [(part, [h for h in voters if h.entry_id not in excluded]) for part, voters in parts]
            hits: list[SearchHit] = out["hits"]
            analysis: dict[str, Any] = out["analysis"].to_public()
            # Charges nobody typed that reordered the results: the page names them (charge, share of the votes).
            inferred: dict[str, float] = out["inferred_charges"]
            analysis["inferred_charges"] = [{"charge": c, "share": round(share, 2)} for c, share in inferred.items()]
            # Why the fact text's checks changed what the nearest cases voted for (案情未提及合同…，不按合同诈骗罪推断).
            analysis["inferred_notes"] = list(out["inferred_notes"])
            reach: int = out["inferred_reach"] if inferred else 0
        else:
            hits = self._browse(haystack_filters)
            analysis = {
                "tokens": [],
                "charges": [],
                "outcomes": [],
                "provisions": [],
                "line": None,
                "long_query": False,
                "inferred_charges": [],
                "inferred_notes": [],
            }
            reach = 0
        # the first `reach` hits are the ones the inferred charges ordered: those of them the exclusions leave
        head = sum(1 for h in hits[:reach] if h.entry_id not in excluded)
        if excluded:
            hits = [h for h in hits if h.entry_id not in excluded]
        if request.sort == "date":
            hits.sort(key=lambda h: str(h.meta.get("publish_date") or ""), reverse=True)
        # Where the list stops following the inferred charges (the search page marks it); none when they order all
        # of it, or none of it, or the list is by date.
        analysis["inferred_reach"] = head if request.sort != "date" and 0 < head < len(hits) else None
        facets = facets_from_hits(hits)
        start = (request.page - 1) * request.page_size
        terms = list(analysis.get("tokens", []))
        page = [add_passage(h, terms) for h in hits[start : start + request.page_size]]
        return SearchResult(
            query=query,
            total=len(hits),
            page=request.page,
            page_size=request.page_size,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            analysis=analysis,
            hits=page,
            facets=facets,
            part_votes=part_votes,
        )

    def _part_votes(self, query: str, filters: dict[str, Any] | None) -> list[tuple[str, list[SearchHit]]]:
        """(part text, its nearest cases) for each numbered part of a pasted fact text that names no charge: one more
        search per part (at most MAX_PARTS), whose first cases vote for the text's charges alongside the whole
        text's (the part vote, kb.components.legal_element_ranker). [] for any other query."""
        text = self.normalizer.voting_text(query)
        votes = []
        for part in fact_parts(text) if text else []:
            try:
                found = run_search_pipeline(self.pipeline, part, filters=filters, top_k=PART_DEPTH, infer_charges=False)
            except InvalidQuery:  # a part of nothing searchable (only punctuation or emoji) has no nearest cases
                continue
            votes.append((part, found["hits"][:PART_VOTERS]))
        return votes

    def _browse(self, filters: dict[str, Any] | None) -> list[SearchHit]:
        """No query: every matching entry (its first chunk), newest first."""
        first = {"field": "meta.chunk_index", "operator": "==", "value": 0}
        combined = first if filters is None else {"operator": "AND", "conditions": [filters, first]}
        docs = [replace(doc, score=0.0) for doc in self.store.filter_documents(combined)]
        hits = fold_chunks(docs, None)
        hits.sort(key=lambda h: (str(h.meta.get("publish_date") or ""), h.meta.get("title", "")), reverse=True)
        return hits

    def search_depth(self, query: str, need: int = 0) -> int:
        """Chunks asked of each retriever for this query, `need` = the entries the requested pages show.

        A pasted fact text (a long query) searches deeper: its relevant cases share the charge and the story rather
        than a few words, and the whole-facts match and the charge vote can only reorder cases the retrievers
        returned. On LeCaRD (9,084 judgments, about 170k chunks) the golden judgments in the first 100 of the
        library rise from 0.694 at 100 chunks to 0.866 at 1,000 and 0.884 at 1,500 (the default, since the inferred
        charges order only the first 50 entries); such a search takes 135 ms median at 1,500 and 92 at 1,000
        (bench-results/eval/depth/)."""
        base = self.long_query_candidates if self.normalizer.is_long(query) else self.candidates
        return max(base, need * 2)

    def similar(self, entry_id: str, top_k: int = 5) -> list[SearchHit]:
        """Cases like this one: its gist and facts as a long query, its charges and outcomes as elements."""
        entry = (self._public_version(entry_id) or self.records.get(entry_id)).entry
        parts = [entry.title, entry.section("gist"), entry.section("facts")]
        query = "\n".join(p for p in parts if p)[:3000] or entry.title
        request = SearchRequest(query=query, page_size=min(top_k, 100), exclude_ids=[entry_id])
        return self.search(request).hits

    def cases_concerning(self, entry_id: str, top_k: int = 10) -> list[SearchHit]:
        """The other direction of `related`: for a guideline article or a power-list item, the cases that concern the
        decision it governs (its 处理结果 words, e.g. 不起诉, as a filter when the item names one; its title, stage
        and text as the query). For a case: its similar cases. For a law: the cases citing its articles."""
        stored = self._public_version(entry_id) or self.records.get(entry_id)
        entry = stored.entry
        if entry.kind == EntryKind.CASE:
            return self.similar(entry_id, top_k)
        if entry.kind == EntryKind.LAW:
            return self._cases_citing(entry_id, top_k)
        text = "\n".join(s.text for s in entry.sections)
        outcomes = extract_outcomes(f"{entry.title}\n{text}")
        words = [entry.title, entry.stage or "", *outcomes, entry.power_subject or ""]
        query = " ".join(w for w in words if w) or entry.title
        filters: dict[str, list[str]] = {"kind": [EntryKind.CASE.value]}
        if entry.line:
            filters["line"] = [entry.line]
        if outcomes:
            narrowed = self.search(
                SearchRequest(query=query, filters={**filters, "outcomes": outcomes}, page_size=top_k)
            )
            if narrowed.hits:
                return narrowed.hits
        return self.search(SearchRequest(query=query, filters=filters, page_size=top_k)).hits

    def _cases_citing(self, law_id: str, top_k: int) -> list[SearchHit]:
        """The published cases citing a published law's articles (the cases of `citations`), each once, ordered by
        authority then by how many of its articles they cite; that number is the score, the articles the reasons."""
        hits = []
        for case in cases_citing_law(self.store, self.provision_resolver, law_id)[:top_k]:
            (hit,) = fold_chunks([replace(case.document, score=float(len(case.articles)))], None)
            reasons = [MatchReason("provision", article, f"引用本法{article}") for article in case.articles]
            hits.append(add_passage(replace(hit, reasons=reasons), []))
        return hits

    def related(self, entry_id: str, top_k: int = 5) -> dict[str, list[SearchHit]]:
        """The guideline articles and power-list items that concern the same decisions as this case."""
        entry = (self._public_version(entry_id) or self.records.get(entry_id)).entry
        words = [*entry.outcomes, *entry.charges, *(entry.keywords[:6]), entry.stage or "", entry.title]
        query = " ".join(w for w in words if w)
        if entry.misused_power:
            query = f"{entry.misused_power} {query}"
        line_filter = {"line": [entry.line]} if entry.line else {}
        out: dict[str, list[SearchHit]] = {}
        for kind, key in ((EntryKind.GUIDELINE, "guideline_articles"), (EntryKind.POWER_ITEM, "power_items")):
            filters = {"kind": [kind.value], **line_filter}
            hits = self.search(SearchRequest(query=query, filters=filters, page_size=top_k)).hits if query else []
            if not hits and line_filter:
                hits = self.search(SearchRequest(query=query, filters={"kind": [kind.value]}, page_size=top_k)).hits
            out[key] = hits
        return out

    def stats(self) -> dict[str, Any]:
        counts = self.records.counts()
        counts["chunks"] = self.store.count_documents()
        counts["pending_index"] = self.records.pending_count()
        counts["embedder"] = self.embedder.name if self.embedder is not None else None
        counts["store"] = self.settings.store
        return counts

    def index_problem(
        self, *, chunks: int | None = None, entries: int | None = None, pending: int | None = None
    ) -> str | None:
        """A Chinese explanation when the index has lost its content: empty while the record store holds entries
        and nothing waits in the outbox (an index file or Elasticsearch index deleted while no process ran).
        None when the index looks in step. The keyword arguments save counts the caller already has."""
        if entries is None:
            entries = sum(self.records.counts()["entries_by_kind"].values())
        if pending is None:
            pending = self.records.pending_count()
        if entries == 0 or pending > 0:
            return None
        if (chunks if chunks is not None else self.store.count_documents()) > 0:
            return None
        return f"索引中没有任何内容，而系统中有 {entries} 个条目：索引可能已被删除，请运行 kb reindex 从系统记录重建"

    def facet_counts(self, filters: dict[str, list[str]] | None = None) -> dict[str, dict[str, int]]:
        """Entry counts per facet value over the whole index (or the filtered part of it)."""
        return dict(self.store.facet_counts(list(FACET_KEYS), filters=to_haystack_filters(filters or {})))
