"""How alike two cases are: MinHash text similarity of the facts plus agreement of the elements a retelling keeps.

A retelling of the same case rewords the facts (bigram Jaccard drops to 0.2–0.5) but keeps who, how much and when;
two different cases of the same charge share vocabulary but not their parties, sums and dates. The score rewards
both and is calibrated on the pairs in tests/data/dedup (docs/dedup.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kb.dedup.features import Fingerprint

# Element weights (what a retelling keeps, and how telling a match is); normalised over the elements both sides have.
ELEMENT_WEIGHTS = {"amounts": 0.35, "parties": 0.3, "dates": 0.2, "ages": 0.1, "charges": 0.05}
TEXT_WEIGHT = 0.5
NEAR_THRESHOLD = 0.5  # chosen on the measured pairs; see docs/dedup.md
TEXT_FLOOR = 0.12  # below this facts similarity a pair is not looked at (unless it shares a sum or a date)
ELEMENT_LABELS = {"amounts": "金额", "parties": "当事人", "dates": "时间", "ages": "年龄", "charges": "罪名/案由"}


@dataclass(frozen=True)
class PairScore:
    score: float
    text: float  # estimated Jaccard similarity of the facts' character bigrams
    elements: float | None  # weighted agreement of the shared elements (None: nothing to compare)
    shared: dict[str, list[str]]  # element name → values both sides mention


def text_similarity(signature: npt.NDArray[np.uint32], signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of one signature against a matrix of them (one row per entry)."""
    if signatures.size == 0:
        return np.zeros(0)
    result: npt.NDArray[np.float64] = (signatures == signature).mean(axis=1)
    return result


def _agreement(a: frozenset[object], b: frozenset[object]) -> float:
    """Overlap relative to the smaller side: a retelling may leave a detail out, but what it names must match."""
    return len(a & b) / min(len(a), len(b))


FULL_EVIDENCE = 0.6  # element weight both sides must have for the agreement to count fully (one sum alone: 0.35)


def element_agreement(a: Fingerprint, b: Fingerprint) -> tuple[float | None, dict[str, list[str]]]:
    """Weighted agreement of the elements both sides mention, scaled down when there is little to compare."""
    total = weight = 0.0
    shared: dict[str, list[str]] = {}
    for name, w in ELEMENT_WEIGHTS.items():
        left: frozenset[object] = getattr(a, name)
        right: frozenset[object] = getattr(b, name)
        if not left or not right:
            continue
        common = left & right
        if common:
            shared[name] = sorted(str(v) for v in common)
        total += w * _agreement(left, right)
        weight += w
    if weight == 0:
        return None, shared
    return total / weight * min(1.0, weight / FULL_EVIDENCE), shared


def combine(text: float, elements: float | None) -> float:
    # Text similarity of a retelling rarely exceeds 0.6; stretch it so 0.6 counts as full agreement.
    text_part = min(1.0, text / 0.6)
    if elements is None:
        return text_part * 0.8  # nothing to confirm with: text alone, discounted
    return TEXT_WEIGHT * text_part + (1 - TEXT_WEIGHT) * elements


def score_pair(a: Fingerprint, b: Fingerprint, text: float | None = None) -> PairScore:
    if text is None:
        text = float(text_similarity(a.signature, b.signature[None, :])[0])
    elements, shared = element_agreement(a, b)
    return PairScore(score=combine(text, elements), text=text, elements=elements, shared=shared)
