"""Pieces shared by the parsers: front matter, section headings, splitting a text into cases, titles, enrichment.

Front matter
------------
Our own files (the demo corpus, files written by the case guidance centre) may start with a block of metadata
lines, one ``键：值`` per line (full-width or ASCII colon), optionally fenced by lines of three dashes::

    ---
    编号：某检例第3号
    案例类型：警示案例
    检察类别：刑事检察
    子类别：未成年人检察
    发布机关：某某省人民检察院
    发布日期：2024年3月1日
    批次：第3批
    地区：某某省某某市
    办案环节：审查起诉
    关键词：盗窃 不起诉 证据不足
    罪名：盗窃罪
    处理结果：不起诉
    错误类型：证据审查不严
    涉及权力清单事项：作出不起诉决定
    责任后果：诫勉谈话
    示例：是
    ---
    # 标题（the first line after the block is the title）

Without the dashes the block is the run of such lines at the very top of the file; it ends at the first line that
is not ``已知键：值``. The same lines may instead sit between the title line and the first section, which is how the
demo corpus (kb/data/demo) writes them::

    # 张某某盗窃案（示例）
    编号：示例刑-001
    案例类型：典型案例
    …
    示例：是

    【关键词】 …

Every key is optional. Values given here win over what the parser extracts. 罪名 (or 案由),
关键词 and 处理结果 hold several values separated by spaces, ，；/ (处理结果 also by 、; 罪名 keeps 、 inside charge
names). 处理结果 values are mapped to the outcome vocabulary (相对不起诉 -> 不起诉 + 相对不起诉). 示例 is 是/否.
The recognised keys are those of FRONT_MATTER_KEYS; unknown keys in a fenced block are ignored with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from kb.elements.charges import (
    case_charge_text,
    extract_causes,
    extract_charges,
    extract_charges_from_case,
    title_causes,
)
from kb.elements.factors import extract_case_factors
from kb.elements.lines import infer_line, infer_stage, infer_sub_line
from kb.elements.numbers import find_batches, find_case_numbers, parse_chinese_date
from kb.elements.outcomes import extract_outcomes
from kb.elements.provisions import extract_provisions, merge_provisions
from kb.models import CASE_TYPES, LINES, Entry, Section, SectionKey

logger = logging.getLogger(__name__)

# front-matter key -> Entry attribute
FRONT_MATTER_KEYS: dict[str, str] = {
    "编号": "number",
    "标题": "title",
    "案例类型": "case_type",
    "检察类别": "line",
    "子类别": "sub_line",
    "检察子类别": "sub_line",
    "发布机关": "issuer",
    "发布日期": "publish_date",
    "批次": "batch",
    "地区": "region",
    "办案环节": "stage",
    "关键词": "keywords",
    "罪名": "charges",
    "案由": "charges",
    "罪名/案由": "charges",
    "处理结果": "outcomes",
    "错误类型": "error_type",
    "涉及权力清单事项": "misused_power",
    "责任后果": "consequence",
    "示例": "illustrative",
    "类型": "kind",  # 法律法规 / 办案指引: read by the dispatcher (ingest.parsers.law), not set here
}
_LIST_FIELDS = frozenset({"keywords", "charges", "outcomes"})
_FENCE = re.compile(r"^\s*-{3,}\s*$")
_META_LINE = re.compile(r"^\s*(?P<key>[\u4e00-\u9fff/]{2,10})\s*[:：]\s*(?P<value>.*?)\s*$")
_LIST_SPLIT = re.compile(r"[\s;；,，/|]+")
_TRUE = frozenset({"是", "true", "yes", "1", "y", "示例"})


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """(front-matter values by Chinese key, the rest of the text). See the module docstring for the format."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    meta: dict[str, str] = {}
    if i < len(lines) and _FENCE.match(lines[i]):
        end = next((j for j in range(i + 1, len(lines)) if _FENCE.match(lines[j])), None)
        if end is not None:
            for line in lines[i + 1 : end]:
                m = _META_LINE.match(line)
                if m and m["key"] in FRONT_MATTER_KEYS:
                    meta[m["key"]] = m["value"]
                elif line.strip():
                    logger.warning("front matter line ignored: %s", line.strip()[:40])
            return meta, "\n".join(lines[end + 1 :])
    j = i
    while j < len(lines):
        m = _META_LINE.match(lines[j])
        if not m or m["key"] not in FRONT_MATTER_KEYS:
            break
        meta[m["key"]] = m["value"]
        j += 1
    if not meta:
        return {}, text
    return meta, "\n".join(lines[j:])


