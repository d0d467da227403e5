"""罪名 (criminal charges) and 案由 (civil / administrative / public-interest causes) found in text.

Layers, from cheap to careful:

* `extract_charges(text)`: every official charge name in the text (kb.text.find_charges: the official list plus
  aliases), plus the short forms people write for names with 、 (贩卖毒品罪 for 走私、贩卖、运输、制造毒品罪,
  伪造国家机关公文罪 …, see `charge_variants`). Names inside 《…》 (cited statute titles) are ignored.
* `title_charges(title)`: titles name the charge without 罪 (…盗窃案, 陈邓昌抢劫、盗窃，付志强盗窃案).
* `fact_text_charges(text)`: the charges a pasted fact text states about its own case (a suspect's or defendant's
  clause, or a procedural cue), not a third person's or an earlier conviction named in passing.
* `extract_charges_from_case(sections, title, keywords)`: what a case is about. It prefers the title, the 关键词
  and charges stated with a cue (以…罪提起公诉, 构成…罪, 涉嫌…罪) in the 要旨/基本案情/履职过程/结果, skips
  negated mentions (不构成…罪) and the 指导意义/相关规定 sections.

`extract_causes(text)` recognises a small vocabulary of 案由 (民间借贷纠纷, 劳动争议, 行政处罚, 生态环境损害赔偿 …).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

from kb import text as kb_text
from kb.elements._matching import longest_matches, non_overlapping
from kb.elements.causes import CAUSES, cause_automaton, extract_causes, title_causes

__all__ = [
    "CAUSES",
    "case_charge_text",
    "charge_variants",
    "extract_causes",
    "extract_charges",
    "extract_charges_from_case",
    "fact_text_charges",
    "find_charge_spans",
    "result_charges",
    "title_causes",
    "title_charges",
]

# --- variants of names with 、 -------------------------------------------------------------------------------


def _object_forms(objects: list[str]) -> list[str]:
    """The object list as written, plus its sub-lists when the objects are parallel nouns (枪支、弹药、爆炸物)."""
    if not objects:
        return [""]
    forms = ["、".join(objects)]
    if len(objects) < 2:
        return forms
    lengths = [len(o) for o in objects]
    rest = lengths[1:]
    if len(set(rest)) == 1 and lengths[0] > rest[0]:
        # 伪劣农药、兽药、化肥、种子: the extra head of the first object (伪劣) applies to every object
        modifier = objects[0][: lengths[0] - rest[0]]
        objects = [objects[0], *(modifier + o for o in objects[1:])]
    elif lengths[-1] > max(lengths[:-1]) + 1:
        return forms  # 有毒、有害食品: the last object carries the head noun; no sub-lists
    forms += ["、".join(combo) for size in range(1, len(objects)) for combo in itertools.combinations(objects, size)]
    return forms


def _expand(name: str) -> set[str]:
    """Short forms of a charge name whose verbs (and nouns) are listed with 、.

    走私、贩卖、运输、制造毒品罪 -> 贩卖毒品罪, 走私、贩卖毒品罪 …; 伪造、变造、买卖国家机关公文、证件、印章罪 ->
    伪造国家机关公文罪 …; 窝藏、包庇罪 -> 窝藏罪, 包庇罪; 非法获取计算机信息系统数据、非法控制计算机信息系统罪 ->
    either half. Returns stems without the final 罪. Forms that never occur in text are harmless.
    """
    stem = name.removesuffix("罪")
    parts = stem.split("、")
    if len(parts) < 2 or len(parts) > 8:
        return set()
    variants: set[str] = {p for p in parts if len(p) >= 5}  # a part that reads as a charge on its own
    # The listed verbs are as wide as the second part when it is a bare verb (3+ parts), else two characters.
    width = len(parts[1]) if len(parts) > 2 and len(parts[1]) in (2, 3) else 2
    if len(parts[0]) < width or len(parts[1]) < width:
        return variants
    prefix = parts[0][:-width] if len(parts[0]) > width else ""
    head = [parts[0][len(prefix) :]]
    rest = parts[1:]
    splits: list[tuple[list[str], list[str]]] = []
    for i, part in enumerate(rest):
        if len(part) == width and i + 1 < len(rest):
            head.append(part)
            continue
        if len(part) <= width:
            splits.append(([*head, part], []))
        else:
            # the last verb may carry a modifier: 故意传播, 非法控制
            for verb_width in {width, width + 2}:
                if len(part) > verb_width:
                    splits.append(([*head, part[:verb_width]], [part[verb_width:], *rest[i + 1 :]]))
        break
    for verbs, objects in splits:
        for obj in _object_forms(objects):
            for size in range(1, len(verbs) + 1):
                for combo in itertools.combinations(verbs, size):
                    variants.add(prefix + "、".join(combo) + obj)
                    if size > 1:
                        variants.add(prefix + "".join(combo) + obj)
    variants.discard(stem)
    return {v for v in variants if len(v) >= 2}


@lru_cache(maxsize=1)
def charge_variants() -> dict[str, str]:
    """Short forms (with 罪) of official names that list verbs with 、, mapped to the official name.

    A form that is itself an official name or an alias keeps its own meaning and is not listed.
    """
    official = _official_names()
    aliases = kb_text.charge_aliases()
    out: dict[str, str] = {}
    ambiguous: set[str] = set()
    for name in sorted(official):
        for stem in _expand(name):
            form = stem + "罪"
            if form in official or form in aliases:
                continue
            if form in out and out[form] != name:
                ambiguous.add(form)
            out.setdefault(form, name)
    for form in ambiguous:
        del out[form]
    return out


@lru_cache(maxsize=1)
def _variant_automaton() -> object:
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for form, name in charge_variants().items():
        automaton.add_word(form, (len(form), name))
    automaton.make_automaton()
    return automaton


@lru_cache(maxsize=1)
def _stem_automaton() -> object:
    """Charge names without 罪 (for titles): official names, aliases ending in 罪, and variants."""
    import ahocorasick

    stems: dict[str, str] = {}
    official = [kb_text.normalize(n) for n in kb_text.charge_names()]
    for form, name in charge_variants().items():
        stems[form.removesuffix("罪")] = name
    for alias, name in kb_text.charge_aliases().items():
        if alias.endswith("罪"):
            stems[alias.removesuffix("罪")] = name
    for name in official:
        stems[name.removesuffix("罪")] = name
    automaton = ahocorasick.Automaton()
    for stem, name in stems.items():
        if len(stem) >= 2:
            automaton.add_word(stem, (len(stem), name))
    automaton.make_automaton()
    return automaton


_BOOK_TITLE = re.compile(r"《[^《》]{0,200}》")


def find_charge_spans(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping charge mentions (start, end, official name), longest first; none inside 《…》."""
    return list(_charge_spans(text)) if text else []


