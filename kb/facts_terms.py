"""The term counts of each case version's 基本案情, kept next to the record for the whole-text facts match.

A pasted fact text is compared with every candidate case's whole 基本案情 (kb.components.facts_ranker). Segmenting
a hundred case texts per search would cost a few hundred milliseconds, so each published case version's facts are
segmented once, when it is indexed, and its term counts are stored here (table `facts_terms`, keyed by entry id and
version). A version indexed before this table existed is counted the first time a search asks for it and stored
then, so an older record store needs no migration step.

Storage is built for reading a hundred rows per search: each distinct token is a 64-bit hash (BLAKE2b, stable
across processes), and a row holds the sorted hashes and their counts as two little-endian arrays. Reading a row is
a buffer view, not a parse; matching the query's tokens is one binary search per row (`FactsTerms.counts_of`).
Stored as JSON dicts, decoding the candidates' rows took 31 ms per search on LeCaRD (a thousand distinct tokens per
judgment); this way the whole stage takes 4 ms. Two tokens with the same hash would be counted as one: with 64 bits
and a vocabulary of a few hundred thousand tokens the chance of any such pair is below one in 10⁸.

Only cases have 基本案情; a guideline article, a power-list item or a law has no row and takes no part in the match.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Integer, LargeBinary, String, delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kb.models import Entry, EntryKind
from kb.records import Base, VersionRow
from kb.text import normalize, tokenize

FACTS_SECTION = "facts"
_LOOKUP_BATCH = 400  # entry ids per SELECT: well under SQLite's bound-parameter limit
_HASH = np.dtype("<u8")
_COUNT = np.dtype("<u4")


class FactsTermsRow(Base):
    __tablename__ = "facts_terms"

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    length: Mapped[int] = mapped_column(Integer)  # tokens counted, the document length of BM25
    hashes: Mapped[bytes] = mapped_column(LargeBinary)  # sorted token hashes, little-endian uint64
    counts: Mapped[bytes] = mapped_column(LargeBinary)  # their counts, little-endian uint32


def token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def token_hashes(tokens: Iterable[str]) -> np.ndarray:
    return np.fromiter((token_hash(t) for t in tokens), dtype=_HASH)


@dataclass(frozen=True)
class FactsTerms:
    length: int
    hashes: np.ndarray  # sorted, distinct
    counts: np.ndarray  # aligned with hashes

    @classmethod
    def from_tokens(cls, tokens: Sequence[str]) -> FactsTerms:
        by_hash: Counter[int] = Counter(token_hash(t) for t in tokens)
        hashes = np.array(sorted(by_hash), dtype=_HASH)
        counts = np.array([by_hash[h] for h in hashes.tolist()], dtype=_COUNT)
        return cls(len(tokens), hashes, counts)

    def counts_of(self, query_hashes: np.ndarray) -> np.ndarray:
        """The count of each query hash in this text (0 where absent)."""
        if not len(self.hashes) or not len(query_hashes):
            return np.zeros(len(query_hashes), dtype=_COUNT)
        positions = np.searchsorted(self.hashes, query_hashes)
        positions[positions == len(self.hashes)] = 0
        found = self.hashes[positions] == query_hashes
        return np.where(found, self.counts[positions], 0)

    def count(self, token: str) -> int:
        return int(self.counts_of(np.array([token_hash(token)], dtype=_HASH))[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FactsTerms):
            return NotImplemented
        return (
            self.length == other.length
            and np.array_equal(self.hashes, other.hashes)
            and np.array_equal(self.counts, other.counts)
        )

    __hash__ = None  # type: ignore[assignment]


def facts_terms(entry: Entry) -> FactsTerms | None:
    """The searchable tokens of a case's 基本案情 with their counts; None for an entry without one."""
    if entry.kind != EntryKind.CASE:
        return None
    facts = entry.section(FACTS_SECTION)
    if not facts:
        return None
    tokens = [t for t in tokenize(normalize(facts)) if len(t) > 1 or not t.isascii()]
    if not tokens:
        return None
    return FactsTerms.from_tokens(tokens)


