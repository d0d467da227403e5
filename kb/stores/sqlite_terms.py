"""The in-memory BM25 index of the SQLite store.

Why not FTS5's bm25(): it costs several microseconds per matching row (it looks up every row's length and walks its
term instances), so a query with one common term (say 被告人, in most chunks) takes most of a second at 100k chunks.
Here every (term, chunk) posting carries its precomputed BM25 term-frequency part, postings are grouped by term
(a CSC matrix), and a query sums `idf x weight x tf-part` over the postings of its terms with `np.bincount`: a few
milliseconds for ordinary queries, tens for pasted case facts full of common words.

The postings are persisted per document in `doc_terms` (term id, body tf, title tf) and grouped by term when loaded.
Documents written later go to a small delta matrix; deleted ones are masked; both are folded into the main matrix
once they exceed a share of it. As with the vector index, readers work on an immutable snapshot.

Scoring is BM25F-like: the title column's term frequencies and length count `title_weight` times. idf is Lucene's
log(1 + (N - df + 0.5) / (df + 0.5)), which stays positive for common terms (FTS5's goes to zero at df = N/2).
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from kb.stores.sqlite_vectors import AllowedMemo, positions_of

logger = logging.getLogger(__name__)

POSTING = np.dtype([("tid", "<i4"), ("tf", "<u2"), ("ttf", "<u2")])
Keys = npt.NDArray[np.int64]
_MAX_TF = 65535
_DELTA_FRACTION = 0.1  # fold the delta into the main matrix beyond this share of its postings
_DELTA_MIN = 200_000
_DEAD_FRACTION = 0.25


def encode_postings(body: Counter[int], title: Counter[int]) -> bytes:
    """One document's postings, sorted by term id, as stored in doc_terms.postings."""
    tids = sorted(body.keys() | title.keys())
    records = np.zeros(len(tids), dtype=POSTING)
    records["tid"] = tids
    records["tf"] = [min(body.get(t, 0), _MAX_TF) for t in tids]
    records["ttf"] = [min(title.get(t, 0), _MAX_TF) for t in tids]
    return records.tobytes()


@dataclass(frozen=True)
class DocTerms:
    """Doc-major input for building postings: per-document counts and concatenated records, in key order."""

    keys: Keys
    counts: npt.NDArray[np.int64]
    records: npt.NDArray[np.void]
    body_len: npt.NDArray[np.float32]
    title_len: npt.NDArray[np.float32]

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, int, bytes]]) -> DocTerms:
        """From (pk, body_len, title_len, postings) rows sorted by pk."""
        if not rows:
            empty = np.zeros(0, dtype=np.float32)
            return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, POSTING), empty, empty)
        pks, body_lens, title_lens, blobs = zip(*rows, strict=True)
        keys = np.array(pks, dtype=np.int64)
        body = np.array(body_lens, dtype=np.float32)
        title = np.array(title_lens, dtype=np.float32)
        counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // POSTING.itemsize
        records = np.frombuffer(b"".join(blobs), dtype=POSTING)
        return cls(keys, counts, records, body, title)


@dataclass(frozen=True)
class _Postings:
    """Term-major postings: for term t, rows indptr[t]:indptr[t+1] of docs (positions), part and tf."""

    indptr: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int32]
    part: npt.NDArray[np.float32]  # tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
    tf: npt.NDArray[np.float32]  # title-weighted term frequency, kept for rebuilds

    @property
    def vocabulary(self) -> int:
        return len(self.indptr) - 1

    @property
    def size(self) -> int:
        return len(self.docs)


_EMPTY = _Postings(np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), np.zeros(0, np.float32))


@dataclass(frozen=True)
class _Snapshot:
    keys: Keys  # increasing
    alive: npt.NDArray[np.bool_]
    dl: npt.NDArray[np.float32]  # title-weighted document length
    main: _Postings
    delta: _Postings  # postings of documents added since the last rebuild
    delta_docs: DocTerms | None
    avgdl: float
    n_alive: int
    dead: int


