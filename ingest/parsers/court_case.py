"""Court cases: SPC guiding cases with bare-line headings, and judgments in the LeCaRD layout.

Guiding cases use headings on lines of their own — 关键词 / 裁判要点 / 相关法条 / 基本案情 / 裁判结果 / 裁判理由 —
sometimes in **bold**, indented with full-width spaces or NBSP; 关键词 may carry its words on the same line
(``关键词 刑事/侵犯公民个人信息/…``). The first line holds the number and title (``### 指导性案例192号：李开祥…案``),
and a line such as ``（最高人民法院审判委员会讨论通过2022年12月26日发布）`` gives issuer and date.

Judgments (LeCaRD candidates) are records with ajName (title), ajjbqk (facts), cpfxgc (reasoning), pjjg (result).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Mapping
from typing import Any

from ingest.errors import ParseError
from ingest.parsers.common import (
    Heading,
    apply_front_matter,
    clean_section_text,
    clean_title,
    enrich_case,
    fallback_title,
    front_matter_overrides,
    split_cases,
    split_front_matter,
    split_keywords,
)
from kb.elements.numbers import find_case_numbers, parse_chinese_date
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.text import normalize

logger = logging.getLogger(__name__)

__all__ = ["find_court_headings", "looks_like_court_case", "parse_court_case", "parse_judgment_record"]

COURT_HEADINGS: dict[str, SectionKey] = {
    "关键词": SectionKey.KEYWORDS,
    "裁判要点": SectionKey.GIST,
    "裁判要旨": SectionKey.GIST,
    "裁判摘要": SectionKey.GIST,
    "相关法条": SectionKey.PROVISIONS,
    "相关法律规定": SectionKey.PROVISIONS,
    "基本案情": SectionKey.FACTS,
    "裁判结果": SectionKey.RESULT,
    "裁判理由": SectionKey.REASONING,
}
_LINE = re.compile(r"[^\n]*(?:\n|$)")
_DECORATION = re.compile(r"^[\s#*【\[]+|[\s*】\]:：]+$")
_KEYWORD_LINE = re.compile(r"^[\s#*]*关键词[\s*]*[:：]?\s*(?P<rest>.*)$")
_RELEASE = re.compile(r"(?P<issuer>最高人民法院)[^\n]{0,20}?(?:讨论通过|发布)")
_COURT = re.compile(r"(?:^|[\s,，。;；:：(（])(?P<court>[\u4e00-\u9fff]{2,25}?人民法院)")


def find_court_headings(text: str) -> list[Heading]:
    """Bare-line headings (one per line, decoration allowed), in order."""
    found: list[Heading] = []
    for m in _LINE.finditer(text):
        line = m.group(0)
        if not line.strip():
            continue
        name = _DECORATION.sub("", line)
        key = COURT_HEADINGS.get(name)
        if key is not None:
            found.append(Heading(start=m.start(), end=m.end(), key=key, heading=name))
            continue
        km = _KEYWORD_LINE.match(line)
        if km and km["rest"].strip() and len(line) < 200:
            # 关键词 with its words on the same line: the content starts right after the word 关键词
            offset = line.index("关键词") + len("关键词")
            found.append(Heading(start=m.start(), end=m.start() + offset, key=SectionKey.KEYWORDS, heading="关键词"))
    return found


def looks_like_court_case(text: str) -> bool:
    """True when the text has a bare 裁判要点 heading and at least one more court heading."""
    keys = {h.key for h in find_court_headings(text)}
    return SectionKey.GIST in keys and len(keys) >= 2


_HEADING_NUMBER = re.compile(r"^(?:#+\s*)*指导性?案例第?\s*\d+\s*号\s*[:：]?\s*(?P<title>.*)$")


def _title_and_number(preamble: str) -> tuple[str | None, str | None]:
    """Number and title from the heading line; a title cut short with ... is completed from the lines below it,
    where the full title is often broken over several lines."""
    lines = [line.strip().lstrip("#").strip().strip("*").strip() for line in preamble.split("\n")]
    lines = [line for line in lines if line and not line.startswith("原文网址")]
    numbers = find_case_numbers(preamble)
    number = numbers[0] if numbers else None
    title: str | None = None
    rest: list[str] = []
    for i, line in enumerate(lines):
        m = _HEADING_NUMBER.match(line)
        if m and m["title"].strip():
            title, rest = clean_title(m["title"]), lines[i + 1 :]
            break
        if not m and not line.startswith(("(", "（")):
            title, rest = clean_title(line), lines[i + 1 :]
            break
    if title and title.rstrip(".…。") != title:
        stem = title.rstrip(".…。")
        body = "".join(itertools.takewhile(lambda ln: not ln.startswith(("(", "（")), rest))
        title = body if body.startswith(stem[:8]) and len(body) > len(stem) else stem
    return title, number


def parse_court_case(text: str, source: str) -> list[Entry]:
    """Parse a file of court guiding cases (usually one) into case entries."""
    text = normalize(text)
    meta, body = split_front_matter(text)
    headings = find_court_headings(body)
    if not headings:
        raise ParseError(source, "未找到裁判要点、基本案情等栏目")
    overrides = front_matter_overrides(meta)
    entries: list[Entry] = []
    for block in split_cases(body, headings):
        title, number = _title_and_number(block.preamble)
        entry = Entry(kind=EntryKind.CASE.value, title=title or "", number=number, source=source)
        release = _RELEASE.search(block.preamble)
        if release:
            entry.issuer = release["issuer"]
            entry.publish_date = parse_chinese_date(block.preamble[release.start() - 30 : release.end() + 30])
            entry.publish_date = entry.publish_date or parse_chinese_date(block.preamble)
        if number and number.startswith("指导案例"):
            entry.case_type = "指导性案例"
            entry.issuer = "最高人民法院"
        for section in block.sections:
            if section.key == SectionKey.KEYWORDS:
                entry.keywords = list(dict.fromkeys([*entry.keywords, *split_keywords(section.text)]))
                section = Section(key=section.key, heading=section.heading, text=" ".join(entry.keywords))
            if section.text:
                entry.sections.append(section)
        apply_front_matter(entry, meta)
        if not entry.title:
            entry.title = entry.number or fallback_title(source)
        enrich_case(entry, overrides=overrides)
        entries.append(entry)
    return entries


# --- judgments (LeCaRD layout) ---------------------------------------------------------------------------------

JUDGMENT_FIELDS: dict[str, tuple[SectionKey, str]] = {
    "ajjbqk": (SectionKey.FACTS, "基本案情"),
    "cpfxgc": (SectionKey.REASONING, "裁判分析过程"),
    "pjjg": (SectionKey.RESULT, "判决结果"),
}


def _judgment_title(name: str) -> str:
    """曾胜武危险驾驶一案 -> 曾胜武危险驾驶案."""
    title = clean_title(name)
    return re.sub(r"一案$", "案", title)


def parse_judgment_record(record: Mapping[str, Any], source: str) -> Entry:
    """A judgment record (ajName, ajjbqk, cpfxgc, pjjg; pid/qid optional) -> a 参考案例 entry.

    The 编号 is ``LeCaRD-<pid>`` when the record has a pid (the same judgment appears under several queries, and
    its title is not unique), so re-ingesting is idempotent and evaluation can map entries back to pids.
    """
    name = normalize(str(record.get("ajName") or "")).strip()
    sections: list[Section] = []
    for field_name, (key, heading) in JUDGMENT_FIELDS.items():
        value = record.get(field_name)
        if isinstance(value, str) and value.strip():
            text = clean_section_text(normalize(value))
            if text:
                sections.append(Section(key=key.value, heading=heading, text=text))
    if not sections:
        raise ParseError(source, f"判决记录“{name or record.get('pid')}”没有 ajjbqk/cpfxgc/pjjg 内容")
    pid = record.get("pid")
    entry = Entry(
        kind=EntryKind.CASE.value,
        title=_judgment_title(name) if name else f"判决{pid}",
        number=f"LeCaRD-{pid}" if pid is not None else None,
        case_type="参考案例",
        sections=sections,
        source=source,
    )
    court = _COURT.search("\n" + sections[0].text[:400])
    if court:
        entry.issuer = court["court"]
    enrich_case(entry)
    if entry.line is None:
        entry.line = "刑事检察" if entry.charges else None
    return entry
