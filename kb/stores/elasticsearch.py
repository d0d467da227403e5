"""ElasticsearchChunkStore: the search index on an Elasticsearch 8.x cluster, with the SQLite store's semantics.

Built on elasticsearch-haystack's `ElasticsearchDocumentStore` (lazy client, API-key Secrets, `custom_mapping`)
with our own layout (kb.stores.elasticsearch_mapping): jieba-segmented text on a `whitespace` field, keyword meta,
HNSW vectors. Everything goes through an alias in front of versioned indices (kb.stores.elasticsearch_indices), so
`kb reindex` builds a new index while searches keep using the old one.

Modules: the mapping and documents (`elasticsearch_mapping`), filters (`elasticsearch_filters`), the versioned
alias (`elasticsearch_indices`), errors (`elasticsearch_errors`), shared plumbing (`elasticsearch_base`), writes
(`elasticsearch_writes`), retrieval (`elasticsearch_retrieval`), facets and meta statistics (`elasticsearch_stats`).

- BM25F over the jieba terms: the title is written into `tokens` `title_weight` times at index time, and a query is
  one `term` clause per query term (boost = its weight) on that one field; filters on closed fields (kind, line,
  case_type) run as exclusions, the others in filter context (kb.stores.elasticsearch_filters.search_clauses).
  No query_string: nothing a user types is parsed as syntax.
- Dense: `knn` with the filter applied during the HNSW search, num_candidates = 2 x k.
- Hybrid fusion happens in the pipeline (weighted RRF on the client: Elasticsearch's RRF needs a paid licence).
- Errors: connection refused, timeouts (`timeout_s` per request, no retry on timeout), TLS and credential failures
  raise `StoreUnavailable` in Chinese; rejected bulk items raise `IndexWriteError` (new chunks rolled back); an
  index deleted behind our back is recreated empty, flagged `needs_reindex`, and reported as `IndexMissing`.
- Writes refresh before they return, so a search right after an ingest sees it (as with the embedded store).
- The async API of the Haystack base class is not supported (it assumes Haystack's default layout).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

from elasticsearch import Elasticsearch
from haystack import Document, default_from_dict, default_to_dict
from haystack.utils import Secret
from haystack_integrations.document_stores.elasticsearch import ElasticsearchDocumentStore

from kb.config import Settings
from kb.errors import ConfigError, KBError, StoreUnavailable
from kb.stores.elasticsearch_errors import redact_url
from kb.stores.elasticsearch_filters import translate_filters
from kb.stores.elasticsearch_indices import IndexState, VersionedAlias
from kb.stores.elasticsearch_mapping import (
    INTERNAL_FIELDS,
    MAX_TITLE_WEIGHT,
    SequenceClock,
    build_mapping,
    index_settings,
)
from kb.stores.elasticsearch_retrieval import RetrievalMixin
from kb.stores.elasticsearch_stats import FacetStatsMixin
from kb.stores.elasticsearch_writes import PAGE, WriteMixin

logger = logging.getLogger(__name__)

API_KEY_ENV = ["KB_ES__API_KEY", "KB_ES_API_KEY"]
PASSWORD_ENV = ["KB_ES__PASSWORD", "KB_ES_PASSWORD"]


class ElasticsearchChunkStore(FacetStatsMixin, WriteMixin, RetrievalMixin, ElasticsearchDocumentStore):
    """A Haystack DocumentStore on Elasticsearch for kb chunks (BM25 over `_tokens`, dense vectors, filters).

    :param hosts: the cluster URL.
    :param index: the alias searched; indices behind it are `<index>-v<N>-<timestamp>`.
    :param embedding_dim: the vector size (None: taken from the first vector written).
    :param api_key: an API key (base64 `id:key`), as a Secret.
    :param username: basic-auth user; `password` is a Secret.
    :param ca_certs: CA bundle for TLS; `verify_certs` turns certificate checks off when False.
    :param timeout_s: per-request timeout for reads; writes get `write_timeout_s` (default max(30, 6 x timeout_s)).
    :param title_weight: how many times `_title_tokens` count in BM25F relative to the body text: a whole number
        0-10 (the title is written that many times into the index text; a change needs `kb reindex`).
    :param max_query_terms: longer queries keep the terms with the largest weights.
    :param shards: primary shards of new indices (1 keeps BM25 statistics global).
    :param vector_index_type: "hnsw" (float vectors) or "int8_hnsw" (quantised: smaller, slightly less exact).
    """

    def __init__(
        self,
        *,
        hosts: str = "http://localhost:9200",
        index: str = "kb-chunks",
        embedding_dim: int | None = None,
        api_key: Secret | None = None,
        username: str | None = None,
        password: Secret | None = None,
        ca_certs: str | None = None,
        verify_certs: bool = True,
        timeout_s: float = 5.0,
        write_timeout_s: float | None = None,
        title_weight: int = 2,
        max_query_terms: int = 64,
        shards: int = 1,
        vector_index_type: str = "hnsw",
    ) -> None:
        if embedding_dim is not None and embedding_dim <= 0:
            msg = f"embedding_dim must be > 0, got {embedding_dim}"
            raise ValueError(msg)
        if timeout_s <= 0 or (write_timeout_s is not None and write_timeout_s <= 0):
            msg = f"timeouts must be > 0, got {timeout_s}, {write_timeout_s}"
            raise ValueError(msg)
        whole_weight = isinstance(title_weight, int | float) and float(title_weight).is_integer()
        if not (whole_weight and 0 <= title_weight <= MAX_TITLE_WEIGHT) or max_query_terms <= 0 or shards <= 0:
            msg = (
                f"need title_weight a whole number 0-{MAX_TITLE_WEIGHT} (the title is indexed that many times), "
                f"max_query_terms > 0, shards > 0; got {title_weight}, {max_query_terms}, {shards}"
            )
            raise ValueError(msg)
        mapping = build_mapping(embedding_dim, title_weight=int(title_weight), vector_index_type=vector_index_type)
        super().__init__(hosts=hosts, index=index, custom_mapping=mapping, api_key=api_key, api_key_id=None)
        self.url = hosts
        self.embedding_dim = embedding_dim
        self.username = username
        self.password = password
        self.ca_certs = ca_certs
        self.verify_certs = verify_certs
        self.timeout_s = float(timeout_s)
        self.write_timeout_s = float(write_timeout_s) if write_timeout_s else max(30.0, 6 * self.timeout_s)
        self.title_weight = int(title_weight)
        self.max_query_terms = max_query_terms
        self.shards = shards
        self.vector_index_type = vector_index_type
        self.indices = VersionedAlias(index, mappings=mapping, settings=index_settings(shards))
        self._lock = threading.RLock()
        self._state: IndexState | None = None
        self._rebuild: str | None = None  # the index a running rebuild writes to
        self._seen_index = False  # an index stood behind the alias at some point in this process
        # The last failed connection attempt (when it ended, what it raised): callers that waited for it share its
        # answer instead of each spending another timeout (the search's two retrievers run side by side).
        self._connect_failure: tuple[float, KBError] | None = None
        self._clock = SequenceClock()

    # --- lifecycle ----------------------------------------------------------------------------------------------

    def _new_client(self) -> Elasticsearch:
        password = self.password.resolve_value() if self.password is not None else None
        options: dict[str, Any] = {"basic_auth": (self.username, password or "")} if self.username else {}
        if self.ca_certs:
            options["ca_certs"] = self.ca_certs
        try:  # orjson (a dependency) encodes the query vector and decodes ~100 hits several times faster
            from elasticsearch.serializer import OrjsonSerializer

            options["serializer"] = OrjsonSerializer()
        except ImportError:  # pragma: no cover - the standard library's json then
            pass
        return Elasticsearch(
            self.url,
            api_key=self._handle_auth(),
            verify_certs=self.verify_certs,
            **options,
            request_timeout=self.timeout_s,
            max_retries=1,
            retry_on_timeout=False,
            headers=self._headers,
        )

    def _ensure_initialized(self) -> None:
        """Connect on first use and make sure an index stands behind the alias (bounded by timeout_s)."""
        if self._state is not None:
            return
        arrived = time.monotonic()
        with self._lock:
            if self._state is not None:
                return
            if self._connect_failure is not None and self._connect_failure[0] >= arrived:
                raise self._connect_failure[1]  # an attempt that ended while this caller waited: the same answer
            if self._client is None:
                self._client = self._new_client()
            client = self._client
            try:
                state = self.indices.state(client, embedding_dim=self.embedding_dim, title_weight=self.title_weight)
                if not state.indices:
                    # First use: the first versioned index behind the alias. If this process has seen an index
                    # there before, it was deleted behind our back: the new one is flagged for a reindex.
                    lost = self._seen_index
                    self.indices.create(
                        client.options(request_timeout=self.write_timeout_s), with_alias=True, needs_reindex=lost
                    )
                    if lost:
                        logger.error("index behind alias %s was missing; recreated it empty", self._index)
                    state = self.indices.state(client, embedding_dim=self.embedding_dim, title_weight=self.title_weight)
                self._state = state
                self._seen_index = True
            except Exception as exc:
                error = self._translate(exc, "连接")
                self._connect_failure = (time.monotonic(), error)
                raise error from exc
            self._connect_failure = None
            if self._state.problem:
                logger.warning("index %s: %s", self._index, self._state.problem)

    async def _ensure_initialized_async(self) -> None:
        msg = "ElasticsearchChunkStore has no async API; use the synchronous methods"
        raise NotImplementedError(msg)

    def warm_up(self) -> None:
        """Connect now. An unreachable cluster is logged, not raised: the API starts and reports it in /health."""
        try:
            self._ensure_initialized()
        except KBError as exc:
            logger.warning("Elasticsearch not ready at start-up: %s", exc.detail)

    def close(self) -> None:
        with self._lock:
            super().close()
            self._state = None

    def to_dict(self) -> dict[str, Any]:
        """Every init parameter; secrets as env-var references (never their values), the URL without userinfo."""
        return default_to_dict(
            self,
            hosts=redact_url(self.url),
            index=self._index,
            embedding_dim=self.embedding_dim,
            api_key=_secret_ref(self._api_key if isinstance(self._api_key, Secret) else None, API_KEY_ENV),
            username=self.username,
            password=_secret_ref(self.password, PASSWORD_ENV),
            ca_certs=self.ca_certs,
            verify_certs=self.verify_certs,
            timeout_s=self.timeout_s,
            write_timeout_s=self.write_timeout_s,
            title_weight=self.title_weight,
            max_query_terms=self.max_query_terms,
            shards=self.shards,
            vector_index_type=self.vector_index_type,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ElasticsearchChunkStore:
        params = dict(data.get("init_parameters", {}))
        for key in ("api_key", "password"):
            if isinstance(params.get(key), dict):
                params[key] = Secret.from_dict(params[key])
        return default_from_dict(cls, {**data, "init_parameters": params})

    # --- protocol: count, filter, write, delete ----------------------------------------------------------------

    def count_documents(self) -> int:
        return int(self._run("统计", lambda c: c.count(index=self.alias))["count"])

    def count_documents_by_filter(self, filters: dict[str, Any]) -> int:
        query = translate_filters(filters) or {"match_all": {}}
        return int(self._run("统计", lambda c: c.count(index=self.alias, query=query))["count"])

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """Documents matching `filters` (semantics in kb.stores.elasticsearch_filters), in the order written."""
        query = translate_filters(filters) or {"match_all": {}}
        self._usable()
        vectors = self._vector_fields()
        documents: list[Document] = []
        after: list[Any] | None = None
        while True:
            extra: dict[str, Any] = {"search_after": after} if after is not None else {}
            body = self._search(
                "读取",
                query={"bool": {"filter": [query]}},
                sort=[{"seq": "asc"}, {"id": "asc"}],
                size=PAGE,
                source_excludes=list(INTERNAL_FIELDS),
                track_total_hits=False,
                **vectors,
                **extra,
            )
            hits = body["hits"]["hits"]
            documents.extend(self._hits_to_documents(hits, score=None, with_embedding=True))
            if len(hits) < PAGE:
                return documents
            after = hits[-1]["sort"]

    def get_documents_by_id(self, document_ids: Sequence[str], *, return_embedding: bool = False) -> list[Document]:
        wanted = list(dict.fromkeys(document_ids))
        if not wanted:
            return []
        vectors = self._vector_fields() if return_embedding else {}
        body = self._search(
            "读取",
            query={"ids": {"values": wanted}},
            size=len(wanted),
            source_excludes=list(INTERNAL_FIELDS),
            **vectors,
        )
        hits = body["hits"]["hits"]
        by_id = {d.id: d for d in self._hits_to_documents(hits, score=None, with_embedding=return_embedding)}
        return [by_id[i] for i in wanted if i in by_id]

    def delete_all_documents(self, recreate_index: bool = False, refresh: bool = True) -> None:
        """Remove every document; recreate_index swaps in a fresh, empty index (current mapping) instead."""
        if recreate_index:
            self.begin_rebuild()
            self.finish_rebuild()
            return
        del refresh  # every delete here refreshes
        self._delete_query({"match_all": {}})

    # --- reindex and health -----------------------------------------------------------------------------------------

    def begin_rebuild(self) -> str:
        """Create a fresh index beside the live one; writes go there until finish_rebuild or abort_rebuild."""
        with self._lock:
            if self._rebuild is not None:
                msg = f"索引 {self.alias} 正在重建中（{self._rebuild}）"
                raise ConfigError(msg, index=self.alias)
            if self._client is None:
                self._client = self._new_client()
            client = self._client.options(request_timeout=self.write_timeout_s)
            try:
                self._rebuild = self.indices.create(client, with_alias=False)
            except Exception as exc:
                raise self._translate(exc, "创建新索引") from exc
            logger.info("rebuild of %s writes to %s", self.alias, self._rebuild)
            return self._rebuild

    def finish_rebuild(self) -> list[str]:
        """Move the alias to the rebuilt index in one atomic step and delete the old indices; returns their names."""
        with self._lock:
            new = self._rebuild
            if new is None:
                msg = "finish_rebuild without begin_rebuild"
                raise RuntimeError(msg)
            assert self._client is not None
            try:
                deleted = self.indices.swap(self._client.options(request_timeout=self.write_timeout_s), new)
            except Exception as exc:
                raise self._translate(exc, "切换索引别名") from exc
            self._rebuild = None
            self._state = None
            return deleted

    def abort_rebuild(self) -> None:
        """Forget the rebuild; its index is deleted (or, if the cluster is down, at the next swap)."""
        with self._lock:
            name, self._rebuild = self._rebuild, None
            if name is None or self._client is None:
                return
            try:
                self.indices.drop(self._client.options(request_timeout=self.write_timeout_s), name)
            except Exception:
                logger.warning("could not delete the abandoned index %s; the next reindex removes it", name)

    def optimize(self) -> None:
        """Force-merge the live index to one segment after a bulk load (one HNSW graph to search instead of many)."""
        self._run(
            "合并索引段",
            lambda c: c.options(request_timeout=3600).indices.forcemerge(index=self.alias, max_num_segments=1),
            write=True,
        )
        self._run("刷新", lambda c: c.indices.refresh(index=self.alias), write=True)

    def drop_all_indices(self) -> list[str]:
        """Delete every index of this alias (for tests and benchmarks); returns their names."""
        client = self.client.options(request_timeout=self.write_timeout_s)
        names = sorted({*self.indices.versions(client), *self.indices.behind_alias(client)})
        for name in names:
            client.options(ignore_status=404).indices.delete(index=name)
        self._state = None
        return names

    @property
    def rebuilding(self) -> str | None:
        return self._rebuild

    def store_health(self) -> dict[str, Any]:
        """The cluster's state for /api/health; never raises (an unreachable cluster is a state, too)."""
        detail: dict[str, Any] = {"backend": "elasticsearch", "url": redact_url(self.url), "alias": self.alias}
        try:
            self._state = None
            self._ensure_initialized()
            health = self._run("读取集群状态", lambda c: c.cluster.health())
            state = self._state or IndexState()
            detail.update(
                cluster=health.get("cluster_name"),
                status=health.get("status"),
                nodes=health.get("number_of_nodes"),
                index=state.indices[0] if state.indices else None,
                documents=self.count_documents(),
                needs_reindex=state.needs_reindex or bool(state.problem),
                problem=state.problem,
            )
            detail["ok"] = health.get("status") in ("green", "yellow") and not state.problem
        except KBError as exc:
            detail.update(status="unreachable" if isinstance(exc, StoreUnavailable) else "error", ok=False)
            detail["error"] = exc.detail
        return detail


