"""Line breaking for Chinese text with the basic 避头尾 rule (GB/T 15834 practice, JIS X 4051 "kinsoku").

- No line starts with closing punctuation (，。、；：！？）」』】》〉”’… and their kin).
- No line ends with opening punctuation (（「『【《〈“‘).
- Runs of Latin letters and digits (2023, 50万 → "50", ABC-1) are never split unless longer than a line.

When the next unit must not start a line, the last unit of the current line moves down with it (追出し); when that would
leave the line empty, the punctuation hangs past the margin instead (悬挂), which a punctuation mark can afford.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NO_LINE_START = frozenset("，。、；：！？）」』】》〉〕］｝”’…—‥·%‰,.;:!?)]}>·〃々ー")  # noqa: RUF001
NO_LINE_END = frozenset("（「『【《〈〔［｛“‘([{<")  # noqa: RUF001

# A unit: a run of Latin letters/digits (with inner . , - / : % kept together), one space run, or one other character.
_UNITS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._\-/:%]*[A-Za-z0-9%])?| +|.", re.DOTALL)


def units(text: str) -> list[str]:
    return _UNITS.findall(text)


def _split_long(unit: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """A Latin run longer than a line, cut by characters."""
    parts: list[str] = []
    current = ""
    for ch in unit:
        if current and width(current + ch) > max_width:
            parts.append(current)
            current = ch
        else:
            current += ch
    if current:
        parts.append(current)
    return parts


def wrap(text: str, width: Callable[[str], float], max_width: float, *, first_indent: float = 0.0) -> list[str]:
    """Break one paragraph (no newlines) into lines no wider than `max_width` (hanging punctuation excepted).

    `first_indent` is the room taken at the start of the first line (the 首行缩进 of two characters).
    """
    if max_width <= 0:
        msg = f"max_width must be > 0, got {max_width}"
        raise ValueError(msg)
    lines: list[list[str]] = []
    line: list[str] = []
    line_width = first_indent
    for unit in units(text):
        unit_width = width(unit)
        if not line and unit.isspace():
            continue  # no leading spaces after a break
        if line_width + unit_width <= max_width:
            line.append(unit)
            line_width += unit_width
            continue
        if unit.isspace():  # a space at the break disappears
            lines.append(line)
            line, line_width = [], 0.0
            continue
        carried = _carry(line, unit)
        if carried is None:  # nothing could move down without emptying the line: hang the punctuation
            line.append(unit)
            line_width += unit_width
            continue
        if line:
            lines.append(line)
        line = [*carried]
        if not line and unit_width > max_width and len(unit) > 1:
            pieces = _split_long(unit, width, max_width)
            lines.extend([p] for p in pieces[:-1])
            unit = pieces[-1]
        line.append(unit)
        line_width = sum(width(u) for u in line)
    if line:
        lines.append(line)
    return ["".join(parts).rstrip() for parts in lines]


def _carry(line: list[str], unit: str) -> list[str] | None:
    """Units to move from the end of `line` to the next line so that `unit` may start it (`line` is shortened).

    None when the move would empty the line: the caller then lets `unit` hang past the margin.
    """
    keep = len(line)
    if unit[0] in NO_LINE_START:
        keep -= 1  # the character before the closing mark goes down with it
        while keep > 0 and line[keep][0] in NO_LINE_START:
            keep -= 1
    while keep > 0 and line[keep - 1][-1] in NO_LINE_END:
        keep -= 1  # an opening mark never ends a line
    while keep > 0 and line[keep - 1].isspace():
        keep -= 1
    if keep <= 0:
        return None if line else []
    carried = line[keep:]
    del line[keep:]
    while carried and carried[0].isspace():
        carried.pop(0)
    return carried


def check_lines(lines: list[str]) -> list[str]:
    """The lines (after the first) that break the rule: start with closing or end with opening punctuation."""
    bad = [line for line in lines[1:] if line and line[0] in NO_LINE_START]
    bad += [line for line in lines[:-1] if line and line[-1] in NO_LINE_END]
    return bad
