"""Highlight spans and passage windows: where the query's terms occur in a chunk of text."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).lower()
    if len(folded) == 1:
        return folded
    lowered = ch.lower()
    return lowered if len(lowered) == 1 else ch  # İ lowers to two characters: keep it as it is


def fold(text: str) -> str:
    """A same-length comparison form of `text` (so offsets stay valid)."""
    if unicodedata.is_normalized("NFKC", text):  # indexed text is normalised at ingest: the usual case, in C
        lowered = text.lower()
        if len(lowered) == len(text):
            return lowered
    return "".join(_fold_char(ch) for ch in text)


def find_spans(text: str, terms: list[str], *, min_len: int = 2) -> list[tuple[int, int]]:
    """Merged, sorted [start, end) spans of every occurrence of every term (single characters ignored)."""
    folded = fold(text)
    spans: list[tuple[int, int]] = []
    for term in {fold(t) for t in terms if len(t) >= min_len}:
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def best_window(text: str, spans: list[tuple[int, int]], width: int = 240) -> tuple[str, list[tuple[int, int]]]:
    """The `width`-character window of `text` holding the most highlighted characters, with spans shifted into it."""
    if len(text) <= width:
        return text, spans
    covered = [0] * (len(text) + 1)  # prefix sums of highlighted characters
    marks = [0] * len(text)
    for s, e in spans:
        for i in range(s, e):
            marks[i] = 1
    for i, mark in enumerate(marks):
        covered[i + 1] = covered[i] + mark
    best_start, best_score = 0, -1
    for start, _ in spans or [(0, 0)]:
        lo = max(0, min(start - width // 6, len(text) - width))
        score = covered[lo + width] - covered[lo]
        if score > best_score:
            best_start, best_score = lo, score
    lo, hi = best_start, best_start + width
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    shift = len(prefix) - lo
    inside = [(max(s, lo) + shift, min(e, hi) + shift) for s, e in spans if e > lo and s < hi]
    return prefix + text[lo:hi] + suffix, inside
