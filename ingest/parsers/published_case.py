"""Published procuratorate cases: 【关键词】【要旨】【基本案情】【检察机关履职过程】【指导意义】【相关规定】 and the variants
used over the years (诉讼过程, 检察机关履职情况, 检察机关监督情况, 指控与证明犯罪, 不批准逮捕的理由, 诉前程序,
相关法律规定, 相关立法, 典型意义, 警示意义 …; see common.classify_heading).

The title and number come from the lines before the first heading (``### （检例第193号）梁永平…案`` or a title line
followed by a ``（检例第207号）`` line). A file may start with front matter (see ingest.parsers.common) and may hold
several cases — a typical-case release with 案例一 … 案例五 — which are split where 关键词/要旨/基本案情 repeat.
"""

from __future__ import annotations

import logging
import re

from ingest.errors import ParseError
from ingest.parsers.common import (
    Heading,
    apply_front_matter,
    classify_heading,
    enrich_case,
    fallback_title,
    find_title_and_number,
    front_matter_overrides,
    split_cases,
    split_front_matter,
    split_keywords,
    split_meta_lines,
)
from ingest.parsers.judgment_text import split_judgment_text
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.text import normalize

logger = logging.getLogger(__name__)

__all__ = ["find_published_headings", "looks_like_published_case", "parse_published_case"]

# Headings recognised anywhere in a line; any other 【…】 counts only at the start of a line.
_INLINE_HEADINGS = frozenset({
    "关键词",
    "要旨",
    "基本案情",
    "检察机关履职过程",
    "检察机关履职情况",
    "检察履职情况",
    "诉讼过程",
    "指导意义",
    "典型意义",
    "警示意义",
    "相关规定",
    "相关法律规定",
    "相关立法",
})
_BRACKET = re.compile(r"【(?P<h>[^【】]{1,30}?)】")
_LINE_START = re.compile(r"(?:^|\n)[ \t]*(?:#+[ \t]*)?(?:\*\*)?$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _repair_brackets(text: str) -> str:
    """【要  旨】 and 【要\\n\\n旨】 -> 【要旨】."""

    def fix(m: re.Match[str]) -> str:
        inner = re.sub(r"\s+", "", m.group("h"))
        return f"【{inner}】" if len(inner) <= 20 else m.group(0)

    return _BRACKET.sub(fix, text)


def find_published_headings(text: str) -> list[Heading]:
    """Section headings in 【】 with their SectionKey, in order."""
    found: list[Heading] = []
    for m in _BRACKET.finditer(text):
        name = m.group("h").strip()
        key = classify_heading(name)
        if key is None:
            continue
        at_line_start = bool(_LINE_START.search(text, max(0, m.start() - 12), m.start()))
        if not at_line_start and name not in _INLINE_HEADINGS:
            continue
        end = m.end()
        if text.startswith("**", end):
            end += 2
        found.append(Heading(start=_line_prefix_start(text, m.start()), end=end, key=key, heading=f"【{name}】"))
    return found


def _line_prefix_start(text: str, pos: int) -> int:
    """Include markdown markers (###, **) before a heading in the heading itself."""
    start = pos
    while start > 0 and text[start - 1] in "#* \t":
        start -= 1
    return start if start == 0 or text[start - 1] == "\n" else pos


def looks_like_published_case(text: str) -> bool:
    """True when the text has 【基本案情】, or 【要旨】 with another known 【】 heading."""
    keys = {h.key for h in find_published_headings(_repair_brackets(text))}
    if SectionKey.FACTS in keys or (SectionKey.GIST in keys and len(keys) >= 2):
        return True
    # 【裁判摘要】/【要旨】 alone, followed by the judgment (gazette cases)
    return keys == {SectionKey.GIST} and _PARTY_LINE.search(text) is not None


def parse_published_case(text: str, source: str) -> list[Entry]:
    """Parse one file of published cases into case entries (one per case in the file)."""
    text = _repair_brackets(_HTML_COMMENT.sub("", normalize(text)))
    meta, body = split_front_matter(text)
    headings = find_published_headings(body)
    if not headings:
        raise ParseError(source, "未找到【要旨】【基本案情】等案例栏目")
    blocks = split_cases(body, headings)
    inline_meta, blocks[0].preamble = split_meta_lines(blocks[0].preamble)
    meta = {**inline_meta, **meta}
    overrides = front_matter_overrides(meta)
    entries: list[Entry] = []
    for index, block in enumerate(blocks):
        title, number = find_title_and_number(block.preamble, allow_first_line=index == 0)
        entry = Entry(kind=EntryKind.CASE.value, title=title or "", number=number, source=source)
        sections: list[Section] = []
        for section in block.sections:
            if section.key == SectionKey.KEYWORDS:
                entry.keywords = list(dict.fromkeys([*entry.keywords, *split_keywords(section.text)]))
                section = Section(key=section.key, heading=section.heading, text=" ".join(split_keywords(section.text)))
            if section.text:
                sections.append(section)
        entry.sections = _split_long_gist(sections)
        _set_issuer_defaults(entry)
        apply_front_matter(entry, meta)
        if not entry.title:
            entry.title = entry.number or fallback_title(source)
        if len(blocks) > 1 and "number" in overrides and index > 0:
            entry.number = None  # one 编号 in the front matter cannot name every case of a release
        enrich_case(entry, overrides=overrides)
        entries.append(entry)
    logger.debug("parsed %s cases from %s", len(entries), source)
    return entries


_PARTY_LINE = re.compile(
    r"^(?:原告|被告|上诉人|被上诉人|申请人|被申请人|再审申请人|申诉人|被申诉人|公诉机关|抗诉机关|原审|第三人|被告人|自诉人|"
    r"起诉人|申请再审人)[^\n]{0,40}?[:：]",
    re.MULTILINE,
)


def _split_long_gist(sections: list[Section]) -> list[Section]:
    """Gazette cases have only 【裁判摘要】 followed by the whole judgment: the judgment, from its first party line
    (原告：… / 上诉人：…), becomes a BODY section, or its parts when it reads as one (`split_judgment_text`)."""
    if not sections or sections[-1].key != SectionKey.GIST:
        return sections
    last = sections[-1]
    m = _PARTY_LINE.search(last.text)
    if m is None or m.start() == 0:
        return sections
    gist = Section(key=last.key, heading=last.heading, text=last.text[: m.start()].strip())
    judgment = last.text[m.start() :].strip()
    body = split_judgment_text(judgment) or [Section(key=SectionKey.BODY.value, heading="正文", text=judgment)]
    return [*sections[:-1], gist, *body]


def _set_issuer_defaults(entry: Entry) -> None:
    if entry.number and entry.number.startswith("检例"):
        entry.case_type = "指导性案例"
        entry.issuer = "最高人民检察院"
    elif entry.number and entry.number.startswith("指导案例"):
        entry.case_type = "指导性案例"
        entry.issuer = "最高人民法院"
