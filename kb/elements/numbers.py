"""Chinese numerals, dates and case numbers (检例第103号, 指导案例241号, 第N批).

Used at ingest and at query time: every pattern is compiled once at import.
"""

from __future__ import annotations

import re

_DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "\uff2f": 0,  # full-width O
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}

# Characters that may appear in a Chinese numeral (used to build the other patterns).
CN_NUM_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "".join(_BIG_UNITS)
_NUM = rf"[0-9\uff10-\uff19{CN_NUM_CHARS}]+"

_DIGIT_NAMES = "零一二三四五六七八九"


def chinese_to_int(text: str) -> int:
    """Parse a Chinese numeral (一百三十三, 二百零五, 两千, 十五, 〇) or Arabic digits (133, full-width too).

    Digit-by-digit forms such as 二〇二三 (years) are read positionally. Raises ValueError on anything else.
    """
    s = text.strip()
    if not s:
        msg = "empty numeral"
        raise ValueError(msg)
    if s.isdigit():
        return int(s)  # int() accepts full-width digits
    if any(ch not in _DIGITS and ch not in _UNITS and ch not in _BIG_UNITS for ch in s):
        msg = f"not a Chinese numeral: {text!r}"
        raise ValueError(msg)
    if all(ch in _DIGITS for ch in s):
        value = 0
        for ch in s:
            value = value * 10 + _DIGITS[ch]
        return value
    total = 0  # value of completed 万/亿 groups
    group = 0  # value of the current group below 万
    digit: int | None = None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            group += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif _BIG_UNITS[ch] == 100_000_000:
            total = (total + group + (digit or 0)) * 100_000_000
            group, digit = 0, None
        else:
            total += (group + (digit or 0)) * 10_000
            group, digit = 0, None
    return total + group + (digit or 0)


def _below_10000(n: int, *, leading: bool) -> str:
    """n in 0..9999 as Chinese; `leading` means no higher group precedes it (so 10 -> 十, not 一十)."""
    out: list[str] = []
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = (n // unit_value) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        if not (d == 1 and unit_value == 10 and not out and leading):
            out.append(_DIGIT_NAMES[d])
        out.append(unit_name)
    return "".join(out)


def int_to_chinese(n: int) -> str:
    """Write n >= 0 the way statute article numbers are written: 133 -> 一百三十三, 205 -> 二百零五, 10 -> 十."""
    if n < 0:
        msg = f"negative numbers are not supported: {n}"
        raise ValueError(msg)
    if n == 0:
        return "零"
    parts: list[str] = []
    groups = [(n // 100_000_000, "亿"), ((n // 10_000) % 10_000, "万"), (n % 10_000, "")]
    started = False
    need_zero = False
    for value, unit in groups:
        if value == 0:
            if started:
                need_zero = True
            continue
        if started and (need_zero or value < 1000):
            parts.append("零")
        parts.append(_below_10000(value, leading=not started) + unit)
        started = True
        need_zero = False
    return "".join(parts)


_DATE_CN = re.compile(
    rf"(?P<y>[0-9\uff10-\uff19]{{4}}|[{''.join(_DIGITS)}]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"
)
_DATE_ISO = re.compile(
    r"(?<![0-9])(?P<y>[12][0-9]{3})\s*[-./]\s*(?P<m>[0-9]{1,2})\s*[-./]\s*(?P<d>[0-9]{1,2})(?![0-9])"
)


def _iso(year: int, month: int, day: int) -> str | None:
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_chinese_date(text: str) -> str | None:
    """The first full date in `text` as ISO yyyy-mm-dd: 二〇二三年五月六日, 2023年5月6日, 2023-05-06, 2023/5/6."""
    candidates: list[tuple[int, str]] = []
    for m in _DATE_CN.finditer(text):
        try:
            iso = _iso(chinese_to_int(m["y"]), chinese_to_int(m["m"]), chinese_to_int(m["d"]))
        except ValueError:
            continue
        if iso:
            candidates.append((m.start(), iso))
            break
    for m in _DATE_ISO.finditer(text):
        iso = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
        if iso:
            candidates.append((m.start(), iso))
            break
    return min(candidates)[1] if candidates else None


_SPP_NUMBER = re.compile(rf"检例\s*第?\s*(?P<n>{_NUM})\s*号")
_SPC_NUMBER = re.compile(rf"指导性?案例\s*第?\s*(?P<n>{_NUM})\s*号")
_BATCH = re.compile(rf"第\s*(?P<n>{_NUM})\s*批")


def _numbers(pattern: re.Pattern[str], text: str, template: str) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for m in pattern.finditer(text):
        try:
            n = chinese_to_int(m["n"])
        except ValueError:
            continue
        found.append((m.start(), template.format(n=n)))
    return found


def find_batches(text: str) -> list[str]:
    """Batch numbers (第三十五批, 第35批) normalised to 第35批, in order of appearance, deduplicated."""
    return _dedupe(_numbers(_BATCH, text, "第{n}批"))


def find_case_numbers(text: str, *, include_batches: bool = False) -> list[str]:
    """Case numbers in order of appearance, deduplicated, normalised.

    检例第103号 / （检例第103号） / 检例第一百零三号 -> 检例第103号; 指导案例241号 / 指导性案例第241号 -> 指导案例241号.
    With include_batches, 第N批 numbers (normalised to 第N批) are included too.
    """
    found = _numbers(_SPP_NUMBER, text, "检例第{n}号") + _numbers(_SPC_NUMBER, text, "指导案例{n}号")
    if include_batches:
        found += _numbers(_BATCH, text, "第{n}批")
    return _dedupe(found)


def _dedupe(found: list[tuple[int, str]]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for _, value in sorted(found, key=lambda item: item[0]):
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def normalize_article_number(text: str) -> str:
    """第133条 / 第一百三十三条 -> 第一百三十三条 (the form used in normalised provisions)."""
    m = re.fullmatch(rf"第\s*({_NUM})\s*条", text.strip())
    if not m:
        msg = f"not an article number: {text!r}"
        raise ValueError(msg)
    return f"第{int_to_chinese(chinese_to_int(m.group(1)))}条"