def split_meta_lines(text: str) -> tuple[dict[str, str], str]:
    """Pull ``已知键：值`` lines out of a preamble (our files put them between the title and the first section).

    Returns (values by Chinese key, the preamble without those lines).
    """
    meta: dict[str, str] = {}
    kept: list[str] = []
    for line in text.split("\n"):
        m = _META_LINE.match(line)
        if m and m["key"] in FRONT_MATTER_KEYS:
            meta[m["key"]] = m["value"]
        else:
            kept.append(line)
    return meta, "\n".join(kept)


def _split_outcomes(value: str) -> list[str]:
    out: list[str] = []
    for piece in re.split(r"[\s;；,，/|、]+", value):
        if piece:
            out.extend(extract_outcomes(piece, with_subtypes=True, negation=False) or [piece])
    return list(dict.fromkeys(out))


def _split_charges(value: str) -> list[str]:
    out: list[str] = []
    for piece in _LIST_SPLIT.split(value):
        if not piece:
            continue
        found = extract_charges(piece)
        if found:
            out.extend(found)
        else:
            out.extend(p for p in piece.split("、") if p)
    return list(dict.fromkeys(out))


def apply_front_matter(entry: Entry, meta: Mapping[str, str]) -> None:
    """Set the entry's fields from front-matter values (they win over parsed ones)."""
    for key, value in meta.items():
        attr = FRONT_MATTER_KEYS[key]
        value = value.strip()
        if not value or attr == "kind":
            continue
        if attr == "illustrative":
            entry.illustrative = value.lower() in _TRUE
        elif attr == "charges":
            entry.charges = _split_charges(value)
        elif attr == "outcomes":
            entry.outcomes = _split_outcomes(value)
        elif attr in _LIST_FIELDS:
            setattr(entry, attr, [v for v in _LIST_SPLIT.split(value) if v])
        elif attr == "publish_date":
            entry.publish_date = parse_chinese_date(value) or entry.publish_date
            if entry.publish_date is None:
                logger.warning("unreadable 发布日期 in front matter: %s", value)
        elif attr == "batch":
            batches = find_batches(value)
            entry.batch = batches[0] if batches else value
        elif attr == "case_type":
            entry.case_type = _canonical(value, CASE_TYPES)
        elif attr == "line":
            entry.line = _canonical(value, LINES)
        else:
            setattr(entry, attr, value)


def _canonical(value: str, allowed: Iterable[str]) -> str:
    """典型 -> 典型案例, 刑事 -> 刑事检察; anything else is kept as written."""
    for option in allowed:
        if value == option or option.startswith(value) or value.startswith(option):
            return option
    return value


# --- section headings -------------------------------------------------------------------------------------------

_HEADING_RULES: tuple[tuple[re.Pattern[str], SectionKey], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^(?:关键词|关键字|主题词)$", SectionKey.KEYWORDS),
        (r"^(?:要旨|裁判要旨|裁判要点|裁判摘要|案例要旨|办案要旨|典型要旨|要点|基本要点)$", SectionKey.GIST),
        (r"^(?:基本案情|案情|案情简介|案情概要|基本事实|案件事实|简要案情|案件基本情况)$", SectionKey.FACTS),
        (r"意义$|^(?:警示|启示|评析|案例评析|专家点评|点评)$", SectionKey.SIGNIFICANCE),
        (
            r"^(?:相关规定|相关法律规定|相关立法|相关法条|法律依据|相关法律|相关法律法规|相关依据|法律规定)$",
            SectionKey.PROVISIONS,
        ),
        (r"^(?:案件结果|处理结果|裁判结果|终审判决|终审结果|诉讼结果|办理结果|处理情况|判决结果)$", SectionKey.RESULT),
        (r"^(?:裁判理由|法院裁判理由)$", SectionKey.REASONING),
        (
            r"^(?:错误类型|存在问题|主要问题|问题分析|错误分析|责任追究|责任后果|追责情况|教训|警示要点|反思)$",
            SectionKey.WARNING,
        ),
        (
            r"履职|过程|监督情况|工作情况|指控与证明犯罪|理由|诉前程序|调查核实|听证|检察建议|支持提起|审查|办理|办案|"
            r"诉讼|意见|抗诉|出庭|督促|磋商|整改|追诉|救助|帮教|起诉|逮捕",
            SectionKey.PROCESS,
        ),
    )
)


def classify_heading(heading: str) -> SectionKey | None:
    """Map a section heading as written (要旨, 检察机关履职情况, 不批准逮捕的理由 …) to a SectionKey."""
    h = re.sub(r"[\s【】\[\]*#:：]", "", heading)
    if not h:
        return None
    for pattern, key in _HEADING_RULES:
        if pattern.search(h):
            return key
    return None


@dataclass
class Heading:
    start: int  # where the heading starts in the text
    end: int  # where its content starts
    key: SectionKey
    heading: str  # as written, e.g. 【检察机关履职情况】


@dataclass
class CaseBlock:
    preamble: str  # text before the first heading (title, number …)
    sections: list[Section] = field(default_factory=list)


