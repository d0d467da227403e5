"""The in-memory vector index of the SQLite store: unit-length float32 rows searched by dot product (= cosine).

Rows are kept in primary-key order (the store never reuses a key and appends new keys at the end), so a set of
allowed keys maps to row positions with one `searchsorted`. Readers take a snapshot (arrays plus a length) and
compute outside the lock: additions write past the snapshot's length or into a new, larger array; deletions copy the
`alive` mask instead of changing it in place. Both operations are idempotent, so a delta applied after a full reload
that already saw it changes nothing.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from kb.threads import LazyPool

logger = logging.getLogger(__name__)

FloatMatrix = npt.NDArray[np.float32]
Keys = npt.NDArray[np.int64]

_GATHER_FRACTION = 0.25  # below this share of allowed rows, score only those rows instead of all of them
_COMPACT_FRACTION = 0.25  # rebuild the arrays when this share of rows is dead
# Above this many rows the scores are computed in row blocks on `_BLOCK_WORKERS` threads (numpy releases the GIL in
# the product; OpenBLAS itself runs one thread, see kb.blas). Below it one thread is quicker than the hand-off.
_PARALLEL_ROWS = 40_000
_BLOCK_WORKERS = max(1, min(os.cpu_count() or 1, 4))
_block_pool = LazyPool(_BLOCK_WORKERS, "kb-vectors")


def dot_rows(rows: FloatMatrix, query: FloatMatrix) -> FloatMatrix:
    """`rows @ query` (float32), in parallel row blocks when there are many rows."""
    n = len(rows)
    if n < _PARALLEL_ROWS or _BLOCK_WORKERS < 2:
        scores: FloatMatrix = rows @ query
        return scores
    out = np.empty(n, dtype=np.float32)
    bounds = np.linspace(0, n, _BLOCK_WORKERS + 1).astype(int)
    blocks = list(itertools.pairwise(bounds.tolist()))

    def block(lo: int, hi: int) -> None:
        np.matmul(rows[lo:hi], query, out=out[lo:hi])

    futures = [_block_pool.get().submit(block, lo, hi) for lo, hi in blocks[1:]]
    block(*blocks[0])  # the calling thread takes the first block
    for future in futures:
        future.result()
    return out


def normalize_rows(matrix: FloatMatrix, *, in_place: bool = False) -> FloatMatrix:
    """Rows scaled to unit length (zero rows stay zero). einsum avoids the float64 temporaries of linalg.norm."""
    out = matrix if in_place else np.array(matrix, dtype=np.float32, copy=True)
    norms = np.sqrt(np.einsum("ij,ij->i", out, out))
    norms[norms == 0] = 1.0
    out /= norms[:, None]
    return out


def positions_of(keys: Keys, alive: npt.NDArray[np.bool_], wanted: Keys) -> npt.NDArray[np.intp]:
    """Sorted positions in `keys` (increasing) of the `wanted` keys that are present and alive."""
    if len(keys) == 0 or len(wanted) == 0:
        return np.zeros(0, dtype=np.intp)
    pos = np.searchsorted(keys, wanted)
    inside = pos < len(keys)
    if not inside.all():
        pos, wanted = pos[inside], wanted[inside]
    pos = pos[keys[pos] == wanted]
    pos = pos[alive[pos]]
    if len(pos) > 1 and not bool(np.all(pos[1:] > pos[:-1])):
        pos = np.unique(pos)
    return pos


MemoT = TypeVar("MemoT")


class AllowedMemo(Generic[MemoT]):
    """What an index derived from an `allowed` key array (row positions, a mask), remembered per array and snapshot.

    The store hands out the same read-only array for the same filter (it caches filter results by generation), so
    identity is the key: mapping 100k allowed keys to rows costs milliseconds, a lookup here microseconds. Entries
    hold the array and the snapshot they were computed for, so neither identity can be reused while remembered.
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[object, object, MemoT]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, snapshot: object, allowed: Keys, compute: Callable[[], MemoT]) -> MemoT:
        key = id(allowed)
        with self._lock:
            found = self._items.get(key)
            if found is not None and found[0] is allowed and found[1] is snapshot:
                self._items.move_to_end(key)
                return found[2]
        value = compute()
        if not allowed.flags.writeable:  # a caller's scratch array may change; only frozen ones are remembered
            with self._lock:
                self._items[key] = (allowed, snapshot, value)
                self._items.move_to_end(key)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value


@dataclass(frozen=True)
class _Snapshot:
    matrix: FloatMatrix  # capacity x dim; rows [0, size) are valid
    keys: Keys  # capacity; increasing over [0, size)
    alive: npt.NDArray[np.bool_]  # capacity
    size: int


