"""Guidelines (办案指引, rules, interpretations) split into 章 / 节 / 条.

Structure lines may carry markdown ``#`` marks and Chinese or Arabic numerals:

    # 人民检察院办理某类案件工作指引            <- title (first line)
    （2019年12月30日最高人民检察院第十三届检察委员会第二十八次会议通过）   <- issuer and date
    第一章 总则
    第一节 一般规定
    第一条 为了……                              <- Section(key="article", heading="第一条", path=[章, 节])

Every article becomes one Section with the text of all its paragraphs. Text before the first article that is not
a structure line (a preface) becomes a BODY section. Issuer and date come from the front matter (发布机关, 发布日期)
or from the lines before the first chapter/article (``……最高人民检察院……通过``, ``发布机关：…``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ingest.errors import ParseError
from ingest.parsers.common import (
    apply_front_matter,
    clean_title,
    fallback_title,
    front_matter_overrides,
    has_usable_text,
    split_front_matter,
    split_meta_lines,
)
from kb.elements.lines import infer_line
from kb.elements.numbers import CN_NUM_CHARS, chinese_to_int, int_to_chinese, parse_chinese_date
from kb.models import Entry, EntryKind, Section, SectionKey
from kb.text import normalize

logger = logging.getLogger(__name__)

__all__ = ["count_articles", "looks_like_guideline", "parse_guideline", "parse_outlined_guideline"]

_NUM = rf"[0-9{CN_NUM_CHARS}]+"
_MARK = r"^[ \t]*(?:#+[ \t]*)?(?:\*\*)?[ \t]*"
_PART = re.compile(rf"{_MARK}第(?P<n>{_NUM})(?P<kind>编|分编|章|节)(?:[ \t]+|$)(?P<name>[^\n]*)$", re.MULTILINE)
_ARTICLE = re.compile(
    rf"{_MARK}第(?P<n>{_NUM})条(?:之(?P<sub>[{CN_NUM_CHARS}]+))?(?:\*\*)?(?P<sep>[ \t:：]+|$)?(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_ORGAN = re.compile(
    r"最高人民法院|最高人民检察院|公安部|司法部|国家安全部|国务院|全国人民代表大会常务委员会|全国人大常委会|"
    r"(?:(?<![\u4e00-\u9fff])|(?<=[日月年于由经]))(?![日月年于由经])[\u4e00-\u9fff]{1,12}?(?:省|市|自治区|县|区)人民检察院"
)
_ISSUER_LINE = re.compile(r"^\s*(?:发布机关|制定机关|发文机关)\s*[:：]\s*(?P<v>.+?)\s*$", re.MULTILINE)
_DATE_LINE = re.compile(r"^\s*(?:发布日期|印发日期|通过日期|施行日期)\s*[:：]\s*(?P<v>.+?)\s*$", re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class _Article:
    number: int
    heading: str
    path: list[str]
    lines: list[str] = field(default_factory=list)


def _article_starts(text: str) -> list[re.Match[str]]:
    """Article lines, accepted when followed by a space/colon/end of line or when they continue the numbering.

    A paragraph that merely begins with a reference (第一百七十七条规定的……) is not an article start.
    """
    starts: list[re.Match[str]] = []
    last = 0
    for m in _ARTICLE.finditer(text):
        try:
            n = chinese_to_int(m["n"])
        except ValueError:
            continue
        if m["sep"] is not None or n == last + 1 or (m["sub"] and n == last):
            starts.append(m)
            last = n
    return starts


def count_articles(text: str) -> int:
    """How many article starts (第X条 at the start of a line) the text has."""
    return len(_article_starts(text))


_REGULATORY_TITLE = re.compile(
    r"(?:规定|意见|批复|解释|通知|纪要|指引|办法|规则|决定|答复|复函|细则|标准|守则|准则|清单|指南)(?:[(（][^()（）]{1,10}[)）])?$"
)
_OUTLINE_ITEM = re.compile(
    r"^[ \t]*(?:#+[ \t]*)?(?:\*\*)?[ \t]*(?P<n>[一二三四五六七八九十]+)[、.\uff0e][ \t]*(?P<rest>[^\n]*)$", re.MULTILINE
)


def _first_line(text: str) -> str:
    return next((clean_title(line) for line in text.split("\n") if clean_title(line)), "")


def looks_like_guideline(text: str) -> bool:
    """Three or more articles, or a regulatory title (……规定/意见/指引/批复 …) on the first line."""
    return count_articles(text) >= 3 or bool(_REGULATORY_TITLE.search(_first_line(text).strip("《》")))


def _heading(kind: str, number: str, name: str) -> str:
    name = re.sub(r"\s+", "", name.strip().strip("*#").strip())
    label = f"第{int_to_chinese(chinese_to_int(number))}{kind}"
    return f"{label} {name}".strip()


def parse_guideline(text: str, source: str) -> list[Entry]:
    """Parse a guideline into one GUIDELINE entry whose sections are its articles."""
    text = _HTML_COMMENT.sub("", normalize(text))
    if not has_usable_text(text):
        raise ParseError(source, "没有可用的文字内容")
    meta, body = split_front_matter(text)
    starts = _article_starts(body)
    if not starts:
        return [_parse_outline(body, meta, source)]
    first_structure = min([starts[0].start(), *(m.start() for m in _PART.finditer(body))])
    inline_meta, preamble = split_meta_lines(body[:first_structure])
    meta = {**inline_meta, **meta}
    entry = Entry(kind=EntryKind.GUIDELINE.value, title="", source=source)
    entry.title = _title(preamble) or fallback_title(source)
    _issuer_and_date(entry, preamble)

    sections: list[Section] = []
    preface = _preface(preamble, entry.title)
    if preface:
        sections.append(Section(key=SectionKey.BODY.value, heading="前言", text=preface))

    events: list[tuple[int, str, re.Match[str]]] = [(m.start(), "part", m) for m in _PART.finditer(body)]
    events += [(m.start(), "article", m) for m in starts]
    events.sort(key=lambda e: e[0])
    path: dict[str, str] = {}
    current: _Article | None = None
    cursor = first_structure
    for pos, kind, m in events:
        if current is not None:
            current.lines.append(body[cursor:pos])
            sections.append(_section(current))
            current = None
        if kind == "part":
            heading = _heading(m["kind"], m["n"], m["name"])
            level = m["kind"]
            path[level] = heading
            # a new 章 clears its 节; a new 编 clears both
            for lower in {"编": ("分编", "章", "节"), "分编": ("章", "节"), "章": ("节",), "节": ()}[level]:
                path.pop(lower, None)
            cursor = m.end()
        else:
            number = chinese_to_int(m["n"])
            heading = f"第{int_to_chinese(number)}条" + (f"之{m['sub']}" if m["sub"] else "")
            ordered = [path[k] for k in ("编", "分编", "章", "节") if k in path]
            current = _Article(number=number, heading=heading, path=ordered, lines=[m["rest"]])
            cursor = m.end()
    if current is not None:
        current.lines.append(body[cursor:])
        sections.append(_section(current))
    entry.sections = [s for s in sections if s.text]
    apply_front_matter(entry, meta)
    if "line" not in front_matter_overrides(meta):
        entry.line = guideline_line(entry.title)
    return [entry]


_GUIDELINE_LINES = (
    (re.compile(r"公益诉讼"), "公益诉讼检察"),
    (re.compile(r"行政(?:诉讼|检察|争议|非诉|执行)"), "行政检察"),
    (re.compile(r"民事(?:诉讼|检察|执行)|支持起诉"), "民事检察"),
    (re.compile(r"刑事|犯罪|逮捕|批捕|起诉|公诉|刑罚|羁押|侦查|未成年人|认罪认罚|量刑|伤害|罪"), "刑事检察"),
)


def guideline_line(title: str) -> str | None:
    """检察类别 of a guideline from its title (刑事诉讼规则 -> 刑事检察), else from the usual cues."""
    for pattern, line in _GUIDELINE_LINES:
        if pattern.search(title):
            return line
    return infer_line("", title)


def _section(article: _Article) -> Section:
    paragraphs = [p.strip().strip("*").strip() for chunk in article.lines for p in chunk.split("\n")]
    text = "\n".join(p for p in paragraphs if p)
    return Section(key=SectionKey.ARTICLE.value, heading=article.heading, text=text, path=article.path)


def _title(preamble: str) -> str | None:
    for line in preamble.split("\n"):
        cleaned = clean_title(line)
        if cleaned and not _ISSUER_LINE.match(line) and not _DATE_LINE.match(line):
            return cleaned.strip("《》")
    return None


def _issuer_and_date(entry: Entry, preamble: str) -> None:
    issuer_line = _ISSUER_LINE.search(preamble)
    if issuer_line:
        entry.issuer = issuer_line["v"]
    date_line = _DATE_LINE.search(preamble)
    if date_line:
        entry.publish_date = parse_chinese_date(date_line["v"])
    for line in preamble.split("\n")[1:]:
        if not re.search(r"通过|发布|印发|施行", line):
            continue
        if entry.publish_date is None:
            entry.publish_date = parse_chinese_date(line)
        if entry.issuer is None:
            entry.issuer = _organs(line)
    if entry.issuer is None and "关于" in entry.title:
        entry.issuer = _organs(entry.title.split("关于", 1)[0])


def _organs(text: str) -> str | None:
    """最高人民法院、最高人民检察院 …: the issuing bodies named in `text`, joined with 、."""
    names = list(dict.fromkeys(m.group(0) for m in _ORGAN.finditer(text)))
    return "、".join(names) or None


def _preface(preamble: str, title: str) -> str:
    """Preamble lines other than the title, issuer/date lines and structure."""
    kept: list[str] = []
    for line in preamble.split("\n"):
        s = line.strip().strip("#*").strip()
        if not s or clean_title(line).strip("《》") == title:
            continue
        if _ISSUER_LINE.match(line) or _DATE_LINE.match(line) or re.search(r"(?:通过|发布|印发|施行)[)）]?$", s):
            continue
        if s in {"目录", "目 录"}:
            continue
        kept.append(s)
    return "\n".join(kept)


def parse_outlined_guideline(text: str, source: str) -> Entry:
    """A document whose top-level items are 一、二、… (an amendment, a notice): one section per item."""
    text = _HTML_COMMENT.sub("", normalize(text))
    if not has_usable_text(text):
        raise ParseError(source, "没有可用的文字内容")
    meta, body = split_front_matter(text)
    return _parse_outline(body, meta, source)


def _parse_outline(body: str, meta: dict[str, str], source: str) -> Entry:
    """A guideline without articles: one section per top-level item (一、二、…), or one BODY section."""
    items = list(_OUTLINE_ITEM.finditer(body))
    inline_meta, preamble = split_meta_lines(body[: items[0].start()] if items else body.split("\n", 1)[0])
    meta = {**inline_meta, **meta}
    title = _title(preamble) or _first_line(body)
    if not title:
        raise ParseError(source, "没有可用的文字内容")
    entry = Entry(kind=EntryKind.GUIDELINE.value, title=title, source=source)
    _issuer_and_date(entry, preamble)
    sections: list[Section] = []
    if items:
        preface = _preface(preamble, title)
        if preface:
            sections.append(Section(key=SectionKey.BODY.value, heading="前言", text=preface))
        for i, m in enumerate(items):
            end = items[i + 1].start() if i + 1 < len(items) else len(body)
            heading = f"{m['n']}、"
            rest = m["rest"].strip()
            if rest and len(rest) <= 30 and not rest.endswith(("。", ";", "；")):
                heading += rest
            text = "\n".join(p.strip() for p in body[m.start() : end].split("\n") if p.strip())
            sections.append(Section(key=SectionKey.ARTICLE.value, heading=heading, text=text))
    else:
        lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
        text = "\n".join(ln for ln in lines if clean_title(ln).strip("《》") != title)
        if text:
            sections.append(Section(key=SectionKey.BODY.value, heading="正文", text=text))
    if not sections:
        raise ParseError(source, "没有可用的条文或正文")
    entry.sections = sections
    apply_front_matter(entry, meta)
    if "line" not in front_matter_overrides(meta):
        entry.line = guideline_line(entry.title)
    return entry