def _row(entry_id: str, version: int, terms: FactsTerms) -> FactsTermsRow:
    return FactsTermsRow(
        entry_id=entry_id,
        version=version,
        length=terms.length,
        hashes=terms.hashes.astype(_HASH).tobytes(),
        counts=terms.counts.astype(_COUNT).tobytes(),
    )


def _entry_batches(keys: Iterable[tuple[str, int]]) -> Iterator[list[str]]:
    """The distinct entry ids of these (entry id, version) keys, `_LOOKUP_BATCH` at a time."""
    entry_ids = list(dict.fromkeys(entry_id for entry_id, _ in keys))
    for start in range(0, len(entry_ids), _LOOKUP_BATCH):
        yield entry_ids[start : start + _LOOKUP_BATCH]


class FactsTermStore:
    """Read and write the `facts_terms` table of a record store's database (`RecordStore.init_schema` makes it)."""

    def __init__(self, engine: Engine) -> None:
        self._session = sessionmaker(engine, expire_on_commit=False)
        self._lock = threading.Lock()
        self._average: float | None = None

    def put(self, entry_id: str, version: int, entry: Entry) -> None:
        """Count a version's facts now (at indexing), replacing the entry's older versions' counts; an entry without
        基本案情 keeps no row."""
        terms = facts_terms(entry)
        if terms is None:
            self.forget(entry_id)
            return
        with self._session.begin() as session:
            session.execute(
                delete(FactsTermsRow).where(FactsTermsRow.entry_id == entry_id, FactsTermsRow.version != version)
            )
            session.merge(_row(entry_id, version, terms))
        self._average = None

    def forget(self, entry_id: str) -> None:
        """Drop an entry's counts (it left the index)."""
        with self._session.begin() as session:
            session.execute(delete(FactsTermsRow).where(FactsTermsRow.entry_id == entry_id))
        self._average = None

    def lookup(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], FactsTerms]:
        """The stored counts of these versions; versions never counted are counted from the record and stored."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, int], FactsTerms] = {}
        wanted_set = set(wanted)
        with self._session() as session:
            for batch in _entry_batches(wanted):
                rows = session.execute(
                    select(
                        FactsTermsRow.entry_id,
                        FactsTermsRow.version,
                        FactsTermsRow.length,
                        FactsTermsRow.hashes,
                        FactsTermsRow.counts,
                    ).where(FactsTermsRow.entry_id.in_(batch))  # the primary key's first column: an index search
                ).all()
                for entry_id, version, length, hashes, counts in rows:
                    if (entry_id, version) in wanted_set:
                        found[(entry_id, version)] = FactsTerms(
                            length, np.frombuffer(hashes, dtype=_HASH), np.frombuffer(counts, dtype=_COUNT)
                        )
            missing = [key for key in wanted if key not in found]
            if missing:
                found.update(self._count_missing(session, missing))
        return found

    def _count_missing(self, session: Session, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], FactsTerms]:
        counted: dict[tuple[str, int], FactsTerms] = {}
        wanted = set(keys)
        for batch in _entry_batches(keys):
            versions = session.execute(
                select(VersionRow.entry_id, VersionRow.version, VersionRow.data).where(VersionRow.entry_id.in_(batch))
            ).all()
            for entry_id, version, data in versions:
                if (entry_id, version) not in wanted:
                    continue
                terms = facts_terms(Entry.from_dict(data))
                if terms is not None:
                    counted[(entry_id, version)] = terms
        if counted:
            with self._lock, self._session.begin() as writer:
                for (entry_id, version), terms in counted.items():
                    writer.merge(_row(entry_id, version, terms))
            self._average = None
        return counted

    def average_length(self) -> float:
        """Mean facts length over the counted versions (BM25's avgdl); cached until the next write."""
        if self._average is None:
            with self._session() as session:
                value: Any = session.scalar(select(func.avg(FactsTermsRow.length)))
            self._average = float(value) if value else 0.0
        return self._average
