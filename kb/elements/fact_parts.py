"""The numbered parts of a fact text: 一、…二、… or （一）…（二）…, one criminal fact each.

A text that tells of several criminal facts usually numbers them, and each may be a different crime: a gambling den
and, as part 二, tobacco sold without a licence; a road blocked after an accident and, as part 二, traffic police beaten
at their station. The nearest cases of the whole text follow its longest part, so the charge of a shorter part can
go unseen; the nearest cases of each part see it (kb.components.legal_element_ranker, the part vote).

A part starts at the beginning of the text or of a sentence (after 。；：or a line break) with a Chinese numeral and
、, or a Chinese numeral in brackets; parts must be numbered in order from 一, so a stray 二、 inside a sentence or a
list of items is not mistaken for one. Text before the first part (a preamble about the defendant) belongs to no
part. A part shorter than `MIN_PART_CHARS` is dropped (a heading, not a fact).
"""

from __future__ import annotations

import re

__all__ = ["ALL_STYLES", "MAX_PARTS", "MIN_PART_CHARS", "STYLES", "fact_parts"]

MIN_PART_CHARS = 30  # shorter numbered pieces are headings or items, not a criminal fact
MAX_PARTS = 6  # parts searched at most (each is one more search): the first ones, in the text's order

_NUMERALS = "一二三四五六七八九十"
_DIGITS = {c: i for i, c in enumerate(_NUMERALS[:9], start=1)}  # 一 … 九
_START = r"(?:^|(?<=[。；;：:\n]))\s*"  # where the text or a sentence starts
_CHINESE = re.compile(rf"{_START}(?:[（(]([{_NUMERALS}]{{1,3}})[）)]|([{_NUMERALS}]{{1,3}})、)")
# 1、 or 1. (or the full-width stop), not a decimal (1.5克): judgments number counts so too; Chinese numerals first
_ARABIC = re.compile(rf"{_START}(\d{{1,2}})(?:、|[.\uff0e](?!\d))")
# The styles the part vote follows. Arabic numbering was measured too and is not followed: most texts numbered so list
# several counts of one crime, and their parts' votes add more wrong charges than right ones
# (bench-results/eval/charge-recognition/parts.txt); `styles=ALL_STYLES` splits at it as well.
STYLES = ("chinese",)
ALL_STYLES = ("chinese", "arabic")


def _value(numeral: str) -> int:
    """一 … 九十九 as an int (十 = 10, 十二 = 12, 二十 = 20, 二十三 = 23); Arabic digits as they are."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        return _DIGITS.get(numeral, 0) if len(numeral) == 1 else 0
    tens, _, ones = numeral.partition("十")
    return (_DIGITS.get(tens, 0) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)


def fact_parts(text: str, styles: tuple[str, ...] = STYLES) -> list[str]:
    """The text's numbered parts in order (at least two, each at least MIN_PART_CHARS long, at most MAX_PARTS), or []
    when it has fewer than two: a text of one fact needs no part vote.

    Chinese numerals (一、 or （一）); with "arabic" among `styles`, a text without two such parts is split at 1、 or
    1. instead. One marker form is followed, the one the first part uses; numbers must run in order from 1."""
    for style in styles:
        parts = _parts(text, _CHINESE if style == "chinese" else _ARABIC)
        if parts:
            return parts
    return []


def _parts(text: str, pattern: re.Pattern[str]) -> list[str]:
    marks: list[tuple[int, int]] = []  # (where the marker starts, where the part's text starts)
    style = 0
    expected = 1
    for match in pattern.finditer(text):
        group = 1 if match.group(1) else 2  # which form of the marker: （一） or 一、
        if _value(match.group(group)) != expected or (style and group != style):
            continue
        style = group
        marks.append((match.start(), match.end()))
        expected += 1
    if len(marks) < 2:
        return []
    ends = [marker for marker, _ in marks[1:]] + [len(text)]
    parts = [text[start:end].strip() for (_, start), end in zip(marks, ends, strict=True)]
    kept = [part for part in parts if len(part) >= MIN_PART_CHARS]
    return kept[:MAX_PARTS] if len(kept) >= 2 else []
