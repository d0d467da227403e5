"""Duplicate and near-duplicate detection of cases (on import and on edit)."""

from __future__ import annotations

from kb.dedup.detector import DuplicateCheck, DuplicateDetector, DuplicateMatch, NearDuplicate, detector_for
from kb.dedup.errors import DuplicateEntry

__all__ = ["DuplicateCheck", "DuplicateDetector", "DuplicateEntry", "DuplicateMatch", "NearDuplicate", "detector_for"]