def _secret_ref(secret: Secret | None, env_vars: list[str]) -> dict[str, Any] | None:
    """A Secret as a reference to where it comes from: a token (from .env or code) is named by its env variable."""
    if secret is None:
        return None
    if secret.type.value == "env_var":
        return secret.to_dict()
    return Secret.from_env_var(env_vars, strict=False).to_dict()


def _secret(value: Any, env_vars: list[str]) -> Secret | None:
    """A Secret for a settings value: an env-var Secret when the environment holds it, else a token."""
    if value is None:
        return None
    raw = value.get_secret_value()
    if not raw:
        return None
    if any(os.environ.get(name) == raw for name in env_vars):
        return Secret.from_env_var(env_vars, strict=False)
    return Secret.from_token(raw)


def build_es_store(settings: Settings, *, embedding_dim: int | None) -> ElasticsearchChunkStore:
    es = settings.es
    return ElasticsearchChunkStore(
        hosts=es.url,
        index=es.index,
        embedding_dim=embedding_dim,
        api_key=_secret(es.api_key, API_KEY_ENV),
        username=es.username or None,
        password=_secret(es.password, PASSWORD_ENV),
        ca_certs=str(es.ca_certs) if es.ca_certs else None,
        verify_certs=es.verify_certs,
        timeout_s=es.timeout_s,
    )


def build_es_backend(settings: Settings, *, embedding_dim: int | None) -> Any:
    """The store and its two retriever components (kb.stores.factory.IndexBackend)."""
    from kb.components.es_bm25_retriever import EsBm25Retriever
    from kb.components.es_embedding_retriever import EsEmbeddingRetriever
    from kb.stores.factory import IndexBackend

    store = build_es_store(settings, embedding_dim=embedding_dim)
    return IndexBackend(
        store=store,
        bm25_retriever=EsBm25Retriever(document_store=store),
        embedding_retriever=EsEmbeddingRetriever(document_store=store),
    )