_REPEAT_STARTS = frozenset({SectionKey.KEYWORDS, SectionKey.GIST, SectionKey.FACTS})


def split_cases(text: str, headings: list[Heading]) -> list[CaseBlock]:
    """Cut `text` into cases at headings. A new case starts when 关键词, 要旨 or 基本案情 repeats.

    The lines just before a new case's first heading (its title and number) are moved out of the previous case's
    last section into the new case's preamble.
    """
    if not headings:
        return []
    groups: list[list[Heading]] = [[]]
    for h in headings:
        if h.key in _REPEAT_STARTS and any(prev.key == h.key for prev in groups[-1]):
            groups.append([])
        groups[-1].append(h)
    blocks: list[CaseBlock] = []
    preamble = text[: groups[0][0].start]
    for gi, group in enumerate(groups):
        block = CaseBlock(preamble=preamble)
        for hi, h in enumerate(group):
            if hi + 1 < len(group):
                body = text[h.end : group[hi + 1].start]
            elif gi + 1 < len(groups):
                body = text[h.end : groups[gi + 1][0].start]
            else:
                body = text[h.end :]
            if hi + 1 == len(group) and gi + 1 < len(groups):
                body, preamble = split_trailing_title(body)
            block.sections.append(Section(key=h.key.value, heading=h.heading, text=clean_section_text(body)))
        blocks.append(block)
    return blocks


_NUMBER_LINE = re.compile(r"^[（(]?(?:检例第\d+号|指导性?案例第?\d+号|[^（）()]{0,12}第\d+号)[）)]?$")
_CASE_MARK = re.compile(r"^(?:案例|典型案例|【案例)[一二三四五六七八九十\d]+")
_TITLE_END = re.compile(r"(?:案|案件|纠纷|诉讼监督|监督|事件)[）)]?$")


def _is_title_line(line: str) -> bool:
    s = line.strip().strip("#*").strip()
    if not s or len(s) > 100 or s[-1] in "。；;，,：:":
        return False
    return bool(line.lstrip().startswith("#") or _CASE_MARK.match(s) or _TITLE_END.search(s))


def split_trailing_title(body: str) -> tuple[str, str]:
    """Split the title and number lines at the end of a section off: (rest of the section, title lines)."""
    lines = body.rstrip().split("\n")
    cut = len(lines)
    seen_title = False
    for i in range(len(lines) - 1, -1, -1):
        s = lines[i].strip()
        if not s:
            continue
        if _NUMBER_LINE.match(s.strip("#* ")):
            cut = i
            continue
        if not seen_title and _is_title_line(s):
            cut = i
            seen_title = True
            continue
        if seen_title and _CASE_MARK.match(s.strip("#* ")):
            cut = i  # 案例一 on its own line above the title
            continue
        break
    return "\n".join(lines[:cut]), "\n".join(lines[cut:])


_BLANKS = re.compile(r"\n\s*\n+")


def clean_section_text(text: str) -> str:
    """Strip each line, drop blank lines and markdown emphasis; paragraphs separated by one newline."""
    lines = [line.strip().strip("*").strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line and line != "---")


_TITLE_PREFIX = re.compile(
    r"^(?:[（(]?(?:检例第\d+号|指导性?案例第?\d+号)[）)]?\s*[:：_]*\s*)?"
    r"(?:(?:典型)?案例[一二三四五六七八九十\d]+\s*[:：、.]?\s*)?"
)


def clean_title(line: str) -> str:
    """'### （检例第100号） 案例三：陈力等八人侵犯著作权案' -> '陈力等八人侵犯著作权案'."""
    s = line.strip().lstrip("#").strip().strip("*").strip()
    s = s.strip("【】").strip()
    s = _TITLE_PREFIX.sub("", s).strip()
    return s.strip("_ ")


def find_title_and_number(preamble: str, *, allow_first_line: bool = True) -> tuple[str | None, str | None]:
    """Title and case number from the lines before the first heading.

    The title is the last title-like line before the headings (a markdown heading, or a line ending with 案 …);
    failing that the first non-empty line. The number is the first 检例/指导案例 number in those lines.
    """
    lines = [line for line in preamble.split("\n") if line.strip()]
    title: str | None = None
    number_source = ""
    for line in reversed(lines):
        s = line.strip().strip("#* ")
        if _NUMBER_LINE.match(s):
            number_source += s + "\n"
            continue
        if _is_title_line(line):
            cleaned = clean_title(line)
            if cleaned:
                title = cleaned
                number_source += line + "\n"
                break
            number_source += line + "\n"
    if title is None and allow_first_line:
        for line in lines:
            cleaned = clean_title(line)
            if cleaned and not _NUMBER_LINE.match(cleaned) and not _META_LINE.match(cleaned):
                title = cleaned
                number_source += line + "\n"
                break
    numbers = find_case_numbers(number_source) or find_case_numbers(preamble)
    return title, (numbers[0] if numbers else None)