class TermIndex:
    """BM25 over documents identified by increasing int64 keys (the store's `docs.pk`)."""

    def __init__(self, *, title_weight: float = 2.0, k1: float = 1.2, b: float = 0.75, generation: int = 0) -> None:
        self.title_weight = title_weight
        self.k1 = k1
        self.b = b
        self.generation = generation
        self._lock = threading.Lock()
        self._snap = _Snapshot(
            np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.float32), _EMPTY, _EMPTY, None, 1.0, 0, 0
        )
        self._allowed_masks: AllowedMemo[npt.NDArray[np.bool_]] = AllowedMemo()

    @classmethod
    def build(cls, docs: DocTerms, *, title_weight: float = 2.0, generation: int = 0) -> TermIndex:
        index = cls(title_weight=title_weight, generation=generation)
        dl = docs.body_len + title_weight * docs.title_len
        avgdl = float(dl.mean()) if len(dl) else 1.0
        main = index._postings(docs, np.arange(len(docs.keys), dtype=np.int32), dl, avgdl)
        n = len(docs.keys)
        index._snap = _Snapshot(docs.keys.copy(), np.ones(n, bool), dl, main, _EMPTY, None, avgdl, n, 0)
        return index

    def export_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The index as plain arrays (compacted: pending additions folded in, dead documents dropped), for
        `from_arrays`. Parameters (title weight, k1, b) are included so a mismatch can be detected."""
        snap = self._snap
        if snap.delta.size or snap.dead:
            snap = self._rebuild(snap)
        return {
            "keys": snap.keys,
            "dl": snap.dl,
            "indptr": snap.main.indptr,
            "docs": snap.main.docs,
            "part": snap.main.part,
            "tf": snap.main.tf,
            "params": np.array([self.title_weight, self.k1, self.b, snap.avgdl], dtype=np.float64),
        }

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, npt.NDArray[Any]], *, title_weight: float = 2.0, generation: int = 0
    ) -> TermIndex | None:
        """An index from `export_arrays` output; None when it was built with other BM25 parameters."""
        index = cls(title_weight=title_weight, generation=generation)
        saved_title, saved_k1, saved_b, avgdl = (float(x) for x in arrays["params"])
        if (saved_title, saved_k1, saved_b) != (index.title_weight, index.k1, index.b):
            return None
        keys = np.asarray(arrays["keys"], dtype=np.int64)
        main = _Postings(
            np.asarray(arrays["indptr"], dtype=np.int64),
            np.asarray(arrays["docs"], dtype=np.int32),
            np.asarray(arrays["part"], dtype=np.float32),
            np.asarray(arrays["tf"], dtype=np.float32),
        )
        n = len(keys)
        dl = np.asarray(arrays["dl"], dtype=np.float32)
        index._snap = _Snapshot(keys, np.ones(n, bool), dl, main, _EMPTY, None, avgdl, n, 0)
        return index

    # --- building ------------------------------------------------------------------------------------------------

    def _postings(
        self, docs: DocTerms, positions: npt.NDArray[np.int32], dl: npt.NDArray[np.float32], avgdl: float
    ) -> _Postings:
        """Group doc-major records by term. `positions` are the documents' positions in the snapshot."""
        if len(docs.records) == 0:
            return _EMPTY
        tids = docs.records["tid"]
        tf = docs.records["tf"].astype(np.float32) + self.title_weight * docs.records["ttf"].astype(np.float32)
        indptr = np.zeros(len(docs.keys) + 1, dtype=np.int64)
        np.cumsum(docs.counts, out=indptr[1:])
        vocabulary = int(tids.max()) + 1
        rows = sparse.csr_matrix((tf, tids, indptr), shape=(len(docs.keys), vocabulary)).tocsc()
        local = rows.indices.astype(np.int32)
        term_tf = rows.data.astype(np.float32)
        doc_positions = positions[local]
        return _Postings(
            rows.indptr.astype(np.int64), doc_positions, self._part(term_tf, dl[doc_positions], avgdl), term_tf
        )

    def _part(self, tf: npt.NDArray[np.float32], dl: npt.NDArray[np.float32], avgdl: float) -> npt.NDArray[np.float32]:
        k1, b = self.k1, self.b
        norm = k1 * (1 - b + b * dl / max(avgdl, 1e-9))
        part: npt.NDArray[np.float32] = (tf * (k1 + 1) / (tf + norm)).astype(np.float32)
        return part

    def _rebuild(self, snap: _Snapshot) -> _Snapshot:
        """Fold the delta into the main matrix and drop dead documents."""
        n = len(snap.keys)
        matrices = []
        for postings in (snap.main, snap.delta):
            if postings.size:
                shape = (n, max(snap.main.vocabulary, snap.delta.vocabulary))
                indptr = np.concatenate([postings.indptr, np.full(shape[1] - postings.vocabulary, postings.indptr[-1])])
                matrices.append(sparse.csc_matrix((postings.tf, postings.docs, indptr), shape=shape))
        keep = np.flatnonzero(snap.alive)
        keys, dl = snap.keys[keep], snap.dl[keep]
        avgdl = float(dl.mean()) if len(dl) else 1.0
        if not matrices:
            return _Snapshot(keys, np.ones(len(keep), bool), dl, _EMPTY, _EMPTY, None, avgdl, len(keep), 0)
        combined = matrices[0] if len(matrices) == 1 else matrices[0] + matrices[1]
        combined = combined.tocsr()[keep].tocsc()
        docs = combined.indices.astype(np.int32)
        tf = combined.data.astype(np.float32)
        main = _Postings(combined.indptr.astype(np.int64), docs, self._part(tf, dl[docs], avgdl), tf)
        return _Snapshot(keys, np.ones(len(keep), bool), dl, main, _EMPTY, None, avgdl, len(keep), 0)

    # --- changes ---------------------------------------------------------------------------------------------------

    def add(self, docs: DocTerms) -> None:
        """Add documents whose keys are larger than every stored key; keys already present are ignored."""
        with self._lock:
            snap = self._snap
            if len(docs.keys) == 0:
                return
            last = snap.keys[-1] if len(snap.keys) else -1
            fresh = docs.keys > last
            if not fresh.all():
                if not np.isin(docs.keys[~fresh], snap.keys).all():
                    logger.warning("term index: %d keys out of order; the index will be reloaded", len(docs.keys))
                    self.generation = -1
                docs = _select(docs, fresh)
                if len(docs.keys) == 0:
                    return
            start = len(snap.keys)
            keys = np.concatenate([snap.keys, docs.keys])
            alive = np.concatenate([snap.alive, np.ones(len(docs.keys), bool)])
            dl = np.concatenate([snap.dl, docs.body_len + self.title_weight * docs.title_len]).astype(np.float32)
            n_alive = snap.n_alive + len(docs.keys)
            avgdl = float(dl[alive].mean())
            pending = docs if snap.delta_docs is None else _concat(snap.delta_docs, docs)
            first_delta = start - (len(snap.delta_docs.keys) if snap.delta_docs is not None else 0)
            positions = np.arange(first_delta, len(keys), dtype=np.int32)
            delta = self._postings(pending, positions, dl, avgdl)
            new = _Snapshot(keys, alive, dl, snap.main, delta, pending, avgdl, n_alive, snap.dead)
            if delta.size > max(_DELTA_MIN, _DELTA_FRACTION * snap.main.size):
                new = self._rebuild(new)
            self._snap = new

    def remove(self, keys: Keys) -> None:
        """Mask documents; unknown keys are ignored. Rebuilds when a quarter of the documents are dead."""
        with self._lock:
            snap = self._snap
            pos = positions_of(snap.keys, snap.alive, np.asarray(keys, dtype=np.int64))
            if len(pos) == 0:
                return
            alive = snap.alive.copy()
            alive[pos] = False
            new = replace(snap, alive=alive, n_alive=snap.n_alive - len(pos), dead=snap.dead + len(pos))
            if new.dead > _DEAD_FRACTION * max(len(new.keys), 1):
                new = self._rebuild(new)
            self._snap = new

    # --- queries -------------------------------------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        return self._snap.n_alive

    def doc_freq(self, tids: npt.ArrayLike) -> npt.NDArray[np.int64]:
        snap = self._snap
        return np.array([_df(snap, int(t)) for t in np.asarray(tids).reshape(-1)], dtype=np.int64)

    def search(
        self, tids: npt.ArrayLike, weights: npt.ArrayLike, top_k: int, allowed: Keys | None = None
    ) -> tuple[Keys, npt.NDArray[np.float32]]:
        """Keys and BM25 scores of the `top_k` best documents containing at least one term, best first."""
        snap = self._snap
        tid_array = np.asarray(tids, dtype=np.int64).reshape(-1)
        weight_array = np.asarray(weights, dtype=np.float64).reshape(-1)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        if top_k <= 0 or snap.n_alive == 0 or len(tid_array) == 0:
            return empty
        docs_parts: list[npt.NDArray[np.int32]] = []
        value_parts: list[npt.NDArray[np.float32]] = []
        n = snap.n_alive
        for tid, weight in zip(tid_array, weight_array, strict=True):
            slices = [_slice(p, int(tid)) for p in (snap.main, snap.delta)]
            df = sum(len(d) for d, _ in slices)
            if df == 0:
                continue
            idf = math.log1p((n - df + 0.5) / (df + 0.5))
            for docs, part in slices:
                if len(docs):
                    docs_parts.append(docs)
                    value_parts.append(part * np.float32(idf * weight))
        if not docs_parts:
            return empty
        scores = np.bincount(np.concatenate(docs_parts), np.concatenate(value_parts), minlength=len(snap.keys))
        usable = snap.alive & (scores > 0)
        if allowed is not None:
            allowed_keys = np.asarray(allowed, dtype=np.int64)
            usable &= self._allowed_masks.get(snap, allowed_keys, lambda: _mask(snap, allowed_keys))
        candidates = np.flatnonzero(usable)
        if len(candidates) == 0:
            return empty
        values = scores[candidates]
        k = min(top_k, len(candidates))
        top = np.argpartition(-values, k - 1)[:k] if k < len(candidates) else np.arange(len(candidates))
        top = top[np.lexsort((candidates[top], -values[top]))]
        return snap.keys[candidates[top]].copy(), values[top].astype(np.float32)


