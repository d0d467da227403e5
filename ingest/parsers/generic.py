"""Cases without 【】 markers: outlined with numbered headings (一、基本案情 / （二）检察机关履职情况 / 典型意义：),
or plain text (the first line is the title, the rest one BODY section, or the parts of a judgment or decision printed
as running text: `ingest.parsers.judgment_text`).

Typical-case releases often use numbered headings and hold several cases (案例一 … 案例五); they are split the
same way as published cases, where 基本案情 (or 要旨/关键词) repeats.
"""

from __future__ import annotations

import re

from ingest.errors import ParseError
from ingest.parsers.common import (
    Heading,
    apply_front_matter,
    classify_heading,
    clean_section_text,
    clean_title,
    enrich_case,
    fallback_title,
    find_title_and_number,
    front_matter_overrides,
    has_usable_text,
    split_cases,
    split_front_matter,
    split_keywords,
    split_meta_lines,
)
from ingest.parsers.judgment_text import split_judgment_text
from kb.elements.numbers import find_case_numbers
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.text import normalize

__all__ = ["find_outline_headings", "has_usable_text", "parse_generic_case", "parse_outlined_case"]

_OUTLINE = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:\*\*)?[ \t]*(?:[一二三四五六七八九十]+[、.\uff0e]|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[、.\uff0e])?"
    r"[ \t]*(?P<name>[\u4e00-\u9fff]{2,12})[ \t]*(?:\*\*)?[ \t]*[:：]?[ \t]*(?:\*\*)?[ \t]*$",
    re.MULTILINE,
)
# Outline headings must name a section plainly; the broad process rule of classify_heading is too loose here.
_OUTLINE_NAMES = re.compile(
    r"^(?:关键词|要旨|基本案情|案情|简要案情|案情简介|检察机关履职过程|检察机关履职情况|检察履职情况|履职情况|履职过程|"
    r"办理过程|诉讼过程|处理结果|处理情况|案件结果|典型意义|指导意义|警示意义|借鉴意义|示范意义|相关规定|相关法律规定|"
    r"法律依据|错误类型|存在问题|主要问题|问题分析|责任追究|责任后果|教训|警示要点)$"
)


def find_outline_headings(text: str) -> list[Heading]:
    found: list[Heading] = []
    for m in _OUTLINE.finditer(text):
        name = m["name"]
        if not _OUTLINE_NAMES.match(name):
            continue
        key = classify_heading(name)
        if key is not None:
            found.append(Heading(start=m.start(), end=m.end(), key=key, heading=name))
    return found


def looks_outlined(text: str) -> bool:
    keys = [h.key for h in find_outline_headings(text)]
    return SectionKey.FACTS in keys and len(set(keys)) >= 2


def parse_outlined_case(text: str, source: str) -> list[Entry]:
    text = normalize(text)
    meta, body = split_front_matter(text)
    headings = find_outline_headings(body)
    if not headings:
        raise ParseError(source, "未找到“基本案情”等栏目")
    entries: list[Entry] = []
    blocks = split_cases(body, headings)
    inline_meta, blocks[0].preamble = split_meta_lines(blocks[0].preamble)
    meta = {**inline_meta, **meta}
    overrides = front_matter_overrides(meta)
    for index, block in enumerate(blocks):
        title, number = find_title_and_number(block.preamble, allow_first_line=index == 0)
        entry = Entry(kind=EntryKind.CASE.value, title=title or "", number=number, source=source)
        for section in block.sections:
            if section.key == SectionKey.KEYWORDS:
                entry.keywords = split_keywords(section.text)
                section = Section(key=section.key, heading=section.heading, text=" ".join(entry.keywords))
            if section.text:
                entry.sections.append(section)
        apply_front_matter(entry, meta)
        if len(blocks) > 1 and index > 0 and "number" in overrides:
            entry.number = None
        if not entry.title:
            entry.title = entry.number or fallback_title(source)
        entries.append(enrich_case(entry, overrides=overrides))
    return entries


def parse_generic_case(text: str, source: str) -> list[Entry]:
    """The first line is the title, everything else one BODY section. Raises ParseError if nothing is usable."""
    text = normalize(text)
    meta, body = split_front_matter(text)
    if not has_usable_text(body) and not meta:
        raise ParseError(source, "没有可用的文字内容")
    lines = [line for line in body.split("\n") if line.strip()]
    title = clean_title(lines[0]) if lines else ""
    # key：value lines right under the title
    head_end = 1
    while head_end < len(lines) and split_meta_lines(lines[head_end])[0]:
        head_end += 1
    inline_meta, _ = split_meta_lines("\n".join(lines[1:head_end]))
    meta = {**inline_meta, **meta}
    lines = lines[:1] + lines[head_end:]
    rest = "\n".join(lines[1:])
    if not title or len(title) > 80:
        title, rest = "", "\n".join(lines)
    content = clean_section_text(rest) or clean_section_text("\n".join(lines))
    if not has_usable_text(content) and not has_usable_text(title):
        raise ParseError(source, "没有可用的文字内容")
    numbers = find_case_numbers(lines[0]) if lines else []
    entry = Entry(kind=EntryKind.CASE.value, title=title, number=numbers[0] if numbers else None, source=source)
    if content:
        sections = split_judgment_text(content)
        entry.sections = sections or [Section(key=SectionKey.BODY.value, heading="正文", text=content)]
    apply_front_matter(entry, meta)
    if not entry.title:
        entry.title = fallback_title(source)
    return [enrich_case(entry, overrides=front_matter_overrides(meta))]