@lru_cache(maxsize=16)
def _charge_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    # cached: a case's text is scanned by title_charges, the cue check and infer_line in turn
    spans = list(kb_text.find_charges(text))
    spans += longest_matches(_variant_automaton(), text)
    merged = non_overlapping(spans)
    blocked = [(m.start(), m.end()) for m in _BOOK_TITLE.finditer(text)]
    if blocked:
        merged = [m for m in merged if not any(b0 <= m[0] < b1 for b0, b1 in blocked)]
    return tuple(merged)


def _dedupe(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def extract_charges(text: str) -> list[str]:
    """Official charge names mentioned in `text`, in order of first appearance, without duplicates."""
    return _dedupe(name for _, _, name in find_charge_spans(text))


# --- titles ---------------------------------------------------------------------------------------------------

_TITLE_TAIL = re.compile(
    r"(?:一案|案件|案)$|"
    r"(?:立案监督|侦查活动监督|侦查监督|审判监督|执行监督|不批捕复议复核|不批捕复议|不起诉复议复核|不起诉复议|复议复核|"
    r"不核准追诉|核准追诉|二审抗诉|再审抗诉|抗诉|申诉|不批准逮捕|不起诉|违法所得没收|刑事附带民事公益诉讼|附带民事公益诉讼|民事公益诉讼|检察监督|监督)$"
)
_TITLE_SEPARATORS = frozenset("、，,；;和及()（）")


def _title_core(title: str) -> str:
    core = re.sub(r"[\s#*\"'“”‘’「」]", "", kb_text.normalize(title))
    core = re.sub(r"^[（(]?(?:检例第\d+号|指导性?案例第?\d+号)[）)]?[:：_]*", "", core)
    core = re.sub(r"^(?:案例[一二三四五六七八九十\d]+[:：、.]?|\d{1,2}[.、])", "", core)
    core = re.sub(r"案例[一二三四五六七八九十\d]+$", "", core)
    previous = None
    while previous != core:
        previous = core
        core = _TITLE_TAIL.sub("", core)
    return core


def title_charges(title: str, body: str = "") -> list[str]:
    """Charges named in a case title without 罪 (…盗窃案, 陈邓昌抢劫、盗窃，付志强盗窃案, 马乐利用未公开信息交易案).

    A name is accepted where the title lists charges: at the end of the title (before 案 and procedural words such
    as 立案监督, 不批捕复议复核) or before a separator (、，和). Elsewhere it is accepted only if `body` states the
    full name with 罪 (李某诈骗、传授犯罪方法牛某等人诈骗案).
    """
    if not title:
        return []
    full = extract_charges(title)
    core = _title_core(title)
    names: list[tuple[int, str]] = [(max(core.find(n.removesuffix("罪")), 0), n) for n in full]
    body_charges = set(extract_charges(body)) if body else set()
    for start, end, name in longest_matches(_stem_automaton(), core):
        nxt = core[end] if end < len(core) else ""
        if nxt == "罪":
            continue  # the full name, already found above
        if not nxt or nxt in _TITLE_SEPARATORS or name in body_charges:
            names.append((start, name))
    names.sort(key=lambda item: item[0])
    return _dedupe(name for _, name in names)


# --- cases ----------------------------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[，。；;：:,!?！？\n]")
_SENTENCE_BREAK = re.compile(r"[。；;\n]")
_CUE_BEFORE = re.compile(
    r"(?:以|涉嫌|构成|犯有?|认定为?|定性为|变更为|改变为|改为|改以|按照?|罪名为|成立|判处|判决|定罪|追究|追诉|指控|审查)"
)
_CUE_AFTER = re.compile(
    r"^(?:[^，,。；;\n]{0,30}?)(?:提起公诉|起诉|逮捕|立案|判处|判决|追究|追诉|一案|案件|案|移送|侦查|不起诉)"
)
_NEGATION = re.compile(
    r"(?:不构成|不成立|不认定|不能认定|不应认定|不宜认定|不应以|不能以|不宜以|不属于|而非|并非|不是|无罪|排除|区分|区别|"
    r"不符合|不再以|未以|是否构成|是否成立|能否认定|曾因|曾犯|曾以|前科|刑满释放|此前因)"
)
_CASE_SECTIONS = ("gist", "facts", "process", "result", "reasoning", "body")


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - 40) : start]
    parts = _CLAUSE_BREAK.split(window)
    return parts[-1] if parts else ""