def _mask(snap: _Snapshot, allowed: Keys) -> npt.NDArray[np.bool_]:
    mask = np.zeros(len(snap.keys), bool)
    mask[positions_of(snap.keys, snap.alive, allowed)] = True
    mask.setflags(write=False)
    return mask


def _slice(postings: _Postings, tid: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    if tid >= postings.vocabulary:
        return postings.docs[:0], postings.part[:0]
    lo, hi = postings.indptr[tid], postings.indptr[tid + 1]
    return postings.docs[lo:hi], postings.part[lo:hi]


def _df(snap: _Snapshot, tid: int) -> int:
    return sum(len(_slice(p, tid)[0]) for p in (snap.main, snap.delta))


def _select(docs: DocTerms, mask: npt.NDArray[np.bool_]) -> DocTerms:
    records = docs.records[np.repeat(mask, docs.counts)]
    return DocTerms(docs.keys[mask], docs.counts[mask], records, docs.body_len[mask], docs.title_len[mask])


def _concat(a: DocTerms, b: DocTerms) -> DocTerms:
    return DocTerms(
        np.concatenate([a.keys, b.keys]),
        np.concatenate([a.counts, b.counts]),
        np.concatenate([a.records, b.records]),
        np.concatenate([a.body_len, b.body_len]),
        np.concatenate([a.title_len, b.title_len]),
    )
