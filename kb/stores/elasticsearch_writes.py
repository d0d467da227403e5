"""Writes of the Elasticsearch store: bulk requests with per-item errors, roll-back, replace, delete, update.

There is no transaction across documents in Elasticsearch; each method documents the order that keeps it as safe as
possible. Deletes and updates select ids by search and then send bulk requests: the delete-by-query and
update-by-query APIs live in the `reindex` module, which minimal distributions (such as the test server) lack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from haystack import Document
from haystack.document_stores.errors import DuplicateDocumentError
from haystack.document_stores.types import DuplicatePolicy

from kb.errors import KBError, StoreUnavailable
from kb.stores.elasticsearch_base import EsPlumbing
from kb.stores.elasticsearch_errors import IndexWriteError, bulk_failures
from kb.stores.elasticsearch_filters import translate_filters
from kb.stores.elasticsearch_mapping import CLOSED_META, hit_vector, open_meta, to_source
from kb.stores.sqlite_filters import INDEX_TEXT_KEYS

logger = logging.getLogger(__name__)

BULK_DOCS = 500
PAGE = 2000


class WriteMixin(EsPlumbing):
    def write_documents(
        self,
        documents: list[Document],
        policy: DuplicatePolicy = DuplicatePolicy.NONE,
        refresh: Literal["wait_for", True, False] = True,
    ) -> int:
        """Write documents; NONE means FAIL, and with FAIL nothing is written if any id already exists.

        `meta["_tokens"]` / `meta["_title_tokens"]` are the index text (not stored as meta). A batch with items
        Elasticsearch rejects raises IndexWriteError; the documents it created are removed again.
        """
        if not isinstance(documents, list | tuple) or any(not isinstance(d, Document) for d in documents):
            msg = "Please provide a list of Documents."
            raise ValueError(msg)
        if policy == DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        batch: dict[str, Document] = {}
        for doc in documents:
            if doc.id in batch:
                if policy == DuplicatePolicy.FAIL:
                    msg = f"ID '{doc.id}' appears twice in the batch."
                    raise DuplicateDocumentError(msg)
                if policy == DuplicatePolicy.SKIP:
                    continue
            batch[doc.id] = doc
        if not batch:
            return 0
        self._usable()
        if policy == DuplicatePolicy.FAIL:
            existing = self._existing_ids(list(batch))
            if existing:
                msg = f"ID '{existing[0]}' already exists."
                raise DuplicateDocumentError(msg)
        op = "index" if policy == DuplicatePolicy.OVERWRITE else "create"
        written, conflicts = self._bulk_write(list(batch.values()), op, refresh=refresh)
        if conflicts and policy == DuplicatePolicy.FAIL:
            msg = f"ID '{conflicts[0]}' already exists."
            raise DuplicateDocumentError(msg)
        return written

    def _existing_ids(self, ids: list[str]) -> list[str]:
        body = self._run(
            "读取",
            lambda c: c.search(index=self._target(), query={"ids": {"values": ids}}, size=len(ids), source=False),
        )
        return [hit["_id"] for hit in body["hits"]["hits"]]

    def _bulk_write(
        self, documents: list[Document], op: str, *, refresh: Literal["wait_for", True, False] = True
    ) -> tuple[int, list[str]]:
        """Index or create documents in requests of BULK_DOCS. Returns (written, ids refused as duplicates).

        Items rejected for any other reason roll back the documents this call created, then raise IndexWriteError.
        """
        target = self._target()
        sources = [to_source(doc, self._clock.next(), self.embedding_dim, self.title_weight) for doc in documents]
        created: list[str] = []
        written = 0
        conflicts: list[str] = []
        failures: list[tuple[str, int, str]] = []
        for start in range(0, len(sources), BULK_DOCS):
            operations: list[dict[str, Any]] = []
            for source in sources[start : start + BULK_DOCS]:
                operations += [{op: {"_index": target, "_id": source["id"]}}, source]
            last = start + BULK_DOCS >= len(sources)
            response = self._bulk("写入", operations, refresh=refresh if last else False)
            for item in response["items"]:
                result = next(iter(item.values()))
                if "error" not in result:
                    written += 1
                    if result.get("result") == "created":
                        created.append(str(result["_id"]))
            for doc_id, status, reason in bulk_failures(response["items"]):
                if status == 409 and op == "create":
                    conflicts.append(doc_id)
                else:
                    failures.append((doc_id, status, reason))
            if failures:
                break
        if failures:
            self._roll_back(target, created)
            raise self._write_error(failures, len(documents), len(created))
        return written, conflicts

    def _roll_back(self, target: str, created: list[str]) -> None:
        if not created:
            return
        try:
            ops = [{"delete": {"_index": target, "_id": i}} for i in created]
            self._run("撤销写入", lambda c: c.bulk(operations=ops, refresh=True), write=True)
        except KBError:
            logger.exception("could not roll back %d documents in %s", len(created), target)

    @staticmethod
    def _write_error(failures: list[tuple[str, int, str]], total: int, undone: int) -> KBError:
        first_id, status, reason = failures[0]
        if all(s == 429 or s >= 500 for _, s, _r in failures):
            msg = f"Elasticsearch 暂时拒绝写入（HTTP {status}：{reason}）；{len(failures)} 个索引块未写入，请稍后重试。"
            return StoreUnavailable(msg, failed=len(failures), total=total)
        msg = (
            f"Elasticsearch 拒绝了 {len(failures)} 个索引块（共 {total} 个），例如 {first_id}：{reason}。"
            f"已撤销本次新写入的 {undone} 个块；请检查这些数据的元数据类型，或运行 kb reindex 重建索引。"
        )
        return IndexWriteError(msg, failed=len(failures), total=total, ids=[f[0] for f in failures[:10]])

    def delete_documents(self, document_ids: list[str], refresh: Literal["wait_for", True, False] = True) -> None:
        """Delete documents by id; unknown ids are ignored."""
        if not document_ids:
            return
        self._usable()
        target = self._target()
        ops = [{"delete": {"_index": target, "_id": i}} for i in dict.fromkeys(document_ids)]
        response = self._run("删除", lambda c: c.bulk(operations=ops, refresh=refresh), write=True)
        failures = [f for f in bulk_failures(response["items"]) if f[1] != 404]
        if failures:
            raise self._write_error(failures, len(ops), 0)

    def delete_by_filter(self, filters: dict[str, Any], refresh: bool = True) -> int:
        """Delete the documents matching `filters` (which must not be empty); returns how many."""
        del refresh
        return self._delete_query(_required(filters, "delete_by_filter"))

    def _matching_ids(self, target: str, query: dict[str, Any]) -> list[str]:
        """Ids of the documents matching `query` in `target` (paged by id; no scroll context to clean up)."""
        return list(self._matching(target, query, vectors=False))

    def _matching(
        self, target: str, query: dict[str, Any], *, vectors: bool, source: list[str] | None = None
    ) -> dict[str, tuple[list[float] | None, dict[str, Any]]]:
        """Id -> (embedding when `vectors`, else None; the `source` fields of `_source`) of the documents matching
        `query` in `target`."""
        found: dict[str, tuple[list[float] | None, dict[str, Any]]] = {}
        after: list[Any] | None = None
        extra = self._vector_fields(target) if vectors else {}
        while True:
            page: dict[str, Any] = {"search_after": after} if after is not None else {}
            body = self._search_in(
                target,
                "读取",
                query={"bool": {"filter": [query]}},
                sort=[{"id": "asc"}],
                size=PAGE,
                source=source or False,
                track_total_hits=False,
                **extra,
                **page,
            )
            hits = body["hits"]["hits"]
            for hit in hits:
                found[str(hit["_id"])] = (hit_vector(hit) if vectors else None, hit.get("_source") or {})
            if len(hits) < PAGE:
                return found
            after = hits[-1]["sort"]

    def _bulk_ids(self, target: str, ids: list[str], action: str, make: Callable[[str], list[dict[str, Any]]]) -> int:
        """Run one bulk operation per id (delete or update) in requests of BULK_DOCS; returns how many applied."""
        done = 0
        failures: list[tuple[str, int, str]] = []
        for start in range(0, len(ids), BULK_DOCS):
            ops = [line for doc_id in ids[start : start + BULK_DOCS] for line in make(doc_id)]
            last = start + BULK_DOCS >= len(ids)
            response = self._bulk(action, ops, refresh=last)
            for item in response["items"]:
                result = next(iter(item.values()))
                if "error" not in result and result.get("result") in ("deleted", "updated", "noop"):
                    done += 1
            failures += [f for f in bulk_failures(response["items"]) if f[1] != 404]
        if failures:
            raise self._write_error(failures, len(ids), 0)
        return done

    def _delete_query(self, query: dict[str, Any]) -> int:
        """Delete what `query` matches: ids by search, then bulk deletes (the delete-by-query API lives in the
        `reindex` module, which minimal distributions such as the test server do not have)."""
        self._usable()
        target = self._target()
        ids = self._matching_ids(target, query)
        return self._bulk_ids(target, ids, "删除", lambda i: [{"delete": {"_index": target, "_id": i}}])

    def replace_documents(self, delete_filters: dict[str, Any], documents: list[Document]) -> None:
        """Replace what `delete_filters` matches with `documents` (an entry's chunks by its new version's).

        Elasticsearch has no transaction across documents, so the order keeps it as safe as it can be: the new
        chunks are written (and refreshed) first, then the old chunks not among them are deleted. A failed write
        leaves the old chunks in place; at worst a search in between sees both versions, which fold to one entry.
        """
        query = _required(delete_filters, "replace_documents")
        self._usable()
        unique = list({d.id: d for d in documents}.values())
        if unique:
            self._bulk_write(unique, "index", refresh=True)
        keep = {"ids": {"values": [d.id for d in unique]}}
        self._delete_query({"bool": {"filter": [query], "must_not": [keep]}})

    def update_by_filter(self, filters: dict[str, Any], meta: dict[str, Any], refresh: bool = True) -> int:
        """Merge `meta` into the meta of every matching document; returns how many were updated.

        A partial update (no script: the test distribution has no painless); nested dict values are merged.
        Vectors are not in `_source`, so each update carries the document's vector (read from doc values).
        """
        query = _required(filters, "update_by_filter")
        if not isinstance(meta, dict):
            msg = f"meta must be a dict, got {type(meta).__name__}"
            raise ValueError(msg)
        if any(key in meta for key in INDEX_TEXT_KEYS):
            msg = "update_by_filter cannot change _tokens/_title_tokens; write the documents again"
            raise ValueError(msg)
        del refresh  # the last bulk request refreshes
        self._usable()
        target = self._target()
        # An update re-indexes the document from its _source, which holds no vector: each update carries it along.
        # A change to a closed meta field (kind, line, case_type) recomputes the chunk's open_meta from its merged meta.
        closed = [f"meta.{key}" for key in CLOSED_META] if CLOSED_META.keys() & meta.keys() else None
        matching = self._matching(target, query, vectors=True, source=closed)

        def update(doc_id: str) -> list[dict[str, Any]]:
            vector, current = matching[doc_id]
            partial: dict[str, Any] = {"meta": meta}
            if closed is not None:
                partial["open_meta"] = open_meta({**(current.get("meta") or {}), **meta})
            if vector is not None:
                partial["embedding"] = vector
            return [{"update": {"_index": target, "_id": doc_id}}, {"doc": partial}]

        return self._bulk_ids(target, list(matching), "更新", update)


def _required(filters: dict[str, Any], method: str) -> dict[str, Any]:
    query = translate_filters(filters)
    if query is None:
        msg = f"{method} needs non-empty filters; use delete_all_documents() to remove everything"
        raise ValueError(msg)
    return query