def _clause_after(text: str, end: int) -> str:
    window = text[end : end + 40]
    return _CLAUSE_BREAK.split(window, maxsplit=1)[0]


def _sentence_after(text: str, end: int) -> str:
    window = text[end : end + 80]
    return _SENTENCE_BREAK.split(window, maxsplit=1)[0]


def _unnegated_mentions(text: str) -> Iterator[tuple[int, str, str]]:
    """(end, official name, the clause before it) of each charge mention whose clause does not negate it."""
    for start, end, name in find_charge_spans(text):
        before = _clause_before(text, start)
        if not _NEGATION.search(before):
            yield end, name, before


def _stated_charges(text: str) -> tuple[list[str], list[str]]:
    """(charges stated with a cue, all charges not negated) in order of appearance."""
    stated: list[str] = []
    plain: list[str] = []
    for end, name, before in _unnegated_mentions(text):
        plain.append(name)
        if _CUE_BEFORE.search(before) or _CUE_AFTER.match(_clause_after(text, end)):
            stated.append(name)
    return stated, plain


# A fact text's own case: the clause names the suspect or defendant, or states a procedural step on the charge.
_DEFENDANT = re.compile(r"被告人|犯罪嫌疑人|嫌疑人|上诉人|被不起诉人|被告单位|其行为")
_PROCEDURE_BEFORE = re.compile(r"(?:以|构成|认定为?|定性为|变更为|改变为|改以|罪名为)(?:涉嫌犯?|犯)?$")
# Another person's case or an earlier one: 另案处理, 已被判刑, 因犯…罪被判处, 刑满释放.
_OTHER_CASE = re.compile(r"另案|已被?判|已经判|被判处|刑满|服刑|在逃")
# An earlier conviction told over two clauses: 被告人甲因犯盗窃罪，于2015年被判处有期徒刑…
_EARLIER_BEFORE = re.compile(r"因犯?$")
_EARLIER_AFTER = re.compile(r"判处|刑满|释放|服刑")


