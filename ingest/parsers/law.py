"""Laws, administrative regulations and judicial interpretations (法律法规) as LAW entries, one section per 条.

A document becomes a law rather than a guideline

* when asked: ``kb ingest --kind law``, the upload form's ``kind`` field, or a front-matter line ``类型：法律法规``
  (``类型：办案指引`` keeps a document a guideline whatever its title);
* by its title, for the unambiguous cases: 中华人民共和国…法, …法 / …法典 / …条例, 刑法修正案（…）, decisions of the
  NPC Standing Committee, interpretations and provisions of the two supreme organs (最高人民法院、最高人民检察院关于
  ……的解释 / 规定, ……适用法律若干问题的解释), and the procuratorate's and courts' procedural rules
  (人民检察院刑事诉讼规则, 人民检察院民事诉讼监督规则（试行）…).

SPP 工作指引 / 指导意见 / 办案指引 (and every other 意见, 指引, 通知, 办法) stay guidelines.

A law is parsed like a guideline (章/节/条 with 第X条之一, kb path = [编, 章, 节]). An amendment (刑法修正案) has
items 一、二、… instead of articles: each item becomes a section (they do not resolve citations). A law without
either (a one-paragraph interpretation, a one-item amendment) keeps its text as one 正文 section: findable, with no
article to resolve to. A document with no usable text at all is refused (ParseError) as for any other kind.
"""

from __future__ import annotations

import re

from ingest.parsers.common import clean_title, split_front_matter, split_meta_lines
from ingest.parsers.guideline import parse_guideline, parse_outlined_guideline
from kb.models import Entry, EntryKind
from kb.text import normalize

__all__ = ["KIND_CHOICES", "looks_like_law_title", "parse_law", "requested_kind"]

# What `--kind` and the upload form accept, and the front-matter values that name each kind.
KIND_CHOICES = ("law", "guideline")
_KIND_WORDS: dict[str, str] = {
    "法律法规": "law",
    "法律": "law",
    "法规": "law",
    "行政法规": "law",
    "司法解释": "law",
    "法律文件": "law",
    "办案指引": "guideline",
    "指引": "guideline",
    "工作指引": "guideline",
    "指导意见": "guideline",
}
_TYPE_LINE = re.compile(r"^\s*类型\s*[:：]\s*(?P<v>\S+)\s*$", re.MULTILINE)

_SUFFIX = r"(?:[(（][^()（）]{1,12}[)）])?"  # （试行）, （二）, （2019年修订）
_LAW_TITLES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"^中华人民共和国\S*(?:法|法典|条例){_SUFFIX}$",
        rf"^\S*(?<![办方做章违守执立司非合用说想手看])法{_SUFFIX}$",  # 刑法 — not 办法 / 违法 / 非法 …
        rf"^\S*法典{_SUFFIX}$",
        rf"^\S*条例{_SUFFIX}$",
        rf"^\S*法修正案{_SUFFIX}$",
        r"^全国人民代表大会(?:常务委员会)?关于\S*的决定$",
        rf"^(?:最高人民法院|最高人民检察院)[\s、和与及]*(?:最高人民法院|最高人民检察院)?\S*关于\S*的(?:解释|规定){_SUFFIX}$",
        rf"^关于\S*(?:适用|应用)法律\S*问题的(?:解释|规定){_SUFFIX}$",
        rf"^人民(?:检察院|法院)\S*(?:诉讼|监督|审判|检察)\S*规则{_SUFFIX}$",
    )
)
_GUIDELINE_WORDS = re.compile(r"指引|指导意见|工作意见|意见|通知|纪要|办法|指南|标准|清单")
_AMENDMENT = re.compile(r"修正案")


def looks_like_law_title(title: str) -> bool:
    """True for titles that can only be a law, a regulation or a judicial interpretation (see the module doc)."""
    name = re.sub(r"\s+", "", clean_title(title)).strip("《》")
    if not name or len(name) > 120:
        return False
    if _GUIDELINE_WORDS.search(name.rsplit("关于", 1)[-1]) and not _AMENDMENT.search(name):
        return False
    return any(p.search(name) for p in _LAW_TITLES)


def requested_kind(text: str) -> str | None:
    """`law` or `guideline` when the document says so (a 类型：… line in its front matter or head), else None."""
    meta, _ = split_front_matter(text)
    value = meta.get("类型")
    if value is None:
        head = "\n".join(text.split("\n")[:20])
        m = _TYPE_LINE.search(head)
        value = m["v"] if m else None
    if value is None:
        return None
    return _KIND_WORDS.get(value.strip())


def _title_line(text: str) -> str:
    meta, body = split_front_matter(text)
    if meta.get("标题"):
        return meta["标题"]
    _, body = split_meta_lines(body)
    return next((clean_title(line) for line in body.split("\n") if clean_title(line)), "")


def is_law(text: str, kind: str | None = None) -> bool:
    """Whether a text document is a law: the explicit kind first, then its 类型 line, then its title."""
    if kind is not None:
        return kind == EntryKind.LAW.value
    asked = requested_kind(text)
    if asked is not None:
        return asked == EntryKind.LAW.value
    return looks_like_law_title(_title_line(text))


def parse_law(text: str, source: str) -> list[Entry]:
    """One LAW entry: articles as sections (like a guideline), or the items of an amendment."""
    text = normalize(text)
    title = _title_line(text)
    amendment = bool(_AMENDMENT.search(title))
    entries = [parse_outlined_guideline(text, source)] if amendment else parse_guideline(text, source)
    dated = _FILE_DATE.search(source)
    for entry in entries:
        entry.kind = EntryKind.LAW.value
        if dated:  # 刑事诉讼法(2018-10-26).md: the version's date, not the first 通过 date of the preamble
            entry.publish_date = dated.group(1)
        if entry.line is None:
            entry.line = next((line for pattern, line in _LAW_LINES if pattern.search(entry.title)), None)
    return entries


_FILE_DATE = re.compile(r"[(（](\d{4}-\d{2}-\d{2})[)）][^/\\]*$")
# 检察类别 of the laws the guideline rules (ingest.parsers.guideline.guideline_line) leave open
_LAW_LINES = (
    (re.compile(r"刑法|刑事|监察法"), "刑事检察"),
    (re.compile(r"民事诉讼|民法典"), "民事检察"),
    (re.compile(r"行政诉讼|行政复议|行政处罚|行政强制|行政许可"), "行政检察"),
)
