"""Aho-Corasick helpers shared by the element extractors."""

from __future__ import annotations

from collections.abc import Iterable


def longest_matches(automaton: object, text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for end, (length, name) in automaton.iter(text):  # type: ignore[attr-defined]
        found.append((end - length + 1, end + 1, name))
    return non_overlapping(found)


def non_overlapping(found: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    ordered = sorted(found, key=lambda m: (m[0], -(m[1] - m[0])))
    result: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, name in ordered:
        if start >= last_end:
            result.append((start, end, name))
            last_end = end
    return result
