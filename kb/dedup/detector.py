"""`DuplicateDetector`: identical content is refused, near-duplicates are flagged, against every entry in the record.

The detector keeps one fingerprint per case and guideline in memory (a 128-value MinHash row, a digest and a few
element sets: about 1 KB per entry) and syncs itself with the record store before each check by comparing entry ids
and current versions, so entries written by any path are seen. A check is one vectorised comparison against the
signature matrix plus element scoring of the few candidates: milliseconds with thousands of entries.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from kb.dedup.errors import DuplicateEntry
from kb.dedup.features import NUM_PERM, Fingerprint, facts_text, fingerprint
from kb.dedup.scoring import ELEMENT_LABELS, NEAR_THRESHOLD, TEXT_FLOOR, PairScore, score_pair, text_similarity
from kb.errors import EntryNotFound
from kb.models import Entry, EntryKind
from kb.records import EntryRow, RecordStore

logger = logging.getLogger(__name__)

CHECKED_KINDS = (EntryKind.CASE.value, EntryKind.GUIDELINE.value)
MAX_CANDIDATES = 30  # by text similarity; element scoring runs on these (plus sum/date matches)
BULK_LOAD = 50  # more changed entries than this are read with one scan instead of one query each


@dataclass(frozen=True)
class DuplicateMatch:
    entry_id: str
    version: int
    title: str
    number: str | None

    @property
    def label(self) -> str:
        return f"“{self.title}”（{self.number + '，' if self.number else ''}ID {self.entry_id}）"


@dataclass(frozen=True)
class NearDuplicate:
    entry_id: str
    version: int
    title: str
    number: str | None
    score: float
    text_similarity: float
    shared: dict[str, list[str]]
    new_text: str  # facts of the entry being checked
    existing_text: str  # facts of the existing entry, for a side-by-side view

    def message(self, new_title: str) -> str:
        details = "；".join(f"{ELEMENT_LABELS[k]}相同：{'、'.join(v[:5])}" for k, v in self.shared.items())
        number = f"{self.number}，" if self.number else ""
        return (
            f"“{new_title}”疑似与已有条目“{self.title}”（{number}ID {self.entry_id}）为同一案件"
            f"（相似度 {self.score:.2f}{'；' + details if details else ''}），请核对"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "entry_id": self.entry_id,
            "version": self.version,
            "title": self.title,
            "number": self.number,
            "score": round(self.score, 3),
            "text_similarity": round(self.text_similarity, 3),
            "shared": self.shared,
            "new_text": self.new_text,
            "existing_text": self.existing_text,
        }


@dataclass
class DuplicateCheck:
    exact: DuplicateMatch | None = None
    near: list[NearDuplicate] = field(default_factory=list)


def _value_keys(fp: Fingerprint) -> list[tuple[str, object]]:
    """The sums and dates of a case: rare enough to find a retelling that shares little wording."""
    return [("amounts", v) for v in fp.amounts] + [("dates", v) for v in fp.dates]


class _Index:
    """Fingerprints with a signature matrix (rows in `ids` order) and inverted lists for digests, sums and dates."""

    def __init__(self) -> None:
        self.prints: dict[str, Fingerprint] = {}
        self.ids: list[str] = []
        self.matrix: npt.NDArray[np.uint32] = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self.digests: dict[str, set[str]] = defaultdict(set)
        self.by_value: dict[tuple[str, object], set[str]] = defaultdict(set)
        self.rows: dict[str, int] = {}  # entry id → row of `matrix`
        self._dirty = False

    def put(self, fp: Fingerprint) -> None:
        self.drop(fp.entry_id)
        self.prints[fp.entry_id] = fp
        if fp.digest:
            self.digests[fp.digest].add(fp.entry_id)
        for key in _value_keys(fp):
            self.by_value[key].add(fp.entry_id)
        self._dirty = True

    def drop(self, entry_id: str) -> None:
        old = self.prints.pop(entry_id, None)
        if old is None:
            return
        if old.digest:
            self.digests[old.digest].discard(entry_id)
        for key in _value_keys(old):
            self.by_value[key].discard(entry_id)
        self._dirty = True

    def cases(self) -> tuple[list[str], npt.NDArray[np.uint32]]:
        if self._dirty:
            self.ids = [i for i, fp in self.prints.items() if fp.kind == EntryKind.CASE and fp.facts_chars]
            self.rows = {entry_id: n for n, entry_id in enumerate(self.ids)}
            rows = [self.prints[i].signature for i in self.ids]
            self.matrix = np.vstack(rows) if rows else np.zeros((0, NUM_PERM), dtype=np.uint32)
            self._dirty = False
        return self.ids, self.matrix


class DuplicateDetector:
    def __init__(self, records: RecordStore, *, threshold: float = NEAR_THRESHOLD) -> None:
        self.records = records
        self.threshold = threshold
        self._index = _Index()
        self._versions: dict[str, int] = {}
        self._lock = threading.Lock()
        self._session = sessionmaker(records.engine)

    # -- keeping up with the record ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Bring the fingerprints up to date with the record store (new, changed and deleted entries)."""
        with self._session() as session:
            current = dict(
                session.execute(
                    select(EntryRow.id, EntryRow.current_version).where(EntryRow.kind.in_(CHECKED_KINDS))
                ).all()
            )
        for gone in set(self._versions) - set(current):
            self._index.drop(gone)
            del self._versions[gone]
        changed = {i for i, v in current.items() if self._versions.get(i) != v}
        if not changed:
            return
        if len(changed) > BULK_LOAD:
            for entry_id, version, entry in self.records.iter_current():
                if entry_id in changed:
                    self._remember(entry_id, version, entry)
        else:
            for entry_id in changed:
                try:
                    stored = self.records.get(entry_id)
                except EntryNotFound:  # deleted meanwhile
                    continue
                self._remember(entry_id, stored.version, stored.entry)
        logger.debug("duplicate index: %s entries refreshed, %s in total", len(changed), len(self._versions))

    def _remember(self, entry_id: str, version: int, entry: Entry) -> None:
        self._index.put(fingerprint(entry, entry_id, version))
        self._versions[entry_id] = version

    # -- checking ------------------------------------------------------------------------------------------------

    def check(self, entry: Entry, *, entry_id: str | None = None) -> DuplicateCheck:
        """Compare `entry` with every stored entry except itself (`entry_id`, default its natural id)."""
        return self.check_many([entry], entry_ids=[entry_id] if entry_id else None)[0]

    def check_many(self, entries: list[Entry], *, entry_ids: list[str] | None = None) -> list[DuplicateCheck]:
        """Check a batch (one imported file): against the record, and each entry against the earlier ones."""
        with self._lock:
            self.refresh()
            ids = entry_ids or [e.entry_id for e in entries]
            batch: list[Fingerprint] = []
            texts: dict[str, str] = {}  # facts of the batch's entries (not in the record yet)
            results = []
            for entry, own_id in zip(entries, ids, strict=True):
                if entry.kind not in CHECKED_KINDS:
                    results.append(DuplicateCheck())
                    continue
                fp = fingerprint(entry, own_id)
                results.append(self._check(entry, fp, batch, texts))
                batch.append(fp)
                texts[own_id] = facts_text(entry)
            return results

    def ensure_unique(self, entries: list[Entry], *, entry_ids: list[str] | None = None) -> list[DuplicateCheck]:
        """Raise DuplicateEntry for the first entry whose content is identical to another; else the near matches."""
        results = self.check_many(entries, entry_ids=entry_ids)
        for entry, result in zip(entries, results, strict=True):
            if result.exact is not None:
                msg = f"“{entry.title}”与已有条目{result.exact.label}内容完全相同，未导入"
                raise DuplicateEntry(
                    msg,
                    existing_id=result.exact.entry_id,
                    existing_title=result.exact.title,
                    existing_number=result.exact.number,
                    source=entry.source,
                )
        return results

    def _check(self, entry: Entry, fp: Fingerprint, batch: list[Fingerprint], texts: dict[str, str]) -> DuplicateCheck:
        result = DuplicateCheck()
        if fp.digest:
            same = [i for i in self._index.digests.get(fp.digest, ()) if i != fp.entry_id]
            same += [b.entry_id for b in batch if b.digest == fp.digest and b.entry_id != fp.entry_id]
            if same:
                other = self._index.prints.get(same[0]) or next(b for b in batch if b.entry_id == same[0])
                result.exact = DuplicateMatch(other.entry_id, other.version, other.title, other.number)
                return result
        if fp.kind != EntryKind.CASE or not fp.facts_chars:
            return result
        scored = self._score_candidates(fp, batch)
        flagged = sorted((s for s in scored if s[1].score >= self.threshold), key=lambda s: -s[1].score)
        new_text = facts_text(entry)
        for other, pair in flagged[:5]:
            result.near.append(self._near(other, pair, new_text, texts))
        return result

    def _score_candidates(self, fp: Fingerprint, batch: list[Fingerprint]) -> list[tuple[Fingerprint, PairScore]]:
        ids, matrix = self._index.cases()
        sims = text_similarity(fp.signature, matrix)
        chosen: dict[str, float] = {}
        if len(ids):
            order = np.argsort(-sims)[:MAX_CANDIDATES]
            chosen = {ids[i]: float(sims[i]) for i in order if sims[i] >= TEXT_FLOOR}
        rows = self._index.rows
        for key in _value_keys(fp):
            for other_id in self._index.by_value.get(key, ()):
                if other_id not in chosen and other_id in rows:
                    chosen[other_id] = float(sims[rows[other_id]])
        chosen.pop(fp.entry_id, None)
        prints = self._index.prints
        scored = [(prints[other_id], score_pair(fp, prints[other_id], sim)) for other_id, sim in chosen.items()]
        for other in batch:
            if other.kind == EntryKind.CASE and other.entry_id != fp.entry_id and other.facts_chars:
                scored.append((other, score_pair(fp, other)))
        return scored

    def _near(self, other: Fingerprint, pair: PairScore, new_text: str, texts: dict[str, str]) -> NearDuplicate:
        existing_text = texts.get(other.entry_id, "")
        if other.entry_id not in texts:
            try:
                existing_text = facts_text(self.records.get(other.entry_id).entry)
            except EntryNotFound:
                existing_text = ""
        return NearDuplicate(
            entry_id=other.entry_id,
            version=other.version,
            title=other.title,
            number=other.number,
            score=pair.score,
            text_similarity=pair.text,
            shared=pair.shared,
            new_text=new_text,
            existing_text=existing_text,
        )


_detectors: weakref.WeakKeyDictionary[RecordStore, DuplicateDetector] = weakref.WeakKeyDictionary()
_detectors_lock = threading.Lock()


def detector_for(records: RecordStore) -> DuplicateDetector:
    """One detector per record store (its fingerprints are kept between imports)."""
    with _detectors_lock:
        found = _detectors.get(records)
        if found is None:
            found = _detectors[records] = DuplicateDetector(records)
        return found
