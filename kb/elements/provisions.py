"""Cited legal provisions, normalised: 《中华人民共和国刑法》第133条之一 -> 《刑法》第一百三十三条之一.

Recognised citations:

* a law in 《》 followed by articles: 《中华人民共和国刑法》（1997年修订）第二百六十四条、第二百六十七条;
* a well-known law named without 《》: 刑法第二百六十三条, 根据刑事诉讼法第一百七十七条第二款;
* 本法 / 该法 / 同法 + articles, attached to the law named last;
* lists after one law name joined by 、 和 及 或者 至: every item becomes its own citation.

Article numbers in Arabic digits are rewritten in Chinese (第133条 -> 第一百三十三条). By default citations are kept at
article level (第二百九十二条第一款 -> 第二百九十二条) so they compare across cases; `clauses=True` keeps 款 and 项.
The leading 中华人民共和国 is dropped from law names and brackets inside them are made full-width.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kb.elements.numbers import CN_NUM_CHARS, chinese_to_int, int_to_chinese

__all__ = ["COMMON_LAWS", "extract_provisions", "merge_provisions", "normalize_law_name", "parse_provision"]

# Laws often cited without 《》 (short names, without 中华人民共和国).
COMMON_LAWS: tuple[str, ...] = (
    "刑法",
    "刑事诉讼法",
    "民法典",
    "民法通则",
    "民法总则",
    "民事诉讼法",
    "行政诉讼法",
    "行政处罚法",
    "行政许可法",
    "行政强制法",
    "行政复议法",
    "国家赔偿法",
    "人民检察院组织法",
    "人民法院组织法",
    "检察官法",
    "法官法",
    "监察法",
    "律师法",
    "未成年人保护法",
    "预防未成年人犯罪法",
    "妇女权益保障法",
    "老年人权益保障法",
    "残疾人保障法",
    "治安管理处罚法",
    "道路交通安全法",
    "环境保护法",
    "海洋环境保护法",
    "水污染防治法",
    "大气污染防治法",
    "土壤污染防治法",
    "固体废物污染环境防治法",
    "环境影响评价法",
    "野生动物保护法",
    "森林法",
    "草原法",
    "渔业法",
    "矿产资源法",
    "土地管理法",
    "城乡规划法",
    "文物保护法",
    "食品安全法",
    "药品管理法",
    "产品质量法",
    "消费者权益保护法",
    "安全生产法",
    "英雄烈士保护法",
    "个人信息保护法",
    "网络安全法",
    "数据安全法",
    "反不正当竞争法",
    "著作权法",
    "商标法",
    "专利法",
    "公司法",
    "合伙企业法",
    "企业破产法",
    "证券法",
    "商业银行法",
    "保险法",
    "票据法",
    "合同法",
    "物权法",
    "担保法",
    "侵权责任法",
    "婚姻法",
    "继承法",
    "收养法",
    "劳动法",
    "劳动合同法",
    "社会保险法",
    "税收征收管理法",
    "反洗钱法",
    "禁毒法",
    "出境入境管理法",
    "村民委员会组织法",
    "监狱法",
    "社区矫正法",
    "法律援助法",
    "人民陪审员法",
    "反有组织犯罪法",
    "反电信网络诈骗法",
    "反家庭暴力法",
    "家庭教育促进法",
    "建筑法",
    "城市房地产管理法",
    "农村土地承包法",
    "国有资产法",
    "预算法",
)

_NUM = rf"[0-9\uff10-\uff19{CN_NUM_CHARS}]+"
_ITEM = (
    rf"第\s*(?P<art>{_NUM})\s*条(?:\s*之\s*(?P<sub>{_NUM}))?"
    rf"(?:\s*第\s*(?P<para>{_NUM})\s*款)?(?:\s*第\s*(?P<item>{_NUM})\s*项)?"
)
_ITEM_RE = re.compile(_ITEM)
# A continuation: another article, or another 款/项 of the previous article.
_NEXT_RE = re.compile(
    rf"\s*(?:、|，|,|和|及|以及|或者|或|与|至)\s*(?:{_ITEM}|第\s*(?P<para2>{_NUM})\s*款(?:\s*第\s*(?P<item2>{_NUM})\s*项)?)"
)
# 《刑法》(1997年修订) / (根据……《刑法修正案(八)》修正): one level of nested brackets allowed
_AFTER_LAW = re.compile(r"\s*(?:[（(](?:[^（）()]|[（(][^（）()]{0,12}[）)]){0,80}[）)])?\s*(?:的|中的|中|之)?\s*")
_SHORT_NAME = re.compile(
    r"[^《》\n]{0,12}?(?:以下简称|下称|以下称|简称)\s*[\"“《]?(?P<short>[^\"”》\s,，。;；)）]{1,20})[\"”》]?"
)

_BOOK = re.compile(r"《(?P<book>[^《》\n]{1,120})》")
_REF = re.compile(r"(?:本|该|同)法|(?:上述|前述)法律")
_STATE = "中华人民共和国"


@dataclass(frozen=True)
class _Anchor:
    start: int
    end: int
    kind: str  # book | bare | ref
    name: str


@lru_cache(maxsize=1)
def _bare_automaton() -> object:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for law in COMMON_LAWS:
        automaton.add_word(law, law)
    automaton.make_automaton()
    return automaton


def _anchors(text: str) -> list[_Anchor]:
    """Law names in 《》, well-known laws named without 《》 (longest, outside 《》) and 本法/该法, in order."""
    books = [_Anchor(m.start(), m.end(), "book", m["book"]) for m in _BOOK.finditer(text)]
    found = list(books)
    found += [_Anchor(m.start(), m.end(), "ref", m.group(0)) for m in _REF.finditer(text)]
    bare: list[_Anchor] = []
    for end, law in _bare_automaton().iter(text):  # type: ignore[attr-defined]
        start = end - len(law) + 1
        if text.startswith(_STATE, start - len(_STATE)):
            start -= len(_STATE)
        bare.append(_Anchor(start, end + 1, "bare", law))
    bare.sort(key=lambda a: (a.start, -(a.end - a.start)))
    last_end = -1
    for anchor in bare:
        if anchor.start >= last_end and not any(b.start <= anchor.start < b.end for b in books):
            found.append(anchor)
            last_end = anchor.end
    found.sort(key=lambda a: a.start)
    return found


_PROVISION = re.compile(rf"^《(?P<law>[^》]+)》(?:第(?P<art>[{CN_NUM_CHARS}]+)条(?P<suffix>.*))?$")


def normalize_law_name(name: str) -> str:
    """Drop 中华人民共和国 at the start, spaces and the 《》; make brackets full-width."""
    name = re.sub(r"\s+", "", name).strip("《》")
    name = name.removeprefix("中华人民共和国")
    return name.replace("(", "（").replace(")", "）")


def _cn(number: str) -> str:
    return int_to_chinese(chinese_to_int(number))


def _format(law: str, art: str, sub: str | None, para: str | None, item: str | None, *, clauses: bool) -> str:
    text = f"《{law}》第{_cn(art)}条"
    if sub:
        text += f"之{_cn(sub)}"
    if clauses and para:
        text += f"第{_cn(para)}款"
        if item:
            text += f"第{_cn(item)}项"
    return text


def extract_provisions(text: str, *, clauses: bool = False, whole_laws: bool = False) -> list[str]:
    """Normalised citations in order of first appearance, without duplicates.

    `clauses` keeps 款 and 项 (《刑法》第二百九十二条第一款); `whole_laws` also returns laws cited without an article
    (《关于农村集体土地确权登记发证的若干意见》) — useful for a 相关规定 section, noisy in running text.
    """
    out: dict[str, None] = {}
    short_names: dict[str, str] = {}  # 《解释》 -> the full name given before （以下简称《解释》）
    last_law: str | None = None
    pos = 0
    for anchor in _anchors(text):
        if anchor.start < pos:
            continue
        if anchor.kind == "ref":
            law = last_law
        else:
            law = normalize_law_name(anchor.name)
            law = last_law = short_names.get(law, law)
            if anchor.kind == "book":
                after = anchor.end + (1 if text[anchor.end : anchor.end + 1] in "(（" else 0)
                short = _SHORT_NAME.match(text, after)
                if short:
                    short_names[normalize_law_name(short["short"])] = law
        pos = anchor.end
        gap = _AFTER_LAW.match(text, pos)
        first = _ITEM_RE.match(text, gap.end() if gap else pos)
        if first is None:
            if whole_laws and anchor.kind == "book" and law:
                out.setdefault(f"《{law}》", None)
            continue
        pos = first.end()
        if law is None:
            continue
        art, sub = first["art"], first["sub"]
        try:
            out.setdefault(_format(law, art, sub, first["para"], first["item"], clauses=clauses), None)
            while (nxt := _NEXT_RE.match(text, pos)) is not None:
                if nxt["art"]:
                    art, sub = nxt["art"], nxt["sub"]
                    para, item = nxt["para"], nxt["item"]
                else:
                    para, item = nxt["para2"], nxt["item2"]
                out.setdefault(_format(law, art, sub, para, item, clauses=clauses), None)
                pos = nxt.end()
        except ValueError:
            continue
    return list(out)


def merge_provisions(*groups: list[str]) -> list[str]:
    """Concatenate citation lists without duplicates; a whole-law citation goes when an article of it is cited."""
    merged = list(dict.fromkeys(p for group in groups for p in group))
    with_articles = {p.split("》", 1)[0] for p in merged if not p.endswith("》")}
    return [p for p in merged if not (p.endswith("》") and p[:-1] in with_articles)]


def parse_provision(provision: str) -> tuple[str, int | None, str]:
    """《刑法》第一百三十三条之一 -> ("刑法", 133, "之一"); 《刑法》第二百九十二条第一款 -> ("刑法", 292, "第一款").

    A whole-law citation (《某某规定》) gives article None. Raises ValueError for anything else. The input may be
    un-normalised (《中华人民共和国刑法》第133条).
    """
    text = re.sub(r"\s+", "", provision)
    found = extract_provisions(text, clauses=True, whole_laws=True)
    if len(found) != 1:
        msg = f"not a single provision: {provision!r}"
        raise ValueError(msg)
    m = _PROVISION.match(found[0])
    if m is None:
        msg = f"not a provision: {provision!r}"
        raise ValueError(msg)
    if m["art"] is None:
        return m["law"], None, ""
    return m["law"], chinese_to_int(m["art"]), m["suffix"] or ""
