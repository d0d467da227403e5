"""Bookkeeping for the SQLite store's in-memory indexes: slots, write deltas, generations, and a small cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from kb.stores.sqlite_terms import DocTerms, TermIndex
from kb.stores.sqlite_vectors import VectorIndex
from kb.stores.sqlite_write import Delta


class Versioned(Protocol):
    generation: int


IndexT = TypeVar("IndexT", bound=Versioned)


class IndexSlot(Generic[IndexT]):
    """One in-memory index and the lock that serialises its (re)loading."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.index: IndexT | None = None
        self.loading = threading.Lock()


class LruCache:
    """A small LRU keyed by (generation, ...): a write changes the generation, so stale entries are never hit (they
    just age out). Holds filter key sets (facet filters repeat a lot) and whole-index facet counts."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def in_step(index: Versioned, generation: int) -> bool:
    """Whether a commit of `generation` should be applied: the index reflects exactly the commit before it.
    Otherwise a reload already saw it (nothing to do) or another process wrote in between (reload on next use)."""
    if index.generation == generation - 1:
        return True
    if index.generation < generation - 1:
        index.generation = -1
    return False


def advance(index: Versioned, generation: int) -> None:
    if index.generation != -1:
        index.generation = generation


def apply_delta(delta: Delta, vectors: IndexSlot[VectorIndex], terms: IndexSlot[TermIndex]) -> None:
    """Bring the loaded indexes up to a just-committed write (call under the store's apply lock)."""
    if delta.cleared:
        vectors.index = terms.index = None
        return
    removed = np.asarray(delta.removed, dtype=np.int64)
    vector_index, term_index = vectors.index, terms.index
    if vector_index is not None and in_step(vector_index, delta.generation):
        vector_index.remove(removed)
        if delta.vector_keys:
            matrix = np.frombuffer(b"".join(delta.vectors), dtype="<f4").reshape(len(delta.vector_keys), -1)
            vector_index.add(np.asarray(delta.vector_keys, dtype=np.int64), matrix)
        advance(vector_index, delta.generation)
    if term_index is not None and in_step(term_index, delta.generation):
        term_index.remove(removed)
        if delta.term_rows:
            term_index.add(DocTerms.from_rows(delta.term_rows))
        advance(term_index, delta.generation)