def fact_text_charges(text: str) -> list[str]:
    """The charges a pasted fact text states about its own case, in order of first appearance.

    A fact text names charges in passing: a third person's (被害人之夫乙因涉嫌集资犯罪被逮捕), co-offenders' already
    judged (丙、丁因犯运输毒品罪已被判刑), a prior conviction (戊因犯盗窃罪，于某年被判处…). None of them is the
    charge of the case the user is asking about. A mention counts when its clause names the suspect or defendant
    (被告人甲因涉嫌诈骗罪被刑事拘留) or puts a procedural cue right before it (以诈骗罪提起公诉, 其行为构成盗窃罪), and
    it is neither negated (不构成…罪, 曾因…罪) nor marked as another or an earlier case.
    """
    names: list[str] = []
    for end, name, before in _unnegated_mentions(text):
        if _OTHER_CASE.search(before + _clause_after(text, end)):
            continue
        if _EARLIER_BEFORE.search(before) and _EARLIER_AFTER.search(_sentence_after(text, end)):
            continue
        if _DEFENDANT.search(before) or _PROCEDURE_BEFORE.search(before):
            names.append(name)
    return _dedupe(names)


@lru_cache(maxsize=1)
def _official_names() -> frozenset[str]:
    return frozenset(kb_text.normalize(n) for n in kb_text.charge_names())


def _keyword_charges(keywords: Iterable[str]) -> list[str]:
    official = _official_names()
    aliases = kb_text.charge_aliases()
    variants = charge_variants()
    out: list[str] = []
    for keyword in keywords:
        word = kb_text.normalize(keyword).strip()
        for form in (word, word + "罪"):
            name = form if form in official else aliases.get(form) or variants.get(form)
            if name:
                out.append(name)
                break
    return out


def case_charge_text(sections: Mapping[str, str]) -> str:
    """The sections of a case that state its charges (要旨, 基本案情, 履职过程, 结果, 理由, 正文), joined."""
    return "\n".join(sections[key] for key in _CASE_SECTIONS if sections.get(key))


def result_charges(sections: Mapping[str, str]) -> list[str]:
    """The charges the case's result section (裁判结果, 处理结果, 判决结果) states with a cue: what it was decided on."""
    result = sections.get("result", "")
    return _dedupe(_stated_charges(result)[0]) if result else []


def extract_charges_from_case(sections: Mapping[str, str], title: str = "", keywords: Iterable[str] = ()) -> list[str]:
    """The charges a case is about, in order: title, 关键词, then charges stated in the case text.

    `sections` maps SectionKey values (gist, facts, process, result, reasoning, body …) to their text. When the
    result section states charges (被告人甲犯盗窃罪, 以危险驾驶罪判处), those are the case's: the other sections also
    name the charge the prosecution first alleged, a co-defendant's, or a charge the court did not find, and a
    judgment's 罪名 is what it convicted of. Otherwise the charges stated anywhere in the case text count. Charges
    only named in 指导意义/相关规定 or in cited statute titles are left out, as are negated mentions (不构成…罪, 曾因
    盗窃罪). When nothing is stated with a cue, every non-negated mention in the case sections is used.
    """
    case_text = case_charge_text(sections)
    names = title_charges(title, case_text) + _keyword_charges(keywords)
    decided = result_charges(sections)
    if decided:
        return _dedupe(names + decided)
    stated, plain = _stated_charges(case_text)
    names += stated
    if not names:
        names = plain
    return _dedupe(names)


def warm_up() -> None:
    """Build the automatons now rather than on first use."""
    kb_text.find_charges("盗窃罪")
    charge_variants()
    _variant_automaton()
    _stem_automaton()
    cause_automaton()
