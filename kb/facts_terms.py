"""The term counts of each case version's 基本案情, kept next to the record for the whole-text facts match.

A pasted fact text is compared with every candidate case's whole 基本案情 (kb.components.facts_ranker). Segmenting
a hundred case texts per search would cost a few hundred milliseconds, so each published case version's facts are
segmented once, when it is indexed, and its term counts are stored here (table `facts_terms`, keyed by entry id and
version). A version indexed before this table existed is counted the first time a search asks for it and stored
then, so an older record store needs no migration step.

Only cases have 基本案情; a guideline article, a power-list item or a law has no row and takes no part in the match.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Integer, String, delete, func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from kb.models import Entry, EntryKind
from kb.records import Base, VersionRow
from kb.text import normalize, tokenize

FACTS_SECTION = "facts"
_LOOKUP_BATCH = 400  # (entry id, version) pairs per SELECT: well under SQLite's bound-parameter limit


class FactsTermsRow(Base):
    __tablename__ = "facts_terms"

    entry_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    length: Mapped[int] = mapped_column(Integer)  # tokens counted, the document length of BM25
    terms: Mapped[dict[str, int]] = mapped_column(JSON)  # token -> count


@dataclass(frozen=True)
class FactsTerms:
    length: int
    counts: dict[str, int]


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
    return FactsTerms(len(tokens), dict(Counter(tokens)))


class FactsTermStore:
    """Read and write the `facts_terms` table of a record store's database (made here when it is missing)."""

    def __init__(self, engine: Engine) -> None:
        FactsTermsRow.__table__.create(engine, checkfirst=True)  # type: ignore[attr-defined]
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
            session.merge(FactsTermsRow(entry_id=entry_id, version=version, length=terms.length, terms=terms.counts))
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
        with self._session() as session:
            for start in range(0, len(wanted), _LOOKUP_BATCH):
                batch = wanted[start : start + _LOOKUP_BATCH]
                rows = session.execute(
                    select(
                        FactsTermsRow.entry_id, FactsTermsRow.version, FactsTermsRow.length, FactsTermsRow.terms
                    ).where(tuple_(FactsTermsRow.entry_id, FactsTermsRow.version).in_(batch))
                ).all()
                for entry_id, version, length, terms in rows:
                    found[(entry_id, version)] = FactsTerms(length, terms)
            missing = [key for key in wanted if key not in found]
            if missing:
                found.update(self._count_missing(session, missing))
        return found

    def _count_missing(self, session: Session, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], FactsTerms]:
        counted: dict[tuple[str, int], FactsTerms] = {}
        for start in range(0, len(keys), _LOOKUP_BATCH):
            batch = keys[start : start + _LOOKUP_BATCH]
            versions = session.execute(
                select(VersionRow.entry_id, VersionRow.version, VersionRow.data).where(
                    tuple_(VersionRow.entry_id, VersionRow.version).in_(batch)
                )
            ).all()
            for entry_id, version, data in versions:
                terms = facts_terms(Entry.from_dict(data))
                if terms is not None:
                    counted[(entry_id, version)] = terms
        if counted:
            with self._lock, self._session.begin() as writer:
                for (entry_id, version), terms in counted.items():
                    writer.merge(
                        FactsTermsRow(entry_id=entry_id, version=version, length=terms.length, terms=terms.counts)
                    )
            self._average = None
        return counted

    def average_length(self) -> float:
        """Mean facts length over the counted versions (BM25's avgdl); cached until the next write."""
        if self._average is None:
            with self._session() as session:
                value: Any = session.scalar(select(func.avg(FactsTermsRow.length)))
            self._average = float(value) if value else 0.0
        return self._average