_USABLE = re.compile(r"[A-Za-z\u3400-\u9fff]")


def has_usable_text(text: str) -> bool:
    """At least two letters or Han characters: punctuation, digits and whitespace alone are not a document."""
    return len(_USABLE.findall(text, 0, 20000)) >= 2


def fallback_title(source: str) -> str:
    return PurePath(source).stem or source


# --- keywords and enrichment ------------------------------------------------------------------------------------

_KEYWORD_SPLIT = re.compile(r"[\s;；,，/|]+")


def split_keywords(text: str) -> list[str]:
    """Keywords separated by spaces (incl. full-width and en spaces), line breaks, ；，/ — 、 is kept."""
    words = (w.strip().strip("*").strip() for w in _KEYWORD_SPLIT.split(text))
    return list(dict.fromkeys(w for w in words if w))


_CASE_TEXT_KEYS = ("gist", "facts", "process", "result", "reasoning", "body", "warning")
# 基本案情 too: the early SPP cases tell the procedure (起诉, 不批捕 …) inside it (measured by `kb eval elements`:
# outcomes F1 0.943 -> 0.964, no new false positive on the labelled sample).
_OUTCOME_KEYS = ("facts", "process", "result", "body", "warning")


def sections_by_key(sections: Iterable[Section]) -> dict[str, str]:
    out: dict[str, str] = {}
    for s in sections:
        out[s.key] = f"{out[s.key]}\n{s.text}" if s.key in out else s.text
    return out


def enrich_case(entry: Entry, *, overrides: Iterable[str] = ()) -> Entry:
    """Fill charges/案由, outcomes, provisions, line, sub_line and stage from the sections.

    Fields named in `overrides` (attribute names, e.g. from front matter) are left as they are.
    """
    fixed = set(overrides)
    texts = sections_by_key(entry.sections)
    case_text = "\n".join(texts[k] for k in _CASE_TEXT_KEYS if k in texts)
    charge_text = case_charge_text(texts)  # the same string extract_charges_from_case scans (its spans are cached)
    all_text = "\n".join(s.text for s in entry.sections if s.key != SectionKey.KEYWORDS)

    if "charges" not in fixed:
        entry.charges = extract_charges_from_case(texts, entry.title, entry.keywords)
    if "line" not in fixed:
        entry.line = infer_line(charge_text, entry.title, entry.keywords)
    if "charges" not in fixed and entry.line not in (None, "刑事检察"):
        # outside criminal cases, charges count when the title, keywords or 要旨 name them (公益诉讼: also 基本案情)
        gist = texts.get("gist", "")
        stated = {"gist": gist, "facts": texts.get("facts", "")} if entry.line == "公益诉讼检察" else {"gist": gist}
        entry.charges = extract_charges_from_case(stated, entry.title, entry.keywords)
        causes = title_causes(entry.title) + extract_causes(" ".join(entry.keywords))
        if not causes:
            causes = extract_causes(gist)
        if not causes and not entry.charges:
            causes = extract_causes(_cause_text(texts.get("facts", "")))
        entry.charges = list(dict.fromkeys([*entry.charges, *causes]))
    if "outcomes" not in fixed:
        outcome_text = "\n".join(texts.get(k, "") for k in _OUTCOME_KEYS)
        entry.outcomes = extract_outcomes(outcome_text, with_subtypes=True) or extract_outcomes(
            texts.get("gist", ""), with_subtypes=True
        )
    if "factors" not in fixed:
        entry.factors = extract_case_factors(texts)
    if "provisions" not in fixed:
        cited = extract_provisions(texts.get("provisions", ""), whole_laws=True)
        entry.provisions = merge_provisions(cited, extract_provisions(all_text))
    if "sub_line" not in fixed:
        entry.sub_line = infer_sub_line(case_text, entry.title, entry.keywords)
    if "stage" not in fixed:
        stage_text = "\n".join(texts.get(k, "") for k in ("gist", "process", "result", "body"))
        entry.stage = infer_stage(stage_text, entry.title, entry.keywords)
    return entry


# Facts longer than this are a judgment's (claims, findings, evidence, a later instance): their cause of action is
# stated where the story starts, and the rest names other disputes in passing.
_SHORT_FACTS = 1500


def _cause_text(facts: str) -> str:
    """Where to look for a cause of action in the facts: all of a guiding case's short 基本案情, or the first
    paragraph of a judgment's long facts."""
    return facts if len(facts) <= _SHORT_FACTS else facts.split("\n", 1)[0]


def front_matter_overrides(meta: Mapping[str, str]) -> set[str]:
    return {FRONT_MATTER_KEYS[k] for k, v in meta.items() if v.strip()}