class VectorIndex:
    """Cosine search over rows identified by increasing int64 keys (the store's `docs.pk`)."""

    def __init__(self, dim: int, generation: int = 0) -> None:
        if dim <= 0:
            msg = f"dim must be > 0, got {dim}"
            raise ValueError(msg)
        self.dim = dim
        self.generation = generation
        self._lock = threading.Lock()
        self._snap = _Snapshot(
            np.zeros((0, dim), dtype=np.float32), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), 0
        )
        self._dead = 0
        self._allowed_positions: AllowedMemo[npt.NDArray[np.intp]] = AllowedMemo()

    @classmethod
    def from_arrays(
        cls, keys: Keys, vectors: FloatMatrix, generation: int = 0, *, copy: bool = True, normalized: bool = False
    ) -> VectorIndex:
        """An index over these rows. With copy=False the (float32, C-ordered) `vectors` are normalised in place;
        with normalized=True they are taken as they are (rows already unit length, e.g. from `export_arrays`)."""
        index = cls(int(vectors.shape[1]), generation)
        if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
            order = np.argsort(keys, kind="stable")
            keys, vectors = keys[order], vectors[order]
            copy = False  # the fancy indexing above made a copy already
        in_place = not copy and vectors.dtype == np.float32 and vectors.flags.c_contiguous and vectors.flags.writeable
        if normalized and vectors.dtype == np.float32 and vectors.flags.c_contiguous:
            matrix = vectors
        else:
            matrix = normalize_rows(vectors, in_place=in_place)
        index._snap = _Snapshot(matrix, keys.astype(np.int64), np.ones(len(keys), dtype=bool), len(keys))
        return index

    def export_arrays(self) -> tuple[Keys, FloatMatrix]:
        """Keys and unit-length rows of the live vectors, for `from_arrays(..., normalized=True)`."""
        snap = self._snap
        alive = snap.alive[: snap.size]
        if bool(alive.all()):
            return snap.keys[: snap.size], snap.matrix[: snap.size]
        keep = np.flatnonzero(alive)
        return snap.keys[keep], snap.matrix[keep]

    def __len__(self) -> int:
        snap = self._snap
        return int(snap.alive[: snap.size].sum())

    @staticmethod
    def _positions(snap: _Snapshot, keys: Keys) -> npt.NDArray[np.intp]:
        return positions_of(snap.keys[: snap.size], snap.alive[: snap.size], keys)

    def add(self, keys: Keys, vectors: FloatMatrix) -> None:
        """Append rows; keys already present are ignored. New keys must be larger than every stored key."""
        if len(keys) == 0:
            return
        if vectors.shape[1] != self.dim:
            msg = f"vector dim {vectors.shape[1]} != index dim {self.dim}"
            raise ValueError(msg)
        order = np.argsort(keys, kind="stable")
        keys, vectors = keys[order].astype(np.int64), vectors[order]
        with self._lock:
            snap = self._snap
            last = snap.keys[snap.size - 1] if snap.size else -1
            fresh = keys > last
            if not fresh.all():
                present = self._positions(snap, keys[~fresh])
                if len(present) != int((~fresh).sum()):
                    logger.warning("vector index: %d keys out of order; the index will be reloaded", len(keys))
                    self.generation = -1  # forces a reload from the database
                keys, vectors = keys[fresh], vectors[fresh]
            if len(keys) == 0:
                return
            need = snap.size + len(keys)
            matrix, stored, alive = snap.matrix, snap.keys, snap.alive
            if need > len(stored):
                capacity = max(need, int(len(stored) * 1.5) + 1024)
                matrix = np.empty((capacity, self.dim), dtype=np.float32)
                matrix[: snap.size] = snap.matrix[: snap.size]
                stored = np.empty(capacity, dtype=np.int64)
                stored[: snap.size] = snap.keys[: snap.size]
                alive = np.zeros(capacity, dtype=bool)
                alive[: snap.size] = snap.alive[: snap.size]
            matrix[snap.size : need] = normalize_rows(np.asarray(vectors, dtype=np.float32))
            stored[snap.size : need] = keys
            alive[snap.size : need] = True
            self._snap = _Snapshot(matrix, stored, alive, need)

    def remove(self, keys: Keys) -> None:
        """Mark rows dead; unknown keys are ignored. Compacts when a quarter of the rows are dead."""
        if len(keys) == 0:
            return
        with self._lock:
            snap = self._snap
            pos = self._positions(snap, np.asarray(keys, dtype=np.int64))
            if len(pos) == 0:
                return
            alive = snap.alive.copy()
            alive[pos] = False
            self._dead += len(pos)
            if self._dead > _COMPACT_FRACTION * max(snap.size, 1):
                keep = np.flatnonzero(alive[: snap.size])
                self._snap = _Snapshot(
                    snap.matrix[keep].copy(), snap.keys[keep].copy(), np.ones(len(keep), bool), len(keep)
                )
                self._dead = 0
            else:
                self._snap = _Snapshot(snap.matrix, snap.keys, alive, snap.size)

    def search(
        self, query: npt.ArrayLike, top_k: int, allowed: Keys | None = None
    ) -> tuple[Keys, npt.NDArray[np.float32]]:
        """Keys and cosine similarities of the `top_k` best rows, best first, optionally among `allowed` keys only."""
        snap = self._snap
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(q))
        if norm == 0 or snap.size == 0 or top_k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = q / norm
        rows = snap.matrix[: snap.size]
        if allowed is not None:
            allowed_keys = np.asarray(allowed, dtype=np.int64)
            pos = self._allowed_positions.get(snap, allowed_keys, lambda: self._positions(snap, allowed_keys))
            if len(pos) == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            scores = dot_rows(rows[pos], q) if len(pos) < _GATHER_FRACTION * snap.size else dot_rows(rows, q)[pos]
            candidates = pos
        else:
            scores = dot_rows(rows, q)
            candidates = None
            if self._dead:
                scores = np.where(snap.alive[: snap.size], scores, -np.inf).astype(np.float32)
        k = min(top_k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])]
        positions = top if candidates is None else candidates[top]
        return snap.keys[positions].copy(), scores[top].astype(np.float32)
